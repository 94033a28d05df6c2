"""Snapshots of the durable store for engine workers that read from disk (`KG_WORKER_DATA=disk`).

After each write the store is checkpointed into a folder beside it (`<store>.snapshots/v<N>`):
the engine's checkpoint hard-links its immutable files, so one takes milliseconds and almost no
disk. Workers open the newest one read-only — a checkpoint is never written, so readers never
race the writer — and move to the next before their next job after a write. An update runs on a
scratch checkpoint that one worker opens writable and that is removed after it. A snapshot is
removed once no worker can still open it: none stands on it, none being forked was given it,
and it is not the newest; all of them go when the pool closes.
"""

from __future__ import annotations

import itertools
import shutil
import threading
from pathlib import Path

from kg.store import Store


class Snapshots:
    def __init__(self, store: Store) -> None:
        if store.path is None:
            raise ValueError("an in-memory store has no snapshots; its workers hold it in memory")
        self._store = store
        self.root = store.path.with_name(store.path.name + ".snapshots")
        shutil.rmtree(self.root, ignore_errors=True)  # left by a server that was killed
        self.root.mkdir(parents=True)
        self._made: dict[int, Path] = {}
        self._scratch = itertools.count(1)
        self._lock = threading.Lock()

    def make(self, version: int) -> Path:
        """The store as it is now, as the snapshot of `version`."""
        path = self.root / f"v{version}"
        shutil.rmtree(path, ignore_errors=True)
        self._store.checkpoint(path)
        with self._lock:
            self._made[version] = path
        return path

    def scratch(self) -> Path:
        """A writable copy of the store as it is now, for one update; `remove` it after."""
        path = self.root / f"scratch-{next(self._scratch)}"
        self._store.checkpoint(path)
        return path

    def stale(self, keep: set[int], *, below: int) -> list[Path]:
        """Forget the snapshots of versions under `below` (the newest) not in `keep`; their paths,
        for the caller to `remove`. The caller decides under the lock that guards what workers
        may still open, so that no worker is given one of them after."""
        with self._lock:
            gone = [v for v in self._made if v < below and v not in keep]
            return [self._made.pop(v) for v in gone]

    @staticmethod
    def remove(path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
