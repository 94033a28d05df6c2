"""The MedlinePlus Genetics loader: the shared page against the curated graph, fixture pages fact
by fact, evidence sentences, bad input, and --strict."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MEDLINEPLUS_PAGE, ROOT, rows, shared_file
from typer.testing import CliRunner

from cli.main import app as cli
from kg.store import Store
from loaders import LoadError, LoadOptions, loader_for, write
from loaders.build import build
from loaders.medlineplus import gene_list
from loaders.medlineplus.lexicon import Lexicon
from loaders.medlineplus.page import Section, read_html
from ontology import PREFIXES

FIXTURES = ROOT / "tests" / "data" / "medlineplus"
HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
CURATED = "https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome"
LOADED = "https://w3id.org/higm-kg/graph/medlineplus/condition/x-linked-hyper-igm-syndrome/page"
runner = CliRunner()


def load_page(path: Path, store: Store | None = None, **options: object) -> Store:
    store = store if store is not None else Store.open()
    write(store, loader_for(path, LoadOptions(**options))(path, LoadOptions(**options)))  # type: ignore[arg-type]
    return store


def ask(store: Store) -> Callable[[str], set[tuple[str, ...]]]:
    def run(sparql: str) -> set[tuple[str, ...]]:
        return {tuple(row.values()) for row in rows(store.query(HEADER + sparql))}
    return run


# -- the shared page against the curated graph ------------------------------------------------

CORE_FACTS = [
    ("gene and protein", "SELECT ?gene ?symbol ?protein WHERE { GRAPH <{g}> { ?gene kg:causes ?c ; kg:symbol ?symbol ; kg:encodes ?protein } }"),
    ("cells and the receptor binding", """SELECT ?protein ?cell ?receptor ?receptorCell WHERE { GRAPH <{g}> {
        ?protein kg:locatedOnSurfaceOf ?cell ; kg:hasReceptor ?receptor . ?receptor kg:locatedOnSurfaceOf ?receptorCell } }"""),
    ("antibody classes and directions", """SELECT ?class ?direction ?phenotype WHERE { GRAPH <{g}> {
        ?c kg:hasAntibodyLevel ?level . ?level kg:antibodyClass ?class ; kg:direction ?direction
        OPTIONAL { ?level kg:manifestsAs ?phenotype } } }"""),
    ("clinical features and their HPO terms", """SELECT ?hp WHERE { GRAPH <{g}> { ?c a kg:Condition ; kg:hasPhenotype ?hp }
        FILTER(?hp != obo:HP_0002959) }"""),  # the curated graph adds the mechanism's phenotype
    ("inheritance", "SELECT ?pattern WHERE { GRAPH <{g}> { ?c kg:hasModeOfInheritance ?pattern } }"),
    ("frequency", """SELECT ?n ?d ?sex ?stage WHERE { GRAPH <{g}> { ?c kg:hasFrequency ?f . ?f kg:numerator ?n ;
        kg:denominator ?d ; kg:population ?p . ?p kg:sex ?sex ; kg:lifeStage ?stage } }"""),
    ("other names", """SELECT ?name WHERE { GRAPH <{g}> { ?c a kg:Condition ; skos:altLabel ?name .
        ?st rdf:subject ?c ; rdf:object ?name ; prov:wasDerivedFrom ?section FILTER(STRENDS(STR(?section), "/other-names")) } }"""),
    ("references with their DOIs", "SELECT ?doi WHERE { GRAPH <{g}> { ?page dcterms:references ?pub . ?pub kg:doi ?doi } }"),
    ("the GeneReviews chapter", "SELECT ?shelf ?year WHERE { GRAPH <{g}> { ?pub kg:bookshelfId ?shelf ; kg:year ?year } }"),
    ("the eight references", "SELECT (COUNT(DISTINCT ?pub) AS ?n) WHERE { GRAPH <{g}> { ?page dcterms:references ?pub } }"),
    ("resource categories", "SELECT ?category WHERE { GRAPH <{g}> { ?c kg:hasInformationResource/kg:resourceCategory ?category } }"),
]


@pytest.fixture(scope="module")
def both() -> Store:
    """The curated default graph and the loaded shared page, side by side in one store."""
    store = Store.open()
    build(store, with_hpo=False)
    return load_page(shared_file(MEDLINEPLUS_PAGE), store)


@pytest.mark.parametrize(("facts", "sparql"), CORE_FACTS, ids=[c[0] for c in CORE_FACTS])
def test_the_shared_page_gives_the_curated_core_facts(both: Store, facts: str, sparql: str) -> None:
    query = ask(both)
    curated, loaded = query(sparql.replace("{g}", CURATED)), query(sparql.replace("{g}", LOADED))
    assert loaded, f"{facts}: nothing loaded"
    assert loaded == curated, f"{facts}: only curated {sorted(curated - loaded)}; only loaded {sorted(loaded - curated)}"


def test_evidence_gives_the_sentence_back(both: Store) -> None:
    """Where does 'CD40LG encodes CD40 ligand' come from?"""
    found = ask(both)(f"""SELECT ?page ?section ?sentence WHERE {{ GRAPH <{LOADED}> {{
        ?st rdf:subject ?gene ; rdf:predicate kg:encodes ; rdf:object ?protein ;
            prov:wasDerivedFrom ?s ; kg:evidence ?sentence . ?s dcterms:title ?section ; dcterms:isPartOf ?page .
        ?gene kg:symbol "CD40LG" . ?protein rdfs:label "CD40 ligand" }} }}""")
    [(page, section, sentence)] = found
    assert page == "https://medlineplus.gov/genetics/condition/x-linked-hyper-igm-syndrome/" and section == "Causes"
    assert sentence.startswith("This gene provides instructions for making a protein called CD40 ligand")
    assert sentence in MEDLINEPLUS_PAGE.read_text(encoding="utf-8")


def test_every_statement_has_its_sentence(both: Store) -> None:
    [(missing,)] = ask(both)(f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LOADED}> {{ ?st a rdf:Statement
        FILTER NOT EXISTS {{ ?st kg:evidence ?sentence }} }} }}""")
    assert missing == "0"


# -- fixture pages, fact by fact ---------------------------------------------------------------

INHERITANCE = "SELECT ?inheritance WHERE { ?c a kg:Condition ; kg:hasModeOfInheritance ?inheritance }"
AD, AR = "http://purl.obolibrary.org/obo/HP_0000006", "http://purl.obolibrary.org/obo/HP_0000007"
SPORADIC = "http://purl.obolibrary.org/obo/HP_0003745"
FIXTURE_FACTS: list[tuple[str, str, set[tuple[str, ...]]]] = [
    ("marfan-syndrome.txt", "SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . ?c kg:hasModeOfInheritance ?inheritance }",
     {("FBN1", "http://purl.obolibrary.org/obo/HP_0000006")}),
    ("marfan-syndrome.txt", "SELECT ?n ?d ?population WHERE { ?c kg:hasFrequency ?f . ?f kg:numerator ?n ; kg:denominator ?d ; kg:population/rdfs:label ?population }",
     {("1", "5000", "people worldwide")}),
    ("marfan-syndrome.txt", "SELECT ?name WHERE { ?c a kg:Condition ; skos:altLabel ?name }", {("MFS",), ("Marfan's syndrome",)}),
    ("marfan-syndrome.txt", "SELECT ?protein WHERE { ?g kg:encodes/rdfs:label ?protein }", {("fibrillin-1",)}),
    ("marfan-syndrome.txt", "SELECT ?doi ?year ?journal WHERE { ?pub kg:doi ?doi ; kg:year ?year ; kg:journal ?journal }",
     {("10.5555/kg-fixture.101", "2011", "Fixture J Genet"), ("10.5555/kg-fixture.102", "2015", "Fixture Med Rev")}),
    ("tuberous-sclerosis-complex.txt", "SELECT ?symbol ?protein WHERE { ?g kg:causes ?c ; kg:symbol ?symbol ; kg:encodes/rdfs:label ?protein }",
     {("TSC1", "hamartin"), ("TSC2", "tuberin")}),
    ("tuberous-sclerosis-complex.txt", "SELECT ?n ?d ?stage WHERE { ?c kg:hasFrequency ?f . ?f kg:numerator ?n ; kg:denominator ?d ; kg:population/kg:lifeStage ?stage }",
     {("1", "6000", "https://w3id.org/higm-kg/vocab#Newborn")}),
    ("tuberous-sclerosis-complex.txt", "SELECT ?name WHERE { ?c a kg:Condition ; skos:altLabel ?name }",
     {("TSC",), ("Tuberous sclerosis",), ("Bourneville disease",)}),
    ("leber-hereditary-optic-neuropathy.txt", "SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . ?c kg:hasModeOfInheritance ?inheritance }",
     {("MT-ND4", "http://purl.obolibrary.org/obo/HP_0001427")}),
    ("leber-hereditary-optic-neuropathy.txt", "SELECT ?f WHERE { ?c kg:hasFrequency ?f }", set()),
    ("hereditary-hemochromatosis.txt", "SELECT ?symbol ?inheritance ?cell WHERE { ?g kg:causes ?c ; kg:symbol ?symbol ; kg:encodes/kg:locatedOnSurfaceOf/rdfs:label ?cell . ?c kg:hasModeOfInheritance ?inheritance }",
     {("HFE", "http://purl.obolibrary.org/obo/HP_0000007", "hepatocyte cells")}),  # cells the lexicon does not know: an IRI of ours
    ("hereditary-hemochromatosis.txt", "SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . ?c kg:hasModeOfInheritance ?inheritance }",
     {("HFE", "http://purl.obolibrary.org/obo/HP_0000007")}),
    ("hereditary-hemochromatosis.txt", "SELECT ?n ?d WHERE { ?c kg:hasFrequency [ kg:numerator ?n ; kg:denominator ?d ] }", {("5", "1000")}),
    ("hereditary-hemochromatosis.txt", "SELECT ?pub WHERE { ?page dcterms:references ?pub }", set()),
    ("hereditary-hemochromatosis.txt", "SELECT ?hp WHERE { ?c kg:hasPhenotype ?hp }", {("http://purl.obolibrary.org/obo/HP_0001392",)}),
    ("cd40lg-gene.txt", "SELECT ?gene ?protein ?condition WHERE { ?gene kg:encodes ?protein ; kg:causes ?condition }",
     {("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935", "http://purl.uniprot.org/uniprot/P29965",
       "http://purl.obolibrary.org/obo/MONDO_0010626")}),
    ("cd40lg-gene.txt", "SELECT ?cell ?receptor ?receptorCell WHERE { ?p kg:locatedOnSurfaceOf ?cell ; kg:hasReceptor ?receptor . ?receptor kg:locatedOnSurfaceOf ?receptorCell }",
     {("http://purl.obolibrary.org/obo/CL_0000084", "http://purl.uniprot.org/uniprot/P25942", "http://purl.obolibrary.org/obo/CL_0000236")}),
    ("cd40lg-gene.txt", "SELECT ?name WHERE { ?g a kg:Gene ; skos:altLabel ?name }", {("CD154",), ("CD40L",), ("TNFSF5",), ("TRAP",)}),
    ("cystic-fibrosis.html", "SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . ?c kg:hasModeOfInheritance ?inheritance }",
     {("CFTR", "http://purl.obolibrary.org/obo/HP_0000007")}),
    ("cystic-fibrosis.html", "SELECT ?name WHERE { ?c a kg:Condition ; skos:altLabel ?name }",
     {("CF",), ("Mucoviscidosis",), ("Cystic fibrosis of the pancreas",)}),
    ("cystic-fibrosis.html", "SELECT ?n ?d WHERE { ?c kg:hasFrequency [ kg:numerator ?n ; kg:denominator ?d ] }", {("1", "3000")}),
    ("cystic-fibrosis.html", "SELECT ?hp ?occurrence WHERE { ?st rdf:predicate kg:hasPhenotype ; rdf:object ?hp ; kg:occurrence ?occurrence }",
     {("http://purl.obolibrary.org/obo/HP_0002090", "https://w3id.org/higm-kg/vocab#Common"),
      ("http://purl.obolibrary.org/obo/HP_0001508", "https://w3id.org/higm-kg/vocab#Common")}),
    ("cystic-fibrosis.html", "SELECT ?pmid ?pmcid WHERE { ?pub kg:pmid ?pmid OPTIONAL { ?pub kg:pmcid ?pmcid } }",
     {("90000001",), ("90000002", "PMC9000002")}),
    ("cystic-fibrosis.html", "SELECT ?category WHERE { ?c kg:hasInformationResource/kg:resourceCategory ?category }",
     {("Genetic Testing Information",), ("Clinical Trials",)}),
    ("x-linked-hypophosphatemia.html", "SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . ?c kg:hasModeOfInheritance ?inheritance }",
     {("PHEX", "http://purl.obolibrary.org/obo/HP_0001423")}),
    ("x-linked-hypophosphatemia.html", "SELECT ?shelf ?year ?editors WHERE { ?pub kg:bookshelfId ?shelf ; kg:year ?year . { SELECT (COUNT(*) AS ?editors) WHERE { ?p kg:editorship ?e } } }",
     {("NBK99999", "2012", "2")}),
    ("fbn1-gene.html", "SELECT ?protein ?condition WHERE { ?g kg:symbol 'FBN1' ; kg:encodes/rdfs:label ?protein ; kg:causes/rdfs:label ?condition }",
     {("fibrillin-1", "Marfan syndrome")}),
    ("fbn1-gene.html", "SELECT ?name WHERE { ?g a kg:Gene ; skos:altLabel ?name }", {("FBN",), ("fibrillin 1",), ("MFS1",)}),
    ("usher-syndrome.html", "SELECT ?symbol WHERE { ?g kg:causes ?c ; kg:symbol ?symbol }", {("MYO7A",), ("USH2A",), ("CLRN1",)}),
    ("usher-syndrome.html", "SELECT ?name WHERE { ?c a kg:Condition ; skos:altLabel ?name }",
     {("Deafness-retinitis pigmentosa syndrome",), ("Dystrophia retinae pigmentosa-dysacusis syndrome",),
      ("Hallgren syndrome",), ("Retinitis pigmentosa-deafness syndrome",), ("USH",)}),
    ("usher-syndrome.html", "SELECT ?heading WHERE { ?s a kg:DocumentSection ; dcterms:title ?heading }",
     {("Description",), ("Causes",), ("Inheritance",), ("Other Names for This Condition",),
      ("Additional Information & Resources",), ("References",)}),
    ("usher-syndrome.html", ("SELECT ?sentence WHERE { ?st kg:evidence ?sentence FILTER(CONTAINS(?sentence, 'Library') || "
                            "CONTAINS(?sentence, 'seen')) }"), set()),  # footer and scripts are not read
    ("metatropic-dysplasia.txt", ("SELECT ?symbol ?inheritance WHERE { ?g kg:causes ?c ; kg:symbol ?symbol . "
                                 "?c kg:hasModeOfInheritance ?inheritance }"), {("TRPV4", "http://purl.obolibrary.org/obo/HP_0000006")}),
    ("zellweger-spectrum-disorder.txt", INHERITANCE, {(AR,)}),
    ("pachyonychia-congenita.txt", INHERITANCE, {(AD,)}),  # "is an autosomal dominant condition"
    ("williams-syndrome.txt", INHERITANCE, {(AD,), (SPORADIC,)}),  # "is considered …"; a related condition's "sporadic" left out
    ("charcot-marie-tooth-disease.txt", INHERITANCE, {(AD,), (AR,), ("http://purl.obolibrary.org/obo/HP_0001423",)}),
    ("bardet-biedl-syndrome.html", INHERITANCE, {(AR,)}),
    ("kabuki-syndrome.html", INHERITANCE, {(AD,), ("http://purl.obolibrary.org/obo/HP_0001423",)}),  # the past left out
    ("inflammatory-bowel-disease.html", INHERITANCE, set()),
    ("kabuki-syndrome.html", "SELECT ?alias WHERE { ?g kg:symbol 'KMT2D' ; skos:altLabel ?alias }", {("MLL2",)}),
    ("kabuki-syndrome.html", "SELECT ?g WHERE { ?g kg:symbol 'MLL2' }", set()),  # an alias is never a gene
    ("pachyonychia-congenita.txt", "SELECT ?g WHERE { ?g kg:symbol ?s FILTER(?s IN ('PC-K16', 'KTR16')) }", set()),
    ("inflammatory-bowel-disease.html", "SELECT ?s WHERE { ?g a kg:Gene ; kg:symbol ?s FILTER(STRSTARTS(?s, 'HLA')) }", set()),
]


@pytest.fixture(scope="module")
def fixture_stores() -> dict[str, Store]:
    return {path.name: load_page(path) for path in sorted(FIXTURES.iterdir())}


@pytest.mark.parametrize(("fixture", "sparql", "expected"), FIXTURE_FACTS,
                         ids=[f"{f}: {s.split('WHERE')[0][7:40]}" for f, s, _ in FIXTURE_FACTS])
def test_fixture_facts(fixture_stores: dict[str, Store], fixture: str, sparql: str, expected: set[tuple[str, ...]]) -> None:
    assert ask(fixture_stores[fixture])(sparql) == expected


# -- every gene a fixture page names, by how it was found ------------------------------------------

CAUSE, LISTED, DELETION, ASSOCIATION = "StatedCause", "ListedAssociation", "Deletion", "StatedAssociation"
PEX = ("PEX10", "PEX12", "PEX13", "PEX14", "PEX16", "PEX19", "PEX2", "PEX3", "PEX5")
BBS = ("ARL6", "BBS12", "BBS2", "BBS4", "BBS5", "BBS7", "BBS9", "MKS1", "TTC8")
GENES = [
    ("zellweger-spectrum-disorder.txt", {**dict.fromkeys(("PEX1", "PEX6", "PEX26"), CAUSE), **dict.fromkeys(PEX, LISTED)}),
    ("bardet-biedl-syndrome.html", {**dict.fromkeys(("BBS1", "BBS10", "MKKS"), CAUSE), **dict.fromkeys(BBS, LISTED)}),
    ("pachyonychia-congenita.txt", dict.fromkeys(("KRT6A", "KRT6B", "KRT6C", "KRT16", "KRT17"), CAUSE)),
    ("williams-syndrome.txt", {**dict.fromkeys(("ELN", "LIMK1", "GTF2I", "GTF2IRD1"), DELETION), "CLIP2": LISTED}),
    ("charcot-marie-tooth-disease.txt", dict.fromkeys(("PMP22", "MPZ", "GJB1", "MFN2", "GDAP1", "SH3TC2", "NEFL"), CAUSE)),
    ("kabuki-syndrome.html", dict.fromkeys(("KMT2D", "KDM6A"), CAUSE)),
    ("inflammatory-bowel-disease.html", dict.fromkeys(("NOD2", "ATG16L1", "IL23R", "IRGM", "IL10"), ASSOCIATION)),
    ("usher-syndrome.html", dict.fromkeys(("MYO7A", "USH2A", "CLRN1"), CAUSE)),
    ("tuberous-sclerosis-complex.txt", dict.fromkeys(("TSC1", "TSC2"), CAUSE)),
    ("marfan-syndrome.txt", {"FBN1": CAUSE}),
]
LINKS = """SELECT ?symbol ?basis WHERE { ?st rdf:predicate ?p ; rdf:subject|rdf:object ?g ; kg:linkBasis ?basis .
    ?g a kg:Gene ; kg:symbol ?symbol FILTER(?p IN (kg:causes, kg:relatedGene)) }"""


@pytest.mark.parametrize(("fixture", "expected"), GENES, ids=[g[0] for g in GENES])
def test_every_gene_a_page_names_is_found_once_by_how(fixture_stores: dict[str, Store], fixture: str,
                                                      expected: dict[str, str]) -> None:
    found = ask(fixture_stores[fixture])(LINKS)
    assert found == {(symbol, f"https://w3id.org/higm-kg/vocab#{basis}") for symbol, basis in expected.items()}
    genes = ask(fixture_stores[fixture])("SELECT ?symbol WHERE { ?g a kg:Gene ; kg:symbol ?symbol }")
    assert genes == {(symbol,) for symbol in expected}  # no other gene


EVIDENCE = """SELECT ?sentence WHERE { ?st rdf:subject|rdf:object ?g ; rdf:predicate ?p ; kg:evidence ?sentence .
    ?g kg:symbol '{symbol}' FILTER(?p IN (kg:causes, kg:relatedGene)) }"""
CITED = [
    ("zellweger-spectrum-disorder.txt", "PEX10", ("Learn more about the genes associated with Zellweger spectrum disorder PEX1 "
     "PEX10 PEX12 PEX13 PEX14 PEX16 PEX19 PEX2 PEX26 PEX3 PEX5 PEX6")),
    ("bardet-biedl-syndrome.html", "TTC8", ("Learn more about the genes associated with Bardet-Biedl syndrome ARL6 BBS1 "
     "BBS10 BBS12 BBS2 BBS4 BBS5 BBS7 BBS9 MKKS MKS1 TTC8")),
    ("zellweger-spectrum-disorder.txt", "PEX1", "Variants in the PEX1 gene account for more than half of all cases."),
    ("charcot-marie-tooth-disease.txt", "MFN2", ("Mutations in the MFN2 gene are found in about a fifth of people with "
     "the axonal form of the disorder.")),  # not "… can also cause a similar but milder disorder called …"
    ("charcot-marie-tooth-disease.txt", "GJB1", "The X-linked form is caused by an altered GJB1 gene."),
    ("williams-syndrome.txt", "CLIP2", ("Learn more about the genes associated with Williams syndrome CLIP2 ELN GTF2I "
     "GTF2IRD1 LIMK1")),
]


@pytest.mark.parametrize(("fixture", "symbol", "sentence"), CITED, ids=[f"{c[0]}: {c[1]}" for c in CITED])
def test_a_gene_cites_the_sentence_that_states_it(fixture_stores: dict[str, Store], fixture: str, symbol: str,
                                                  sentence: str) -> None:
    cited = {row[0] for row in ask(fixture_stores[fixture])(EVIDENCE.replace("{symbol}", symbol))}
    assert sentence in cited
    assert all(" also cause " not in s and "without" not in s for s in cited), cited


def test_pmp22_cites_only_the_sentences_that_state_it(fixture_stores: dict[str, Store]) -> None:
    cited = {row[0] for row in ask(fixture_stores["charcot-marie-tooth-disease.txt"])(EVIDENCE.replace("{symbol}", "PMP22"))}
    assert len(cited) == 3 and not any("without" in s for s in cited)


def test_the_shared_page_cites_one_sentence_for_its_gene(both: Store) -> None:
    """The sentence that states the cause; not the one about what the changes do to the protein."""
    cited = ask(both)(f"""SELECT ?sentence WHERE {{ GRAPH <{LOADED}> {{ ?st rdf:predicate kg:causes ; kg:evidence ?sentence ;
        kg:linkBasis kg:StatedCause }} }}""")
    [(sentence,)] = cited
    assert " gene cause X-linked hyper IgM syndrome" in sentence and sentence in MEDLINEPLUS_PAGE.read_text(encoding="utf-8")


def test_the_report_counts_genes_by_how_they_were_found(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    pages = [FIXTURES / "zellweger-spectrum-disorder.txt", FIXTURES / "williams-syndrome.txt",
             FIXTURES / "pachyonychia-congenita.txt"]
    result = runner.invoke(cli, ["load", *map(str, pages), "--store", str(tmp_path / "store"), "--report", str(report)])
    assert result.exit_code == 0, result.output
    entries = {entry["topic"]: entry for entry in json.loads(report.read_text(encoding="utf-8"))}
    zellweger, williams = entries["condition/zellweger-spectrum-disorder"], entries["condition/williams-syndrome"]
    assert zellweger["genes"] == {"stated cause": 3, "deletion": 0, "stated association": 0, "listed association": 9}
    assert williams["genes"] == {"stated cause": 0, "deletion": 4, "stated association": 0, "listed association": 1}
    assert williams["genes_found"]["listed association"] == ["CLIP2"]
    assert "12 genes, 3 stated cause, 9 listed association" in " ".join(result.stderr.split())
    [warning] = entries["condition/pachyonychia-congenita"]["warnings"]
    assert "'KTR16'" in warning and "left out" in warning


LIST_TEXT = "Variants in the AAA1 gene cause it. Learn more about the genes associated with Example disorder"
GENE_LISTS = [
    ("text capture", Section("Causes", f"{LIST_TEXT} PEX1 PEX6 C9orf72", 1), ("PEX1", "PEX6", "C9orf72"), 0),
    ("one gene", Section("Causes", "Learn more about the gene associated with Example disorder CD40LG", 1), ("CD40LG",), 0),
    ("a word that is no symbol", Section("Causes", f"{LIST_TEXT} PEX1 and", 1), ("PEX1",), 1),
    ("the name not where the list begins", Section("Causes", f"{LIST_TEXT.replace('Example', 'Other')} type VI PEX1 PEX6",
                                                    1), ("PEX1", "PEX6"), 1),
    ("HTML links, absolute and relative", Section("Causes", f"{LIST_TEXT} BBS1 ARL6", 1, links=(
        ("BBS1", "/genetics/gene/bbs1/"), ("ARL6", "https://medlineplus.gov/genetics/gene/arl6/"),
        ("cilia", "/genetics/understanding/cilia/"))), ("BBS1", "ARL6"), 0),
    ("HTML link text that is no symbol", Section("Causes", f"{LIST_TEXT} BBS1 a gene", 1, links=(
        ("BBS1", "/genetics/gene/bbs1/"), ("a gene", "/genetics/gene/bbs2/"))), ("BBS1",), 1),
]


@pytest.mark.parametrize(("case", "section", "symbols", "warnings"), GENE_LISTS, ids=[g[0] for g in GENE_LISTS])
def test_the_page_gene_list(case: str, section: Section, symbols: tuple[str, ...], warnings: int) -> None:
    prose, found = gene_list.split(section, "Example disorder", frozenset({"PEX1", "PEX6"}))
    assert prose == "Variants in the AAA1 gene cause it." or not prose
    assert found is not None and found.symbols == symbols and len(found.warnings) == warnings
    assert found.text.startswith("Learn more about the gene")


def test_a_causes_section_without_a_gene_list() -> None:
    section = Section("Causes", "Variants in the AAA1 gene cause it.", 1)
    assert gene_list.split(section, "Example disorder", frozenset()) == (section.text, None)


def test_a_gene_list_heading_does_not_end_the_causes_section() -> None:
    page = read_html((FIXTURES / "inflammatory-bowel-disease.html").read_text(encoding="utf-8"), "ibd.html")
    causes = page.section("Causes")
    assert causes is not None and len(causes.links) == 5 and "Inheritance" in page.sections


def test_there_are_enough_fixtures() -> None:
    pages = sorted(FIXTURES.iterdir())
    assert len(pages) >= 8
    assert {p.suffix for p in pages} == {".txt", ".html"}


def test_each_fixture_is_its_own_graph(fixture_stores: dict[str, Store]) -> None:
    store = Store.open()
    for path in sorted(FIXTURES.iterdir()):
        load_page(path, store)
    graphs = [g for g in store.graphs() if "/medlineplus/" in g]
    assert len(graphs) == len(list(FIXTURES.iterdir()))
    assert "https://w3id.org/higm-kg/graph/medlineplus/gene/fbn1/page" in graphs


# -- bad input ---------------------------------------------------------------------------------

PAGE_TEXT = (FIXTURES / "marfan-syndrome.txt").read_text(encoding="utf-8")
BAD = [
    ("empty file", "page.txt", b"", "empty"),
    ("no recognisable sections", "page.txt",
     b"Something: MedlinePlus Genetics URL of this page: https://medlineplus.gov/genetics/condition/something/ nothing here",
     "no recognisable sections"),
    ("not UTF-8", "page.txt", "Marfan syndrome caf\u00e9".encode("latin-1"), "not UTF-8"),
    ("half a page", "page.txt", PAGE_TEXT[: PAGE_TEXT.index(" Causes ")].encode(), "Causes missing"),
    ("HTML of another site", "page.html", b"<!DOCTYPE html><html><body><h1>Recipes</h1><h2>Description</h2><p>Soup.</p></body></html>",
     "not a MedlinePlus Genetics page"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_the_store_is_untouched(tmp_path: Path, case: str, name: str, content: bytes,
                                                          message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as caught:
        load_page(path)
    assert str(path) in str(caught.value)
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(store)]).exit_code == 0
    before = runner.invoke(cli, ["export", "--format", "nq", "--store", str(store)]).stdout
    result = runner.invoke(cli, ["load", str(FIXTURES / "marfan-syndrome.txt"), str(path), "--store", str(store)])
    assert result.exit_code == 1 and message in result.stderr
    assert runner.invoke(cli, ["export", "--format", "nq", "--store", str(store)]).stdout == before


def test_sections_without_facts_load_and_report(tmp_path: Path) -> None:
    path = tmp_path / "vague.txt"
    path.write_text("Vague disorder: MedlinePlus Genetics URL of this page: https://medlineplus.gov/genetics/condition/vague-disorder/ "
                    "Vague disorder To use the sharing features on this page, please enable JavaScript. "
                    "Description Vague disorder is a condition. Nobody knows much more. "
                    "Causes The cause is not known. Researchers are studying it. Last updated May 1, 2020", encoding="utf-8")
    store = tmp_path / "store"
    result = runner.invoke(cli, ["load", str(path), "--store", str(store)])
    assert result.exit_code == 0
    assert "4 sentences not understood" in result.stderr and "[Description] Vague disorder is a condition." in result.stderr
    strict = runner.invoke(cli, ["load", str(path), "--store", str(tmp_path / "strict"), "--strict"])
    assert strict.exit_code == 1 and "--strict" in strict.stderr and "section 'Description'" in strict.stderr


def test_format_override(tmp_path: Path) -> None:
    path = tmp_path / "page.data"
    path.write_bytes((FIXTURES / "cystic-fibrosis.html").read_bytes())
    store = load_page(path, format="medlineplus-html")
    assert ask(store)("SELECT ?s WHERE { ?s kg:symbol 'CFTR' }")
    with pytest.raises(LoadError, match="no recognisable sections"):
        load_page(path, format="medlineplus-text")  # read as a text capture, the markup hides every heading


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = runner.invoke(cli, ["load", str(FIXTURES / "marfan-syndrome.txt"), "--store", str(store)])
    again = runner.invoke(cli, ["load", str(FIXTURES / "marfan-syndrome.txt"), "--store", str(store)])
    assert "(written)" in first.stdout and "(unchanged)" in again.stdout


def test_lexicon_identifiers_are_verified_or_cited(identifiers_text: str) -> None:
    lexicon = Lexicon.read()
    cited = {entry["id"] for table in ("inheritance",) for entry in lexicon.data[table].values()
             if isinstance(entry, dict) and entry.get("source")}
    for curie in lexicon.identifiers():
        local = curie.split(":", 1)[1]
        assert curie in cited or re.search(rf"(?<![\w.]){re.escape(local)}(?![\w])", identifiers_text), curie


def test_cited_hpo_terms_are_in_the_bundled_release_with_their_labels() -> None:
    from loaders.hpo import bundled

    obo = next(p for p in bundled() if p.name == "hp.obo").read_text(encoding="utf-8")
    cited = [entry for entry in Lexicon.read().data["inheritance"].values()
             if isinstance(entry, dict) and "hp.obo" in str(entry.get("source"))]
    assert len(cited) >= 7
    for entry in cited:
        assert f"[Term]\nid: {entry['id']}\nname: {entry['label']}\n" in obo, entry


def test_the_shared_page_loads_into_its_own_graph() -> None:
    store = load_page(shared_file(MEDLINEPLUS_PAGE))
    assert LOADED in store.graphs()


def test_pages_with_the_default_graph_conform_to_the_shapes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", "--without-hpo", "--store", str(store)]).exit_code == 0
    pages = [str(shared_file(MEDLINEPLUS_PAGE)), *map(str, sorted(FIXTURES.iterdir()))]
    assert runner.invoke(cli, ["load", *pages, "--store", str(store)]).exit_code == 0
    result = runner.invoke(cli, ["validate", "--store", str(store)])
    assert result.exit_code == 0 and "conforms" in result.stdout, result.stderr
