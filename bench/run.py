"""`make bench`: our server against rdflib-endpoint and Oxigraph's server, same data, same workload.

For each dataset (the default graph, then a generated one of about a million triples) the
three servers are started on loopback, their answers to every saved query are compared,
and N concurrent clients run the mixed workload against each for a fixed time. Printed:
throughput, p50/p99 latency, errors, resident memory, and our ratios to each peer.
"""

from __future__ import annotations

import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from kg.store import Store
from loaders.build import build

from . import servers
from .generate import generate
from .workload import Run, answers, drive, workload

console = Console()
app = typer.Typer(add_completion=False)


def _dataset(workdir: Path, size: str) -> Path:
    path = workdir / f"{size}.nq"
    if size == "default":
        store = Store.open()
        build(store)
        path.write_bytes(store.serialize(ox.RdfFormat.N_QUADS))
    else:
        console.print(f"generating about {int(size):,} triples …")
        generate(path, int(size))
    return path


def _check(results: dict[str, dict], reference: str) -> list[str]:
    """Queries on which a server's answer differs from the reference server's."""
    differences = []
    for server, got in results.items():
        for name, answer in got.items():
            if answer != results[reference][name]:
                detail = answer if isinstance(answer, str) else f"{sum(answer.values())} rows"
                differences.append(f"{server} differs from {reference} on {name}: {detail}")
    return differences


def _report(title: str, runs: list[Run], memory: dict[str, float]) -> None:
    table = Table(title=title)
    for column in ("server", "req/s", "p50 ms", "p99 ms", "errors", "RSS MiB", "ours ÷ it"):
        table.add_column(column, justify="right" if column != "server" else "left")
    ours = runs[0].throughput
    for run in runs:
        table.add_row(run.server, f"{run.throughput:,.1f}", f"{run.percentile(50) * 1000:,.1f}",
                      f"{run.percentile(99) * 1000:,.1f}", str(run.errors), f"{memory[run.server]:,.0f}",
                      "—" if run is runs[0] else f"{ours / run.throughput:,.2f}×" if run.throughput else "∞")
    console.print(table)


def _bench(size: str, workdir: Path, clients: int, seconds: float, timeout: float, workers: int) -> None:
    data = _dataset(workdir, size)
    texts = workload()
    starters: list[tuple[str, AbstractContextManager[servers.Server]]] = [
        ("kg serve", servers.ours(data, workdir, workers)),
        ("oxigraph serve", servers.oxigraph(data, workdir)),
        ("rdflib-endpoint", servers.rdflib_endpoint(data)),
    ]
    runs, results, memory = [], {}, {}
    for name, starter in starters:
        console.print(f"[{size}] starting {name} …")
        with starter as server:
            results[name] = answers(server.url, texts, timeout)
            runs.append(drive(name, server.url, list(texts.values()), clients=clients, seconds=seconds, timeout=timeout))
            memory[name] = servers.rss_mib(server.pid)
    for line in _check(results, "oxigraph serve") or [f"all servers agree on all {len(texts)} queries"]:
        console.print(line)
    _report(f"{size} graph: {len(texts)} saved queries, {clients} clients, {seconds:g} s each", runs, memory)


@app.command()
def main(
    sizes: Annotated[list[str], typer.Option("--size", help="'default' or a triple count")] = ["default", "1000000"],  # noqa: B006
    clients: Annotated[int, typer.Option(help="Concurrent clients")] = 8,
    seconds: Annotated[float, typer.Option(help="Seconds of load per server")] = 20.0,
    timeout: Annotated[float, typer.Option(help="Seconds before a request counts as an error")] = 120.0,
    workers: Annotated[int, typer.Option(help="Query workers of our server")] = 2,
) -> None:
    """Run the benchmark and print its tables."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for size in sizes:
            _bench(size, Path(tmp), clients, seconds, timeout, workers)


if __name__ == "__main__":
    app()
