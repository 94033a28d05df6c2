"""The `kg` command end to end, through typer's runner, on stores under tmp_path."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.progress import Reporter

runner = CliRunner()

DONE_WHEN = """
PREFIX kg: <https://w3id.org/higm-kg/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?gene ?protein ?cell ?receptor ?receptorCell WHERE {
  ?condition skos:altLabel "HIGM1" .
  ?g kg:causes ?condition ; kg:encodes ?p ; rdfs:label ?gene .
  ?p rdfs:label ?protein ; kg:locatedOnSurfaceOf/rdfs:label ?cell ; kg:hasReceptor ?r .
  ?r rdfs:label ?receptor ; kg:locatedOnSurfaceOf/rdfs:label ?receptorCell }
"""


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    result = runner.invoke(app, ["build", "--without-hpo", "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


def kg(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_is_persistent_and_idempotent(store: Path) -> None:
    code, out, _ = kg("build", "--without-hpo", "--store", str(store))
    assert code == 0 and out.count("(unchanged)") == 2
    code, out, _ = kg("build", "--without-hpo", "--if-missing", "--store", str(store))
    assert code == 0 and "already built" in out


def test_a_store_in_folders_that_do_not_exist_yet(tmp_path: Path) -> None:
    """As `make serve` on a fresh clone builds into var/store before var/ exists."""
    code, _, err = kg("build", "--without-hpo", "--if-missing", "--store", str(tmp_path / "var" / "store"))
    assert code == 0, err
    assert (tmp_path / "var" / "store").is_dir()


def test_the_done_when_question_in_one_query(store: Path) -> None:
    code, out, _ = kg("query", DONE_WHEN, "--store", str(store), "--format", "json")
    assert code == 0
    [binding] = json.loads(out)["results"]["bindings"]
    assert {k: v["value"] for k, v in binding.items()} == {
        "gene": "CD40LG", "protein": "CD40 ligand", "cell": "T cell",
        "receptor": "Tumor necrosis factor receptor superfamily member 5", "receptorCell": "B cell",
    }


@pytest.mark.parametrize(("fmt", "check"), [
    ("table", lambda out: "CD40LG" in out and "T cell" in out),
    ("csv", lambda out: out.splitlines()[0] == "gene,protein,cell,receptor,receptorCell"),
    ("tsv", lambda out: out.splitlines()[0].startswith("?gene\t?protein")),
    ("xml", lambda out: "<sparql" in out and "CD40LG" in out),
])
def test_query_formats(store: Path, fmt: str, check) -> None:
    code, out, _ = kg("query", DONE_WHEN, "--store", str(store), "--format", fmt)
    assert code == 0 and check(out)


def test_query_from_a_file_and_construct_as_turtle(store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "genes.rq"
    rq.write_text("CONSTRUCT { ?g a <https://w3id.org/higm-kg/vocab#Gene> } WHERE { ?g a <https://w3id.org/higm-kg/vocab#Gene> }")
    code, out, _ = kg("query", str(rq), "--store", str(store), "--format", "ttl")
    assert code == 0
    assert len(list(ox.parse(out.encode(), format=ox.RdfFormat.TURTLE))) == 2


@pytest.mark.parametrize(("fmt", "rdf_format"), [
    ("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("nq", ox.RdfFormat.N_QUADS),
    ("trig", ox.RdfFormat.TRIG), ("jsonld", ox.RdfFormat.JSON_LD), ("rdfxml", ox.RdfFormat.RDF_XML),
])
def test_export_round_trips(store: Path, tmp_path: Path, fmt: str, rdf_format: ox.RdfFormat) -> None:
    target = tmp_path / f"dump.{fmt}"
    code, _, _ = kg("export", "--store", str(store), "--format", fmt, "-o", str(target))
    assert code == 0
    quads = list(ox.parse(target.read_bytes(), format=rdf_format))
    assert len(quads) > 3000


def test_validate_and_stats(store: Path) -> None:
    code, out, _ = kg("validate", "--store", str(store))
    assert code == 0 and "conforms" in out
    code, out, _ = kg("stats", "--store", str(store))
    assert code == 0 and "kg:Condition" in out and "graph/ontology" in out


def test_load_then_query(store: Path, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text("<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"extra\" .\n")
    code, out, _ = kg("load", str(data), "--store", str(store), "--graph", "http://example.org/g")
    assert code == 0 and "http://example.org/g: 1 triples (written)" in out
    code, out, _ = kg("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p 'extra' } }", "--store", str(store), "-f", "csv")
    assert out.splitlines()[1] == "http://example.org/g"


@pytest.mark.parametrize(("args", "message"), [
    (["query", "missing.rq"], "no such query file"),
    (["query", "resolve-synonyms"], "no saved query named 'resolve-synonyms'; did you mean resolve-synonym?"),
    (["query", "nosuchquery"], "no saved query named 'nosuchquery' (kg queries lists them"),
    (["export", "--format", "docx"], "unknown RDF format"),
    (["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "ttl"], "for CONSTRUCT and DESCRIBE"),
])
def test_errors_are_one_line_and_a_nonzero_exit(store: Path, args: list[str], message: str) -> None:
    code, out, err = kg(*args, "--store", str(store))
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_bad_load_names_file_and_line_and_leaves_the_store(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    before = kg("export", "--store", str(store), "--format", "nq")[1]
    code, _, err = kg("load", str(bad), "--store", str(store))
    assert code == 1 and f"{bad}:2" in err and "Traceback" not in err
    assert kg("export", "--store", str(store), "--format", "nq")[1] == before


STAGE = re.compile(r"^([\w.-]+): ([\d,]+) (triples|graphs) in [\d.]+ s(?: \([\d,]+ \3/s\))?$")


def stages(log: str) -> dict[str, int]:
    """The stage lines of a log: name → count."""
    found = [STAGE.match(line) for line in log.splitlines()]
    return {m.group(1): int(m.group(2).replace(",", "")) for m in found if m}


@pytest.mark.parametrize(("command", "expected"), [
    (["build", "--without-hpo"], {"sources", "ontology", "x-linked-hyper-igm-syndrome", "store"}),
    (["load", "{data}"], {"extra", "store"}),
])
def test_progress_lines_reach_a_log(tmp_path: Path, command: list[str], expected: set[str]) -> None:
    """stderr is a file here, as in a log: rich's live display shows nothing, the stage lines stay."""
    data = tmp_path / "extra.ttl"
    data.write_text("".join(f'<http://example.org/a> <http://example.org/p> "{n}" .\n' for n in range(5)))
    log = tmp_path / "log.txt"
    with log.open("w") as stderr:
        result = subprocess.run([sys.executable, "-m", "cli", *(a.format(data=data) for a in command),
                                 "--store", str(tmp_path / "store")], stdout=subprocess.PIPE, stderr=stderr,
                                text=True, check=False, timeout=120)
    assert result.returncode == 0, log.read_text()
    found = stages(log.read_text())
    assert set(found) == expected and found.get("sources", 2) == 2
    written = {line.rsplit("/", 1)[-1].split(":")[0]: int(line.split(": ")[1].split()[0])
               for line in result.stdout.splitlines() if "(written)" in line}
    assert {name: found[name] for name in written} == written
    assert found["store"] == sum(written.values())


@pytest.mark.parametrize(("counts", "said"), [
    ([5_720_922], "store: still at it after"),  # the engine writing: no count moves while it runs
    ([100, 200, 300], "triples so far,"),
])
def test_a_long_stage_is_heard_of_while_it_runs(counts: list[int], said: str) -> None:
    out = io.StringIO()
    with Reporter(Console(file=out, width=200), every=0.05) as reporter:
        for count in counts:
            reporter.count("store", count)
        for _ in range(100):  # at most 5 s for the ticker's line
            if said in out.getvalue():
                break
            time.sleep(0.05)
    assert said in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith(f"store: {counts[-1]:,} triples in ")
