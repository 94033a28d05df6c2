"""Shared fixtures: stores built in memory, a query helper, and the shared source files."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.products import refresh
from kg.store import Store
from loaders.build import build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MEDLINEPLUS_PAGE = SHARED / "sources" / "medlineplus" / "x-linked-hyper-igm-syndrome.txt"
IDENTIFIERS = SHARED / "reference" / "identifiers.md"

Rows = list[dict[str, str]]


def shared_file(path: Path) -> Path:
    """A file from ../shared: a failure in CI when missing, a skip that says why elsewhere."""
    if path.is_file():
        return path
    message = f"{path.relative_to(SHARED.parent)} is missing; it lives in shared/ beside the clone"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    """Wait, bounded, until `condition` holds (a background refresh has ended, say)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds:g} s in vain"
        time.sleep(0.05)


def rows(result: ox.QuerySolutions) -> Rows:
    """Solutions as dicts of plain strings (IRIs and literal values), unbound left out."""
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def built() -> Store:
    """The default graph in memory (without HPO), with what is made from it, as `kg build` leaves it."""
    store = Store.open()
    build(store, with_hpo=False)
    refresh(store, report=lambda _: None)
    return store


@pytest.fixture(scope="session")
def default_store() -> Store:
    """The default graph in memory, shared by read-only tests."""
    return built()


@pytest.fixture()
def fresh_store() -> Store:
    """A default graph of one's own, for tests that write."""
    return built()


@pytest.fixture(scope="session")
def full_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The default graph with HPO's whole release, on disk, with what is made from it (a few minutes)."""
    store = Store.open(tmp_path_factory.mktemp("full") / "store")
    build(store)
    refresh(store, report=lambda _: None)
    return store


@pytest.fixture(scope="session")
def select(default_store: Store) -> Callable[[str], Rows]:
    """Run a SELECT with the usual prefixes over the default graph."""
    from ontology import PREFIXES

    header = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

    def run(sparql: str) -> Rows:
        return rows(default_store.query(header + sparql))

    return run


@pytest.fixture(scope="session")
def medlineplus_text() -> str:
    return shared_file(MEDLINEPLUS_PAGE).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def identifiers_text() -> str:
    return shared_file(IDENTIFIERS).read_text(encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the browser tests of this run put their screenshots (tests/browser.py)."""
    taken = getattr(sys.modules.get("browser"), "TAKEN", [])
    if taken:
        terminalreporter.write_line(f"{len(taken)} browser screenshots in {taken[0].parent}")
