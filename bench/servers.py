"""The three servers under test, each started on loopback over the same N-Quads file."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from kg.store import Store

from .live import free_port, running, tree

TOKEN = "bench-update-token"  # our server takes writes in the benchmark, on loopback
STARTUP_SECONDS = 900  # rdflib-endpoint parses a million triples before it answers


@dataclass(frozen=True)
class Server:
    name: str
    url: str  # the SPARQL endpoint
    pid: int
    engine_pid: int | None = None  # the engine behind it, when it is a proxy
    started: float = 0.0  # seconds from the command to its first answered query


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: `pip install -e '.[bench]'` (make bench does)")
    return found


@contextmanager
def _running(name: str, command: list[str], path: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    url = f"http://127.0.0.1:{port}{path}"
    ready = f"{url}?query={quote('ASK {}')}"
    began = time.perf_counter()
    with running(command, ready, env, seconds=STARTUP_SECONDS, quiet=True) as process:
        yield Server(name, url, process.pid, started=time.perf_counter() - began)


@contextmanager
def ours(data: Path, workdir: Path, workers: int, *, cache: bool = True, worker_data: str | None = None,
         name: str = "kg serve") -> Iterator[Server]:
    """kg serve over an on-disk store loaded from `data`; its workers read the graph from memory
    or from disk (`worker_data`; the default setting when None)."""
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "kg-store"
    if not store.exists():  # a workdir may be used again, with other settings
        loading = Store.open(store)
        loading.bulk_load(data, ox.RdfFormat.N_QUADS)  # the same quads as the others, no load metadata
        del loading
    env = {"KG_WORKERS": str(workers), "KG_MAX_PENDING": "256", "KG_QUERY_TIMEOUT": "120", "KG_UPDATE_TOKEN": TOKEN,
           "KG_RESULT_CACHE_MIB": "64" if cache else "0", **({"KG_WORKER_DATA": worker_data} if worker_data else {})}
    with _running(name, [_tool("kg"), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", "{port}"],
                  "/sparql", env) as server:
        yield server


@contextmanager
def oxigraph(data: Path, workdir: Path) -> Iterator[Server]:
    """Oxigraph's own server over its on-disk store, with the union default graph."""
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "oxigraph-store"
    subprocess.run([_tool("oxigraph"), "load", "--location", str(store), "--file", str(data)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with _running("oxigraph serve", [_tool("oxigraph"), "serve", "--location", str(store), "--bind", "127.0.0.1:{port}",
                                     "--union-default-graph"], "/query") as server:
        yield server


@contextmanager
def oxigraph_memory(data: Path) -> Iterator[Server]:
    """Oxigraph's own server in memory (no --location), the data sent to its Graph Store."""
    with _running("oxigraph serve, memory", [_tool("oxigraph"), "serve", "--bind", "127.0.0.1:{port}",
                                             "--union-default-graph"], "/query") as server:
        with data.open("rb") as body:
            response = httpx.post(server.url.removesuffix("/query") + "/store", content=body,
                                  headers={"Content-Type": "application/n-quads"}, timeout=3600)
        response.raise_for_status()
        yield server


@contextmanager
def ours_in_front(data: Path, workdir: Path, workers: int) -> Iterator[Server]:
    """kg serve in front of Oxigraph's server (`--engine oxigraph:URL`): the proxy's cost."""
    with oxigraph(data, workdir) as engine:
        env = {"KG_WORKERS": str(workers), "KG_MAX_PENDING": "256", "KG_QUERY_TIMEOUT": "120"}
        base = engine.url.removesuffix("/query")
        command = [_tool("kg"), "serve", "--engine", f"oxigraph:{base}", "--host", "127.0.0.1", "--port", "{port}"]
        with _running("kg serve → oxigraph", command, "/sparql", env) as server:
            yield Server(server.name, server.url, server.pid, engine.pid)


@contextmanager
def rdflib_endpoint(data: Path) -> Iterator[Server]:
    """rdflib-endpoint over an rdflib Dataset (union default graph) parsed from `data`."""
    with _running("rdflib-endpoint", [_tool("rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", "{port}",
                                      str(data)], "/") as server:
        yield server


def pss_mib(pid: int) -> float:
    """Proportional set size of a process and its descendants, in MiB: a page shared by n of
    them counts 1/n in each, so forked workers sharing one copy of the data are not counted
    once per worker as resident sizes would be."""
    total = 0
    for current in tree(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total / 1024
