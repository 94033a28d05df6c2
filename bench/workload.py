"""The mixed workload (the saved queries), its driver, and the check that servers agree."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass

import httpx

from kg.saved_queries import load_queries
from kg.settings import DEFAULT_QUERIES

JSON = "application/sparql-results+json"
# Not in the workload: SERVICE needs the internet; load times differ per server by design.
LEFT_OUT = {"federated-uniprot", "graph-statistics"}


def workload() -> dict[str, str]:
    """Each local saved query, bound to its required examples (defaults for the rest)."""
    queries = {}
    for name, saved in load_queries(DEFAULT_QUERIES).items():
        if name in LEFT_OUT:
            continue
        values = {p.name: p.example for p in saved.parameters if p.required and p.example is not None}
        queries[name] = saved.bind(values)
    return queries


def _term(term: dict[str, str]) -> tuple[str, ...]:
    if term["type"] == "bnode":
        return ("bnode",)
    kind = "literal" if term["type"] in {"literal", "typed-literal"} else term["type"]
    return (kind, term["value"], term.get("datatype", ""), term.get("xml:lang", ""))


def canonical(answer: dict) -> Counter:
    """Solutions as a multiset of rows, blank node labels ignored."""
    if "boolean" in answer:
        return Counter([answer["boolean"]])
    names = answer["head"]["vars"]
    return Counter(tuple(_term(row[n]) if n in row else None for n in names) for row in answer["results"]["bindings"])


def answers(url: str, queries: dict[str, str], timeout: float) -> tuple[dict[str, Counter | str], dict[str, float]]:
    """Each query's answer (or its error) and the seconds it took, one query at a time."""
    out: dict[str, Counter | str] = {}
    seconds: dict[str, float] = {}
    with httpx.Client(timeout=timeout) as client:
        for name, text in queries.items():
            began = time.perf_counter()
            try:
                response = client.post(url, data={"query": text}, headers={"Accept": JSON})
                response.raise_for_status()
                out[name] = canonical(response.json())
            except (httpx.HTTPError, ValueError) as error:
                out[name] = f"error: {error}"
            seconds[name] = time.perf_counter() - began
    return out, seconds


@dataclass
class Run:
    server: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]


async def _client(client: httpx.AsyncClient, url: str, texts: list[str], start: int, stop_at: float,
                  run: Run) -> None:
    index = start
    while time.monotonic() < stop_at:
        text = texts[index % len(texts)]
        index += 1
        began = time.perf_counter()
        try:
            response = await client.post(url, data={"query": text}, headers={"Accept": JSON})
            await response.aread()
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        run.latencies.append(time.perf_counter() - began)
        run.requests += ok
        run.errors += not ok


async def _drive(server: str, url: str, texts: list[str], clients: int, seconds: float, timeout: float) -> Run:
    run = Run(server, 0, 0, seconds, [])
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        stop_at = time.monotonic() + seconds
        began = time.monotonic()
        await asyncio.gather(*(_client(client, url, texts, i, stop_at, run) for i in range(clients)))
        run.seconds = time.monotonic() - began
    return run


def drive(server: str, url: str, texts: list[str], *, clients: int, seconds: float, timeout: float) -> Run:
    """`clients` concurrent clients cycling through `texts` for `seconds` (each request bounded by `timeout`)."""
    return asyncio.run(_drive(server, url, texts, clients, seconds, timeout))
