"""The server serves the statistics it holds at once, and refreshes them in the background after
writes: while a refresh is held up (its engine processes stopped), the service description, the
VoID and the query page still answer, with the figures of before; after it, the new ones. Writes
during a refresh make one more round, not one each. A refresh that fails is reported in /health,
keeps the figures of before, and the next write tries again."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import until
from fastapi.testclient import TestClient

from kg.products import folder_of, refresh
from kg.settings import Settings
from kg.store import Store
from loaders.build import build
from server.app import create_app

TOKEN = "refresh-test-token"
WAIT = 60.0  # seconds anything here may take at most, on a busy machine
EX = "http://example.org/"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    """A server over a store on disk (its workers read snapshots, as by default), products made."""
    store = Store.open(tmp_path / "store")
    build(store, with_hpo=False)
    refresh(store, report=lambda _: None)
    with TestClient(create_app(store, Settings(update_token=TOKEN))) as client:
        until(lambda: not client.app.state.products.running)
        yield client, store


def write(client: TestClient, graph: str) -> None:
    response = client.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{EX}{graph}> {{ <{EX}s> a <{EX}C> }} }}"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.text


def _engine_mothers() -> list[int]:
    """The engines' mother processes: the children of this process that run server.engine_process
    (ours, and those of apps other modules' fixtures still hold, idle while this test runs)."""
    children = [int(pid) for task in Path(f"/proc/{os.getpid()}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    mothers = [pid for pid in children if b"server.engine_process" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert mothers
    return mothers


@contextmanager
def held_up() -> Iterator[None]:
    """No new engine worker can be made (the mothers are stopped): a refresh waits for its worker."""
    mothers = _engine_mothers()
    for mother in mothers:
        os.kill(mother, signal.SIGSTOP)
    try:
        yield
    finally:
        for mother in mothers:
            os.kill(mother, signal.SIGCONT)


def answered(client: TestClient, path: str, accept: str) -> httpx.Response:
    """A GET answered within WAIT seconds (on a thread, so a request that waited on the refresh
    would fail here rather than hang the suite)."""
    found: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: found.append(client.get(path, headers={"Accept": accept})), daemon=True)
    thread.start()
    thread.join(WAIT)
    assert found, f"{path} waited for the refresh"
    return found[0]


def _graphs_listed(response: httpx.Response) -> str:
    return re.findall(r"\d+ named graphs", response.text)[0]


PAGES: list[tuple[str, str, str, Callable[[httpx.Response], str]]] = [
    ("the service description", "/sparql", "text/turtle", lambda r: r.headers["etag"] + str(f"{EX}new" in r.text)),
    ("the VoID", "/.well-known/void", "application/n-triples", lambda r: r.headers["etag"] + str(f"{EX}new" in r.text)),
    ("the query page", "/", "text/html", _graphs_listed),
]


@pytest.mark.parametrize(("case", "path", "accept", "figures"), PAGES, ids=[p[0] for p in PAGES])
def test_figures_are_served_at_once_during_a_refresh_and_the_new_ones_after(
        served: tuple[TestClient, Store], case: str, path: str, accept: str,
        figures: Callable[[httpx.Response], str]) -> None:
    client, store = served
    before = answered(client, path, accept)
    with held_up():
        write(client, "new")
        until(lambda: client.app.state.products.running)
        during = answered(client, path, accept)
        assert during.status_code == 200 and figures(during) == figures(before)
        assert "refreshing" in client.get("/health").text
    until(lambda: not client.app.state.products.running)
    after = answered(client, path, accept)
    assert after.status_code == 200 and figures(after) != figures(before)
    assert client.app.state.products.statistics.generation == store.generation


def test_the_void_answers_304_to_the_etag_it_gave(served: tuple[TestClient, Store]) -> None:
    client, _ = served
    first = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    again = client.get("/.well-known/void", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert (first.status_code, again.status_code) == (200, 304) and first.headers["last-modified"]


def test_writes_during_a_refresh_make_one_more_round(served: tuple[TestClient, Store]) -> None:
    client, store = served
    products = client.app.state.products
    rounds = products.rounds
    with held_up():
        write(client, "first")
        until(lambda: products.running)
        for name in ("second", "third", "fourth"):
            write(client, name)
    until(lambda: not products.running)
    assert products.rounds == rounds + 2
    assert products.statistics.generation == store.generation
    assert {f"{EX}{n}" for n in ("first", "second", "third", "fourth")} <= products.statistics.graphs.keys()


def test_a_failed_refresh_is_reported_keeps_the_figures_and_the_next_write_tries_again(
        served: tuple[TestClient, Store]) -> None:
    client, store = served
    products = client.app.state.products
    generation = products.statistics.generation
    blocker = folder_of(store) / "statistics"
    moved = blocker.with_name("kept")
    blocker.rename(moved)
    blocker.write_text("not a folder", encoding="utf-8")  # where the figures are kept: they cannot be
    write(client, "failing")
    until(lambda: products.failure is not None and not products.running)
    health = client.get("/health").text
    assert "last refresh failed" in health and ("NotADirectoryError" in health or "FileExistsError" in health)
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert void.status_code == 200 and f"{EX}failing" not in void.text
    assert f'<https://schema.org/version> "{generation}"^^' in void.text
    blocker.unlink()
    moved.rename(blocker)
    write(client, "again")
    until(lambda: not products.running and products.statistics.generation == store.generation)
    assert products.failure is None and "failed" not in client.get("/health").text
    assert f"{EX}failing" in products.statistics.graphs
