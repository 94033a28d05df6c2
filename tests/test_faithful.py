"""The graph says no more than its sources: an independent read of the curated data, as tests.

- the page's wording is never a synonym of an ontology term (HPO, GO, CL);
- a source is credited only with what it states;
- a record has one IRI, its canonical one, and every identifier IRI is a valid CURIE.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import bioregistry
import pytest
from conftest import Rows

from kg.store import Store
from ontology.identifiers import converter

CURATED = "https://w3id.org/higm-kg/graph/curated/x-linked-hyper-igm-syndrome"
PAGE = "https://w3id.org/higm-kg/id/source/medlineplus/x-linked-hyper-igm-syndrome"
UNIPROT_P29965 = "http://purl.uniprot.org/uniprot/P29965"


def test_ontology_terms_keep_only_their_own_names(select: Callable[[str], Rows]) -> None:
    """No skos:altLabel on an HPO, GO or CL term that the page's words are the source of. (A
    condition's Other Names are names the page gives the condition, and stay its synonyms.)"""
    rows = select(f"""SELECT ?term ?name ?source WHERE {{
        ?st rdf:subject ?term ; rdf:predicate skos:altLabel ; rdf:object ?name ; prov:wasDerivedFrom ?source .
        FILTER(REGEX(STR(?term), "^http://purl.obolibrary.org/obo/(HP|GO|CL)_") && STRSTARTS(STR(?source), "{PAGE}")) }}""")
    assert rows == []
    hp_synonyms = select("""SELECT ?term ?name WHERE { ?term skos:altLabel ?name
        FILTER(STRSTARTS(STR(?term), "http://purl.obolibrary.org/obo/HP_")) }""")
    assert hp_synonyms == []


@pytest.mark.parametrize(("term", "wording"), [
    ("HP_0001392", "liver disease"), ("HP_0000403", "ear infections (otitis)"),
    ("HP_0002960", "autoimmune disorders"), ("HP_0007378", "gastrointestinal tumors"),
])
def test_the_page_wording_is_kept_on_our_statement(select: Callable[[str], Rows], term: str, wording: str) -> None:
    rows = select(f"""SELECT ?wording WHERE {{ ?st rdf:predicate kg:hasPhenotype ;
        rdf:object <http://purl.obolibrary.org/obo/{term}> ; kg:wording ?wording }}""")
    assert rows == [{"wording": wording}]


def test_igm_is_high_in_some_only(select: Callable[[str], Rows]) -> None:
    rows = select("""SELECT ?occurrence WHERE { ?st rdf:predicate kg:hasPhenotype ;
        rdf:object obo:HP_0003496 ; kg:occurrence ?occurrence }""")
    assert rows == [{"occurrence": "https://w3id.org/higm-kg/vocab#InSome"}]
    assert select("SELECT ?p WHERE { ?level kg:direction kg:HighOrNormal ; kg:manifestsAs ?p }") == []


def test_uniprot_is_credited_only_with_what_it_states(select: Callable[[str], Rows]) -> None:
    credited = {row["p"] for row in select(f"""SELECT DISTINCT ?p WHERE {{
        ?st rdf:predicate ?p ; prov:wasDerivedFrom <{UNIPROT_P29965}> }}""")}
    assert credited == {"http://www.w3.org/2000/01/rdf-schema#label",
                        "http://www.w3.org/2004/02/skos/core#altLabel",
                        "https://w3id.org/higm-kg/vocab#hasReceptor"}


def test_citations_composed_here_are_not_credited_to_the_page(select: Callable[[str], Rows]) -> None:
    assert select("SELECT ?st WHERE { ?st rdf:predicate dcterms:bibliographicCitation }") == []
    assert len(select("SELECT ?pub ?c WHERE { ?pub a kg:Publication ; dcterms:bibliographicCitation ?c }")) == 8


def test_publications_carry_their_identifier(select: Callable[[str], Rows]) -> None:
    rows = select("SELECT ?pub ?id WHERE { ?pub a kg:Publication OPTIONAL { ?pub dcterms:identifier ?id } }")
    assert len(rows) == 8 and all(re.fullmatch(r"(doi|pubmed):\S+", row.get("id", "")) for row in rows)


def test_the_neutrophil_is_there_for_neutropenia(select: Callable[[str], Rows]) -> None:
    rows = select("SELECT ?feature WHERE { ?feature kg:involvesCellType obo:CL_0000775 }")
    assert rows == [{"feature": "http://purl.obolibrary.org/obo/HP_0001875"}]


def test_resources_keep_the_names_the_page_gives(select: Callable[[str], Rows], medlineplus_text: str) -> None:
    names = [row["name"] for row in select("SELECT ?name WHERE { ?c kg:hasInformationResource/rdfs:label ?name }")]
    assert "PubMed" in names and "Scientific Articles on PubMed" not in names
    block = medlineplus_text.split("Additional Information & Resources", 1)[1].split("References", 1)[0]
    assert all(name in block for name in names), names


# -- one IRI per record --------------------------------------------------------------------------

EVERYWHERE = bioregistry.get_converter()  # every URI form bioregistry knows, for every prefix


def _iris(store: Store) -> set[str]:
    rows = store.query(f"SELECT DISTINCT ?t WHERE {{ GRAPH <{CURATED}> {{ {{ ?t ?p ?o }} UNION {{ ?s ?p ?t }} }} FILTER(isIRI(?t)) }}")
    return {row["t"].value for row in rows}


def test_identifier_iris_are_canonical_valid_curies(default_store: Store) -> None:
    """Every IRI of an identifier space is the canonical form of a CURIE that matches the space's pattern."""
    problems = []
    for iri in sorted(_iris(default_store)):
        curie = EVERYWHERE.compress(iri)
        if curie is None:
            continue
        prefix, local = curie.split(":", 1)
        ours = converter().standardize_prefix(prefix)
        if ours is None:
            continue
        canonical = converter().expand(f"{ours}:{local}")
        pattern = bioregistry.get_pattern(prefix)
        if canonical != iri:
            problems.append(f"{iri} is not the canonical {canonical}")
        elif pattern and not re.fullmatch(pattern, local):
            problems.append(f"{iri}: {local!r} does not match {prefix}'s pattern {pattern}")
    assert problems == []
