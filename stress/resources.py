"""The resource attacks (see `attacks`) against one `kg serve`, at sizes CI can afford: one
row of the table each, whose p99 is the probe's (a cheap query asked all along; goal: every
one answered within a second)."""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.live import process_of, serving

from . import attacks
from .fuzz import TOKEN
from .measure import Outcome, open_files, rss_mib, settle

WORKERS = 2
SETTINGS = {"KG_UPDATE_TOKEN": TOKEN, "KG_WORKERS": str(WORKERS), "KG_QUERY_TIMEOUT": "5", "KG_MAX_PENDING": "8",
            "KG_MAX_CONNECTIONS": "256", "KG_HEAD_TIMEOUT": "3"}
HEAD_SIZE = 1 << 20  # bytes each large head would be
BODY_GROWTH = 64  # MiB the server may grow by while it refuses the unauthenticated bodies


def _client_files(wanted: int) -> int:
    """Raise this process's open-file limit for `wanted` sockets; how many it may open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return min(wanted, soft - 64)


def _expect(outcome: Outcome, statuses: list[int | None], allowed: set[int | None], what: str) -> None:
    counts = Counter(statuses)
    outcome.requests += len(statuses)
    outcome.errors += sum(n for s, n in counts.items() if s is None or s >= 400)
    outcome.server_errors += sum(n for s, n in counts.items() if s is not None and s >= 500 and s not in (503, 504))
    outcome.notes.append(f"{what}: " + ", ".join(f"{n} × {s or 'closed'}" for s, n in counts.most_common()))
    if unexpected := {s: n for s, n in counts.items() if s not in allowed}:
        outcome.failures.append(f"{what}: unexpected answers {unexpected}")


def _large_heads(base: str, outcome: Outcome) -> None:
    _expect(outcome, attacks.large_heads(base, clients=8, rounds=25, size=HEAD_SIZE), {431, None}, "1 MiB heads")


def _half_heads(base: str, outcome: Outcome) -> None:
    count = _client_files(2_000)
    shut, opened = attacks.half_heads(base, count=count, hold=float(SETTINGS["KG_HEAD_TIMEOUT"]) + 2)
    outcome.requests += opened
    outcome.errors += shut
    outcome.notes.append(f"{opened} half-sent heads (KG_MAX_CONNECTIONS 256): {shut} closed by the server")
    if shut < opened:
        outcome.failures.append(f"{opened - shut} half-sent heads were still open after the head timeout")


def _bodies(base: str, outcome: Outcome) -> None:
    _expect(outcome, attacks.unauthenticated_bodies(base, clients=200, size=1 << 20), {401}, "1 MiB PUTs, no token")


def _identical(base: str, outcome: Outcome) -> None:
    _expect(outcome, attacks.identical_slow_queries(base, clients=60, timeout=30), {503}, "60 identical slow queries")


PHASES: list[tuple[str, Callable[[str, Outcome], None]]] = [
    ("attack: 1 MiB heads", _large_heads), ("attack: half-sent heads", _half_heads),
    ("attack: unauthenticated bodies", _bodies), ("attack: identical slow queries", _identical),
]


def resource_attacks(store: Path) -> list[Outcome]:
    """Every attack in turn against one server; one outcome each."""
    outcomes = []
    with serving(store, **SETTINGS) as base:
        pid = process_of(base).pid
        for phase, attack in PHASES:
            outcome = Outcome(phase)
            settle(base, WORKERS)
            time.sleep(1)
            outcome.files, outcome.rss = (open_files(pid, store), 0), (rss_mib(pid), 0.0)
            with attacks.Probe(base).running() as probe:
                attack(base, outcome)
            settle(base, WORKERS)
            time.sleep(1)  # let closed connections go
            outcome.files = (outcome.files[0], open_files(pid, store))
            outcome.rss = (outcome.rss[0], rss_mib(pid))
            _judge(outcome, probe)
            outcomes.append(outcome)
    return outcomes


def _judge(outcome: Outcome, probe: attacks.Probe) -> None:
    outcome.latencies = probe.latencies
    if probe.failures:
        outcome.failures.append(f"{len(probe.failures)} of {len(probe.latencies)} cheap queries not answered "
                                f"within {attacks.PROBE_GOAL:g} s: {', '.join(probe.failures[:5])}")
    if outcome.files[1] > outcome.files[0]:
        outcome.failures.append(f"file descriptors went from {outcome.files[0]} to {outcome.files[1]}")
    if outcome.rss[1] > outcome.rss[0] + BODY_GROWTH:
        outcome.failures.append(f"memory grew from {outcome.rss[0]:.0f} to {outcome.rss[1]:.0f} MiB "
                                f"(more than {BODY_GROWTH} MiB)")
