"""`python -m bench.profile`: where our server's time goes under the saved-query workload.

Starts `kg serve` on loopback over the curated graph (or another size), drives the mixed
workload against it, and records the server and its engine processes with py-spy, a sampling
profiler that attaches from outside (no change to the server). Printed: the functions that
hold the most samples (the innermost frame of each sample; idle threads are not sampled), and
the same by package, so the HTTP layer's share can be told from the engine's and our own code's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import servers
from .run import dataset
from .workload import drive, workload

console = Console()
app = typer.Typer(add_completion=False)


def _frame(frame: str) -> tuple[str, str]:
    """`function (path/to/package/module.py:line)` as (`package`, `module.function`): the package
    is the distribution's top folder (site-packages), `stdlib`, or ours."""
    name, _, place = frame.partition(" (")
    path = Path(place.split(":")[0]) if place else Path("?")
    parts = path.parts
    if "site-packages" in parts:
        package = parts[parts.index("site-packages") + 1].removesuffix(".py")
    elif any(part.startswith("python3") for part in parts[:-1]):
        package = "stdlib"
    else:
        package = path.parent.name or "?"
    return package, f"{path.stem}.{name}"


def summarise(raw: Path, top: int) -> tuple[int, Counter, Counter]:
    """Samples in all, by the function they were in and by its package (py-spy's collapsed stacks)."""
    own: Counter = Counter()
    packages: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        package, function = _frame(stack.split(";")[-1])
        total += int(count)
        own[f"{package}: {function}"] += int(count)
        packages[package] += int(count)
    return total, Counter(dict(own.most_common(top))), Counter(dict(packages.most_common(top)))


@app.command()
def main(
    size: Annotated[str, typer.Option(help="curated, full, or a triple count")] = "curated",
    seconds: Annotated[float, typer.Option(help="Seconds of load, recorded")] = 15.0,
    clients: Annotated[int, typer.Option(help="Concurrent clients")] = 8,
    top: Annotated[int, typer.Option(help="Functions shown")] = 20,
    cache: Annotated[bool, typer.Option(help="With the result cache")] = True,
) -> None:
    """Profile kg serve under the workload and print where its time goes."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise typer.Exit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="kg-profile-") as tmp:
        work = Path(tmp)
        data = dataset(work, size)
        texts = list(workload().values())
        with servers.ours(data, work / "kg", 2, cache=cache) as server:
            raw = work / "profile.txt"
            record = subprocess.Popen([spy, "record", "--subprocesses", "--format", "raw",
                                       "--duration", str(int(seconds) + 1), "--output", str(raw),
                                       "--pid", str(server.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            load = threading.Thread(target=drive, args=("kg serve", server.url, texts),
                                    kwargs={"clients": clients, "seconds": seconds, "timeout": 120})
            load.start()
            load.join()
            record.wait(timeout=seconds + 60)
        total, own, packages = summarise(raw, top)
    for title, counts in (("the function sampled", own), ("its package", packages)):
        table = Table(title=f"kg serve under the workload ({size}): functions by {title}, of {total:,} samples")
        table.add_column("function")
        table.add_column("share", justify="right")
        for name, count in counts.most_common():
            table.add_row(name, f"{count / total:.1%}")
        console.print(table)


if __name__ == "__main__":
    app()
