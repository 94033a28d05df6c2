"""What the suite measures of a running server: its processes' memory and open files, its workers."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.live import tree


def _status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int) -> float:
    """Resident memory of the server and its engine processes together, in MiB."""
    return sum(_status(p, "VmRSS") for p in tree(pid)) / 1024


def open_files(pid: int, store: Path) -> int:
    """File descriptors open in the server and its engine processes together, but for the
    store's own table and log files, which the database opens and closes as it compacts, and
    those of its snapshots (the same table files, hard-linked, that disk workers read)."""
    total = 0
    database = (str(store.resolve()) + "/", str(store.resolve()) + ".snapshots/")
    for p in tree(pid):
        try:
            targets = [os.readlink(fd) for fd in Path(f"/proc/{p}/fd").iterdir()]
        except OSError:
            continue
        total += sum(not target.startswith(database) for target in targets)
    return total


def workers(base: str) -> int:
    """Engine workers the server says are up (from /health)."""
    match = re.search(r"(\d+) engine workers", httpx.get(f"{base}/health", timeout=30).text)
    return int(match.group(1)) if match else 0


def settle(base: str, expected: int, seconds: float = 60) -> int:
    """Wait (bounded) until the server has `expected` workers again; the number it has."""
    deadline = time.monotonic() + seconds
    while (count := workers(base)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


@dataclass
class Outcome:
    """One phase of the suite, as a row of its table."""

    phase: str
    requests: int = 0
    errors: int = 0  # every answer of 400 or more
    server_errors: int = 0  # 5xx other than the documented 503 and 504
    latencies: list[float] = field(default_factory=list)
    rss: tuple[float, float] = (0.0, 0.0)
    files: tuple[int, int] = (0, 0)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else 0.0

    def record(self, status: int, seconds: float, what: str) -> None:
        self.requests += 1
        self.latencies.append(seconds)
        self.errors += status >= 400
        if status >= 500 and status not in (503, 504):
            self.server_errors += 1
            if len(self.failures) < 10:
                self.failures.append(f"{status} for {what}")
