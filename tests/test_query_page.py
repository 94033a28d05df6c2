"""The query page over HTTP: examples with titles and descriptions grouped by tag, example texts
formatted for people (and answering as the API does), the prefixes listed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import until
from fastapi.testclient import TestClient

from kg.saved_queries import load_queries
from kg.settings import Settings
from kg.store import Store
from ontology.identifiers import expand_text, sparql_prefixes
from server.app import create_app
from server.pages import editor_available, example, example_groups

QUERIES = load_queries(Path(__file__).resolve().parents[1] / "queries")
BOUND = [name for name, saved in QUERIES.items() if saved.parameters and saved.values_at]


@pytest.fixture(scope="module")
def client(default_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(default_store, Settings(workers=1))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def page(client: TestClient) -> str:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return unescape(response.text)


def config(page: str) -> dict[str, object]:
    return json.loads(re.search(r'<script type="application/json" id="kg-config">(.*?)</script>', page, re.DOTALL).group(1))


def test_examples_carry_titles_and_descriptions_grouped_by_tag(page: str) -> None:
    for saved in QUERIES.values():
        link = re.search(rf'<a class="example" data-name="{re.escape(saved.name)}" href="[^"]*">([^<]*)</a>', page)
        assert link and link.group(1) == saved.summary, saved.name
        assert saved.description.strip()[:60] in page
    headings = re.findall(r'<section class="group" aria-label="([^"]+)">', page)
    assert headings == [tag for tag, _ in example_groups(QUERIES)]
    assert headings[0] == "condition" and len(headings) == len(set(headings))


@pytest.mark.parametrize("name", BOUND)
def test_example_texts_put_each_values_block_on_a_line_of_its_own(name: str) -> None:
    text = example(QUERIES[name])["query"]
    for line in text.splitlines():
        assert "VALUES" not in line or line.lstrip().startswith("VALUES"), line
    select = next(line for line in text.splitlines() if line.lstrip().startswith(("SELECT", "CONSTRUCT", "ASK")))
    assert "VALUES" not in select


def answer(store: Store, text: str) -> list[list[tuple[str, str]]]:
    result = store.query(text)
    names = [variable.value for variable in result.variables]
    return sorted([(name, str(row[name])) for name in names] for row in result)


@pytest.mark.parametrize("name", [n for n in BOUND if "hpo" not in QUERIES[n].tags and "federated" not in QUERIES[n].tags])
def test_a_formatted_example_answers_as_the_saved_query(default_store: Store, name: str) -> None:
    saved = QUERIES[name]
    values = {p.name: p.example for p in saved.parameters if p.example is not None}
    assert answer(default_store, saved.bind(values, lines=True)) == answer(default_store, saved.bind(values))


def test_the_first_example_is_formatted(page: str) -> None:
    first = config(page)["first"]
    assert isinstance(first, str)
    assert re.search(r"WHERE \{\n  VALUES \(\?gene\) \{ \(<[^>]+>\) \}\n", first), first


def test_the_prefixes_are_listed_and_given_to_the_editor(page: str) -> None:
    listed = dict(re.findall(r"<tr><td>((?:<code>[^<]+</code> ?)+)</td><td><code>([^<]+)</code></td></tr>", page))
    namespaces = {namespace: set(re.findall(r"<code>([^<:]+):</code>", prefixes)) for prefixes, namespace in listed.items()}
    for prefix, namespace in sparql_prefixes().items():
        assert prefix in namespaces[namespace], prefix
    assert config(page)["declared"] == sparql_prefixes()
    assert 'href="http://testserver/prefixes"' in page


def test_the_page_names_the_search_api_for_entity_completion(page: str) -> None:
    assert config(page)["search"] == "http://testserver/api/search"
    scripts = re.findall(r'<script src="http://testserver/static/([^"]+)"', page)
    if editor_available():
        assert scripts == ["vendor/yasgui.min.js", "chart.js", "completion.js", "query.js", "search.js"]
    else:
        assert scripts == ["search.js"] and '<form method="get"' in page


@pytest.fixture(scope="module")
def counted(client: TestClient) -> str:
    """The query page once the server holds the figures of the graph."""
    until(lambda: client.app.state.products.statistics is not None)
    return client.get("/", headers={"Accept": "text/html"}).text


MODEL_CLASSES = [("kg:Condition", "X-linked hyper IgM syndrome"), ("kg:Gene", "CD40LG"), ("kg:Protein", "CD40 ligand"),
                 ("kg:Publication", None)]


@pytest.mark.parametrize(("name", "instance"), MODEL_CLASSES, ids=[c[0] for c in MODEL_CLASSES])
def test_the_data_model_shows_each_class_with_its_instances_and_opens_its_query(
        client: TestClient, counted: str, name: str, instance: str | None) -> None:
    stats = client.app.state.products.statistics
    box = re.search(rf'<g class="class"><a href="([^"]+)"><rect [^>]*/><text class="name"[^>]*>{re.escape(name)}</text>'
                    rf'<text class="count"[^>]*>([\d,]+) instances?', counted)
    assert box, name
    assert int(box.group(2).replace(",", "")) == stats.classes[expand_text(name)]
    query = parse_qs(urlsplit(unescape(box.group(1))).query)["query"][0]
    assert unescape(box.group(1)).startswith("http://testserver/?")
    rows = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert rows.status_code == 200
    found = rows.json()["results"]["bindings"]
    assert len(found) == min(100, stats.classes[expand_text(name)]) or instance is not None
    assert instance is None or instance in {row.get("label", {}).get("value") for row in found}


def test_the_data_model_arrows_go_from_a_property_to_the_class_of_its_values(counted: str) -> None:
    drawn = counted[counted.index('<svg class="data-model"'):]
    drawn = drawn[:drawn.index("</svg>") + 6]
    assert re.search(r'<text class="link"[^>]*>kg:causes<title>kg:causes → kg:Condition</title>', drawn)
    assert len(re.findall(r'<path class="edge"', drawn)) == len(re.findall(r"<title>[^<]* → ", drawn)) + \
        sum(t.count(",") for t in re.findall(r"<title>[^<]* → ([^<]*)</title>", drawn))
    assert "being counted" not in counted


def test_before_the_first_figures_the_page_says_they_are_being_counted(
        client: TestClient, counted: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client.app.state.products, "statistics", None)
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "being counted" in response.text and '<svg class="data-model"' not in response.text
