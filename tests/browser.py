"""Debian's chromium, headless, driven by Playwright: found, or a skip (a failure in CI); and the
screenshots the browser tests keep, in test-artifacts/screenshots/ (not committed)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

import httpx
import pytest

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}
SEARCH_SECONDS = 120  # how long a test waits for the server to make its search index
TAKEN: list[Path] = []  # the screenshots of this run (conftest's terminal summary says where they are)


def require(condition: bool, message: str) -> None:
    """Skip with a reason, except in CI, where a missing requirement is a failure."""
    if condition:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright Browser over the system's chromium."""
    executable = shutil.which("chromium")
    require(executable is not None, "Debian's chromium is not installed (apt-get install chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder the browser tests put their screenshots in (printed at the end of the run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def shoot(page: object, folder: Path, name: str) -> Path:
    """A full-page screenshot of `page` as `folder/name.png`."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    TAKEN.append(path)
    return path


def fits_the_width(page: object) -> bool:
    """Whether the page needs no sideways scrolling (a wide picture scrolls in its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # type: ignore[attr-defined]


def label_boxes(page: object, selector: str) -> list[dict[str, float]]:
    """The drawn boxes (in the SVG's own units) of every text of the SVG at `selector`."""
    return page.evaluate("""selector => [...document.querySelector(selector).querySelectorAll('text')]
        .map(t => { const b = t.getBBox(); return {x: b.x, y: b.y, width: b.width, height: b.height, text: t.textContent}; })""",
                         selector)  # type: ignore[attr-defined]


def outside_their_boxes(page: object, selector: str) -> list[str]:
    """The texts of the SVG at `selector` not drawn wholly inside the rectangle of their group."""
    return page.evaluate("""selector => [...document.querySelector(selector).querySelectorAll('g rect')]
        .flatMap(rect => { const r = rect.getBBox();
          return [...rect.closest('g').querySelectorAll('text')].filter(t => { const b = t.getBBox();
            return b.x < r.x || b.y < r.y || b.x + b.width > r.x + r.width || b.y + b.height > r.y + r.height; })
          .map(t => t.textContent); })""", selector)  # type: ignore[attr-defined]


def overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    """The pairs of boxes that overlap (by more than half a pixel either way)."""
    def meet(a: dict[str, float], b: dict[str, float]) -> bool:
        return (a["x"] + 0.5 < b["x"] + b["width"] and b["x"] + 0.5 < a["x"] + a["width"]
                and a["y"] + 0.5 < b["y"] + b["height"] and b["y"] + 0.5 < a["y"] + a["height"])

    return [(str(a["text"]), str(b["text"])) for a, b in combinations(boxes, 2) if meet(a, b)]


def wait_for_search(url: str) -> None:
    """Until the server has its search index (it makes it at start, in the background)."""
    deadline = time.monotonic() + SEARCH_SECONDS
    while "x-search-index" in httpx.get(f"{url}/api/search", params={"q": "cd40"}, timeout=10).headers:
        if time.monotonic() > deadline:
            pytest.fail(f"no search index after {SEARCH_SECONDS} s")
        time.sleep(0.5)
