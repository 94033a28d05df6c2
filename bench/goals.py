"""The performance goals of `make bench`, each measured as a ratio (or a time) and marked met or not.

Measured on our server while it runs in the benchmark: how long a small write takes to become
visible to the next read (an `INSERT DATA`, and a Graph Store `PUT` of 100 triples), what a
stream of one write a second costs the read workload, and the result cache's hits. The rest come
from the benchmark's runs: throughput and p99 against Oxigraph's server on disk and in memory,
memory (PSS), and the time from start to the first answered query.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass

import httpx
from rich.console import Console
from rich.table import Table

from .workload import Run, drive

ASK = "application/sparql-results+json"
WRITES = 15  # bounded: writes timed per kind


@dataclass(frozen=True)
class Goal:
    graph: str
    goal: str
    target: str
    measured: str
    met: bool | None  # None: not measured


def _visible(url: str, ask: str, deadline: float = 10.0) -> float:
    """Seconds until `ask` is true (read right after the write's response)."""
    began = time.perf_counter()
    while time.perf_counter() - began < deadline:
        response = httpx.get(url, params={"query": ask}, headers={"Accept": ASK}, timeout=deadline)
        if response.status_code == 200 and response.json().get("boolean"):
            return time.perf_counter() - began
    return float("inf")


def write_visibility(url: str, token: str) -> tuple[float, float]:
    """Median seconds from a write's response to a read that sees it: INSERT DATA, then a
    Graph Store PUT of a 100-triple graph."""
    auth = {"Authorization": f"Bearer {token}"}
    base = url.removesuffix("/sparql")
    inserts, puts = [], []
    for index in range(WRITES):
        subject = f"urn:bench:write:{time.time_ns()}:{index}"
        response = httpx.post(url, data={"update": f"INSERT DATA {{ <{subject}> <urn:bench:p> {index} }}"},
                              headers=auth, timeout=60)
        response.raise_for_status()
        inserts.append(_visible(url, f"ASK {{ <{subject}> ?p ?o }}"))
        graph = f"http://example.org/bench/graph/{time.time_ns()}"
        body = "".join(f"<{graph}/s{i}> <urn:bench:p> \"{i}\" .\n" for i in range(100)).encode()
        response = httpx.put(f"{base}/store", params={"graph": graph}, content=body,
                             headers={**auth, "Content-Type": "application/n-triples"}, timeout=60)
        response.raise_for_status()
        puts.append(_visible(url, f"ASK {{ GRAPH <{graph}> {{ <{graph}/s99> ?p ?o }} }}"))
    return statistics.median(inserts), statistics.median(puts)


def under_writes(url: str, token: str, texts: list[str], *, clients: int, seconds: float, timeout: float) -> Run:
    """The read workload while one small write a second goes in (bounded by `seconds`)."""
    stop = threading.Event()

    def writer() -> None:
        index = 0
        while not stop.wait(1.0):
            index += 1
            httpx.post(url, data={"update": f"INSERT DATA {{ <urn:bench:load:{time.time_ns()}> <urn:bench:p> {index} }}"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=60)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        return drive("kg serve + 1 write/s", url, texts, clients=clients, seconds=seconds, timeout=timeout)
    finally:
        stop.set()
        thread.join(timeout=70)


def cache_counts(url: str) -> tuple[int, int]:
    text = httpx.get(url.removesuffix("/sparql") + "/metrics", timeout=30).text
    found = {}
    for line in text.splitlines():
        for kind in ("hits", "misses"):
            if line.startswith(f"kg_result_cache_{kind}_total "):
                found[kind] = int(float(line.split()[1]))
    return found.get("hits", 0), found.get("misses", 0)


def ratio_goal(graph: str, goal: str, target: float, value: float, *, higher: bool = True) -> Goal:
    met = value >= target if higher else value <= target
    sign = "≥" if higher else "≤"
    return Goal(graph, goal, f"{sign} {target:g}×", f"{value:,.2f}×", met)


def evaluate(graph: str, runs: dict[str, Run], memory: dict[str, float], started: dict[str, float],
             writes: tuple[float, float] | None, loaded: Run | None, cache: tuple[int, int] | None,
             large: bool) -> list[Goal]:
    """The goals of one graph, from what the benchmark measured on it."""
    ours, disk, mem = runs.get("kg serve"), runs.get("oxigraph serve"), runs.get("oxigraph serve, memory")
    goals: list[Goal] = []
    add = goals.append
    if ours and disk:
        add(ratio_goal(graph, "throughput vs Oxigraph on disk", 1.5, ours.throughput / disk.throughput))
    if ours and mem:
        add(ratio_goal(graph, "throughput vs Oxigraph in memory", 1.0, ours.throughput / mem.throughput))
        if large:
            add(ratio_goal(graph, "p99 vs Oxigraph in memory", 1.0, ours.percentile(99) / mem.percentile(99),
                           higher=False))
    if "kg serve" in memory and "oxigraph serve, memory" in memory:
        add(ratio_goal(graph, "memory (PSS, 2 workers) vs Oxigraph in memory", 1.5,
                       memory["kg serve"] / memory["oxigraph serve, memory"], higher=False))
    if writes is not None:
        insert, put = writes
        add(Goal(graph, "write visible: INSERT DATA, median", "< 200 ms", f"{insert * 1000:,.1f} ms", insert < 0.2))
        add(Goal(graph, "write visible: PUT of 100 triples, median", "< 200 ms", f"{put * 1000:,.1f} ms", put < 0.2))
    if loaded is not None and ours is not None:
        cost = 1 - loaded.throughput / ours.throughput
        add(Goal(graph, "read throughput lost to 1 write/s", "< 20%", f"{cost:.0%}", cost < 0.2))
    if cache is not None:
        hits, misses = cache
        add(Goal(graph, "result cache answers repeated reads", "hits > 0 (bytes: tested)",
                 f"{hits:,} hits, {misses:,} misses", hits > 0))
    add(Goal(graph, "streamed answers (100k rows)", "first bytes before the end", "not built: answers are whole",
             False))
    if "kg serve" in started and "oxigraph serve" in started:
        add(ratio_goal(graph, "start to first answer vs Oxigraph", 2.0, started["kg serve"] / started["oxigraph serve"],
                       higher=False))
    return goals


def report(console: Console, goals: list[Goal]) -> None:
    table = Table(title="Goals (issue #14): measured and marked")
    for column in ("graph", "goal", "target", "measured", "met"):
        table.add_column(column)
    for goal in goals:
        mark = "—" if goal.met is None else "met" if goal.met else "not met"
        table.add_row(goal.graph, goal.goal, goal.target, goal.measured, mark)
    console.print(table)
