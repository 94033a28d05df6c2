"""`python -m stress` (what `make stress` runs): every phase, one table, exit 1 on any breach."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.live import build_store, process_of, serving

from . import crash, fuzz
from .differential import differential
from .measure import Outcome, open_files, rss_mib, settle
from .resources import resource_attacks
from .soak import soak

console = Console(width=130)
app = typer.Typer(add_completion=False)
WORKERS = 2


def _fuzz(store: Path, outcome: Outcome, *, requests: int, examples: int, seconds: float) -> None:
    env = {"KG_UPDATE_TOKEN": fuzz.TOKEN, "KG_WORKERS": str(WORKERS), "KG_QUERY_TIMEOUT": "5"}
    with serving(store, **env) as base:
        pid = process_of(base).pid
        fuzz.mutations(base, Outcome("warm-up"), count=40, seconds=60)
        settle(base, WORKERS)
        outcome.files, outcome.rss = (open_files(pid, store), 0), (rss_mib(pid), 0.0)
        fuzz.schema_routes(base, outcome, examples=examples, seconds=seconds / 2)
        fuzz.mutations(base, outcome, count=max(0, requests - outcome.requests), seconds=seconds / 2)
        workers = settle(base, WORKERS)
        time.sleep(1)  # let closed connections go
        outcome.files, outcome.rss = (outcome.files[0], open_files(pid, store)), (outcome.rss[0], rss_mib(pid))
    if workers != WORKERS:
        outcome.failures.append(f"{WORKERS - workers} engine worker(s) lost")
    if outcome.files[1] > outcome.files[0]:
        outcome.failures.append(f"file descriptors went from {outcome.files[0]} to {outcome.files[1]}")
    if outcome.requests < requests:
        outcome.failures.append(f"only {outcome.requests} of {requests} requests were sent in time")
    if outcome.server_errors:
        outcome.failures.insert(0, f"{outcome.server_errors} unexpected 5xx")


def _soak(store: Path, outcome: Outcome, *, clients: int, seconds: float) -> None:
    env = {"KG_UPDATE_TOKEN": fuzz.TOKEN, "KG_WORKERS": str(WORKERS)}
    with serving(store, **env) as base:
        pid = process_of(base).pid
        start_files = open_files(pid, store)
        soak(base, pid, outcome, clients=clients, seconds=seconds, warm_up=min(10.0, seconds / 6))
        settle(base, WORKERS)
        time.sleep(1)
        outcome.files = (start_files, open_files(pid, store))
    if outcome.files[1] > outcome.files[0]:
        outcome.failures.append(f"file descriptors went from {outcome.files[0]} to {outcome.files[1]}")
    if outcome.errors:
        outcome.failures.insert(0, f"{outcome.errors} errors")


def _table(outcomes: list[Outcome]) -> Table:
    table = Table(title="make stress")
    for column in ("phase", "requests", "errors", "5xx", "p99 ms", "RSS MiB start → end", "files start → end", "result"):
        table.add_column(column, justify="left" if column in ("phase", "result") else "right")
    for o in outcomes:
        rss = f"{o.rss[0]:,.0f} → {o.rss[1]:,.0f}" if o.rss[0] else "—"
        files = f"{o.files[0]} → {o.files[1]}" if o.files[0] else "—"
        table.add_row(o.phase, f"{o.requests:,}", str(o.errors), str(o.server_errors),
                      f"{o.p99_ms:,.0f}" if o.latencies else "—", rss, files,
                      "[red]FAIL[/red]" if o.failures else "[green]ok[/green]")
    return table


@app.command()
def main(
    requests: Annotated[int, typer.Option(help="Fuzzing requests, at least")] = 10_000,
    examples: Annotated[int, typer.Option(help="Schema examples per operation and mode")] = 60,
    fuzz_seconds: Annotated[float, typer.Option(help="Time bound of the fuzzing")] = 600.0,
    clients: Annotated[int, typer.Option(help="Soak clients")] = 8,
    soak_seconds: Annotated[float, typer.Option(help="Soak duration")] = 60.0,
    triples: Annotated[int, typer.Option(help="Triples written in each crash test")] = 100_000,
) -> None:
    """Run every phase and print the table; exit 1 when any goal is missed."""
    outcomes = [Outcome("fuzz (schema + SPARQL)"), Outcome("soak"), Outcome("kill -9 during writes"),
                Outcome("differential answers")]
    with tempfile.TemporaryDirectory(prefix="kg-stress-") as tmp:
        workdir = Path(tmp)
        console.print("fuzzing …")
        _fuzz(build_store(workdir / "fuzz"), outcomes[0], requests=requests, examples=examples, seconds=fuzz_seconds)
        console.print("soak …")
        _soak(build_store(workdir / "soak"), outcomes[1], clients=clients, seconds=soak_seconds)
        console.print("kill -9 during writes …")
        crash_store = build_store(workdir / "crash")
        crash.during_put(workdir, crash_store, outcomes[2], triples=triples)
        crash.during_load(workdir, crash_store, outcomes[2], triples=triples)
        console.print("differential answers …")
        differential(outcomes[3])
        console.print("resource attacks …")
        outcomes += resource_attacks(build_store(workdir / "attacks"))
    console.print(_table(outcomes))
    for outcome in outcomes:
        for line in outcome.notes[:12]:
            console.print(f"  {outcome.phase}: {line}", highlight=False)
        for line in outcome.failures:
            console.print(f"  [red]{outcome.phase}: {line}[/red]", highlight=False)
    sys.exit(1 if any(o.failures for o in outcomes) else 0)


if __name__ == "__main__":
    app()
