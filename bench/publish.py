"""`python -m bench.publish`: `kg publish` of the full default graph to Oxigraph's server.

On a copy of the store (`--store`, `var/store` by default), a fresh `oxigraph serve` on an empty
folder, then `kg publish --engine oxigraph:URL` in a process of its own (each named graph sent by
a Graph Store `PUT`, the body streamed as N-Triples): minutes, quads per second, the publishing
process's peak resident memory, and the engine's. Virtuoso's bulk path is not measured here yet.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from .engines import oxigraph
from .first_touch import copied, machine

app = typer.Typer(add_completion=False)


def peak_mib(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def engine_pid(port: str) -> int:
    """The pid of the oxigraph server bound to `port` (from its command line)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and command[0].endswith(b"oxigraph") and f"127.0.0.1:{port}".encode() in command:
                return int(entry.name)
    raise LookupError(f"no oxigraph server on port {port}")


@app.command()
def main(store: Annotated[Path, typer.Option(help="The store to copy and publish")] = Path("var/store")) -> None:
    """Publish a copy of the store to a fresh Oxigraph server; print the figures."""
    with copied(store) as copy, tempfile.TemporaryDirectory(prefix="kg-publish-oxigraph-") as engine_dir:
        engine = ox.Store.read_only(str(copy))
        quads = len(engine)
        del engine
        with oxigraph(Path(engine_dir) / "store") as url:
            command = [sys.executable, "-m", "cli", "publish", "--engine", f"oxigraph:{url}", "--store", str(copy)]
            began = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - began
            publisher = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child ended
            server = peak_mib(engine_pid(url.rsplit(":", 1)[1]))
    if done.returncode:
        raise SystemExit(f"kg publish failed ({done.returncode}): {done.stdout[-1500:]}{done.stderr[-1500:]}")
    print(f"kg publish of {quads:,} quads to oxigraph serve: {seconds / 60:.1f} min, {quads / seconds:,.0f} quads/s; "
          f"peak RSS of kg publish {publisher:,.0f} MiB, of the server {server:,.0f} MiB; {machine()}")


if __name__ == "__main__":
    app()
