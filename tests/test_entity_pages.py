"""Entity pages over HTTP: the summary first, a picture whose labels do not overlap, association
nodes by their meaning, merged rows, releases named, and every "… and N more" a paged list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from itertools import combinations
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from test_linked_data import HTML
from test_summary import ANNOTATION, CD40LG, HPO_SLICE, IGA, MONDO, NEUTROPENIA, OMIM

from kg.settings import Settings
from kg.store import Store
from loaders.build import build
from server import entities
from server.app import create_app
from server.picture import WIDTH, layout

HAS_PHENOTYPE = "https://w3id.org/higm-kg/vocab#hasPhenotype"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
AUTHORSHIP = "https://w3id.org/higm-kg/vocab#Authorship"


@pytest.fixture(scope="module")
def store() -> Store:
    built = Store.open()
    build(built, with_hpo=False)
    built.engine.load(HPO_SLICE.encode(), format=ox.RdfFormat.TRIG)
    return built


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, Settings(workers=1))) as test_client:
        yield test_client


def page(client: TestClient, iri: str, **params: str) -> str:
    response = client.get("/resource", params={"iri": iri, **params}, headers={"Accept": HTML})
    assert response.status_code == 200, response.text
    return response.text


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).replace(" ,", ",")


def section(html: str, label: str) -> str:
    html = unescape(html)
    start = html.index(f'aria-label="{label}"')
    return html[start:html.index("</section>", start)]


PAGES = [  # (IRI, what the summary at the top of its page says)
    (MONDO, ["Condition", "Causal genes CD40LG", "Inheritance X-linked recessive inheritance",
             "Frequency an estimated 2 per 1,000,000 newborn boys", "HPO annotations 3"]),
    (CD40LG, ["Gene", "Protein CD40 ligand", "Conditions X-linked hyper IgM syndrome", "Location X, Xq26.3"]),
    (NEUTROPENIA, ["Phenotype", "Diseases 2", "Genes 1"]),
    (ANNOTATION, ["Association", "HPO: Immunodeficiency, X-linked, with hyper-IgM → Neutropenia, 39/61, PCS",
                  "References PMID:9255191, PMID:10228294"]),
]


@pytest.mark.parametrize(("iri", "said"), PAGES, ids=[p[0].rsplit("/", 1)[-1] for p in PAGES])
def test_pages_lead_with_a_summary(client: TestClient, iri: str, said: list[str]) -> None:
    html = page(client, iri)
    kind, *lines = said
    assert f'<span class="kind">{kind.lower()}</span>' in html
    summary = text(section(html, "Summary"))
    for words in lines:
        assert words in summary
    assert html.index('aria-label="Summary"') < html.index('aria-label="Neighbourhood"') < html.index('aria-label="Facts"')


def test_the_picture_shows_the_causal_gene(client: TestClient) -> None:
    picture = section(page(client, MONDO), "Neighbourhood")
    assert re.search(r'<a class="node" href="[^"]*hgnc_id/11935"', unquote(picture))
    assert ">causes<" in picture


def test_releases_are_named_with_their_facts(client: TestClient) -> None:
    html = page(client, MONDO)
    assert "HPO 2025-01-16" in text(section(html, "Summary"))  # the annotations' count
    table = section(html, "HPO's annotations")
    assert 'title="HPO disease annotations, release 2025-01-16">HPO 2025-01-16' in table
    assert "HPO 2025-01-16" in text(section(page(client, NEUTROPENIA), "Referred to by"))


def test_repeated_rows_are_one_row_with_their_references(client: TestClient) -> None:
    table = section(page(client, MONDO), "HPO's annotations")
    rows = [row for row in table.split("<tr>")[2:] if "Neutropenia" in row]
    assert len(rows) == 1, rows
    assert "PMID:9255191" in rows[0] and "PMID:10228294" in rows[0]


def test_association_nodes_are_shown_by_their_meaning(client: TestClient) -> None:
    html = page(client, NEUTROPENIA)
    referred = text(section(html, "Referred to by"))
    assert "HPO: Immunodeficiency, X-linked, with hyper-IgM, 39/61, PCS" in referred
    assert "hpo-annotation/" not in referred and "id:hpo" not in html.replace(ANNOTATION, "")


def more_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a class="more" href="([^"]+)"', html)]


@pytest.mark.parametrize(("iri", "direction", "predicate", "count"), [
    (MONDO, "outgoing", HAS_PHENOTYPE, 17),
    (AUTHORSHIP, "incoming", RDF_TYPE, 60),
])
def test_every_more_is_a_link_to_a_paged_list(client: TestClient, iri: str, direction: str, predicate: str,
                                               count: int) -> None:
    html = page(client, iri)
    assert " more" in text(html) and "more (" in text(html)
    [link] = {href for href in more_links(html) if parse_qs(urlsplit(href).query).get(direction) == [predicate]}
    assert parse_qs(urlsplit(link).query)["page"] == ["1"]
    listed = client.get(link, headers={"Accept": HTML}).text
    assert f"{count:,} in all" in text(listed)
    assert listed.count("<li>") == count
    as_json = client.get(link, headers={"Accept": "application/json"}).json()
    assert as_json["count"] == count and len(as_json["items"]) == count and as_json["pages"] == 1
    assert all(item["href"] for item in as_json["items"])


def test_a_list_is_paged_without_loss(store: Store) -> None:
    whole = entities.listing(store, AUTHORSHIP, RDF_TYPE, "incoming", 1, size=100)
    pages = [entities.listing(store, AUTHORSHIP, RDF_TYPE, "incoming", number, size=7) for number in range(1, 10)]
    assert [len(p.items) for p in pages] == [7] * 8 + [4] and pages[0].pages == 9
    assert [n.value for p in pages for n in p.items] == [n.value for n in whole.items]
    assert [n.text for n in whole.items] == sorted((n.text for n in whole.items), key=str.casefold)


@pytest.mark.parametrize(("params", "status"), [
    ({"incoming": RDF_TYPE, "page": "0"}, 400),
    ({"incoming": RDF_TYPE, "page": "x"}, 400),
    ({"incoming": RDF_TYPE, "outgoing": RDF_TYPE}, 400),
    ({"incoming": "not an iri"}, 400),
    ({"incoming": "http://example.org/nothing"}, 404),
    ({"incoming": RDF_TYPE, "page": "2"}, 200),  # past the end: an empty page
])
def test_bad_list_requests(client: TestClient, params: dict[str, str], status: int) -> None:
    response = client.get("/resource", params={"iri": AUTHORSHIP, **params}, headers={"Accept": HTML})
    assert response.status_code == status


@pytest.mark.parametrize("iri", [MONDO, CD40LG, IGA, NEUTROPENIA, OMIM, AUTHORSHIP, ANNOTATION])
def test_picture_labels_do_not_overlap(store: Store, iri: str) -> None:
    entity = entities.describe(store, iri)
    assert entity is not None
    boxes = layout(entity).boxes()
    assert len(boxes) > 1
    overlapping = [(a, b) for a, b in combinations(boxes, 2) if a.overlaps(b)]
    assert overlapping == []
    assert all(0 <= box.x and box.x + box.width <= WIDTH for box in boxes)


def test_a_section_links_to_every_row(client: TestClient, store: Store) -> None:
    html = page(client, MONDO)
    assert "From the saved query" in html
    assert "rows, repeated rows merged" in text(section(html, "HPO's annotations"))


def test_a_section_has_a_paged_list_of_its_merged_rows(client: TestClient) -> None:
    html = unescape(client.get("/resource", params={"iri": MONDO, "section": "hpo-annotations", "page": "1"},
                               headers={"Accept": HTML}).text)
    table = section(html, "HPO's annotations")
    rows = [row for row in table.split("<tr>")[2:] if "Neutropenia" in row]
    assert len(rows) == 1 and "PMID:9255191" in rows[0] and "PMID:10228294" in rows[0]
    assert "HPO 2025-01-16" in text(html) and "run it on the query page" in html


@pytest.mark.parametrize(("params", "status"), [
    ({"section": "hpo-annotations", "page": "0"}, 400),
    ({"section": "hpo-annotations", "incoming": RDF_TYPE}, 400),
    ({"section": "no-such-query"}, 404),
    ({"section": "class-counts"}, 404),  # a saved query without a section
])
def test_bad_section_requests(client: TestClient, params: dict[str, str], status: int) -> None:
    response = client.get("/resource", params={"iri": MONDO, **params}, headers={"Accept": HTML})
    assert response.status_code == status


def test_a_section_is_only_for_its_types(client: TestClient) -> None:
    response = client.get("/resource", params={"iri": CD40LG, "section": "hpo-annotations"}, headers={"Accept": HTML})
    assert response.status_code == 404
