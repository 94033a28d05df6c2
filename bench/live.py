"""Real server processes on 127.0.0.1, for the live tests, the benchmark and the stress suite.

Each is started with its own free port, waited for until it answers, and stopped by its PID
(SIGTERM, then SIGKILL if it does not end).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_SECONDS = 120
_PROCESSES: dict[str, subprocess.Popen] = {}  # base URL → the kg serve process behind it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(path: Path, *, hpo: bool = False) -> Path:
    """The default graph built into an on-disk store at `path` (HPO left out unless asked for)."""
    command = [sys.executable, "-m", "cli", "build", "--store", str(path), "--hpo" if hpo else "--without-hpo"]
    subprocess.run(command, check=True, capture_output=True)
    return path


def _wait(process: subprocess.Popen, ready: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"{ready}: the server exited with {process.returncode}: {output[-2000:]}")
        try:
            if httpx.get(ready, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{ready}: no answer within {seconds:g} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen, seconds: float = 30) -> bool:
    """SIGTERM, and SIGKILL if it has not ended within `seconds`; whether it ended by itself."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False
    return True


@contextmanager
def running(command: list[str], ready: str, env: dict[str, str] | None = None, *,
            seconds: float = STARTUP_SECONDS, quiet: bool = False) -> Iterator[subprocess.Popen]:
    """Start `command`; yield it once `ready` (a URL) answers 200; stop it by its PID afterwards."""
    output = subprocess.DEVNULL if quiet else subprocess.PIPE
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait(process, ready, seconds)
        yield process
    finally:
        if process.poll() is None:
            stop(process)
        if process.stdout:
            process.stdout.close()


@contextmanager
def serving(store: Path, *options: str, **env: str) -> Iterator[str]:
    """`kg serve` over `store` (with more command-line options, --engine say); yield its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "cli", "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port),
               *options]
    with running(command, f"{url}/health", env, quiet=True) as process:
        _PROCESSES[url] = process
        try:
            yield url
        finally:
            _PROCESSES.pop(url, None)


def process_of(url: str) -> subprocess.Popen:
    """The kg serve process behind a base URL from `serving`."""
    return _PROCESSES[url]


def stop_by_sigterm(url: str, seconds: float = 30) -> bool:
    """Send SIGTERM to the server at `url`; whether it ended within `seconds`."""
    return stop(process_of(url), seconds)


def tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):  # a child belongs to the thread that forked it
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found
