"""`python -m bench.adhoc`: hand-written queries, ours against Oxigraph's own server.

On two copies of the store (`--store`, `var/store` by default; ours with its products), a fresh
`kg serve` with default settings (the default deadline included) and a fresh `oxigraph serve
--union-default-graph`, both started, then left until ours has done its start-up work (the
products checked, the saved queries warmed: its processes idle for three seconds). Each query below
is then asked once of each, one server after the other, the first alternating from query to
query, so that a machine shared with other work weighs on both alike; over HTTP, as a client
would (SPARQL JSON results, the whole body read), timed as the client sees it. The ratio is
Oxigraph's time over ours (above 1: ours is faster); the figure is their geometric mean. Both
must give the same number of rows.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer

from ontology import BIOLINK, RDFS
from ontology.identifiers import expand

from .first_touch import CLIENT_SECONDS, copied, into_readme, machine, table
from .live import free_port, process_of, running, serving, tree
from .servers import _tool

JSON = "application/sparql-results+json"
SETTLE_SECONDS = 300
MARKS = ("<!-- adhoc: begin (written by python -m bench.adhoc) -->", "<!-- adhoc: end -->")
QUERIES = {
    "label scan (`LCASE(STR(?l)) = \"higm1\"`)":
        'SELECT ?s WHERE { ?s ?p ?l FILTER(LCASE(STR(?l)) = "higm1") }',
    "`COUNT(*)`": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "instances per class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "triples per predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)",
    "one entity's neighbourhood (CD40LG)":
        f"SELECT ?p ?o ?q ?s WHERE {{ {{ <{expand('HGNC:11935')}> ?p ?o }} UNION {{ ?s ?q <{expand('HGNC:11935')}> }} }}",
    "regex over labels": f'SELECT ?s ?l WHERE {{ ?s <{RDFS.label}> ?l FILTER(REGEX(?l, "hyper.?igm", "i")) }}',
    "annotations of one disease (OMIM:308230)":
        f"SELECT ?a ?p ?o WHERE {{ ?a <{BIOLINK.subject}> <{expand('OMIM:308230')}> ; ?p ?o }}",
}
app = typer.Typer(add_completion=False)


@dataclass(frozen=True)
class Answer:
    seconds: float
    status: int
    rows: int


def ask(endpoint: str, query: str) -> Answer:
    began = time.perf_counter()
    response = httpx.get(endpoint, params={"query": query}, headers={"Accept": JSON}, timeout=CLIENT_SECONDS)
    seconds = time.perf_counter() - began
    rows = len(response.json()["results"]["bindings"]) if response.status_code == 200 else -1
    return Answer(seconds, response.status_code, rows)


@contextmanager
def oxigraph(store: Path) -> Iterator[str]:
    """`oxigraph serve` over a copy of `store` (its own: Oxigraph locks the folder it serves)."""
    with tempfile.TemporaryDirectory(prefix="kg-adhoc-oxigraph-") as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(store, copy)
        port = free_port()
        command = [_tool("oxigraph"), "serve", "--location", str(copy), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"]
        with running(command, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", quiet=True):
            yield f"http://127.0.0.1:{port}/query"


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and its descendants so far (Linux /proc)."""
    total = 0
    for current in tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def settle(pid: int, seconds: float = SETTLE_SECONDS, quiet: int = 3) -> float:
    """Wait (bounded) until the process tree used under 5% of a core in each of `quiet` seconds
    in a row; how long that took."""
    began, calm = time.monotonic(), 0
    while calm < quiet and time.monotonic() - began < seconds:
        before = cpu_seconds(pid)
        time.sleep(1)
        calm = calm + 1 if cpu_seconds(pid) - before < 0.05 else 0
    return time.monotonic() - began


def alternating(ours: str, theirs: str) -> tuple[dict[str, Answer], dict[str, Answer]]:
    """Each query once of each endpoint; who goes first alternates."""
    mine, other = {}, {}
    for index, (name, query) in enumerate(QUERIES.items()):
        if index % 2:
            other[name] = ask(theirs, query)
        mine[name] = ask(ours, query)
        if not index % 2:
            other[name] = ask(theirs, query)
    return mine, other


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def markdown(ours: dict[str, Answer], theirs: dict[str, Answer]) -> str:
    ratios = [theirs[n].seconds / ours[n].seconds for n in QUERIES if ours[n].status == theirs[n].status == 200]
    heading = (f"Hand-written queries, each asked once of a fresh server over a copy of the full default graph, "
               f"{machine()}; ratio = Oxigraph's time ÷ ours (above 1: ours faster); geometric mean "
               f"**{geometric_mean(ratios):.2f}×** over {len(ratios)} queries.")
    rows = []
    for name in QUERIES:
        a, b = ours[name], theirs[name]
        agree = "" if a.rows == b.rows else f" (≠ {b.rows})"
        ratio = f"{b.seconds / a.seconds:.2f}×" if a.status == b.status == 200 else f"{a.status} / {b.status}"
        rows.append([name, f"{a.rows:,}{agree}" if a.rows >= 0 else f"— ({b.rows:,})", f"{a.seconds:.2f} s", f"{b.seconds:.2f} s", ratio])
    return table(heading, ["query", "rows", "kg serve", "oxigraph serve", "ratio"], rows)


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store to copy and serve")] = Path("var/store"),
         readme: Annotated[bool, typer.Option(help="Write the table into docs/benchmarks.md")] = False) -> None:
    """Each query once through our server and once through Oxigraph's."""
    with copied(store) as copy, serving(copy) as url, oxigraph(store) as endpoint:
        print(f"kg serve settled {settle(process_of(url).pid):.0f} s after it answered /health")
        ours, theirs = alternating(f"{url}/sparql", endpoint)
    text = markdown(ours, theirs)
    print(text)
    if readme:
        into_readme(text, MARKS)


if __name__ == "__main__":
    app()
