"""The soak: clients for a fixed time with a mixed load of reads, saved-query API calls, entity
pages, search and writes with the token. Goal: no errors at all, and memory that stays flat."""

from __future__ import annotations

import random
import threading
import time

import httpx

from bench.workload import workload

from .fuzz import AUTH
from .measure import Outcome, rss_mib

PAGES = ["/id/HGNC:11935", "/id/MONDO:0010626", "/id/uniprot:P29965", "/vocab",
         "/graph/curated/x-linked-hyper-igm-syndrome", "/id/frequency/x-linked-hyper-igm-syndrome"]
API = ["/api/queries/resolve-synonym?synonym=HIGM1", "/api/queries/publications?fromYear=2003",
       "/api/queries/mechanism-path", "/api/queries"]


def _one(client: httpx.Client, rng: random.Random, queries: list[str], client_id: int) -> httpx.Response:
    roll = rng.random()
    if roll < 0.45:
        return client.post("/sparql", data={"query": rng.choice(queries)}, headers={"Accept": "application/sparql-results+json"})
    if roll < 0.65:
        return client.get(rng.choice(API), headers={"Accept": "text/csv"})
    if roll < 0.80:
        return client.get(rng.choice(PAGES), headers={"Accept": rng.choice(("text/html", "text/turtle"))})
    if roll < 0.90:
        return client.get("/api/search", params={"q": rng.choice(("cd40", "hyper", "b cell", "igm"))})
    graph = f"http://example.org/soak/{client_id}"
    if roll < 0.95:
        body = f"<http://example.org/s{rng.randrange(100)}> <http://example.org/p> {rng.randrange(1000)} ."
        return client.put("/store", params={"graph": graph}, content=body, headers={**AUTH, "Content-Type": "text/turtle"})
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/u> <http://example.org/n> {rng.randrange(1000)} }} }}"
    return client.post("/sparql", data={"update": update}, headers=AUTH)


def soak(base: str, pid: int, outcome: Outcome, *, clients: int, seconds: float, warm_up: float) -> None:
    """Drive `clients` threads for `seconds`; RSS is read after `warm_up` seconds and at the end."""
    queries = list(workload().values())
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def run(client_id: int) -> None:
        rng = random.Random(client_id)
        with httpx.Client(base_url=base, timeout=120) as client:
            while time.monotonic() < stop:
                start = time.perf_counter()
                try:
                    response = _one(client, rng, queries, client_id)
                    status = response.status_code
                except httpx.HTTPError as error:
                    status, response = 599, None
                    with lock:
                        outcome.failures.append(f"client {client_id}: {type(error).__name__}")
                with lock:
                    outcome.record(status, time.perf_counter() - start, "soak")
                    if 400 <= status < 599 and len(outcome.failures) < 10:
                        outcome.failures.append(f"client {client_id}: {status} {response.text[:120]}")

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warm_up)
    start_rss = rss_mib(pid)
    for thread in threads:
        thread.join(timeout=seconds + 300)
    outcome.rss = (start_rss, rss_mib(pid))
    if outcome.rss[1] > start_rss * 1.10:
        outcome.failures.append(f"memory grew from {start_rss:.0f} to {outcome.rss[1]:.0f} MiB (more than 10%)")
