"""Snapshots of the durable store for engine workers that read from disk (`KG_WORKER_DATA=disk`).

After each write the store is checkpointed into a folder beside it (`<store>.snapshots/v<N>`):
the engine's checkpoint hard-links its immutable files, so one takes milliseconds and almost no
disk. Workers open the newest one read-only — a checkpoint is never written, so readers never
race the writer — and move to the next before their next job after a write. An update runs on a
scratch checkpoint that one worker opens writable and that is removed after it. A snapshot no
worker is on any longer is removed; all of them go when the pool closes.
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

    def keep(self, versions: set[int]) -> None:
        """Remove the snapshots of versions no one is on, never the newest."""
        with self._lock:
            newest = max(self._made, default=None)
            gone = [v for v in self._made if v not in versions and v != newest]
            paths = [self._made.pop(v) for v in gone]
        for path in paths:
            self.remove(path)

    @staticmethod
    def remove(path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
