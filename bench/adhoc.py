"""`python -m bench.adhoc`: hand-written queries, ours against Oxigraph's own server.

On two copies of the store (`--store`, `var/store` by default; ours with its products), a fresh
`kg serve` with default settings (the default deadline included), then a fresh `oxigraph serve
--union-default-graph`, one after the other so that neither shares the two cores with the
other: each query below asked once, over HTTP, as a client would (SPARQL JSON results, the
whole body read), timed as the client sees it. The ratio is Oxigraph's time over ours (above 1:
ours is faster); the figure is their geometric mean. Both must give the same number of rows.
"""

from __future__ import annotations

import math
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
from .live import free_port, running, serving
from .servers import _tool

JSON = "application/sparql-results+json"
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


def each(endpoint: str) -> dict[str, Answer]:
    return {name: ask(endpoint, query) for name, query in QUERIES.items()}


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
        rows.append([name, f"{a.rows:,}{agree}", f"{a.seconds:.2f} s", f"{b.seconds:.2f} s", ratio])
    return table(heading, ["query", "rows", "kg serve", "oxigraph serve", "ratio"], rows)


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store to copy and serve")] = Path("var/store"),
         readme: Annotated[bool, typer.Option(help="Write the table into README.md")] = False) -> None:
    """Each query once through our server, then once through Oxigraph's."""
    with copied(store) as copy, serving(copy) as url:
        ours = each(f"{url}/sparql")
    with oxigraph(store) as endpoint:
        theirs = each(endpoint)
    text = markdown(ours, theirs)
    print(text)
    if readme:
        into_readme(text, MARKS)


if __name__ == "__main__":
    app()
