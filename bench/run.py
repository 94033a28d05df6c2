"""`make bench`: our server against rdflib-endpoint and Oxigraph's server, same data, same workload.

For each dataset (the curated graph; the full default graph with HPO's release, about 5.7
million triples; a generated one of about a million) the servers are started on loopback,
each saved query is timed once on each and their answers compared, and N concurrent clients
run the mixed workload against each for a fixed time. Printed: per-query latency, throughput,
p50/p99 latency, errors, memory (PSS, so pages our forked workers share count once), and our
ratios to each peer. rdflib-endpoint is left out of the full graph: it parses every quad into
Python objects before it answers, which at that size takes longer than the benchmark.
"""

from __future__ import annotations

import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kg.store import Store
from loaders.build import build

from . import goals, servers
from .generate import generate
from .workload import Run, answers, drive, workload

console = Console()
app = typer.Typer(add_completion=False)


SIZES = ("curated", "full", "1000000")
SCALING = (1, 2, 4)  # workers, for the memory-by-workers table
WITHOUT_RDFLIB = {"full", "1000000"}  # minutes per query at these sizes (64 s each at 1M, measured before)


def dataset(workdir: Path, size: str) -> Path:
    """The N-Quads file of a benchmark graph: curated, full, or generated to a triple count."""
    path = workdir / f"{size}.nq"
    if size in ("curated", "full"):
        console.print(f"building the {size} graph …")
        store = Store.open(workdir / f"build-{size}")
        build(store, with_hpo=size == "full")
        with path.open("wb") as output:
            store.dump(output)
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


def _latencies(title: str, seconds: dict[str, dict[str, float]]) -> None:
    table = Table(title=title)
    table.add_column("query")
    for server in seconds:
        table.add_column(f"{server} s", justify="right")
    for name in next(iter(seconds.values())):
        table.add_row(name, *(f"{got[name]:,.3f}" for got in seconds.values()))
    console.print(table)


def _report(title: str, runs: list[Run], memory: dict[str, float]) -> None:
    table = Table(title=title)
    for column in ("server", "req/s", "p50 ms", "p99 ms", "errors", "PSS MiB", "ours ÷ it"):
        table.add_column(column, justify="right" if column != "server" else "left")
    ours = runs[0].throughput
    for run in runs:
        table.add_row(run.server, f"{run.throughput:,.1f}", f"{run.percentile(50) * 1000:,.1f}",
                      f"{run.percentile(99) * 1000:,.1f}", str(run.errors), f"{memory[run.server]:,.0f}",
                      "—" if run is runs[0] else f"{ours / run.throughput:,.2f}×" if run.throughput else "∞")
    console.print(table)


def _by_workers(size: str, data: Path, workdir: Path, texts: list[str], clients: int, seconds: float,
                timeout: float) -> None:
    """Memory (PSS after the workload) of our server with 1, 2 and 4 workers, in both modes."""
    table = Table(title=f"{size} graph: memory by workers (PSS MiB after {seconds:g} s of the workload)")
    table.add_column("workers", justify="right")
    modes = ("disk", "memory")
    for mode in modes:
        table.add_column(f"{mode} workers", justify="right")
    rows: dict[int, list[str]] = {n: [] for n in SCALING}
    for mode in modes:
        for count in SCALING:
            with servers.ours(data, workdir / f"scale-{size}", count, worker_data=mode,
                              name=f"kg serve, {count} {mode} workers") as server:
                drive(server.name, server.url, texts, clients=clients, seconds=seconds, timeout=timeout)
                rows[count].append(f"{servers.pss_mib(server.pid):,.0f}")
    for count, cells in rows.items():
        table.add_row(str(count), *cells)
    console.print(table)


def _bench(size: str, workdir: Path, clients: int, seconds: float, timeout: float, workers: int,
           scaling: bool) -> list[goals.Goal]:
    data = dataset(workdir, size)
    texts = workload()
    other = goals.OTHER_MODE
    starters: list[tuple[str, AbstractContextManager[servers.Server]]] = [
        ("kg serve", servers.ours(data, workdir / f"kg-{size}", workers)),
        ("kg serve, no cache", servers.ours(data, workdir / f"kg-plain-{size}", workers, cache=False,
                                            name="kg serve, no cache")),
        (other, servers.ours(data, workdir / f"kg-other-{size}", workers, worker_data=goals.OTHER_DATA, name=other)),
        ("oxigraph serve", servers.oxigraph(data, workdir / f"oxigraph-{size}")),
        ("oxigraph serve, memory", servers.oxigraph_memory(data)),
        ("kg serve → oxigraph", servers.ours_in_front(data, workdir / f"front-{size}", workers)),
    ]
    if size not in WITHOUT_RDFLIB:
        starters.append(("rdflib-endpoint", servers.rdflib_endpoint(data)))
    runs, results, timings, memory, started = [], {}, {}, {}, {}
    writes = loaded = cache = streamed = None
    for name, starter in starters:
        console.print(f"[{size}] starting {name} …")
        with starter as server:
            started[name] = server.started
            results[name], timings[name] = answers(server.url, texts, timeout)
            runs.append(drive(name, server.url, list(texts.values()), clients=clients, seconds=seconds, timeout=timeout))
            memory[name] = servers.pss_mib(server.pid) + (servers.pss_mib(server.engine_pid)
                                                          if server.engine_pid else 0.0)
            if name == "kg serve":
                streamed = goals.streaming(server.url, server.pid)
                cache = goals.cache_counts(server.url)
                writes = goals.write_visibility(server.url, servers.TOKEN)
                loaded = goals.under_writes(server.url, servers.TOKEN, list(texts.values()), clients=clients,
                                            seconds=seconds, timeout=timeout)
    if scaling and size != "curated":
        _by_workers(size, data, workdir, list(texts.values()), clients, seconds, timeout)
    for line in _check(results, "oxigraph serve") or [f"all servers agree on all {len(texts)} queries"]:
        console.print(line)
    _latencies(f"{size} graph: each saved query once, alone", timings)
    _report(f"{size} graph: {len(texts)} saved queries, {clients} clients, {seconds:g} s each", runs, memory)
    return goals.evaluate(size, {run.server: run for run in runs}, memory, started, writes, loaded, cache, streamed,
                          large=size != "curated")


@app.command()
def main(
    sizes: Annotated[list[str], typer.Option("--size", help="curated, full, or a triple count")] = list(SIZES),  # noqa: B006
    clients: Annotated[int, typer.Option(help="Concurrent clients")] = 8,
    seconds: Annotated[float, typer.Option(help="Seconds of load per server")] = 20.0,
    timeout: Annotated[float, typer.Option(help="Seconds before a request counts as an error")] = 120.0,
    workers: Annotated[int, typer.Option(help="Query workers of our server")] = 2,
    scaling: Annotated[bool, typer.Option(help="Also measure memory with 1, 2 and 4 workers (large graphs)")] = True,
) -> None:
    """Run the benchmark and print its tables."""
    measured: list[goals.Goal] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for size in sizes:
            measured += _bench(size, Path(tmp), clients, seconds, timeout, workers, scaling)
    goals.report(console, measured)


if __name__ == "__main__":
    app()
