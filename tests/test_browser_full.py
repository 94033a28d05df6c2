"""The query page and the entity pages in chromium, on the full default graph (curated + HPO's
whole release), served as `make serve` serves it: the store built once per test session, copied,
its products made by `kg build --if-missing`, then a fresh `kg serve`. At phone and desktop
widths, with screenshots (see browser.py).

To run these against a full store built before (a copy is served, the original is only read),
set KG_FULL_STORE to its folder; otherwise the session builds one (a few minutes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from browser import (
    WIDTHS,
    chromium,
    fits_the_width,
    label_boxes,
    outside_their_boxes,
    overlapping,
    require,
    screenshots,
    shoot,
)
from live_server import serving
from playwright.sync_api import expect

from server.pages import editor_available

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.full_release]
__all__ = ["screenshots"]  # a fixture, from browser.py
RELEASE = "HPO 2025-01-16"
MONDO = "http://purl.obolibrary.org/obo/MONDO_0010626"
PAGES = {  # name → path of an entity page of each kind
    "condition": "/resource?iri=" + quote(MONDO),
    "gene": "/id/HGNC:11935",
    "phenotype": "/id/HP:0002720",
    "disease": "/id/OMIM:308230",
    "association": "/id/hpo-annotation/3ce1ffc54ace8a68f5db",
}


@pytest.fixture(scope="module")
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(editor_available(), "the query editor's assets are missing: run `make assets` (needs npm)")
    target = tmp_path_factory.mktemp("full-served") / "store"
    built = os.environ.get("KG_FULL_STORE")
    if built:
        ox.Store.read_only(built).backup(str(target))  # the engine's checkpoint: hard links, the original untouched
    else:
        request.getfixturevalue("full_store").checkpoint(target)
    subprocess.run([sys.executable, "-m", "cli", "build", "--if-missing", "--store", str(target)], check=True,
                   capture_output=True)  # as `make serve` does: the products made if missing
    with serving(target) as base:
        yield base


@pytest.fixture()
def browser() -> Iterator[object]:
    with chromium() as running:
        yield running


def new_page(browser: object, width: str) -> object:
    width_px, height = WIDTHS[width]
    return browser.new_page(viewport={"width": width_px, "height": height})  # type: ignore[attr-defined]


MODEL_CLASSES = ["biolink:DiseaseToPhenotypicFeatureAssociation", "biolink:GeneToPhenotypicFeatureAssociation",
                 "biolink:Disease", "biolink:Gene", "kg:Condition", "kg:Gene"]


def instances(url: str, name: str) -> int:
    """The instances of a class, counted by a query of its own."""
    query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {name} }}"
    answer = httpx.post(f"{url}/sparql", data={"query": query}, timeout=120,
                        headers={"Accept": "application/sparql-results+json"}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def test_the_query_page_opens_at_once(url: str, browser: object, screenshots: Path) -> None:
    """Issue 20: on a fresh server over the full graph, `/` is the query page, its first request,
    and (issue 21) it shows what is in the graph: HPO's annotation classes, the conditions and
    genes, each with its instances, labels apart and inside their boxes."""
    page = new_page(browser, "desktop")
    response = page.goto(url + "/")  # type: ignore[attr-defined]
    assert response.status == 200
    page.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    expect(page.get_by_role("link", name="Counts of entities by class")).to_be_attached()  # type: ignore[attr-defined]
    shown = dict(page.evaluate("""() => [...document.querySelectorAll('svg.data-model g.class')].map(g =>
        [g.querySelector('text.name').textContent, g.querySelector('text.count').textContent])"""))  # type: ignore[attr-defined]
    for name in MODEL_CLASSES:
        assert shown[name].startswith(f"{instances(url, name):,} instance"), name
    shoot(page, screenshots, "full-query-page-desktop")
    phone = new_page(browser, "phone")
    phone.goto(url + "/")  # type: ignore[attr-defined]
    phone.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    assert fits_the_width(phone)
    shoot(phone, screenshots, "full-query-page-phone")
    for opened in (page, phone):
        assert overlapping(label_boxes(opened, "svg.data-model")) == []
        assert outside_their_boxes(opened, "svg.data-model") == []
    page.locator("svg.data-model").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    shoot(page, screenshots, "full-data-model-desktop")


def test_an_example_by_its_title_to_a_chart_to_an_entity(url: str, browser: object, screenshots: Path) -> None:
    """Issue 21: open `/`, pick an example by its title, run it, switch to the chart, and open an
    entity from a result."""
    page = new_page(browser, "desktop")
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((url, "data:")) else outside.append(r.url))  # type: ignore[attr-defined]
    page.goto(url + "/")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Conditions ranked by the phenotypes they share with a condition").click()  # type: ignore[attr-defined]
    page.wait_for_selector(".yasr table tbody tr", timeout=60_000)  # type: ignore[attr-defined]
    page.click(".yasr button.select_chart")  # type: ignore[attr-defined]
    bars = page.locator(".kg-chart a.entity")  # type: ignore[attr-defined]
    expect(bars.first).to_be_visible()
    assert bars.count() >= 10
    shoot(page, screenshots, "full-similar-conditions-chart-desktop")
    first = bars.first.locator("text.label").evaluate("t => t.firstChild.textContent")
    bars.first.click()
    expect(page.locator("h1")).to_have_text(first.rstrip("…"), timeout=30_000)  # type: ignore[attr-defined]
    expect(page.locator(".summary")).to_contain_text("HPO annotations")  # type: ignore[attr-defined]
    assert outside == []
    shoot(page, screenshots, "full-entity-from-chart-desktop")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_entity_pages_on_the_full_graph(url: str, browser: object, screenshots: Path, name: str, width: str) -> None:
    """The summary on the first screen naming HPO's release, no hash IRI in sight, the picture's
    labels apart, no sideways scrolling."""
    page = new_page(browser, width)
    assert page.goto(url + PAGES[name]).status == 200  # type: ignore[attr-defined]
    assert fits_the_width(page)
    summary = page.locator(".summary")  # type: ignore[attr-defined]
    assert summary.bounding_box()["y"] < WIDTHS[width][1]
    expect(summary).to_contain_text(RELEASE)
    shown = "\n".join(page.locator("main section").all_inner_texts())  # type: ignore[attr-defined] # all but its own IRI
    assert not re.search(r"hpo-(gene-)?annotation/[0-9a-f]{6}", shown)
    assert overlapping(label_boxes(page, "svg.neighbourhood")) == []
    shoot(page, screenshots, f"full-{name}-{width}")


def test_the_causal_gene_is_in_the_picture_and_repeated_rows_are_merged(url: str, browser: object) -> None:
    page = new_page(browser, "desktop")
    page.goto(url + PAGES["condition"])  # type: ignore[attr-defined]
    expect(page.locator("svg.neighbourhood a.node", has_text="CD40LG")).to_be_visible()  # type: ignore[attr-defined]
    annotations = page.locator("section[aria-label=\"HPO's annotations\"]")  # type: ignore[attr-defined]
    expect(annotations).to_contain_text(RELEASE)
    annotations.locator("a.more").click()  # … and N more rows: the section's own list, merged
    rows = page.locator("section[aria-label=\"HPO's annotations\"] tbody tr", has_text="Neutropenia")  # type: ignore[attr-defined]
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("PMID:9255191")
    expect(rows).to_contain_text("PMID:10228294")


def test_a_long_list_is_paged(url: str, browser: object) -> None:
    """HP:0002720's "… and N more" annotations: page 1 links to page 2, each page of 100."""
    page = new_page(browser, "desktop")
    page.goto(url + PAGES["phenotype"])  # type: ignore[attr-defined]
    link = page.locator("section[aria-label='Referred to by'] a.more", has_text="202 in all")  # type: ignore[attr-defined]
    link.click()
    expect(page.locator("ol.listing li")).to_have_count(100)  # type: ignore[attr-defined]
    expect(page.locator(".listed")).to_contain_text("202 in all")  # type: ignore[attr-defined]
    page.locator("a[rel=next]").click()  # type: ignore[attr-defined]
    expect(page.locator("ol.listing li")).to_have_count(100)  # type: ignore[attr-defined]
    assert page.locator("ol.listing").get_attribute("start") == "101"  # type: ignore[attr-defined]
    answer = httpx.get(page.url, headers={"Accept": "application/json"}, timeout=30).json()  # type: ignore[attr-defined]
    assert answer["count"] == 202 and answer["page"] == 2 and answer["pages"] == 3
    assert all(not item["label"].startswith("https://") for item in answer["items"])
