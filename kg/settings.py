"""Settings read from the environment, with the defaults `make serve` relies on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .allow_list import Endpoint

DEFAULT_STORE = Path("var/store")
DEFAULT_QUERIES = Path(__file__).resolve().parents[1] / "queries"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
WORKER_DATA = ("memory", "disk")


def _words(value: str | None) -> tuple[str, ...]:
    """A list setting: items separated by commas or spaces."""
    return tuple(item for item in (value or "").replace(",", " ").split() if item)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with safe defaults; the README lists each variable."""

    store: Path = DEFAULT_STORE
    host: str = "127.0.0.1"
    port: int = 8000
    update_token: str | None = None  # writes are refused unless this is set
    queries: Path = DEFAULT_QUERIES  # the saved queries (*.rq)
    query_timeout: float = 30.0  # seconds before an operation's worker is killed
    refresh_timeout: float = 3600.0  # seconds each background step after a write may take (statistics …)
    workers: int = 2  # query worker processes
    worker_data: str = "disk"  # disk: read-only snapshots of the store; memory: forks of one in-memory copy
    max_pending: int = 8  # requests admitted beyond the busy workers before 503
    worker_memory_mib: int = 2048  # memory a worker may allocate beyond what it starts with; 0: no limit
    max_rows: int = 100_000  # result rows (or triples) before truncation
    max_body: int = 1_048_576  # bytes in a request body
    body_reads: int = 16  # request bodies read at once (POSTs and PUTs beyond wait, then 503)
    body_timeout: float = 30.0  # seconds a request body may take to arrive (408 after)
    max_head: int = 16_384  # bytes in a request's line and headers (431 beyond)
    head_timeout: float = 10.0  # seconds a request's line and headers may take to arrive (408 after)
    max_connections: int = 1000  # open connections; beyond, the oldest one without a request is closed
    max_result_bytes: int = 33_554_432  # bytes of a result's rows before truncation
    max_change: int = 1_000_000  # quads one write may add or remove
    result_cache_mib: int = 64  # the result cache's size; 0 turns it off
    service_allow: tuple[str, ...] = ()  # SERVICE endpoints (URL prefixes by segment); empty: federation off
    cors_origins: tuple[str, ...] = ("*",)
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-* are believed
    allowed_hosts: tuple[str, ...] = ("*",)  # Host headers answered; `kg serve` narrows this to loopback
    access_log: bool = False  # uvicorn's line per request

    def __post_init__(self) -> None:
        self.service_rules  # noqa: B018 - a bad KG_SERVICE_ALLOW entry stops the start
        if self.worker_data not in WORKER_DATA:
            raise ValueError(f"KG_WORKER_DATA is {self.worker_data!r}; use one of {', '.join(WORKER_DATA)}")

    @property
    def federation(self) -> bool:
        return bool(self.service_allow)

    @cached_property
    def service_rules(self) -> tuple[Endpoint, ...]:
        return tuple(Endpoint.parse(url) for url in self.service_allow)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the variables the README lists (HOST and PORT as the Makefile passes them)."""
        env = os.environ if env is None else env
        default = cls()
        return cls(
            store=Path(env.get("KG_STORE") or DEFAULT_STORE),
            host=env.get("HOST") or default.host,
            port=int(env.get("PORT") or default.port),
            update_token=env.get("KG_UPDATE_TOKEN") or None,
            queries=Path(env.get("KG_QUERIES") or DEFAULT_QUERIES),
            query_timeout=float(env.get("KG_QUERY_TIMEOUT") or default.query_timeout),
            refresh_timeout=float(env.get("KG_REFRESH_TIMEOUT") or default.refresh_timeout),
            workers=max(1, int(env.get("KG_WORKERS") or default.workers)),
            worker_data=(env.get("KG_WORKER_DATA") or default.worker_data).strip().lower(),
            max_pending=int(env.get("KG_MAX_PENDING") or default.max_pending),
            worker_memory_mib=int(env.get("KG_WORKER_MEMORY_MIB") or default.worker_memory_mib),
            max_rows=int(env.get("KG_MAX_ROWS") or default.max_rows),
            max_body=int(env.get("KG_MAX_BODY") or default.max_body),
            body_reads=max(1, int(env.get("KG_BODY_READS") or default.body_reads)),
            body_timeout=float(env.get("KG_BODY_TIMEOUT") or default.body_timeout),
            max_head=int(env.get("KG_MAX_HEAD") or default.max_head),
            head_timeout=float(env.get("KG_HEAD_TIMEOUT") or default.head_timeout),
            max_connections=max(1, int(env.get("KG_MAX_CONNECTIONS") or default.max_connections)),
            max_result_bytes=int(env.get("KG_MAX_RESULT_BYTES") or default.max_result_bytes),
            max_change=int(env.get("KG_MAX_CHANGE") or default.max_change),
            result_cache_mib=int(env.get("KG_RESULT_CACHE_MIB") or default.result_cache_mib),
            service_allow=_words(env.get("KG_SERVICE_ALLOW")),
            cors_origins=_words(env.get("KG_CORS_ORIGINS", "*")),
            forwarded_allow_ips=_words(env.get("KG_FORWARDED_ALLOW_IPS")),
            allowed_hosts=_words(env.get("KG_ALLOWED_HOSTS")) or LOOPBACK_HOSTS,
            access_log=(env.get("KG_ACCESS_LOG") or "").lower() in {"1", "true", "yes", "on"},
        )
