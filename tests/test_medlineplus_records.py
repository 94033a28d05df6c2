"""NLM's MedlinePlus Genetics records (bulk XML, per-topic XML and JSON) through `kg load`: one
connected graph with pages, cross-references, inheritance and reports; bad records refused with
the store untouched; the bulk file read as a stream."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from cli.main import app as cli
from loaders.errors import LoadError
from loaders.hpo import bundled
from loaders.medlineplus import topics
from ontology import PREFIXES

RECORDS = ROOT / "tests" / "data" / "medlineplus-records"
PAGES = ROOT / "tests" / "data" / "medlineplus"
BULK = RECORDS / "ghr-summaries.xml"
HPO_DATA = bundled()[0].parent
HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
runner = CliRunner()


def every_input() -> list[str]:
    return [str(BULK), *map(str, sorted(RECORDS.glob("json/*/*.json"))), *map(str, sorted(RECORDS.glob("xml/*/*.xml"))),
            *map(str, sorted(PAGES.iterdir()))]


def select(store: Path, sparql: str) -> list[dict[str, str]]:
    result = runner.invoke(cli, ["query", HEADER + sparql, "--store", str(store), "-f", "json"])
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    """The default graph without HPO, then every record file and page in one atomic load."""
    folder = tmp_path_factory.mktemp("records")
    store, report = folder / "store", folder / "report.json"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(store)]).exit_code == 0
    result = runner.invoke(cli, ["load", *every_input(), "--store", str(store), "--report", str(report)])
    assert result.exit_code == 0, result.output
    return store, json.loads(report.read_text(encoding="utf-8"))


# -- the records, whatever their format --------------------------------------------------------


def bulk_topics() -> list[topics.Topic]:
    with BULK.open("rb") as source:
        return list(topics.read_xml(source, str(BULK)))


def test_the_bulk_file_has_twelve_conditions_and_six_genes() -> None:
    skipped = topics.Skipped()
    with BULK.open("rb") as source:
        found = list(topics.read_xml(source, str(BULK), skipped))
    assert sum(t.kind == "condition" for t in found) >= 12 and sum(t.kind == "gene" for t in found) >= 6
    assert dict(skipped.kinds) == {"chromosome-summary": 1}


def _fields(topic: topics.Topic) -> tuple[object, ...]:
    return (topic.kind, topic.name, topic.slug, topic.related, topic.synonyms, topic.db_keys, topic.inheritance,
            tuple((t.role, t.paragraphs) for t in topic.texts))


@pytest.mark.parametrize("path", sorted([*RECORDS.glob("json/*/*.json"), *RECORDS.glob("xml/*/*.xml")]),
                         ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}")
def test_per_topic_files_read_as_the_bulk_record(path: Path) -> None:
    fmt = topics.detect(path.read_bytes()[:8192])
    assert fmt == path.suffix[1:]
    [topic] = topics.read(path.read_bytes(), str(path), fmt)
    [same] = [t for t in bulk_topics() if (t.kind, t.slug) == (topic.kind, topic.slug)]
    assert _fields(topic) == _fields(same)


JSON_SHAPES = [
    ("ghr_page with an underscore", {"name": "Example", "ghr_page": "https://medlineplus.gov/genetics/condition/example"},
     lambda t: t.slug == "example"),
    ("one-member list as an object", {"name": "Example", "ghr-page": "https://medlineplus.gov/genetics/condition/example",
                                      "synonym-list": {"synonym": "EX1"}, "db-key-list": {"db-key": {"db": "OMIM", "key": "308230"}}},
     lambda t: t.synonyms == ("EX1",) and t.db_keys == (("OMIM", "308230"),)),
    ("wrapped in its kind", {"health-condition-summary": {"name": "Example",
                                                          "ghr-page": "https://medlineplus.gov/genetics/condition/example"}},
     lambda t: t.name == "Example"),
    ("a gene", {"gene-symbol": "CD40LG", "name": "CD40 ligand", "ghr-page": "https://medlineplus.gov/genetics/gene/cd40lg"},
     lambda t: (t.kind, t.name, t.full_name) == ("gene", "CD40LG", "CD40 ligand")),
    ("fields missing", {"name": "Example", "ghr-page": "https://medlineplus.gov/genetics/condition/example", "text-list": None},
     lambda t: t.texts == () and t.related == ()),
]


@pytest.mark.parametrize(("case", "value", "check"), JSON_SHAPES, ids=[c[0] for c in JSON_SHAPES])
def test_json_shapes(case: str, value: object, check) -> None:  # type: ignore[no-untyped-def]
    [topic] = topics.read(json.dumps(value).encode(), "example.json", "json")
    assert check(topic)


def test_the_bulk_file_is_read_as_a_stream() -> None:
    """The first record comes out before the file has been read to its end."""
    record = BULK.read_text(encoding="utf-8")
    first, rest = record.index("<health-condition-summary"), record.index("</health-condition-summary>") + 30
    body = record[first:rest - 3]
    big = record[:first] + body * 2000 + "</summaries>\n"
    source = io.BytesIO(big.encode())
    next(iter(topics.read_xml(source, "big.xml")))
    assert source.tell() < len(big.encode()) / 10


# -- one connected graph -----------------------------------------------------------------------


def test_everything_together_conforms(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    result = runner.invoke(cli, ["validate", "--store", str(store)])
    assert result.exit_code == 0 and "conforms" in result.stdout, result.output


def test_conditions_and_genes_are_linked_both_ways(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    one_way = select(store, """SELECT ?c ?g WHERE { { ?c kg:relatedGene ?g FILTER NOT EXISTS { ?g kg:relatedCondition ?c } }
        UNION { ?g kg:relatedCondition ?c FILTER NOT EXISTS { ?c kg:relatedGene ?g } } }""")
    assert one_way == []
    unlinked = select(store, """SELECT ?name WHERE { GRAPH ?g { ?c a kg:Condition ; rdfs:label ?name }
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/higm-kg/graph/medlineplus/condition/") && !STRENDS(STR(?g), "/page"))
        FILTER NOT EXISTS { ?c kg:relatedGene ?gene } FILTER(?name != "Example condition with little known") }""")
    assert unlinked == []


def test_a_records_related_genes_are_listed_associations(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    found = select(store, """SELECT DISTINCT ?p ?basis WHERE { ?st rdf:predicate ?p ; kg:linkBasis ?basis ;
        prov:wasDerivedFrom/dcterms:title ?section FILTER(?section IN ("Related Genes", "Related Health Conditions")) }""")
    assert {(r["p"].split("#")[1], r["basis"].split("#")[1]) for r in found} == {
        ("relatedGene", "ListedAssociation"), ("relatedCondition", "ListedAssociation")}


SHARED = """SELECT ?symbol (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c kg:relatedGene ?g . ?g kg:symbol ?symbol }
            GROUP BY ?symbol HAVING (COUNT(DISTINCT ?c) > 1)"""


def test_genes_shared_by_more_than_one_condition(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    assert {(r["symbol"], r["n"]) for r in select(store, SHARED)} == {("CFTR", "2"), ("FBN1", "2")}


def test_a_condition_from_a_page_json_and_xml_is_one_node_with_provenance_per_source(
        loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    nodes = select(store, "SELECT DISTINCT ?c WHERE { ?c a kg:Condition ; rdfs:label 'Cystic fibrosis' }")
    assert [r["c"] for r in nodes] == ["https://w3id.org/higm-kg/id/condition/cystic-fibrosis"]
    sources = select(store, """SELECT DISTINCT ?doc WHERE { ?st rdf:subject <https://w3id.org/higm-kg/id/gene/cftr> ;
        rdf:predicate kg:causes ; rdf:object <https://w3id.org/higm-kg/id/condition/cystic-fibrosis> ;
        prov:wasDerivedFrom/dcterms:isPartOf ?doc }""")
    assert {r["doc"] for r in sources} == {"https://medlineplus.gov/genetics/condition/cystic-fibrosis/",
                                          "https://w3id.org/higm-kg/id/source/medlineplus-record/condition/cystic-fibrosis"}
    record = select(store, """SELECT ?page ?file WHERE {
        <https://w3id.org/higm-kg/id/source/medlineplus-record/condition/cystic-fibrosis> dcterms:source ?page .
        GRAPH <https://w3id.org/higm-kg/graph/metadata> {
          ?load prov:used/dcterms:title ?file FILTER(CONTAINS(?file, "#condition/cystic-fibrosis")) } }""")
    assert {r["page"] for r in record} == {"https://medlineplus.gov/genetics/condition/cystic-fibrosis"}


HIGM1 = "<http://purl.obolibrary.org/obo/MONDO_0010626>"
XREFS = [
    ("OMIM", "kg:xref", "https://omim.org/MIM:308230"),
    ("Orphanet", "kg:xref", "http://www.orpha.net/ORDO/Orphanet_101088"),
    ("SNOMED CT", "kg:xref", "http://purl.bioontology.org/ontology/SNOMEDCT/403835002"),
    ("MeSH", "kg:xref", "https://meshb.nlm.nih.gov/record/ui?ui=D053307"),
    ("GTR is a UMLS CUI", "oboInOwl:hasDbXref", "UMLS:C0398689"),
    ("ICD-10-CM keeps its code", "oboInOwl:hasDbXref", "ICD10CM:D80.5"),
]


@pytest.mark.parametrize(("case", "predicate", "value"), XREFS, ids=[x[0] for x in XREFS])
def test_database_keys_become_cross_references(loaded: tuple[Path, list[dict[str, object]]], case: str,
                                               predicate: str, value: str) -> None:
    store, _ = loaded
    found = select(store, f"SELECT ?x WHERE {{ {HIGM1} {predicate} ?x }}")
    assert value in {r["x"] for r in found}


def test_keys_of_unknown_databases_or_shapes_are_reported_not_written(
        loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, report = loaded
    [entry] = [r for r in report if r.get("topic") == "condition/example-condition-with-little-known"]
    assert len(entry["warnings"]) == 2  # type: ignore[arg-type]
    assert select(store, "SELECT ?x WHERE { <https://w3id.org/higm-kg/id/condition/example-condition-with-little-known> "
                         "kg:xref|oboInOwl:hasDbXref ?x }") == []
    assert select(store, "SELECT ?v WHERE { <https://w3id.org/higm-kg/id/condition/example-condition-with-little-known> "
                         "kg:causeUnknown ?v }") == [{"v": "true"}]


INHERITANCE = [
    ("rett-syndrome", {"HP:0001423", "HP:0003745"}),  # X-linked dominant, and sporadic ("not inherited")
    ("congenital-bilateral-absence-of-the-vas-deferens", {"HP:0000007"}),  # the code alone
    ("isolated-ectopia-lentis", {"HP:0000006", "HP:0000007"}),
    ("leber-hereditary-optic-neuropathy", {"HP:0001427"}),
]


@pytest.mark.parametrize(("slug", "expected"), INHERITANCE, ids=[i[0] for i in INHERITANCE])
def test_inheritance_codes_and_sentences_map_to_hpo(loaded: tuple[Path, list[dict[str, object]]], slug: str,
                                                    expected: set[str]) -> None:
    store, _ = loaded
    found = select(store, f"SELECT ?id WHERE {{ GRAPH <https://w3id.org/higm-kg/graph/medlineplus/condition/{slug}> {{ "
                          f"?c kg:hasModeOfInheritance ?p }} BIND(REPLACE(STR(?p), '^.*/HP_', 'HP:') AS ?id) }}")
    assert {r["id"] for r in found} == expected


def test_conditions_per_inheritance_pattern(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    store, _ = loaded
    found = select(store, """SELECT ?label (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c kg:hasModeOfInheritance ?p .
        ?p rdfs:label ?label } GROUP BY ?label""")
    counts = {r["label"]: int(r["n"]) for r in found}
    assert counts["X-linked recessive inheritance"] >= 3 and counts["Mitochondrial inheritance"] >= 1


def test_the_report_says_what_each_record_gave(loaded: tuple[Path, list[dict[str, object]]]) -> None:
    _, report = loaded
    [higm] = [r for r in report if r.get("topic") == "condition/x-linked-hyper-igm-syndrome"
              and "ghr-summaries.xml" in str(r["source"])]
    assert "record C1, line 3" in str(higm["source"])
    assert higm["facts"]["kg:relatedGene"] == 1 and higm["facts"]["kg:xref"] == 4  # type: ignore[index]
    assert higm["genes_found"] == {"stated cause": ["CD40LG"], "deletion": [], "stated association": [],
                                   "listed association": []}  # in the record's list, and stated by its text
    assert {"section": "Description", "sentence": "X-linked hyper IgM syndrome is a disorder of the immune system "
                                                  "that mostly affects boys."} in higm["not_understood"]  # type: ignore[operator]
    assert {"source": str(BULK), "skipped_records": {"chromosome-summary": 1}} in report
    lhon = [r for r in report if r.get("topic") == "condition/leber-hereditary-optic-neuropathy"]
    assert any({"kind": "gene", "name": "MT-ND4"} in r["not_in_lexicon"] for r in lhon)  # type: ignore[operator]


def test_loading_the_same_records_again_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = runner.invoke(cli, ["load", str(BULK), "--store", str(store)])
    again = runner.invoke(cli, ["load", str(BULK), "--store", str(store)])
    assert first.exit_code == again.exit_code == 0
    assert "(written)" in first.stdout and "(written)" not in again.stdout and "(unchanged)" in again.stdout


def test_the_later_of_two_loads_of_a_graph_wins_and_keeps_its_metadata(tmp_path: Path) -> None:
    """JSON then XML of one record in one call, the store already holding the XML's: unchanged,
    and its load metadata still there."""
    store = tmp_path / "store"
    json_file = RECORDS / "json" / "condition" / "cystic-fibrosis.json"
    xml_file = RECORDS / "xml" / "condition" / "cystic-fibrosis.xml"
    assert runner.invoke(cli, ["load", str(xml_file), "--store", str(store)]).exit_code == 0
    both = runner.invoke(cli, ["load", str(json_file), str(xml_file), "--store", str(store)])
    assert both.exit_code == 0 and "(unchanged)" in both.stdout and "(written)" not in both.stdout
    files = select(store, """SELECT ?file WHERE { GRAPH <https://w3id.org/higm-kg/graph/metadata> {
        ?load prov:used/dcterms:title ?file } FILTER(CONTAINS(?file, "#condition/cystic-fibrosis")) }""")
    assert [r["file"] for r in files] == ["cystic-fibrosis.xml#condition/cystic-fibrosis"]


def test_a_record_moved_in_the_file_is_unchanged(tmp_path: Path) -> None:
    """Only a record's content counts: a record added above the others rewrites only itself."""
    store, moved = tmp_path / "store", tmp_path / "ghr-summaries.xml"
    assert runner.invoke(cli, ["load", str(BULK), "--store", str(store)]).exit_code == 0
    text = BULK.read_text(encoding="utf-8")
    first = text.index("  <health-condition-summary")
    extra = ('  <health-condition-summary id="C99">\n    <name>Extra condition</name>\n'
             '    <ghr-page>https://medlineplus.gov/genetics/condition/extra-condition</ghr-page>\n'
             '  </health-condition-summary>\n')
    moved.write_text(text[:first] + extra + text[first:], encoding="utf-8")
    again = runner.invoke(cli, ["load", str(moved), "--store", str(store)])
    written = [line for line in again.stdout.replace("\n", " ").split(")") if "(written" in line]
    assert again.exit_code == 0 and len(written) == 1 and "extra-condition" in written[0]


def test_a_record_in_another_format_replaces_its_graph_whole(tmp_path: Path) -> None:
    store = tmp_path / "store"
    json_file = RECORDS / "json" / "condition" / "cystic-fibrosis.json"
    xml_file = RECORDS / "xml" / "condition" / "cystic-fibrosis.xml"
    assert runner.invoke(cli, ["load", str(json_file), "--store", str(store)]).exit_code == 0
    assert runner.invoke(cli, ["load", str(xml_file), "--store", str(store)]).exit_code == 0
    files = select(store, """SELECT ?file WHERE { GRAPH <https://w3id.org/higm-kg/graph/metadata> {
        ?load prov:used/dcterms:title ?file } FILTER(CONTAINS(?file, "#condition/cystic-fibrosis")) }""")
    assert [r["file"] for r in files] == ["cystic-fibrosis.xml#condition/cystic-fibrosis"]


# -- the identifiers in the fixtures are real ----------------------------------------------------


def test_fixture_keys_are_verified_against_the_hpo_release(identifiers_text: str) -> None:
    diseases = (HPO_DATA / "phenotype.hpoa").read_text(encoding="utf-8")
    genes = (HPO_DATA / "genes_to_phenotype.txt").read_text(encoding="utf-8")
    for topic in bulk_topics():
        for db, key in topic.db_keys:
            code = key.split(":")[-1]
            if topic.slug == "x-linked-hyper-igm-syndrome" or db == "HGNC":
                assert code in identifiers_text, (topic.slug, db, key)
            elif db == "OMIM" and re.fullmatch(r"\d{6}", code):
                assert f"OMIM:{code}\t" in diseases, (topic.slug, key)
            elif db == "Entrez Gene":
                assert re.search(rf"^{code}\t{re.escape(topic.name)}\t", genes, re.MULTILINE), (topic.slug, key)


# -- bad input ---------------------------------------------------------------------------------

RECORD = BULK.read_text(encoding="utf-8")
BAD = [
    ("truncated XML", "summaries.xml", RECORD[: len(RECORD) // 2].encode(), "malformed XML"),
    ("JSON array for an object", "topic.json",
     b'[{"name": "Example", "ghr-page": "https://medlineplus.gov/genetics/condition/example"}]', "not a JSON array"),
    ("wrong encoding", "summaries.xml", RECORD.replace("IgM syndrome is", "IgM syndr\u00f4me is").encode("latin-1"),
     "malformed XML"),
    ("a record without its page", "summaries.xml", re.sub(r"<ghr-page>[^<]*condition/hemophilia</ghr-page>", "", RECORD).encode(),
     "record C11"),
    ("JSON that does not parse", "topic.json", b'{"name": "Example", "ghr-page": "https://medlineplus.gov/genetics/', "malformed JSON"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_records_are_refused_and_the_store_is_untouched(tmp_path: Path, case: str, name: str, content: bytes,
                                                            message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    store = tmp_path / "store"
    assert runner.invoke(cli, ["load", str(RECORDS / "json" / "gene" / "cd40.json"), "--store", str(store)]).exit_code == 0
    before = runner.invoke(cli, ["export", "--format", "nq", "--store", str(store)]).stdout
    result = runner.invoke(cli, ["load", str(BULK), str(path), "--store", str(store)])
    assert result.exit_code == 1 and message in result.stderr and str(path) in " ".join(result.stderr.split()), result.stderr
    assert runner.invoke(cli, ["export", "--format", "nq", "--store", str(store)]).stdout == before


def test_one_graph_for_many_records_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["load", str(BULK), "--graph", "http://example.org/all", "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and "a graph per record" in " ".join(result.stderr.split())


def test_errors_in_xml_name_the_line() -> None:
    with pytest.raises(LoadError) as caught:
        list(topics.read_xml(io.BytesIO(RECORD[: len(RECORD) // 2].encode()), "half.xml"))
    assert caught.value.line is not None and caught.value.line > 1
