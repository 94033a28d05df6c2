"""What is made from the graph when it is written: statistics, the search index, the dumps.

Nothing a request answers is computed over the whole graph at request time; it is made here,
when data is written (`kg build`, `kg load`, and in the server's background after a write),
and read back as it is. The files live in one folder beside the store, `<store>.products/`;
an in-memory store (tests) gets a temporary folder of its own, removed with the process.

>>> from kg.store import Store
>>> folder_of(Store.open()).name.startswith("kg-products-")
True
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

SUFFIX = ".products"
_temporary: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()


def folder_of(store: Any) -> Path:
    """The products folder of `store`: `<store>.products/` beside an on-disk store, else a
    temporary folder kept for as long as the store object lives."""
    path = getattr(store, "path", None)
    if path is not None:
        return Path(path).with_name(Path(path).name + SUFFIX)
    folder = _temporary.get(store)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="kg-products-"))
        _temporary[store] = folder
        weakref.finalize(store, shutil.rmtree, folder, True)
        atexit.register(shutil.rmtree, folder, True)
    return folder
