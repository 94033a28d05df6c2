"""The memory an engine worker may use, and why a worker died.

Each worker limits its own data segment (`RLIMIT_DATA`: heap, thread stacks and private
mappings) to what it holds once it is ready — in memory mode the graph it shares with the
mother, on disk its open snapshot; its job thread's stack either way — plus
`KG_WORKER_MEMORY_MIB`. An operation past the limit fails to allocate. Python code
then raises `MemoryError`, which the job reports; the engine (Rust) aborts the process on a
failed allocation, so the worker dies by SIGABRT, which the mother sees when it reaps it. Either
way the client is told that the memory limit was reached and by which setting, and the worker
is replaced.
"""

from __future__ import annotations

import resource
import signal
from pathlib import Path

from kg.settings import Settings

from .errors import HttpError, OutOfMemory, WorkerCrashed

REPLACED = "it has been replaced"


def _data_bytes() -> int:
    """This process's data segment now (VmData), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) * 1024
    return 0


def limit_memory(mib: int) -> None:
    """Let this process allocate `mib` MiB beyond what it holds now."""
    if mib <= 0:
        return
    limit = _data_bytes() + (mib << 20)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def out_of_memory(settings: Settings) -> OutOfMemory:
    return OutOfMemory(f"the operation needed more memory than an engine worker may use: "
                       f"{settings.worker_memory_mib} MiB (KG_WORKER_MEMORY_MIB); narrow it, or raise the limit")


def died(status: int | None, settings: Settings) -> HttpError:
    """The error to answer for an operation whose worker ended with `status` (an exit code, or
    minus the signal; None when not known)."""
    if status == -signal.SIGABRT and settings.worker_memory_mib > 0:
        return out_of_memory(settings)
    if status == -signal.SIGKILL:
        return WorkerCrashed(f"the engine worker running this operation was killed (SIGKILL; the system may be "
                             f"out of memory: see KG_WORKER_MEMORY_MIB); {REPLACED}")
    how = "" if status is None else (f" (signal {signal.Signals(-status).name})" if status < 0 else f" (exit {status})")
    return WorkerCrashed(f"the engine worker running this operation ended{how}; {REPLACED}")
