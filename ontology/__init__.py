"""What the data means: the vocabulary, its shapes, and every namespace the code may use.

IRIs are spelled here and nowhere else. Terms of our vocabulary come from the generated
`KG` namespace; nodes we mint come from `ID`, named graphs from `GRAPH`; external identifiers
are expanded from CURIEs by `identifiers`.
"""

from pathlib import Path

from rdflib.namespace import (
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VOID,
    XSD,
    Namespace,
    URIRef,
)

from .namespace import KG

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "higm.ttl"
SHAPES_FILE = HERE / "shapes.ttl"

BASE = "https://w3id.org/higm-kg/"
VOCAB_IRI = BASE + "vocab"
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
PROBLEM = Namespace(BASE + "problem/")  # the types of the HTTP API's problem documents (RFC 9457)
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
OBO_IN_OWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
DEFINITION = OBO["IAO_0000115"]  # IAO's "definition", as OBO ontologies write it
TERM_REPLACED_BY = OBO["IAO_0100001"]  # IAO's "term replaced by", on an obsolete term
PHENOTYPIC_ABNORMALITY = OBO["HP_0000118"]  # the root of HPO's phenotype terms (its other roots: inheritance, onset …)
VANN = Namespace("http://purl.org/vocab/vann/")
SCHEMA = SDO
VOID_EXT = Namespace("http://ldf.fi/void-ext#")  # SIB's void-generator: datatype partitions
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")  # SIB's sparql-examples (describe)

# What is made from the data and written back as graphs of its own (see kg.products): the
# statistics as VoID, and the saved queries as SPARQL examples. Neither is counted as data.
METADATA_GRAPH = GRAPH["metadata"]  # where each load records what it read (see loaders.provenance)
DATASET = GRAPH["dataset"]  # the whole dataset, as the VoID describes it
VOID_GRAPH = GRAPH["void"]
EXAMPLES_GRAPH = GRAPH["examples"]
DERIVED_GRAPHS = (VOID_GRAPH, EXAMPLES_GRAPH)
ENDPOINT = URIRef(BASE + "sparql")  # the SPARQL endpoint our IRIs resolve to (as /sparql)

# Vocabularies whose terms curated data may name as prefix:Term; each is a DefinedNamespace,
# so a misspelt term is an error.
VOCABULARIES = {
    "kg": KG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "schema": SCHEMA, "oboInOwl": OBO_IN_OWL,
}

# Prefixes for output (Turtle, query pages) and for parsing saved queries.
PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "void": str(VOID),
    "biolink": str(BIOLINK),
    "obo": str(OBO),
    "oboInOwl": str(OBO_IN_OWL),
}

__all__ = [
    "BASE", "BIOLINK", "DATASET", "DCTERMS", "DEFINITION", "DERIVED_GRAPHS", "ENDPOINT", "EXAMPLES_GRAPH", "GRAPH", "ID",
    "KG", "METADATA_GRAPH", "OBO", "OBO_IN_OWL", "OWL", "PHENOTYPIC_ABNORMALITY", "PREFIXES", "PROBLEM", "PROV", "RDF", "RDFS",
    "SCHEMA", "SD", "SH", "SKOS", "SPEX", "TERM_REPLACED_BY", "VANN", "VOCABULARIES", "VOCAB_IRI", "VOID", "VOID_EXT",
    "VOID_GRAPH", "XSD",
]
