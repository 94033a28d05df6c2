"""`python -m bench.first_touch`: what a new user meets first, on the full default graph.

Every user-facing route (the query page, the service description, VoID, the dumps and one dump
read with `Range`, search, entity pages in HTML and Turtle for a condition, a gene, a phenotype
and an HPO association node, every saved query through the API, `/docs`, `/prefixes`,
`/health`) asked of a fresh `kg serve` with default settings over a copy of the store (`--store`,
`var/store` by default, with its products; the copy is ours to serve and remove): the first
request, then the same again, each timed as a client sees it. Budget: 2 s for the first, 0.25 s
for the next. The table is written as Markdown (`--markdown`) for the manual's benchmarks page (docs/benchmarks.md).

The routes are one table, `routes()`, which the full-graph test tier (`tests/test_full_graph.py`)
asks too, for status and content only.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import typer

from kg.products import SUFFIX
from kg.saved_queries import load_queries
from kg.settings import Settings
from kg.store import Store
from ontology import BASE, BIOLINK
from ontology.identifiers import expand

from .live import serving

FIRST, AGAIN = 2.0, 0.25  # the budget, in seconds
CLIENT_SECONDS = 120  # longer than the server's default deadline, so its own answer is seen
HTML, TURTLE = "text/html", "text/turtle"
CONDITION, GENE, PHENOTYPE = "MONDO:0010626", "HGNC:11935", "HP:0001875"  # HIGM1, CD40LG, neutropenia
HIGM1_OMIM = "OMIM:308230"
SAVED = "saved "  # the names of the saved queries' routes begin so
README = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"  # the manual's page of figures
MARKS = ("<!-- first-touch: begin (written by python -m bench.first_touch) -->", "<!-- first-touch: end -->")
app = typer.Typer(add_completion=False)


@dataclass(frozen=True)
class Route:
    """A request a user makes, and what its answer must hold: the status, and bytes in its body."""

    name: str
    path: str
    accept: str = "*/*"
    contains: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def ask(self, client: httpx.Client) -> httpx.Response:
        return client.get(self.path, headers={"Accept": self.accept, **self.headers})


def association(store: Store | ox.Store) -> str:
    """The path of one HPO association node: HIGM1's (OMIM) annotation with neutropenia."""
    query = (f"SELECT ?a WHERE {{ GRAPH ?g {{ ?a <{BIOLINK.subject}> <{expand(HIGM1_OMIM)}> ; "
             f"<{BIOLINK.object}> <{expand(PHENOTYPE)}> ; a <{BIOLINK.DiseaseToPhenotypicFeatureAssociation}> }} }} "
             "ORDER BY ?a LIMIT 1")
    [row] = list(store.query(query))
    return "/" + row["a"].value.removeprefix(BASE)


def _saved(settings: Settings) -> list[Route]:
    """Each saved query through the API as a client asks it (the example of each required
    parameter, the defaults of the rest); a federated one is refused
    on a server without federation, as it says."""
    routes = []
    for saved in load_queries(settings.queries).values():
        federated = "federated" in saved.tags
        examples = urlencode({p.name: p.example for p in saved.parameters if p.required})
        path = f"/api/queries/{saved.name}" + (f"?{examples}" if examples else "")
        routes.append(Route(f"{SAVED}`{saved.name}`", path, "application/sparql-results+json",
                            b"SERVICE" if federated else b'"results"', 403 if federated else 200))
    return routes


def routes(association_path: str, dump: str = "higm-kg.nq.gz", settings: Settings | None = None) -> list[Route]:
    """Every user-facing route, in the order a new user meets them."""
    condition, gene, phenotype = (f"/id/{curie}" for curie in (CONDITION, GENE, PHENOTYPE))
    return [
        Route("query page `/`", "/", HTML, b"<form"),
        Route("service description (`GET /sparql`, Turtle)", "/sparql", TURTLE, b"sd:Service"),
        Route("VoID (`/.well-known/void`)", "/.well-known/void", TURTLE, b"void:triples"),
        Route("`/dumps`", "/dumps", "application/json", dump.encode()),
        Route("a dump, first KiB (`Range`)", f"/dumps/{dump}", "application/gzip", b"\x1f\x8b", 206,
              {"Range": "bytes=0-1023"}),
        Route("search `/api/search?q=cd40`", "/api/search?q=cd40", "application/json", b"CD40LG"),
        Route("condition HIGM1, HTML", condition, HTML, b"X-linked hyper IgM"),
        Route("condition HIGM1, Turtle", condition, TURTLE, b"MONDO_0010626"),
        Route("gene CD40LG, HTML", gene, HTML, b"CD40LG"),
        Route("gene CD40LG, Turtle", gene, TURTLE, b"CD40LG"),
        Route("phenotype HP:0001875, HTML", phenotype, HTML, b"Neutropenia"),
        Route("phenotype HP:0001875, Turtle", phenotype, TURTLE, b"Neutropenia"),
        Route("HPO association node, HTML", association_path, HTML, b"Neutropenia"),
        Route("HPO association node, Turtle", association_path, TURTLE, b"HP_0001875"),
        *_saved(settings or Settings()),
        Route("`/docs`", "/docs", HTML, b"swagger"),
        Route("`/prefixes`", "/prefixes", "application/json", b'"hgnc"'),
        Route("`/health`", "/health", "text/plain", b"ok"),
    ]


@contextmanager
def copied(store: Path) -> Iterator[Path]:
    """A copy of `store` and its products, ours to serve; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="kg-first-touch-") as tmp:
        target = Path(tmp) / "store"
        shutil.copytree(store, target)
        products = store.with_name(store.name + SUFFIX)
        if products.is_dir():
            shutil.copytree(products, target.with_name(target.name + SUFFIX))
        yield target


@dataclass(frozen=True)
class Touch:
    route: Route
    first: float
    again: float
    status: int
    held: bool  # status and content as the route expects, both times

    @property
    def within(self) -> bool:
        return self.held and self.first <= FIRST and self.again <= AGAIN


def _timed(route: Route, client: httpx.Client) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    response = route.ask(client)
    return time.perf_counter() - began, response


def _holds(route: Route, response: httpx.Response) -> bool:
    return response.status_code == route.status and route.contains in response.content


def touch(url: str, table: list[Route]) -> list[Touch]:
    """Each route asked twice, one after another, in order."""
    touches = []
    with httpx.Client(base_url=url, timeout=CLIENT_SECONDS) as client:
        for route in table:
            first, response = _timed(route, client)
            again, repeated = _timed(route, client)
            touches.append(Touch(route, first, again, response.status_code,
                                 _holds(route, response) and _holds(route, repeated)))
    return touches


def machine() -> str:
    """The machine, named as the manual names it: cores, memory, processor, Python."""
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").is_file() else 0
    model = ""
    if Path("/proc/cpuinfo").is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        model = f", {found[1].strip()}" if found else ""
    return (f"{os.cpu_count()} cores{model}, {memory / 1024 ** 2:.0f} GiB, {platform.system()} "
            f"{platform.machine()}, Python {platform.python_version()}")


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def markdown(touches: list[Touch], quads: int) -> str:
    """The table as the manual shows it, with the machine and the verdict."""
    within = sum(t.within for t in touches)
    heading = (f"First touch on a fresh `kg serve` (default settings) over a copy of the full default graph "
               f"({quads:,} quads), {machine()}; each route asked once, then again "
               f"(budget {FIRST:g} s, then {AGAIN:g} s): {within} of {len(touches)} within budget.")
    saved = [t for t in touches if t.route.name.startswith(SAVED)]
    rows = []
    for t in touches:
        if saved and t is saved[0]:
            rows.append(_saved_row(saved))
        if t not in saved or not t.within:  # a saved query over budget is named on a row of its own
            rows.append([t.route.name, str(t.status), _seconds(t.first), _seconds(t.again), _verdict(t)])
    return table(heading, ["route", "status", "first", "again", "within"], rows)


def _saved_row(saved: list[Touch]) -> list[str]:
    """One row for every saved query: the statuses, the slowest first and next answers."""
    slowest, again = max(saved, key=lambda t: t.first), max(saved, key=lambda t: t.again)
    statuses = ", ".join(f"{code} ×{n}" for code, n in sorted(Counter(t.status for t in saved).items()))
    return [f"every saved query ({len(saved)}), the slowest", statuses,
            f"{_seconds(slowest.first)} ({slowest.route.name.removeprefix(SAVED)})",
            f"{_seconds(again.again)} ({again.route.name.removeprefix(SAVED)})",
            f"{sum(t.within for t in saved)} of {len(saved)}"]


def _verdict(touch: Touch) -> str:
    return "✓" if touch.within else ("✗ (answer)" if not touch.held else "✗")


def table(heading: str, columns: list[str], rows: list[list[str]]) -> str:
    """A paragraph, then a Markdown table."""
    lines = [heading, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def into_readme(table: str, marks: tuple[str, str] = MARKS, readme: Path = README) -> None:
    """Put `table` between two marks of the manual's page (which must be there)."""
    text = readme.read_text(encoding="utf-8")
    begin, end = text.index(marks[0]) + len(marks[0]), text.index(marks[1])
    readme.write_text(text[:begin] + "\n" + table + text[end:], encoding="utf-8")


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store to copy and serve")] = Path("var/store"),
         readme: Annotated[bool, typer.Option(help="Write the table into docs/benchmarks.md")] = False) -> None:
    """The first-touch table of every user-facing route on a fresh server."""
    with copied(store) as copy:
        engine = ox.Store.read_only(str(copy))
        table, quads = routes(association(engine)), len(engine)
        del engine
        with serving(copy) as url:
            touches = touch(url, table)
    text = markdown(touches, quads)
    print(text)
    if readme:
        into_readme(text)
    raise typer.Exit(0 if all(t.within for t in touches) else 1)


if __name__ == "__main__":
    app()
