"""Writes across engine workers: every worker applies every committed change, in order, before
its next job (or opens the newest snapshot, when workers read from disk) — so an update that
reads what earlier ones wrote is right on whichever worker it runs, a read never sees less than
was acknowledged before it began, and a worker forked later (a replacement) starts from the
same state."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.change import Change
from kg.settings import Settings
from kg.store import Store
from server.errors import ServiceUnavailable
from server.jobs import Query, Update
from server.workers import WorkerPool

EX = "PREFIX ex: <http://example.org/> "
START = EX + "INSERT DATA { ex:counter ex:n 0 }"
STEP = EX + "DELETE { ex:counter ex:n ?n } INSERT { ex:counter ex:n ?m } WHERE { ex:counter ex:n ?n BIND(?n + 1 AS ?m) }"
READ = EX + "SELECT ?n WHERE { ex:counter ex:n ?n }"
STEPS = 30
HUNDRED = "{ " + " ".join(map(str, range(100))) + " }"
RUNAWAY = "SELECT (COUNT(*) AS ?c) WHERE { " + " ".join(f"VALUES ?v{i} {HUNDRED}" for i in range(6)) + " }"


@pytest.fixture(params=["memory", "disk"])
def pool(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WorkerPool]:
    workers = WorkerPool(Store.open(tmp_path / "store"), Settings(workers=3, query_timeout=10, worker_data=request.param))
    workers.start()
    yield workers
    workers.close()


def test_disk_workers_leave_no_snapshots_behind(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")
    workers = WorkerPool(store, Settings(workers=2, worker_data="disk"))
    workers.start()
    for _ in range(3):
        workers.update(Update(START))
        read(workers)
    snapshots = tmp_path / "store.snapshots"
    assert len(list(snapshots.iterdir())) <= 3  # the newest, and those workers still stand on
    workers.close()
    assert not snapshots.exists()


def read(pool: WorkerPool) -> list[int]:
    body = pool.run(Query(READ, accept="text/csv")).body.decode()
    return [int(line) for line in body.split()[1:]]


def test_updates_that_build_on_each_other_are_right_on_every_worker(pool: WorkerPool) -> None:
    pool.update(Update(START))
    seen: list[tuple[int, list[int]]] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            acknowledged = pool.version - 1  # writes done before this read began (START is one)
            seen.append((acknowledged, read(pool)))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for _ in range(STEPS):
            pool.update(Update(STEP))
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=30)
    assert all(len(values) == 1 and values[0] >= acknowledged for acknowledged, values in seen), seen
    assert seen, "the readers ran alongside the writes"
    together = [threading.Thread(target=lambda: seen.append((STEPS, read(pool)))) for _ in range(6)]
    for thread in together:
        thread.start()
    for thread in together:
        thread.join(timeout=30)
    assert [values for _, values in seen[-6:]] == [[STEPS]] * 6


def test_a_worker_forked_after_the_writes_starts_from_them(pool: WorkerPool) -> None:
    pool.update(Update(START))
    for _ in range(5):
        pool.update(Update(STEP))
    with pytest.raises(Exception, match="deadline"):
        pool.run(Query(RUNAWAY), timeout=0.5)  # its worker is killed; a fresh fork takes its place
    answers = [read(pool) for _ in range(6)]
    assert answers == [[5]] * 6
    pool.update(Update(STEP))
    assert read(pool) == [6]


def test_a_snapshot_stays_until_no_worker_can_open_it(tmp_path: Path) -> None:
    """Writes (each a new snapshot) while workers are replaced (each fork opens the newest) and
    others move to newer ones: no read ever finds a snapshot removed under it."""
    workers = WorkerPool(Store.open(tmp_path / "store"), Settings(workers=3, query_timeout=10, worker_data="disk"))
    workers.start()
    workers.update(Update(START))
    stop = time.monotonic() + 10
    failures: list[str] = []
    reads = [0]

    def write() -> None:
        for n in itertools.count():
            if time.monotonic() > stop:
                return
            workers.commit(Change(added=frozenset({ox.Quad(ox.NamedNode("http://example.org/counter"),
                                                           ox.NamedNode("http://example.org/w"), ox.Literal(n))})))

    def replace() -> None:
        while time.monotonic() < stop:
            with pytest.raises(ServiceUnavailable):  # the deadline, or every worker busy
                workers.run(Query(RUNAWAY), timeout=0.05)

    def query() -> None:
        while time.monotonic() < stop:
            try:
                read(workers)
                reads[0] += 1
            except ServiceUnavailable:
                continue  # every worker busy: allowed
            except Exception as error:  # noqa: BLE001 - what the test looks for
                failures.append(repr(error))

    threads = [threading.Thread(target=work) for work in (write, replace, replace, query, query)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    workers.close()
    assert not failures, failures[:3]
    assert reads[0] > 0
