"""The query page and the entity pages in a real headless chromium, against a real server on the
curated graph; at phone and desktop widths, with screenshots kept (see browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

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
    wait_for_search,
)
from live_server import build_store, serving
from playwright.sync_api import expect

from server.pages import editor_available

__all__ = ["screenshots"]  # a fixture, from browser.py

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(editor_available(), "the query editor's assets are missing: run `make assets` (needs npm)")
    with serving(build_store(tmp_path_factory.mktemp("browser") / "store")) as base:
        yield base


@pytest.fixture()
def browser() -> Iterator[object]:
    with chromium() as running:
        yield running


@pytest.fixture()
def page(url: str, browser: object) -> Iterator[tuple[object, list[str]]]:
    """A fresh page, and every request it makes to anywhere but our server."""
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) or r.url.startswith("data:") else outside.append(r.url))
    yield page, outside


def cells(page: object) -> list[str]:
    return page.locator(".yasr table tbody td").all_inner_texts()  # type: ignore[attr-defined]


def run_example(page: object, url: str, name: str) -> None:
    """Open the query page, click a saved query, and wait for its rows."""
    page.goto(url + "/")  # type: ignore[attr-defined]
    page.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    page.click(f"a.example[data-name='{name}']")  # type: ignore[attr-defined]
    page.wait_for_selector(".yasr table tbody tr")  # type: ignore[attr-defined]


def editor(page: object) -> str:
    return page.evaluate("window.kgQueryPage.yasgui.getTab().getYasqe().getValue()")  # type: ignore[attr-defined]


def type_at_end(page: object, text: str, before: str) -> None:
    """Put `before` in the editor, then type `text` after it as a person would."""
    page.evaluate("""before => { const yasqe = window.kgQueryPage.yasgui.getTab().getYasqe();
        yasqe.setValue(before); yasqe.focus(); yasqe.setCursor(yasqe.lineCount(), 0); }""", before)  # type: ignore[attr-defined]
    page.keyboard.type(text, delay=30)  # type: ignore[attr-defined]


def test_example_runs_and_shows_rows(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, outside = page
    run_example(browser_page, url, "mechanism-path")
    texts = cells(browser_page)
    assert "CD40LG" in texts and "CD40 ligand" in texts and "B cell" in texts
    assert "uniprot:P29965" in texts, texts  # IRIs shown as CURIEs
    assert browser_page.locator(".yasr table tbody a[href='http://purl.uniprot.org/uniprot/P29965']").count() >= 1
    assert outside == []


def test_table_sorts_and_pages(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, _ = page
    run_example(browser_page, url, "publication-authors")
    names = lambda: browser_page.locator(".yasr table tbody tr td:nth-child(3)").all_inner_texts()
    before = names()
    assert before[0] == "Gilmour KC" and len(before) == 8
    browser_page.click(".yasr table thead th:nth-child(3)")
    expect(browser_page.locator(".yasr table tbody tr td:nth-child(3)")).to_have_text(sorted(before))


def test_downloads_and_share_link(url: str, browser: object, page: tuple[object, list[str]]) -> None:
    browser_page, _ = page
    run_example(browser_page, url, "condition-names")
    links = browser_page.locator("#download-links a")
    assert links.all_inner_texts() == ["SPARQL JSON", "SPARQL XML", "CSV", "TSV"]
    csv_href = links.nth(2).get_attribute("href")
    assert "format=csv" in csv_href
    share = browser_page.locator("#share").get_attribute("href")
    query = parse_qs(urlsplit(share).query)["query"][0]
    assert "skos:altLabel" in query
    shared = browser.new_page()  # type: ignore[attr-defined]
    shared.goto(url + share)
    shared.wait_for_selector(".yasr table tbody tr")
    assert "HIGM1" in cells(shared)


def test_a_shared_url_runs_on_opening(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, outside = page
    browser_page.goto(url + "/?" + urlencode({"query": "SELECT ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> 'CD154' ; "
                                                       "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"}))
    browser_page.wait_for_selector(".yasr table tbody tr")
    assert "CD40 ligand" in cells(browser_page)
    assert outside == []


def test_entity_page_draws_its_neighbourhood_and_links_on(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, outside = page
    browser_page.goto(url + "/id/HGNC:11935")
    picture = browser_page.locator("svg.neighbourhood")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert browser_page.locator("svg.neighbourhood a.node").count() >= 3
    browser_page.locator("svg.neighbourhood a.node", has_text="CD40 ligand").click()
    expect(browser_page.locator("h1")).to_have_text("CD40 ligand")
    assert "P29965" in browser_page.url
    assert outside == []


def test_entity_page_fits_a_phone(url: str, browser: object) -> None:
    phone = browser.new_page(viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    phone.goto(url + "/id/HGNC:11935")
    expect(phone.locator("h1")).to_have_text("CD40LG")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_api_docs_render_offline_under_our_policy(url: str, page: tuple[object, list[str]]) -> None:
    """Swagger UI comes from our own static files and runs under our Content-Security-Policy."""
    browser_page, outside = page
    refused: list[str] = []
    browser_page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)  # type: ignore[attr-defined]
    browser_page.goto(url + "/docs")  # type: ignore[attr-defined]
    expect(browser_page.locator("#operations-saved_queries-query_resolve_synonym")).to_be_visible()  # type: ignore[attr-defined]
    assert outside == [] and refused == []


def test_an_example_is_picked_by_its_title_and_charted(url: str, page: tuple[object, list[str]]) -> None:
    """class-counts by its title; the chart has a bar per class, each naming and linking its class."""
    browser_page, outside = page
    browser_page.goto(url + "/")
    browser_page.get_by_role("link", name="Counts of entities by class").click()
    browser_page.wait_for_selector(".yasr table tbody tr")
    rows = browser_page.locator(".yasr table tbody tr").count()
    browser_page.click(".yasr button.select_chart")
    bars = browser_page.locator(".kg-chart svg rect")
    expect(bars).to_have_count(rows)
    widths = [float(w) for w in bars.evaluate_all("rects => rects.map(r => r.getAttribute('width'))")]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1] > 0  # largest first, as the query orders
    labels = browser_page.locator(".kg-chart a.entity text.label").evaluate_all("ts => ts.map(t => t.firstChild.textContent)")
    assert "Publication" in labels and "rdf:Statement" in labels  # the label where there is one, else the CURIE
    browser_page.locator(".kg-chart a.entity", has_text="Publication").first.click()
    expect(browser_page.locator("h1")).to_have_text("Publication")
    assert outside == []


def test_a_result_opens_its_entity_page(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, outside = page
    run_example(browser_page, url, "mechanism-path")
    browser_page.locator(".yasr table tbody a.iri", has_text="uniprot:P29965").first.click()
    expect(browser_page.locator("h1")).to_have_text("CD40 ligand")
    assert urlsplit(browser_page.url).path == "/resource" and outside == []


@pytest.mark.parametrize(("typed", "line"), [
    ("kg:Gene", "PREFIX kg: <https://w3id.org/higm-kg/vocab#>"),
    ("skos:altLabel", "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"),
    ("HGNC:11935", "PREFIX HGNC: <https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/>"),
])
def test_typing_a_known_prefix_adds_its_prefix_line(url: str, page: tuple[object, list[str]], typed: str, line: str) -> None:
    browser_page, _ = page
    browser_page.goto(url + "/")
    browser_page.wait_for_selector(".CodeMirror")
    type_at_end(browser_page, typed, "SELECT * WHERE {\n  ?s ?p ")
    expect(browser_page.locator(".CodeMirror-code")).to_contain_text(line.split(" <")[0])
    assert line in editor(browser_page).splitlines()


def test_typing_a_name_offers_its_iri(url: str, page: tuple[object, list[str]]) -> None:
    browser_page, outside = page
    wait_for_search(url)
    browser_page.goto(url + "/")
    browser_page.wait_for_selector(".CodeMirror")
    type_at_end(browser_page, "neutrop", "SELECT ?condition WHERE {\n  ?condition kg:hasPhenotype ")
    hint = browser_page.locator(".CodeMirror-hints li", has_text="Neutropenia — HP:0001875")
    expect(hint).to_be_visible()
    hint.click()
    text = editor(browser_page)
    assert "?condition kg:hasPhenotype HP:0001875" in text
    assert "PREFIX HP: <http://purl.obolibrary.org/obo/HP_>" in text.splitlines()
    browser_page.keyboard.type(" }")
    browser_page.evaluate("window.kgQueryPage.yasgui.getTab().getYasqe().query()")
    browser_page.wait_for_selector(".yasr table tbody tr")
    assert "MONDO:0010626" in cells(browser_page)
    assert outside == []


ENTITY_PAGES = {  # name → path
    "condition": "/resource?iri=" + quote("http://purl.obolibrary.org/obo/MONDO_0010626"),
    "gene": "/id/HGNC:11935",
    "phenotype": "/id/HP:0002720",
    "list": "/resource?" + urlencode({"iri": "https://w3id.org/higm-kg/vocab#Authorship", "page": "1",
                                     "incoming": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ENTITY_PAGES)
def test_entity_pages_at_phone_and_desktop_widths(url: str, browser: object, screenshots: Path, name: str,
                                                   width: str) -> None:
    """The summary first, no sideways scrolling, the picture's labels apart and inside it."""
    width_px, height = WIDTHS[width]
    page = browser.new_page(viewport={"width": width_px, "height": height})  # type: ignore[attr-defined]
    page.goto(url + ENTITY_PAGES[name])
    assert fits_the_width(page)
    if name != "list":
        assert page.locator(".summary").bounding_box()["y"] < height  # the answer is on the first screen
        boxes = label_boxes(page, "svg.neighbourhood")
        view = page.evaluate("document.querySelector('svg.neighbourhood').viewBox.baseVal.width")
        assert overlapping(boxes) == []
        assert all(0 <= box["x"] and box["x"] + box["width"] <= view for box in boxes)
    else:
        expect(page.locator("ol.listing li")).to_have_count(60)
    shoot(page, screenshots, f"curated-{name}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_query_page_at_phone_and_desktop_widths(url: str, browser: object, screenshots: Path, width: str) -> None:
    width_px, height = WIDTHS[width]
    page = browser.new_page(viewport={"width": width_px, "height": height})  # type: ignore[attr-defined]
    page.goto(url + "/")
    page.wait_for_selector(".CodeMirror")
    assert fits_the_width(page)
    expect(page.get_by_role("link", name="Counts of entities by class")).to_be_attached()
    expect(page.locator("#prefix-list summary")).to_be_visible()
    shoot(page, screenshots, f"curated-query-page-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_data_model_is_readable_and_a_class_opens_its_query(url: str, browser: object, screenshots: Path,
                                                                width: str) -> None:
    """The picture of the classes: its labels apart and inside their boxes, the page no wider than
    the screen (the picture scrolls in its own box), and a class opens a query for its instances."""
    width_px, height = WIDTHS[width]
    page = browser.new_page(viewport={"width": width_px, "height": height})  # type: ignore[attr-defined]
    page.goto(url + "/")
    page.wait_for_selector(".CodeMirror")
    picture = page.locator("svg.data-model")
    expect(picture.locator("text.name", has_text="kg:Condition")).to_be_attached()
    assert fits_the_width(page)
    assert overlapping(label_boxes(page, "svg.data-model")) == []
    assert outside_their_boxes(page, "svg.data-model") == []
    picture.scroll_into_view_if_needed()
    shoot(page, screenshots, f"curated-data-model-{width}")
    picture.locator("g.class", has=page.locator("text.name", has_text="kg:Gene")).locator("rect").click()
    page.wait_for_selector(".CodeMirror")
    assert "?instance a kg:Gene ." in editor(page)
    page.wait_for_selector(".yasr table tbody tr")  # it runs on opening
    assert any("CD40LG" in cell for cell in cells(page))
