"""Fuzzing the HTTP API: every route from our OpenAPI schema (schemathesis), and SPARQL-aware
mutations of the saved queries and the W3C protocol requests.

Goal: no 5xx but the documented 503/504, no worker lost, no file descriptor leaked.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from bench.workload import workload

from .measure import Outcome

TOKEN = "stress-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATES = [
    "INSERT DATA { GRAPH <http://example.org/fuzz> { <http://example.org/s> <http://example.org/p> \"o\" } }",
    "DELETE WHERE { GRAPH <http://example.org/fuzz> { ?s ?p ?o } }",
    "WITH <http://example.org/fuzz> INSERT { ?s <http://example.org/q> 1 } WHERE { ?s ?p ?o }",
    "CLEAR SILENT GRAPH <http://example.org/fuzz>",
]
PROTOCOL = ["ASK {}", "SELECT (1 AS ?value) {}", "DESCRIBE <http://example.org/>", "CONSTRUCT { <s> <p> 1 } WHERE {}",
            "ASK { GRAPH ?g1 { ?s a ?type } }"]
MEDIA = ["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
         "text/plain", "application/json", "", "application/sparql-query; charset=UTF-16", "multipart/form-data",
         "application/sparql-query;;;", "text/turtle", "application/rdf+xml", "*/*"]
ACCEPT = ["*/*", "text/csv", "application/sparql-results+xml", "text/turtle", "image/png", "text/html",
          "application/json;q=0.1, text/*;q=abc", "", "a/b/c", "application/ld+json"]


# -- SPARQL-aware mutations -----------------------------------------------------------------------


def _mutations(rng: random.Random) -> list[Callable[[str], str | bytes]]:
    def truncate(t: str) -> str:
        return t[: rng.randrange(len(t) + 1)]

    def random_bytes(t: str) -> bytes:
        at = rng.randrange(len(t) + 1)
        return t[:at].encode() + rng.randbytes(rng.randrange(1, 16)) + t[at:].encode()

    def nest(t: str) -> str:
        depth = rng.choice((50, 70, 1_000, 10_000))
        return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth

    def huge_literal(t: str) -> str:
        return f'SELECT ?x WHERE {{ BIND("{"x" * rng.choice((10_000, 500_000, 2_000_000))}" AS ?x) }}'

    def nul(t: str) -> str:
        at = rng.randrange(len(t) + 1)
        return t[:at] + "\x00" + t[at:]

    def utf16(t: str) -> bytes:
        return t.encode("utf-16")

    def line_ends(t: str) -> str:
        return t.replace(" ", rng.choice((" # c\r", "\r\n", " #\r ", "\t")), rng.randrange(1, 6))

    def splice(t: str) -> str:
        other = rng.choice(PROTOCOL + UPDATES)
        return t[: rng.randrange(len(t) + 1)] + other[rng.randrange(len(other) + 1):]

    def chain(t: str) -> str:
        return f"SELECT ({'+'.join(['1'] * rng.choice((100, 5_000, 12_000)))} AS ?x) WHERE {{}}"

    return [truncate, random_bytes, nest, huge_literal, nul, utf16, line_ends, splice, chain, lambda t: t]


def _requests(seed: int, count: int) -> Iterator[tuple[str, dict]]:
    """(description, httpx request arguments), `count` of them, reproducible from `seed`."""
    rng = random.Random(seed)
    seeds = list(workload().values()) + PROTOCOL + UPDATES
    mutate = _mutations(rng)
    for index in range(count):
        text = rng.choice(mutate)(rng.choice(seeds))
        accept = {"Accept": rng.choice(ACCEPT)}
        how = rng.choice(("get", "form", "direct", "update-form", "update-direct", "api"))
        if how == "get":
            value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            yield f"#{index} GET", {"method": "GET", "url": "/sparql", "params": {"query": value[:20_000]}, "headers": accept}
        elif how in ("form", "update-form"):
            value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            field = "query" if how == "form" else "update"
            yield f"#{index} POST form", {"method": "POST", "url": "/sparql", "data": {field: value},
                                         "headers": {**accept, **AUTH}}
        elif how == "api":
            name = rng.choice(("resolve-synonym", "publications", "condition-names", "no-such-query"))
            params = {"synonym": text[:200] if isinstance(text, str) else "x", "offset": rng.choice(("0", "-1", "1e9", "x")),
                      "limit": rng.choice(("1", "0", "99999", ""))}
            yield f"#{index} API {name}", {"method": "GET", "url": f"/api/queries/{name}", "params": params, "headers": accept}
        else:
            body = text if isinstance(text, bytes) else text.encode()
            yield f"#{index} POST direct", {"method": "POST", "url": "/sparql", "content": body,
                                           "headers": {**accept, **AUTH, "Content-Type": rng.choice(MEDIA)}}


def mutations(base: str, outcome: Outcome, *, count: int, seconds: float, threads: int = 4) -> None:
    """Send `count` mutated SPARQL requests (bounded by `seconds`), recording every status."""
    deadline = time.monotonic() + seconds

    def send(batch: list[tuple[str, dict]]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for what, arguments in batch:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                try:
                    status = client.request(**arguments).status_code
                except httpx.HTTPError as error:
                    status = 599
                    outcome.failures.append(f"{what}: {type(error).__name__}")
                outcome.record(status, time.perf_counter() - start, what)

    requests = list(_requests(seed=20261125, count=count))
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, [requests[i::threads] for i in range(threads)]))


# -- every route of the OpenAPI schema -----------------------------------------------------------


def schema_routes(base: str, outcome: Outcome, *, examples: int, seconds: float) -> None:
    """Property-based requests to every operation of /openapi.json, valid and invalid ones."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    deadline = time.monotonic() + seconds
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() < deadline:
                _drive(operation, mode, base, outcome, examples, deadline)


def _drive(operation: schemathesis.APIOperation, mode: GenerationMode, base: str, outcome: Outcome,
           examples: int, deadline: float) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        if time.monotonic() > deadline:
            return
        start = time.perf_counter()
        try:
            status = case.call(base_url=base, headers=AUTH, timeout=120).status_code
        except Exception as error:  # noqa: BLE001 - a request the client could not even send counts, not fails
            outcome.notes.append(f"{operation.label}: not sent ({type(error).__name__})")
            return
        outcome.record(status, time.perf_counter() - start, f"{case.method} {case.formatted_path}")

    try:
        call()
    except Exception as error:  # noqa: BLE001 - hypothesis gave up on a strategy: say so, go on
        outcome.notes.append(f"{operation.label} ({mode.value}): {type(error).__name__}")
