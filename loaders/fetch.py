"""Download source files into a cache folder, politely and safely: the one place that uses the
network.

- Conditional GETs: a file already in the cache, whole (its SHA-256 as recorded), is asked for
  with its ETag and Last-Modified; a 304 leaves it as it is, so re-running fetches only what
  changed.
- Retries with exponential backoff (honouring Retry-After) on 429, 5xx, timeouts and broken
  connections; a 404 or another client error fails at once.
- A small pool of downloads at a time.
- A download goes to `<name>.part` and is renamed into place only when whole, so no half file
  ever sits where a whole one is expected; a `.part` left by an interrupted run is started over.
- The cache index (`.kg-fetch.json`: ETag, Last-Modified, SHA-256, size per file) is replaced
  atomically.

Any failure raises FetchError naming the URL; files fetched whole before it stay in the cache.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kg import __version__

INDEX = ".kg-fetch.json"
RETRYABLE = {429, 500, 502, 503, 504}
CHUNK = 1 << 16
MAX_RETRY_AFTER = 60.0


class FetchError(Exception):
    """A download that failed: the URL and why."""


@dataclass(frozen=True)
class Fetched:
    path: Path
    url: str
    changed: bool  # False when the server said 304 Not Modified


Progress = Callable[[str, int, int | None], None]  # (name, bytes so far, total or None)


@dataclass
class Fetcher:
    base_url: str
    dest: Path
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    concurrency: int = 4
    progress: Progress | None = None
    transport: httpx.BaseTransport | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fetch(self, names: Sequence[str]) -> list[Fetched]:
        """Every file (a path under the base URL), into the cache; FetchError on the first failure."""
        self.dest.mkdir(parents=True, exist_ok=True)
        index = self._read_index()
        headers = {"User-Agent": f"higm-kg/{__version__} (kg fetch)"}
        with httpx.Client(timeout=self.timeout, headers=headers, follow_redirects=True,
                          transport=self.transport) as client, \
                ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            futures = [pool.submit(self._one, client, name, index) for name in names]
            try:
                return [future.result() for future in futures]
            finally:
                for future in futures:
                    future.cancel()
                self._write_index(index)

    # -- one file --------------------------------------------------------------------------------

    def url(self, name: str) -> str:
        return f"{self.base_url.rstrip('/')}/{name.lstrip('/')}"

    def _one(self, client: httpx.Client, name: str, index: dict[str, dict[str, Any]]) -> Fetched:
        url, target = self.url(name), self.dest / name
        with self._lock:
            known = index.get(name) if _whole(target, index.get(name)) else None
        for attempt in range(self.retries + 1):
            try:
                return self._attempt(client, name, url, target, known, index)
            except _Retry as retry:
                if attempt == self.retries:
                    raise FetchError(f"{url}: {retry.reason}, after {self.retries + 1} attempts") from None
                time.sleep(retry.after if retry.after is not None else self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")

    def _attempt(self, client: httpx.Client, name: str, url: str, target: Path, known: dict[str, Any] | None,
                 index: dict[str, dict[str, Any]]) -> Fetched:
        headers = {}
        if known and known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known and known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304 and known:
                    return Fetched(target, url, changed=False)
                if response.status_code in RETRYABLE:
                    raise _Retry(f"HTTP {response.status_code}", _retry_after(response))
                if response.status_code != 200:
                    raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
                digest, size = self._save(response, name, target)
                record = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified"),
                          "sha256": digest, "size": size, "url": url}
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {self.timeout:g} s", None) from None
        except httpx.TransportError as error:
            raise _Retry(f"connection failed ({error})", None) from None
        with self._lock:
            index[name] = record
        return Fetched(target, url, changed=True)

    def _save(self, response: httpx.Response, name: str, target: Path) -> tuple[str, int]:
        """Stream the body into `<target>.part`, then rename it into place: whole or not at all."""
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        total = int(response.headers["content-length"]) if response.headers.get("content-length", "").isdigit() else None
        digest, size = hashlib.sha256(), 0
        try:
            with part.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if self.progress:
                        self.progress(name, size, total)
                out.flush()
                os.fsync(out.fileno())
            if total is not None and size != total:
                raise _Retry(f"the body ended after {size} of {total} bytes", None)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        return digest.hexdigest(), size

    # -- the cache index -------------------------------------------------------------------------

    def _read_index(self) -> dict[str, dict[str, Any]]:
        try:
            value = json.loads((self.dest / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def _write_index(self, index: dict[str, dict[str, Any]]) -> None:
        temporary = self.dest / (INDEX + ".tmp")
        temporary.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, self.dest / INDEX)


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    moment = email.utils.parsedate_to_datetime(value)
    return min(max(0.0, moment.timestamp() - time.time()), MAX_RETRY_AFTER) if moment else None


def _whole(target: Path, record: dict[str, Any] | None) -> bool:
    """The cached file is there and is what was recorded (not truncated or edited since)."""
    if not record or not target.is_file() or target.stat().st_size != record.get("size"):
        return False
    digest = hashlib.sha256()
    with target.open("rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == record.get("sha256")


# -- what each source publishes ----------------------------------------------------------------

MEDLINEPLUS_URL = "https://medlineplus.gov"
MEDLINEPLUS_BULK = "download/ghr-summaries.xml"
HPO_URL = "https://github.com/obophenotype/human-phenotype-ontology/releases/latest/download"
HPO_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def medlineplus_names(*, everything: bool, conditions: Sequence[str], genes: Sequence[str]) -> list[str]:
    """The files to fetch: the bulk XML for everything, else one JSON file per topic."""
    names = [MEDLINEPLUS_BULK] if everything else []
    names += [f"download/genetics/condition/{slug.strip().lower()}.json" for slug in conditions]
    names += [f"download/genetics/gene/{symbol.strip()}.json" for symbol in genes]
    return names
