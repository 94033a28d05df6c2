"""Real SPARQL engines on 127.0.0.1 for the tests and the benchmark: Oxigraph's server (the
`oxigraph` binary of PyPI's `oxigraph`) and Virtuoso (Debian's `virtuoso-t`), each in a folder
of its own, started, waited for, and stopped by PID."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.live import free_port, running

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {folder}
ThreadsPerQuery = 2
Charset = UTF-8

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DefaultGraph =
"""


def oxigraph_binary() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


@contextmanager
def oxigraph(location: Path, *, read_only: bool = False) -> Iterator[str]:
    """`oxigraph serve` (or `serve-read-only`) on `location`; yield its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server binary is not installed (pip install oxigraph)")
    url = f"http://127.0.0.1:{free_port()}"
    command = [binary, "serve-read-only" if read_only else "serve", "--location", str(location),
               "--bind", url.removeprefix("http://")]
    with running(command, f"{url}/query?query=ASK%7B%7D", quiet=True):
        yield url


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


@contextmanager
def virtuoso(folder: Path) -> Iterator[str]:
    """`virtuoso-t +foreground` with a generated ini: ports on 127.0.0.1, the database in `folder`,
    result and time limits set; yield its base URL (user dba, password dba: a fresh database)."""
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}"
    command = [binary, "+foreground", "+configfile", str(ini)]
    with running(command, f"{url}/sparql?query=ASK%7B%7D", seconds=180, quiet=True):
        yield url

