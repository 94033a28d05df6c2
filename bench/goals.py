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

from kg.settings import Settings

from .servers import pss_mib
from .workload import Run, drive

ASK = "application/sparql-results+json"
OTHER_DATA = "memory" if Settings().worker_data == "disk" else "disk"
OTHER_MODE = f"kg serve, {OTHER_DATA} workers"  # the worker setting that is not the default, benched too
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


@dataclass(frozen=True)
class Streaming:
    first: float  # seconds to the first bytes of a 100k-row answer
    total: float  # seconds to its end
    reads: int  # pieces the client read
    small_growth: float  # peak PSS of the server's processes above the idle one, MiB, for 1k rows
    large_growth: float  # and for 100k rows


def rows_query(count: int) -> str:
    """A SELECT of exactly `count` (a power of ten) rows that needs no data."""
    digits = len(str(count)) - 1
    if 10**digits != count:
        raise ValueError(f"{count} is not a power of ten")
    values = " ".join(f"VALUES ?d{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(digits))
    return ("SELECT ?n WHERE { " + values + " BIND(" + " + ".join(f"?d{i} * {10**i}" for i in range(digits))
            + " AS ?n) }")


def _peak_growth(url: str, pid: int, count: int) -> tuple[float, float, float, int]:
    """Stream `count` rows as TSV: seconds to the first bytes and to the end, the reads, and how
    far the server's PSS rose above its level before (sampled every 20 ms)."""
    before, peak, done = pss_mib(pid), [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], pss_mib(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began, first, reads = time.perf_counter(), None, 0
    try:
        with httpx.stream("GET", url, params={"query": rows_query(count)}, timeout=120,
                          headers={"Accept": "text/tab-separated-values"}) as response:
            for _ in response.iter_raw():
                first = first if first is not None else time.perf_counter() - began
                reads += 1
    finally:
        done.set()
        sampler.join(timeout=5)
    return first or 0.0, time.perf_counter() - began, max(0.0, peak[0] - before), reads


def streaming(url: str, pid: int) -> Streaming:
    _peak_growth(url, pid, 1000)  # warm
    _, _, small, _ = _peak_growth(url, pid, 1000)
    first, total, large, reads = _peak_growth(url, pid, 100_000)
    return Streaming(first, total, reads, small, large)


def ratio_goal(graph: str, goal: str, target: float, value: float, *, higher: bool = True) -> Goal:
    met = value >= target if higher else value <= target
    sign = "≥" if higher else "≤"
    return Goal(graph, goal, f"{sign} {target:g}×", f"{value:,.2f}×", met)


def _engine_goals(graph: str, name: str, runs: dict[str, Run], memory: dict[str, float], started: dict[str, float],
                  large: bool) -> list[Goal]:
    """Throughput, p99, memory and start of one of our servers against Oxigraph's."""
    ours, disk, mem = runs.get(name), runs.get("oxigraph serve"), runs.get("oxigraph serve, memory")
    who = "" if name == "kg serve" else f" ({name})"
    goals: list[Goal] = []
    add = goals.append
    if ours and disk:
        add(ratio_goal(graph, f"throughput vs Oxigraph on disk{who}", 1.5, ours.throughput / disk.throughput))
    if ours and mem:
        add(ratio_goal(graph, f"throughput vs Oxigraph in memory{who}", 1.0, ours.throughput / mem.throughput))
        if large:
            add(ratio_goal(graph, f"p99 vs Oxigraph in memory{who}", 1.0, ours.percentile(99) / mem.percentile(99),
                           higher=False))
    if name in memory and "oxigraph serve, memory" in memory:
        add(ratio_goal(graph, f"memory (PSS, 2 workers) vs Oxigraph in memory{who}", 1.5,
                       memory[name] / memory["oxigraph serve, memory"], higher=False))
    if name in started and "oxigraph serve" in started:
        add(ratio_goal(graph, f"start to first answer vs Oxigraph{who}", 2.0, started[name] / started["oxigraph serve"],
                       higher=False))
    return goals


def evaluate(graph: str, runs: dict[str, Run], memory: dict[str, float], started: dict[str, float],
             writes: tuple[float, float] | None, loaded: Run | None, cache: tuple[int, int] | None,
             streamed: Streaming | None, large: bool) -> list[Goal]:
    """The goals of one graph, from what the benchmark measured on it."""
    ours = runs.get("kg serve")
    goals = _engine_goals(graph, "kg serve", runs, memory, started, large)
    add = goals.append
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
    if streamed is not None:
        add(Goal(graph, "streamed answer (100k rows): first bytes", "before the end",
                 f"{streamed.first * 1000:,.0f} of {streamed.total * 1000:,.0f} ms, {streamed.reads} reads",
                 streamed.first < streamed.total and streamed.reads > 1))
        add(Goal(graph, "streamed answer: memory, 100k vs 1k rows", "no growth (≤ 16 MiB more)",
                 f"+{streamed.small_growth:,.1f} vs +{streamed.large_growth:,.1f} MiB",
                 streamed.large_growth <= streamed.small_growth + 16))
    return goals + _engine_goals(graph, OTHER_MODE, runs, memory, started, large)


def report(console: Console, goals: list[Goal]) -> None:
    table = Table(title="Goals (issue #14): measured and marked")
    for column in ("graph", "goal", "target", "measured", "met"):
        table.add_column(column)
    for goal in goals:
        mark = "—" if goal.met is None else "met" if goal.met else "not met"
        table.add_row(goal.graph, goal.goal, goal.target, goal.measured, mark)
    console.print(table)
