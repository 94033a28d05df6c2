"""`make bench`, part one: how fast the MedlinePlus loader reads pages and NLM records.

Pages: generates N condition and gene pages from the fixture pages (each with its own title, URL
and gene symbols), then loads them all into an in-memory store, one named graph per page, in one
transaction, and prints pages per second for reading (parse + extract + triples) and in all.

Records: generates a bulk `ghr-summaries.xml` of N records from the fixture records (each with
its own id, slug and gene symbols) and loads it with `kg load` into a new on-disk store, in a
child process per size, so that each size's peak resident memory is its own. Streaming means the
peak at 5,000 records is about the peak at 500.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.store import Store
from loaders import LoadOptions, graphs, load_files, write

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "medlineplus"
BULK = Path(__file__).resolve().parents[1] / "tests" / "data" / "medlineplus-records" / "ghr-summaries.xml"
RECORD = re.compile(r"  <(health-condition-summary|gene-summary) id=.*?</\1>\n", re.DOTALL)
console = Console()
app = typer.Typer(add_completion=False, invoke_without_command=True)


def generate(directory: Path, count: int) -> list[Path]:
    """`count` pages, each a fixture renamed: a new slug and title, and numbered gene symbols."""
    templates = sorted(FIXTURES.iterdir())
    paths = []
    for index in range(count):
        template = templates[index % len(templates)]
        text = template.read_text(encoding="utf-8")
        slug = re.search(r"medlineplus\.gov/genetics/(?:condition|gene)/([a-z0-9-]+)/", text)[1]  # type: ignore[index]
        text = text.replace(f"/{slug}/", f"/{slug}-{index}/")
        text = re.sub(r"\b([A-Z]{2,}[0-9]*)( gene)", rf"\g<1>X{index}\2", text)
        path = directory / f"{index:05d}-{template.name}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def generate_bulk(path: Path, count: int) -> None:
    """A bulk file of `count` records: the fixture's records in turn, each renamed (id, slug, symbols)."""
    text = BULK.read_text(encoding="utf-8")
    head, bodies = text[: text.index("  <health-condition-summary")], [m.group(0) for m in RECORD.finditer(text)]
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for index in range(count):
            body = bodies[index % len(bodies)]
            body = re.sub(r'id="([A-Z]+)\d+"', rf'id="\g<1>{index}"', body, count=1)
            body = re.sub(r"(/genetics/(?:condition|gene)/[a-z0-9-]+)", rf"\1-{index}", body)
            body = re.sub(r"\b([A-Z]{2,}[0-9]*(?:-[A-Z0-9]+)?)(?= gene|</gene-symbol>)", rf"\g<1>X{index}", body)
            out.write(body)
        out.write("</summaries>\n")


@app.command()
def records(count: Annotated[int, typer.Option(help="Records to generate and load")] = 5000) -> None:
    """Load a generated bulk file into a new on-disk store; print records/s and peak RSS (MiB)."""
    from cli.main import load_into

    with tempfile.TemporaryDirectory(prefix="kg-bench-records-") as tmp:
        path = Path(tmp) / "ghr-summaries.xml"
        generate_bulk(path, count)
        began = time.perf_counter()
        load_into(Store.open(Path(tmp) / "store"), [path])
        seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RECORDS {count} {seconds:.3f} {peak:.1f}")


def measure_records(count: int) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of loading `count` records, in a child process of its own."""
    result = subprocess.run([sys.executable, "-m", "bench.pages", "records", "--count", str(count)],
                            capture_output=True, text=True, check=True, timeout=1800)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RECORDS "))
    _, _, seconds, peak = line.split()
    return float(seconds), float(peak)


@app.callback()
def everything(context: typer.Context) -> None:
    """Pages per second, then records per second and peak memory at 500 and 5,000 records."""
    if context.invoked_subcommand is not None:
        return
    pages()
    sizes = (500, 5000)
    figures = {count: measure_records(count) for count in sizes}
    for count, (seconds, peak) in figures.items():
        console.print(f"MedlinePlus records (bulk XML → on-disk store): {count:,} records in {seconds:.2f} s, "
                      f"{count / seconds:,.0f} records/s, peak RSS {peak:,.0f} MiB")
    small, large = figures[sizes[0]][1], figures[sizes[1]][1]
    console.print(f"  peak memory at {sizes[1]:,} records is {large / small:.2f}× the peak at {sizes[0]:,} "
                  f"({'flat' if large / small < 1.25 else 'growing'})")


@app.command()
def pages(pages: Annotated[int, typer.Option(help="Pages to generate and load")] = 1300) -> None:
    """Generate pages from the fixtures and load them."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-pages-") as tmp:
        paths = generate(Path(tmp), pages)
        began = time.perf_counter()
        loads = list(graphs(load_files(paths, lambda _: LoadOptions())))
        read = time.perf_counter() - began
        store = Store.open()
        write(store, loads)
        total = time.perf_counter() - began
    console.print(f"MedlinePlus loader: {pages} pages, {len(store):,} quads in {len(store.graphs()) - 1} graphs")
    console.print(f"  read (parse, extract, triples): {read:.2f} s, {pages / read:,.0f} pages/s")
    console.print(f"  read and written in one transaction: {total:.2f} s, {pages / total:,.0f} pages/s")


if __name__ == "__main__":
    app()
