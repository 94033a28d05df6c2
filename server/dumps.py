"""Whole-graph dumps at /dumps: Turtle, N-Triples, N-Quads (with the named graphs) and JSON-LD.

Written once per version of the store into a temporary directory, with their sizes and
SHA-256 checksums, and served as files.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.store import Store

NAME = "higm-kg"
FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD)
FILENAMES = tuple(f"{NAME}.{fmt.file_extension}" for fmt in FORMATS)


@dataclass(frozen=True)
class Dump:
    filename: str
    format: ox.RdfFormat
    size: int
    sha256: str
    path: Path

    @property
    def description(self) -> str:
        scope = "every named graph" if self.format.supports_datasets else "the union of all graphs"
        return f"{self.format.name}, {scope}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Dumps:
    """The dump files of the store's present version."""

    def __init__(self, store: Store, version: Callable[[], int]) -> None:
        self._store, self._version = store, version
        self._directory = Path(tempfile.mkdtemp(prefix="kg-dumps-"))
        self._made: tuple[int, dict[str, Dump]] | None = None
        self._lock = threading.Lock()

    def files(self) -> dict[str, Dump]:
        version = self._version()
        with self._lock:
            if self._made is None or self._made[0] != version:
                folder = self._directory / str(version)
                folder.mkdir(exist_ok=True)
                made = {}
                for fmt, filename in zip(FORMATS, FILENAMES, strict=True):
                    path = folder / filename
                    path.write_bytes(self._store.serialize(fmt))
                    made[path.name] = Dump(path.name, fmt, path.stat().st_size, _sha256(path), path)
                if self._made is not None:
                    shutil.rmtree(self._directory / str(self._made[0]), ignore_errors=True)
                self._made = (version, made)
            return self._made[1]

    def close(self) -> None:
        shutil.rmtree(self._directory, ignore_errors=True)
