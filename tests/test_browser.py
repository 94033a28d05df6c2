"""The query page in a real headless chromium, against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from browser import chromium, require
from live_server import build_store, serving
from playwright.sync_api import expect

from server.pages import editor_available

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
