"""The curated graph against the shared sources: identifiers verified, facts on the page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from conftest import Rows

from kg.store import Store
from ontology.identifiers import compress

REGISTRY_PREFIXES = {"MONDO", "HP", "CL", "GO", "NCIT", "DOID", "hgnc", "NCBIGene", "ensembl",
                     "uniprot", "omim", "ORPHA", "medgen", "umls", "snomedct", "gard", "nord",
                     "pubmed", "pmc", "doi", "ncbibook"}
CURATED = "https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome"


def external_identifiers(store: Store) -> set[tuple[str, str]]:
    """(prefix, local id) of every IRI in the curated graph from a registry identifier space;
    the web addresses of the source documents are not identifiers and are left out."""
    terms = store.query(
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{CURATED}> {{ {{ ?t ?p ?o }} UNION {{ ?s ?p ?t }} }} "
        "FILTER(isIRI(?t)) FILTER NOT EXISTS { ?t a <https://w3id.org/higm-kg/vocab#SourceDocument> } }"
    )
    found = set()
    for row in terms:
        curie = compress(row["t"].value)
        if curie and curie.split(":", 1)[0] in REGISTRY_PREFIXES:
            prefix, local = curie.split(":", 1)
            found.add((prefix, local))
    return found


def test_every_external_identifier_is_in_the_verified_reference(
        default_store: Store, identifiers_text: str) -> None:
    identifiers = external_identifiers(default_store)
    assert len(identifiers) > 50
    unverified = sorted(
        f"{prefix}:{local}" for prefix, local in identifiers
        if not re.search(rf"(?<![\w.]){re.escape(local)}(?![\w])", identifiers_text)
    )
    assert unverified == []


def test_no_pmid_where_the_reference_found_none(select: Callable[[str], Rows]) -> None:
    pmids = {row["pmid"] for row in select("SELECT ?pmid WHERE { ?p kg:pmid ?pmid }")}
    assert pmids == {"11817328", "20301576", "14514918", "14663287"}


def test_other_names_are_on_the_page(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    names = select("""SELECT ?name WHERE {
        ?st rdf:predicate skos:altLabel ; rdf:object ?name ; prov:wasDerivedFrom ?section .
        ?section dcterms:title "Other Names for This Condition" }""")
    assert len(names) == 3
    block = medlineplus_text.split("Other Names for This Condition", 1)[1].split("Additional Information", 1)[0]
    assert all(row["name"] in block for row in names)


def test_section_headings_are_on_the_page(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    headings = [row["h"] for row in select("SELECT ?h WHERE { ?s a kg:DocumentSection ; dcterms:title ?h }")]
    assert len(headings) == 7
    assert [h for h in headings if h not in medlineplus_text] == []


def test_references_match_the_page(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    flat = " ".join(medlineplus_text.split())
    pubs = select("""SELECT ?pub ?title ?journal ?year (GROUP_CONCAT(?name; separator="|") AS ?names) WHERE {
        ?pub a kg:Publication ; dcterms:title ?title ; kg:journal ?journal ; kg:year ?year ;
             kg:authorship/kg:personName ?name } GROUP BY ?pub ?title ?journal ?year""")
    assert len(pubs) == 8
    for pub in pubs:
        assert pub["title"] in flat and pub["journal"] in flat and pub["year"] in flat
        assert all(name in flat for name in pub["names"].split("|"))
    dois = [row["doi"] for row in select("SELECT ?doi WHERE { ?p kg:doi ?doi }")]
    assert len(dois) == 7 and all(f"doi: {doi}" in flat for doi in dois)


def test_frequency_matches_the_page(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    [row] = select("SELECT ?n ?d ?pop WHERE { ?f kg:numerator ?n ; kg:denominator ?d ; kg:population/rdfs:label ?pop }")
    assert row["d"] == "1000000"
    assert f"{row['n']} per million {row['pop']}" in medlineplus_text


def test_last_update_matches_the_page(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    [row] = select("SELECT DISTINCT ?m WHERE { ?page kg:section ?s ; dcterms:modified ?m }")
    day = datetime.date.fromisoformat(row["m"])
    assert f"Last updated {day:%B} {day.day}, {day.year}" in medlineplus_text


@pytest.mark.parametrize("phrase", ["CD40LG", "T cells", "B cells", "X-linked recessive", "IgM",
                                    "IgG", "IgA", "IgE", "neutropenia", "lymphoma"])
def test_key_terms_of_the_graph_are_on_the_page(medlineplus_text: str, phrase: str) -> None:
    assert phrase in medlineplus_text
