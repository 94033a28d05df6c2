"""A cache of what was worked out from a text, keyed by the text's digest and bounded in bytes.

Texts come from clients, and a client may send a thousand different 20 KB texts: a cache keyed
by the texts themselves (as `functools.lru_cache` would be) keeps every one of them, and all
that was made from them, for as long as the process lives. Here the key is the SHA-256 of the
text (and of whatever else the value depends on), and the entries are bounded by an estimate
of their size in bytes: the least recently used go first.

>>> cache = TextCache(max_bytes=300)
>>> cache.get_or_make("SELECT 1", None, lambda: "made", size=lambda value: 60)
'made'
>>> cache.get_or_make("SELECT 1", None, lambda: "again", size=lambda value: 60)
'made'
>>> cache.get_or_make("SELECT 2", None, lambda: "other", size=lambda value: 60)  # the first goes
'other'
>>> len(cache)
1
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


def digest(text: str, *more: Hashable) -> bytes:
    """The key of a text and what else a value depends on: 32 bytes, whatever the text's length."""
    hashed = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    for part in more:
        hashed.update(b"\x00" + repr(part).encode("utf-8", "surrogatepass"))
    return hashed.digest()


class TextCache(Generic[Value]):
    """An LRU map from text digests to values, bounded by the values' estimated bytes."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: OrderedDict[bytes, tuple[Value, int]] = OrderedDict()
        self._bytes, self._max = 0, max_bytes
        self._lock = threading.Lock()

    def get_or_make(self, text: str, extra: Hashable, make: Callable[[], Value],
                    size: Callable[[Value], int]) -> Value:
        """The value kept for (`text`, `extra`), or `make()` kept if it fits; exceptions pass."""
        key = digest(text, extra)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        value = make()
        cost = size(value) + len(key) + 100
        if cost <= self._max:
            self._put(key, value, cost)
        return value

    def _put(self, key: bytes, value: Value, cost: int) -> None:
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, cost)
            self._bytes += cost
            while self._bytes > self._max:
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def __len__(self) -> int:
        return len(self._entries)
