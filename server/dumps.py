"""Whole-graph dumps at /dumps: Turtle, N-Triples, N-Quads (with the named graphs) and JSON-LD.

A worker writes them once per version of the store, streaming, into a folder of this server
process's own (`kg-dumps-<pid>-…` in the temporary directory), with their sizes and SHA-256
checksums; they are served as files. Folders left by a server that was killed are removed
when the next one starts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.store import Store
from ontology import PREFIXES

NAME = "higm-kg"
PREFIX = "kg-dumps-"
FORMATS: tuple[ox.RdfFormat, ...] = formats.engines("dump")  # type: ignore[assignment]
FILENAMES = tuple(f"{NAME}.{fmt.file_extension}" for fmt in FORMATS)
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@dataclass(frozen=True)
class Dump:
    filename: str
    extension: str
    size: int
    sha256: str
    path: Path

    @property
    def format(self) -> ox.RdfFormat:
        return ox.RdfFormat.from_extension(self.extension)

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


def write_all(store: Store, folder: str) -> dict[str, Dump]:
    """Write every dump into `folder`; run in a worker."""
    made = {}
    for fmt, filename in zip(FORMATS, FILENAMES, strict=True):
        path = Path(folder) / filename
        if fmt.supports_datasets:
            store.dump_file(str(path), fmt)
        else:
            ox.serialize(store.query(UNION), str(path), format=fmt, prefixes=PREFIXES)
        made[filename] = Dump(filename, fmt.file_extension, path.stat().st_size, _sha256(path), path)
    return made


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(temporary: Path) -> None:
    """Remove dump folders whose server process is gone."""
    for folder in temporary.glob(PREFIX + "*"):
        pid = folder.name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


class Folder:
    """This server's folder of dumps, one subfolder per version."""

    def __init__(self) -> None:
        temporary = Path(tempfile.gettempdir())
        remove_stale(temporary)
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=temporary))

    def for_version(self, version: int) -> Path:
        """A fresh subfolder for `version`; older ones are removed."""
        for old in self.path.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        folder = self.path / str(version)
        folder.mkdir()
        return folder

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
