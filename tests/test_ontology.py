"""The vocabulary: it parses, every term is documented and aligned, and the code matches it."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.store import Store
from ontology import (
    BIOLINK,
    DERIVED_GRAPHS,
    KG,
    OBO,
    ONTOLOGY_FILE,
    VANN,
    VOCABULARIES,
    VOID,
    generate,
)
from ontology.identifiers import PREFIX_MAP_FILE, compress, expand


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def our_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(KG))}


def test_every_term_has_a_label_and_a_definition(ontology: Graph) -> None:
    terms = our_terms(ontology)
    assert len(terms) > 60
    undocumented = [t for t in terms if not (ontology.value(t, RDFS.label) and ontology.value(t, SKOS.definition))]
    assert undocumented == []


REQUIRED_CLASSES = ["Condition", "Gene", "Protein", "CellType", "ClinicalFeature", "AntibodyClass",
                    "InheritancePattern", "Publication", "SourceDocument"]


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_required_class_is_declared_and_aligned(ontology: Graph, name: str) -> None:
    term = KG[name]
    assert (term, RDF.type, OWL.Class) in ontology
    assert list(ontology.objects(term, RDFS.subClassOf)), f"{name} has no alignment"


ALIGNMENTS = [
    (KG.causes, RDFS.subPropertyOf, OBO.RO_0004013),
    (KG.encodes, OWL.equivalentProperty, OBO.RO_0002205),
    (KG.encodes, SKOS.exactMatch, BIOLINK.has_gene_product),
    (KG.binds, OWL.equivalentProperty, OBO.RO_0002436),
    (KG.hasPhenotype, OWL.equivalentProperty, OBO.RO_0002200),
    (KG.hasModeOfInheritance, SKOS.exactMatch, BIOLINK.has_mode_of_inheritance),
    (KG.locatedOnSurfaceOf, OWL.inverseOf, OBO.RO_0002104),
    (KG.participatesIn, OWL.equivalentProperty, OBO.RO_0000056),
    (KG.Condition, RDFS.subClassOf, BIOLINK.Disease),
]


@pytest.mark.parametrize(("s", "p", "o"), ALIGNMENTS, ids=[str(a[0]).split("#")[1] + "-" + str(a[2]).rsplit("/", 1)[1] for a in ALIGNMENTS])
def test_alignment(ontology: Graph, s: URIRef, p: URIRef, o: URIRef) -> None:
    assert (s, p, o) in ontology


def test_namespace_module_is_in_sync_with_the_turtle(ontology: Graph) -> None:
    assert (generate.NAMESPACE_FILE.read_text(encoding="utf-8")
            == generate.namespace_source(ontology)), "run: python -m ontology.generate"


def test_prefix_map_is_in_sync_with_bioregistry() -> None:
    assert json.loads(PREFIX_MAP_FILE.read_text(encoding="utf-8")) == generate.prefix_records(), (
        "run: python -m ontology.generate"
    )


def test_unknown_term_is_an_error() -> None:
    with pytest.raises(AttributeError):
        KG.Condtion  # noqa: B018 - the typo is the point


STANDARD = tuple(str(ns) for prefix, ns in VOCABULARIES.items() if prefix != "kg") + (
    str(VOID), str(VANN),
)


def test_every_class_and_property_used_in_the_data_is_declared(default_store: Store, ontology: Graph) -> None:
    """In the data: the graphs made from it (statistics as VoID, examples as SHACL) use those vocabularies."""
    declared = our_terms(ontology)
    data = [g for g in default_store.graphs() if g not in {str(d) for d in DERIVED_GRAPHS}]
    used = {row["t"].value for row in default_store.query(
        "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }", default_graphs=data)}
    ours = {t for t in used if t.startswith(str(KG))}
    assert ours - {str(t) for t in declared} == set()
    foreign = {t for t in used - ours if not t.startswith(STANDARD)}
    assert foreign == set(), "terms from undeclared vocabularies"


CURIES = [
    ("MONDO:0010626", "http://purl.obolibrary.org/obo/MONDO_0010626"),
    ("HP:0001419", "http://purl.obolibrary.org/obo/HP_0001419"),
    ("CL:0000084", "http://purl.obolibrary.org/obo/CL_0000084"),
    ("GO:0045190", "http://purl.obolibrary.org/obo/GO_0045190"),
    ("HGNC:11935", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/11935"),
    ("NCBIGene:959", "https://www.ncbi.nlm.nih.gov/gene/959"),
    ("ensembl:ENSG00000102245", "https://www.ensembl.org/id/ENSG00000102245"),
    ("UniProtKB:P29965", "http://purl.uniprot.org/uniprot/P29965"),
    ("OMIM:308230", "https://omim.org/MIM:308230"),
    ("Orphanet:101088", "http://www.orpha.net/ORDO/Orphanet_101088"),
    ("MEDGEN:96019", "https://www.ncbi.nlm.nih.gov/medgen/96019"),
    ("UMLS:C0398689", "https://uts.nlm.nih.gov/uts/umls/concept/C0398689"),
    ("PMID:11817328", "https://pubmed.ncbi.nlm.nih.gov/11817328"),
    ("doi:10.1385/IR:24:3:311", "https://doi.org/10.1385/IR:24:3:311"),
]


@pytest.mark.parametrize(("curie", "iri"), CURIES)
def test_canonical_iris(curie: str, iri: str) -> None:
    assert expand(curie) == URIRef(iri)
    assert expand(compress(iri) or "") == URIRef(iri)


@pytest.mark.parametrize("bad", ["FOO:1", "no-colon", ""])
def test_bad_curie_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="CURIE"):
        expand(bad)
