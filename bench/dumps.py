"""`python -m bench.dumps`: the dumps of a graph as users have it (the full default graph).

Opens the store read-only (`--store`, `var/store` by default) and writes its dumps into a
temporary folder at the level `kg/dumps.py` uses: the time and size of each graph's file and
of the whole (the files laid end to end), then the time to remake one graph's file and the
whole after a write to it. Then the choice of the level: the whole dataset's N-Quads written
once uncompressed, and compressed at each of `--levels` (gzip, one thread), time and size.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import zlib
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from kg import dumps
from kg.store import Store

console = Console()
app = typer.Typer(add_completion=False)


def _timed_write(store: Store, folder: Path, graphs: list[str] | None) -> tuple[dumps.Manifest, list[float], float]:
    """The manifest, each part's seconds (in the order written), and the whole run's."""
    marks = [time.perf_counter()]
    manifest = dumps.write(store, folder, generation=0, graphs=graphs, report=lambda _: marks.append(time.perf_counter()))
    total = time.perf_counter() - marks[0]
    return manifest, [b - a for a, b in itertools.pairwise(marks)], total


def _files_table(store: Store, folder: Path) -> Table:
    manifest, parts, total = _timed_write(store, folder, None)
    table = Table(title=f"dumps at level {dumps.LEVEL}: the first run")
    for column in ("file", "MB", "seconds"):
        table.add_column(column, justify="left" if column == "file" else "right")
    made = [d for d in manifest.files if d.content != "dataset"]
    for dump, seconds in zip(made, parts, strict=True):
        table.add_row(dump.name, f"{dump.size / 1e6:.1f}", f"{seconds:.1f}")
    whole = manifest.file(dumps.WHOLE)
    assert whole is not None
    table.add_row(f"{whole.name} (the files laid end to end)", f"{whole.size / 1e6:.1f}", f"{total - sum(parts):.1f}")
    table.add_row("in all", "", f"{total:.1f}")
    smallest = min((d for d in made if d.graph), key=lambda d: d.size)
    _, _, again = _timed_write(store, folder, [smallest.graph])  # type: ignore[list-item]
    table.add_row(f"again after a write to {smallest.name} (it and the whole)", "", f"{again:.1f}")
    return table


def _levels_table(store: Store, work: Path, levels: list[int]) -> Table:
    plain = work / "all.nq"
    started = time.perf_counter()
    with plain.open("wb") as out:
        for graph in store.graphs():
            ox.serialize(store.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph)), out,
                         format=ox.RdfFormat.N_QUADS)
    size = plain.stat().st_size
    table = Table(title=f"gzip levels on the whole dataset: {size / 1e6:,.0f} MB of N-Quads, "
                        f"read out of the store in {time.perf_counter() - started:.0f} s")
    for column in ("level", "MB", "% of N-Quads", "seconds"):
        table.add_column(column, justify="right")
    for level in levels:
        compressor, compressed = zlib.compressobj(level, zlib.DEFLATED, 31), 0
        started = time.perf_counter()
        with plain.open("rb") as file:
            while block := file.read(1 << 20):
                compressed += len(compressor.compress(block))
        compressed += len(compressor.flush())
        table.add_row(str(level), f"{compressed / 1e6:.1f}", f"{compressed / size:.2%}", f"{time.perf_counter() - started:.1f}")
    plain.unlink()
    return table


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store (opened read-only)")] = Path("var/store"),
         levels: Annotated[str, typer.Option(help="gzip levels to compare, comma-separated; empty: none")] = "1,3,6,9") -> None:
    """Write the dumps of `store` into a temporary folder and print their times and sizes."""
    opened = Store.open_snapshot(store)
    with tempfile.TemporaryDirectory(prefix="kg-bench-dumps-") as tmp:
        console.print(_files_table(opened, Path(tmp) / "dumps"))
        if levels.strip():
            console.print(_levels_table(opened, Path(tmp), [int(level) for level in levels.split(",")]))


if __name__ == "__main__":
    app()
