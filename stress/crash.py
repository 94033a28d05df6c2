"""kill -9 during a write: a large Graph Store PUT to a running server, and a `kg load`.

After each kill the store is opened again (its journal, if any, applied) and must hold the
graph exactly as before the write or exactly as after it — never a part of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.live import process_of, serving
from kg.store import Store

from .fuzz import AUTH, TOKEN
from .measure import Outcome

FRACTIONS = (0.1, 0.3, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95)  # of a whole write's duration, when the kill comes


def _nquads(path: Path, graph: str | None, triples: int) -> Path:
    with path.open("w", encoding="utf-8") as file:
        for i in range(triples):
            file.write(f'<http://example.org/crash/s{i}> <http://example.org/p{i % 7}> "value {i}" .\n')
    return path


def _count(store_path: Path, graph: str) -> int:
    store = Store.open(store_path)  # applies a journal left by the killed process
    try:
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)
    finally:
        del store


def _judge(outcome: Outcome, what: str, found: int, triples: int) -> None:
    outcome.requests += 1
    state = "old" if found == 0 else "new" if found == triples else f"PARTIAL ({found} of {triples})"
    outcome.notes.append(f"{what}: {state}")
    if state.startswith("PARTIAL"):
        outcome.failures.append(f"{what}: the store holds part of the write ({found} of {triples} triples)")


def _put(url: str, graph: str, body: Path) -> float:
    start = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        try:
            client.put(f"{url}/store", params={"graph": graph}, content=body.read_bytes(),
                       headers={**AUTH, "Content-Type": "application/n-triples"})
        except httpx.HTTPError:
            pass  # the server was killed under it
    return time.perf_counter() - start


def during_put(workdir: Path, store: Path, outcome: Outcome, *, triples: int) -> None:
    body = _nquads(workdir / "put.nt", None, triples)
    env = {"KG_UPDATE_TOKEN": TOKEN, "KG_MAX_BODY": str(body.stat().st_size + 1024), "KG_MAX_CHANGE": str(triples + 1)}
    with serving(store, **env) as url:
        whole = _put(url, "http://example.org/crash/calibration", body)
    for fraction in FRACTIONS:
        graph = f"http://example.org/crash/put-{fraction}"
        with serving(store, **env) as url:
            writer = threading.Thread(target=_put, args=(url, graph, body), daemon=True)
            writer.start()
            time.sleep(whole * fraction)
            os.kill(process_of(url).pid, signal.SIGKILL)
            process_of(url).wait()
            writer.join(timeout=60)
        _judge(outcome, f"PUT killed at {fraction:.0%} of {whole:.1f} s", _count(store, graph), triples)


def during_load(workdir: Path, store: Path, outcome: Outcome, *, triples: int) -> None:
    data = _nquads(workdir / "load.nt", None, triples)

    def load(graph: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "cli", "load", str(data), "--graph", graph,
                                 "--store", str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    start = time.perf_counter()
    load("http://example.org/crash/load-calibration").wait()
    whole = time.perf_counter() - start
    for fraction in FRACTIONS:
        graph = f"http://example.org/crash/load-{fraction}"
        process = load(graph)
        time.sleep(whole * fraction)
        process.kill()
        process.wait()
        _judge(outcome, f"kg load killed at {fraction:.0%} of {whole:.1f} s", _count(store, graph), triples)
