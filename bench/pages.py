"""`make bench`, part one: how fast the MedlinePlus loader reads pages.

Generates N condition and gene pages from the fixture pages (each with its own title, URL and
gene symbols), then loads them all into an in-memory store, one named graph per page, in one
transaction, and prints pages per second for reading (parse + extract + triples) and in all.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.store import Store
from loaders import LoadOptions, loader_for, write

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "medlineplus"
console = Console()
app = typer.Typer(add_completion=False)


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


@app.command()
def main(pages: Annotated[int, typer.Option(help="Pages to generate and load")] = 1300) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-bench-pages-") as tmp:
        paths = generate(Path(tmp), pages)
        began = time.perf_counter()
        loads = [load for path in paths for load in loader_for(path, LoadOptions())(path, LoadOptions())]
        read = time.perf_counter() - began
        store = Store.open()
        write(store, loads)
        total = time.perf_counter() - began
    console.print(f"MedlinePlus loader: {pages} pages, {len(store):,} quads in {len(store.graphs()) - 1} graphs")
    console.print(f"  read (parse, extract, triples): {read:.2f} s, {pages / read:,.0f} pages/s")
    console.print(f"  read and written in one transaction: {total:.2f} s, {pages / total:,.0f} pages/s")


if __name__ == "__main__":
    app()
