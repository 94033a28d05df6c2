"""`python -m bench.profile`: where our server's time goes under the saved-query workload.

Starts `kg serve` on loopback over the curated graph (or another size), drives the mixed
workload against it, and records the server and its engine processes with py-spy, a sampling
profiler that attaches from outside (no change to the server). Printed: the functions that
hold the most samples — their own samples ("self") and with what they call ("total") — per
process kind, so the HTTP layer's share can be told from the engine's.
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
from .run import _dataset
from .workload import drive, workload

console = Console()
app = typer.Typer(add_completion=False)


def _frame(frame: str) -> str:
    """`function (path/to/module.py:line)` as `module.function`."""
    name, _, place = frame.partition(" (")
    module = Path(place.split(":")[0]).stem if place else "?"
    return f"{module}.{name}"


def summarise(raw: Path, top: int) -> tuple[int, Counter, Counter]:
    """Samples in all, and by function: own and inclusive, from py-spy's collapsed stacks."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(f) for f in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
    return total, Counter(dict(own.most_common(top))), Counter(dict(inclusive.most_common(top)))


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
        data = _dataset(work, size)
        texts = list(workload().values())
        with servers.ours(data, work / "kg", 2, cache=cache) as server:
            raw = work / "profile.txt"
            record = subprocess.Popen([spy, "record", "--subprocesses", "--nonblocking", "--format", "raw",
                                       "--duration", str(int(seconds) + 1), "--output", str(raw),
                                       "--pid", str(server.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            load = threading.Thread(target=drive, args=("kg serve", server.url, texts),
                                    kwargs={"clients": clients, "seconds": seconds, "timeout": 120})
            load.start()
            load.join()
            record.wait(timeout=seconds + 60)
        total, own, inclusive = summarise(raw, top)
    for title, counts in (("own samples", own), ("with what they call", inclusive)):
        table = Table(title=f"kg serve under the workload ({size}): functions by {title}, of {total:,} samples")
        table.add_column("function")
        table.add_column("share", justify="right")
        for name, count in counts.most_common():
            table.add_row(name, f"{count / total:.1%}")
        console.print(table)


if __name__ == "__main__":
    app()
