"""The federation allow-list: endpoints that SERVICE may call, compared as parsed URLs.

An entry admits a URL when scheme, host and port are equal and the URL's path is the entry's
path or lies under it, on a segment boundary. URLs with credentials or dot segments are never
admitted.

>>> entry = Endpoint.parse("http://allowed.example/sparql")
>>> [entry.admits(url) for url in ("http://allowed.example/sparql", "http://allowed.example:80/sparql/x",
...  "http://allowed.example.evil/sparql", "http://allowed.example/sparqlx", "http://x@allowed.example/sparql",
...  "http://allowed.example/sparql/../admin", "https://allowed.example/sparql")]
[True, True, False, False, False, False, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
DOT_SEGMENTS = {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."}


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """An entry from its URL; ValueError for anything but an http(s) URL without credentials."""
        parts = _split(url)
        if parts is None:
            raise ValueError(f"KG_SERVICE_ALLOW entries are http(s) URLs without credentials: {url!r}")
        return cls(parts.scheme, parts.hostname or "", _port(parts), parts.path.rstrip("/"))

    def admits(self, url: str) -> bool:
        parts = _split(url)
        if parts is None or (parts.scheme, parts.hostname, _port(parts)) != (self.scheme, self.host, self.port):
            return False
        return parts.path == self.path or parts.path.startswith(self.path + "/")


def _port(parts: SplitResult) -> int:
    return parts.port or DEFAULT_PORTS[parts.scheme]


def _split(url: str) -> SplitResult | None:
    """The parts of an http(s) URL with a host, no credentials and no dot segments; else None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    if any(segment.lower() in DOT_SEGMENTS for segment in parts.path.split("/")):
        return None
    return parts
