"""A real `kg serve` process on 127.0.0.1, for tests that talk to it over TCP."""

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

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(path)], check=True, capture_output=True)
    return path


_PROCESSES: dict[str, subprocess.Popen] = {}


def stop_by_sigterm(url: str, seconds: float = 30) -> bool:
    """Send SIGTERM to the server at `url`; whether it ended within `seconds`."""
    process = _PROCESSES[url]
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


@contextmanager
def serving(store: Path, **env: str) -> Iterator[str]:
    """Start `kg serve` over `store`; yield its base URL; stop it (by its PID) afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kg serve exited: {process.stdout.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kg serve did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.2)
        _PROCESSES[url] = process
        yield url
    finally:
        _PROCESSES.pop(url, None)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
