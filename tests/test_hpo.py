"""HPO: terms, disease and gene annotations from slices of the real release, loaded through the
CLI; malformed rows; joins with the curated graph; metadata; the derived phenotype profiles."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Rows, rows
from fastapi.testclient import TestClient
from hpo_slice import Slice, cut
from typer.testing import CliRunner

from cli.main import app as cli
from kg.products import refresh
from kg.settings import Settings
from kg.store import Store
from loaders import hpo, write
from loaders.build import build
from ontology import METADATA_GRAPH, PREFIXES
from ontology.identifiers import expand
from server.app import create_app

runner = CliRunner()
HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
DISEASES = ("OMIM:308230", "OMIM:606843", "ORPHA:199310", "OMIM:607155", "OMIM:612567", "OMIM:117650",
            "DECIPHER:16", "ORPHA:79414")
GENES = ("959", "958")
OBSOLETE = "HP:0000284"  # obsolete Abnormality of the ocular region, replaced by HP:0000315


@pytest.fixture(scope="module")
def release_slice(tmp_path_factory: pytest.TempPathFactory) -> Slice:
    return cut(tmp_path_factory.mktemp("hpo"), diseases=DISEASES, genes=GENES, terms=(OBSOLETE,),
               branches=("HP:0002720",))


@pytest.fixture(scope="module")
def sliced_store(tmp_path_factory: pytest.TempPathFactory, release_slice: Slice) -> Path:
    """The curated graph plus the slice, both written by the CLI into one on-disk store."""
    path = tmp_path_factory.mktemp("store") / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(path)]).exit_code == 0
    result = runner.invoke(cli, ["load", *map(str, release_slice.files), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


def cli_select(store: Path, sparql: str) -> Rows:
    """A SELECT through `kg query`, as plain strings (unbound left out)."""
    result = runner.invoke(cli, ["query", HEADER + sparql, "--store", str(store), "-f", "json"])
    assert result.exit_code == 0, result.output
    return [{name: cell["value"] for name, cell in binding.items()}
            for binding in json.loads(result.stdout)["results"]["bindings"]]


@pytest.fixture(scope="module")
def ask(sliced_store: Path) -> Callable[[str], Rows]:
    return lambda sparql: cli_select(sliced_store, sparql)


def test_stats_show_the_hpo_graphs(sliced_store: Path, ask: Callable[[str], Rows]) -> None:
    result = runner.invoke(cli, ["stats", "--store", str(sliced_store)])
    assert result.exit_code == 0, result.output
    for graph in hpo.LOADED_GRAPHS:
        assert graph in result.stdout


@pytest.mark.parametrize(("subject", "predicate", "value"), [
    ("obo:HP_0001875", "rdfs:label", "Neutropenia"),
    ("obo:HP_0001875", "oboInOwl:id", "HP:0001875"),
    ("obo:HP_0001875", "obo:IAO_0000115", "An abnormally low number of neutrophils in the peripheral blood."),
    ("obo:HP_0001875", "oboInOwl:hasExactSynonym", "Low neutrophil count"),
    ("obo:HP_0001875", "oboInOwl:hasDbXref", "UMLS:C0853697"),
    ("obo:HP_0001875", "oboInOwl:hasAlternativeId", "HP:0005515"),
    ("obo:HP_0001875", "rdfs:subClassOf", "http://purl.obolibrary.org/obo/HP_0011991"),
    ("obo:HP_0001875", "rdf:type", "http://www.w3.org/2002/07/owl#Class"),
    ("obo:HP_0000284", "owl:deprecated", "true"),
    ("obo:HP_0000284", "obo:IAO_0100001", "http://purl.obolibrary.org/obo/HP_0000315"),
])
def test_terms_are_obo_in_owl(ask: Callable[[str], Rows], subject: str, predicate: str, value: str) -> None:
    found = ask(f"SELECT ?o WHERE {{ GRAPH <{hpo.ONTOLOGY_GRAPH}> {{ {subject} {predicate} ?o }} }}")
    assert value in {row["o"] for row in found}


def test_the_slice_keeps_whole_branches(ask: Callable[[str], Rows], release_slice: Slice) -> None:
    [row] = ask(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ GRAPH <{hpo.ONTOLOGY_GRAPH}> {{ ?t a owl:Class }} }}")
    assert int(row["n"]) == len(release_slice.terms)


def test_no_hp_term_has_two_labels(ask: Callable[[str], Rows]) -> None:
    assert ask("""SELECT ?t WHERE { ?t rdfs:label ?a, ?b FILTER(STRSTARTS(STR(?t), STR(obo:HP_)) && ?a != ?b) }""") == []


def test_every_row_is_one_association(ask: Callable[[str], Rows], release_slice: Slice) -> None:
    [row] = ask(f"""SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{hpo.ANNOTATIONS_GRAPH}> {{
        ?a a biolink:DiseaseToPhenotypicFeatureAssociation }} }}""")
    assert int(row["n"]) == len(set(release_slice.annotation_rows))
    [row] = ask(f"""SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{hpo.GENES_GRAPH}> {{
        ?a a biolink:GeneToPhenotypicFeatureAssociation }} }}""")
    assert int(row["n"]) == len(set(release_slice.gene_rows))


# One real row of each shape, and what its association node must carry.
@pytest.mark.parametrize(("disease", "phenotype", "pattern"), [
    ("OMIM:308230", "HP:0001875", ("?a biolink:has_count 39 ; biolink:has_total 61 ; kg:evidenceCode 'PCS' ; kg:aspect 'P' ;"
     " biolink:publications <https://pubmed.ncbi.nlm.nih.gov/9255191>")),
    ("ORPHA:199310", None, "?a biolink:negated true"),
    ("OMIM:607155", None, "?a biolink:has_percentage ?p FILTER(DATATYPE(?p) = xsd:decimal)"),
    ("ORPHA:79414", None, "?a biolink:frequency_qualifier obo:HP_0040281"),
    ("OMIM:612567", None, "?a kg:sex kg:Female ; biolink:onset_qualifier obo:HP_0003593"),
    ("OMIM:117650", None, "?a biolink:qualifiers obo:HP_0012828"),
    ("OMIM:308230", None, "?a kg:biocuration ?c FILTER(REGEX(?c, '^HPO:[a-z]+\\\\[\\\\d{4}-\\\\d{2}-\\\\d{2}\\\\]$'))"),
    ("DECIPHER:16", None, "?d a biolink:Disease ; rdfs:label ?name"),
])
def test_annotation_fields(ask: Callable[[str], Rows], disease: str, phenotype: str | None, pattern: str) -> None:
    term = f"FILTER(?t = obo:{phenotype.replace(':', '_')})" if phenotype else ""
    found = ask(f"""SELECT ?a WHERE {{ GRAPH <{hpo.ANNOTATIONS_GRAPH}> {{
        BIND(<{expand(disease)}> AS ?d) ?a biolink:subject ?d ; biolink:object ?t . {term} {pattern} }} }}""")
    assert found, (disease, pattern)


def test_the_mondo_node_reaches_hpo_annotations_of_its_matches(ask: Callable[[str], Rows]) -> None:
    [row] = ask("""SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
        obo:MONDO_0010626 skos:exactMatch ?d . ?a biolink:subject ?d ; a biolink:DiseaseToPhenotypicFeatureAssociation }""")
    assert int(row["n"]) == 41  # every OMIM:308230 row; the release has none for ORPHA:101088


def test_our_gene_joins_hpo_gene_annotations(ask: Callable[[str], Rows]) -> None:
    cd40lg = expand("HGNC:11935")
    found = ask(f"""SELECT DISTINCT ?symbol ?disease WHERE {{
        <{cd40lg}> skos:exactMatch ?gene . ?gene rdfs:label ?symbol .
        ?a biolink:subject ?gene ; biolink:disease_context_qualifier ?disease }}""")
    assert found == [{"symbol": "CD40LG", "disease": "https://omim.org/MIM:308230"}]


def test_profiles_are_annotations_closed_under_ancestors(ask: Callable[[str], Rows]) -> None:
    """What the loader derived equals what the engine derives from the hierarchy."""
    derived = ask("""SELECT DISTINCT ?d ?t WHERE {
        ?a a biolink:DiseaseToPhenotypicFeatureAssociation ; biolink:subject ?d ; biolink:object ?x ; kg:aspect "P" .
        FILTER NOT EXISTS { ?a biolink:negated true }
        ?x rdfs:subClassOf* ?t . ?t rdfs:subClassOf+ obo:HP_0000118 }""")
    stored = ask("SELECT ?d ?t WHERE { ?d kg:phenotypeProfile ?t }")
    assert len(stored) > 100
    assert sorted(map(str, derived)) == sorted(map(str, stored))
    sizes = ask("SELECT ?d ?n (COUNT(?t) AS ?c) WHERE { ?d kg:phenotypeProfileSize ?n ; kg:phenotypeProfile ?t } GROUP BY ?d ?n")
    assert sizes and all(row["n"] == row["c"] for row in sizes)


def test_release_metadata(ask: Callable[[str], Rows], release_slice: Slice) -> None:
    found = ask(f"""SELECT ?version ?license ?rights WHERE {{ GRAPH <{METADATA_GRAPH}> {{
        <{hpo.ONTOLOGY_GRAPH}> schema:version ?version ; dcterms:license ?license ; dcterms:rights ?rights }} }}""")
    assert found == [{"version": "2025-01-16", "license": "https://hpo.jax.org/app/license", "rights": hpo.ATTRIBUTION}]
    store = Store.open()
    write(store, [load for path in release_slice.files for load in hpo.load(path)])
    refresh(store, report=lambda _: None)  # as kg load does after its write
    with TestClient(create_app(store, Settings())) as client:
        void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).text
    for graph in hpo.LOADED_GRAPHS:
        assert f'<{graph}> <https://schema.org/version> "2025-01-16"' in void
        assert f"<{graph}> <http://purl.org/dc/terms/license> <https://hpo.jax.org/app/license>" in void


@pytest.fixture(scope="module")
def page_client(release_slice: Slice) -> TestClient:
    store = Store.open()
    build(store, with_hpo=False)
    write(store, [load for path in release_slice.files for load in hpo.load(path)])
    with TestClient(create_app(store, Settings())) as client:
        yield client


@pytest.mark.parametrize(("curie", "titles", "shown"), [
    ("MONDO:0010626", ["HPO&#39;s annotations", "Clinical features: on the page and in HPO",
                       "Abnormalities of the immune system, on the page and in HPO"],
     ["only in HPO", "on the page and in HPO", "only on the page", "39/61", "HP:0002849"]),
    ("OMIM:308230", ["HPO&#39;s annotations", "Abnormalities of the immune system, on the page and in HPO"], ["39/61"]),
    ("HGNC:11935", [], []),
])
def test_entity_pages_show_hpo_sections(page_client: TestClient, curie: str, titles: list[str],
                                        shown: list[str]) -> None:
    page = page_client.get(f"/id/{curie}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert re.findall(r'<section class="saved" id="[^"]+" aria-label="([^"]+)">', page.text) == titles
    lists = [page_client.get(html.unescape(href)).text  # a section's merged rows past the first dozen
             for href in re.findall(r'href="([^"]*section=[^"]*page=1)"', page.text)]
    for text in shown:
        assert any(text in part for part in [page.text, *lists]), text


# -- malformed rows ------------------------------------------------------------------------------

def _replace_field(line: str, column: int, value: str) -> str:
    fields = line.rstrip("\n").split("\t")
    fields[column] = value
    return "\t".join(fields) + "\n"


HPOA_CASES = [
    ("too few columns", lambda line: "\t".join(line.split("\t")[:-1]) + "\n", "11 columns, 12 expected"),
    ("bad disease CURIE", lambda line: _replace_field(line, 0, "OMIM308230"), "is not an OMIM, ORPHA or DECIPHER id"),
    ("bad reference CURIE", lambda line: _replace_field(line, 4, "NOPE:1"), "not a CURIE of a known identifier space"),
    ("unknown HPO id", lambda line: _replace_field(line, 3, "HP:9999999"), "HP:9999999 is not a term of the ontology"),
    ("HPO id not an id", lambda line: _replace_field(line, 3, "Neutropenia"), "is not an HPO id"),
    ("bad frequency", lambda line: _replace_field(line, 7, "often"), "neither an HPO term, n/m nor a percentage"),
    ("n over m", lambda line: _replace_field(line, 7, "7/5"), "n/m needs"),
    ("bad evidence", lambda line: _replace_field(line, 5, "XYZ"), "evidence 'XYZ'"),
]
GENE_CASES = [
    ("gene id not a number", lambda line: _replace_field(line, 0, "CD40LG"), "is not a number"),
    ("too many columns", lambda line: line.rstrip("\n") + "\textra\n", "7 columns, 6 expected"),
    ("unknown HPO id", lambda line: _replace_field(line, 2, "HP:9999998"), "is not a term of the ontology"),
]


def _damaged(release_slice: Slice, tmp_path: Path, name: str, change: Callable[[str], str]) -> tuple[Path, int]:
    """A copy of the slice with one data row of `name` changed; the path and the row's line."""
    folder = cut(tmp_path / "release", diseases=("OMIM:308230",), genes=("959",))
    path = folder.folder / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first_row = next(i for i, line in enumerate(lines) if not line.startswith(("#", "database_id", "ncbi_gene_id")))
    lines[first_row + 2] = change(lines[first_row + 2])
    path.write_text("".join(lines), encoding="utf-8")
    return path, first_row + 3


@pytest.mark.parametrize(("file", "case", "change", "message"),
                         [("phenotype.hpoa", *c) for c in HPOA_CASES] + [("genes_to_phenotype.txt", *c) for c in GENE_CASES])
def test_malformed_rows(release_slice: Slice, tmp_path: Path, file: str, case: str,
                        change: Callable[[str], str], message: str) -> None:
    path, line = _damaged(release_slice, tmp_path, file, change)
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(store)]).exit_code == 0
    before = runner.invoke(cli, ["export", "--store", str(store), "-f", "nq"]).stdout

    strict = runner.invoke(cli, ["load", str(path), "--strict", "--store", str(store)])
    assert strict.exit_code != 0
    assert f"{path}:{line}" in strict.output and message in strict.output, strict.output
    assert runner.invoke(cli, ["export", "--store", str(store), "-f", "nq"]).stdout == before

    lenient = runner.invoke(cli, ["load", str(path), "--store", str(store)])
    assert lenient.exit_code == 0, lenient.output
    assert f"skipped 1 malformed row (line {line}: " in lenient.output and message in lenient.output
    rows_in_file = sum(1 for text in path.read_text().splitlines() if not text.startswith(("#", "database_id", "ncbi")))
    graph = hpo.ANNOTATIONS_GRAPH if file.endswith(".hpoa") else hpo.GENES_GRAPH
    kind = "Disease" if file.endswith(".hpoa") else "Gene"
    [row] = cli_select(store, f"""SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{graph}> {{
        ?a a biolink:{kind}ToPhenotypicFeatureAssociation }} }}""")
    assert int(row["n"]) == rows_in_file - 1


@pytest.mark.parametrize(("setup", "message"), [
    ("annotations without hp.obo", "needs the release's hp.obo in the same folder"),
    ("not an HPO file", "not an HPO release file"),
    ("obo syntax error", "not OBO"),
])
def test_unusable_files(tmp_path: Path, setup: str, message: str) -> None:
    folder = cut(tmp_path / "release", diseases=("OMIM:308230",), genes=("959",)).folder
    target = folder / "phenotype.hpoa"
    if setup == "annotations without hp.obo":
        (folder / "hp.obo").unlink()
    elif setup == "not an HPO file":
        target = tmp_path / "notes.hpoa"
        target.write_text("format-version: 1.2\nontology: go\n", encoding="utf-8")
    else:
        target = folder / "hp.obo"
        target.write_text(target.read_text().replace("[Term]\nid: HP:0000001", "[Term]\nid HP:0000001", 1))
    result = runner.invoke(cli, ["load", str(target), "--store", str(tmp_path / "store")])
    assert result.exit_code != 0 and message in result.output, result.output


# -- the full release (slower; run in CI) --------------------------------------------------------

@pytest.mark.full_release
@pytest.mark.parametrize(("count", "expected"), [
    (f"SELECT (COUNT(?t) AS ?n) WHERE {{ GRAPH <{hpo.ONTOLOGY_GRAPH}> {{ ?t a owl:Class }} }}", 19_484),
    (f"SELECT (COUNT(?t) AS ?n) WHERE {{ GRAPH <{hpo.ONTOLOGY_GRAPH}> {{ ?t owl:deprecated true }} }}", 450),
    (f"SELECT (COUNT(?d) AS ?n) WHERE {{ GRAPH <{hpo.ANNOTATIONS_GRAPH}> {{ ?d a biolink:Disease }} }}", 12_687),
    # 271,702 rows; rows repeated word for word (once their repeated ; entries are dropped) are one node
    ("SELECT (COUNT(?a) AS ?n) WHERE { ?a a biolink:DiseaseToPhenotypicFeatureAssociation }", 271_658),
    ("SELECT (COUNT(?a) AS ?n) WHERE { ?a a biolink:GeneToPhenotypicFeatureAssociation }", 316_589),
    ("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t rdfs:label ?a, ?b FILTER(STRSTARTS(STR(?t), STR(obo:HP_)) && ?a != ?b) }", 0),
    ("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { obo:MONDO_0010626 skos:exactMatch ?d . ?a biolink:subject ?d }", 41),
])
def test_full_release_counts(full_store: Store, count: str, expected: int) -> None:
    [row] = rows(full_store.query(HEADER + count))
    assert int(row["n"]) == expected


@pytest.mark.full_release
def test_metadata_counts_are_the_graph_sizes(full_store: Store) -> None:
    recorded = {row["g"]: int(row["n"]) for row in rows(full_store.query(
        f"SELECT ?g ?n WHERE {{ GRAPH <{METADATA_GRAPH}> {{ ?g <http://rdfs.org/ns/void#triples> ?n }} }}"))}
    sizes = full_store.graph_sizes()
    assert {g: recorded[g] for g in hpo.LOADED_GRAPHS} == {g: sizes[g] for g in hpo.LOADED_GRAPHS}
