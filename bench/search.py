"""`python -m bench.search`: the search index on a graph as users have it (the full default graph).

On a copy of the store (`--store`, `var/store` by default; the copy is ours to serve and
remove): how long the index takes to build and how big it is, how long `update` of ten
subjects takes, then `kg serve` over the copy and `/api/search` asked 200 fixed queries over
HTTP, one after another, the first right after the server answers `/health`: p50 and p95 of the
latency a client sees, and the first query alone. The dumps are written before the server
starts, so that it makes nothing at start and the latencies are the search's own.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import httpx
import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from kg import dumps, search_index
from kg.products import folder_of
from kg.store import Store
from ontology import RDFS

from .live import free_port, running

console = Console()
app = typer.Typer(add_completion=False)
TERMS = [  # (a name as users type it, a type to filter by in one of its variants)
    ("neutropenia", "phenotype"), ("CD40LG", "gene"), ("HIGM1", "condition"), ("X-linked hyper IgM syndrome", "condition"),
    ("Marfan syndrome", "condition"), ("BRCA1", "gene"), ("cystic fibrosis", "condition"), ("seizure", "phenotype"),
    ("microcephaly", "phenotype"), ("hypotonia", "phenotype"), ("intellectual disability", "phenotype"),
    ("short stature", "phenotype"), ("TP53", "gene"), ("FBN1", "gene"), ("CFTR", "gene"), ("DMD", "gene"),
    ("Duchenne muscular dystrophy", "condition"), ("Sjögren syndrome", "condition"), ("ataxia", "phenotype"),
    ("scoliosis", "phenotype"), ("HP:0001250", "phenotype"), ("HP:0001875", "phenotype"), ("hgnc:11935", "gene"),
    ("MONDO:0010626", "condition"), ("OMIM:154700", "condition"), ("abnormal heart morphology", "phenotype"),
    ("recurrent infections", "phenotype"), ("lymphoma", "phenotype"), ("pneumonia", "phenotype"),
    ("autoimmunity", "phenotype"), ("hearing impairment", "phenotype"), ("retinitis pigmentosa", "condition"),
    ("epilepsy", "phenotype"), ("IgM", "phenotype"), ("CD40", "protein"), ("B cell", "phenotype"),
    ("T cell", "phenotype"), ("liver", "phenotype"), ("kidney", "phenotype"), ("anemia", "phenotype"),
]


def _typo(text: str) -> str:
    """Two letters in the middle swapped: one edit (a transposition)."""
    middle = len(text) // 2
    return text[:middle - 1] + text[middle] + text[middle - 1] + text[middle + 1:] if len(text) > 3 else text + "x"


def queries() -> list[dict[str, str]]:
    """200 fixed queries: each term as typed, its first four letters, in capitals, with one typo,
    and filtered by its type."""
    found = []
    for term, kind in TERMS:
        found += [{"q": term}, {"q": term[:4]}, {"q": term.upper()}, {"q": _typo(term)}, {"q": term, "type": kind}]
    return found


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _subjects(store: Store, count: int) -> list[str]:
    rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s {ox.NamedNode(str(RDFS.label))} ?l }} LIMIT {count}")
    return [row["s"].value for row in rows]


@contextmanager
def _copy(source: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kg-bench-search-") as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(source, store)
        yield store


def _latencies(url: str) -> tuple[float, list[float]]:
    """Seconds of the first query (`/health` just answered), and of all 200."""
    seconds = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for params in queries():
            started = time.perf_counter()
            response = client.get("/api/search", params=params)
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200 or "x-search-index" in response.headers:
                raise RuntimeError(f"/api/search {params}: {response.status_code} {response.headers}")
    return seconds[0], seconds


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store to copy (it is not changed)")] = Path("var/store"),
         port: Annotated[int, typer.Option(help="Port for kg serve (0: a free one)")] = 0) -> None:
    """Build, update and query the search index on a copy of `store`; print a table."""
    rows: list[tuple[str, str]] = []
    with _copy(store) as copy:
        opened = Store.open(copy)
        products = folder_of(opened)
        started = time.perf_counter()
        entities = search_index.build(opened, products / "search", report=console.print)
        rows += [("build", f"{time.perf_counter() - started:.1f} s, {entities:,} entities"),
                 ("index size", f"{_size(products / 'search') / 2**20:.1f} MiB")]
        subjects = _subjects(opened, 10)
        started = time.perf_counter()
        search_index.update(opened, products / "search", subjects)
        rows.append(("update of 10 subjects", f"{(time.perf_counter() - started) * 1000:.0f} ms"))
        dumps.write(opened, products / "dumps", generation=0)
        del opened  # the last reference: the engine closes, and the server can open the store
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "cli", "serve", "--store", str(copy), "--port", str(port)]
        with running(command, f"{url}/health", quiet=True, seconds=300):
            first, seconds = _latencies(url)
    cuts = statistics.quantiles(seconds, n=20)
    rows += [("first query after start", f"{first * 1000:.1f} ms"),
             ("200 queries, p50", f"{statistics.median(seconds) * 1000:.1f} ms"),
             ("200 queries, p95", f"{cuts[18] * 1000:.1f} ms")]
    table = Table(title=f"search on {store}")
    table.add_column("what")
    table.add_column("measured", justify="right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    app()
