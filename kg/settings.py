"""Settings read from the environment, with the defaults `make serve` relies on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STORE = Path("var/store")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with safe defaults; the README lists each variable."""

    store: Path = DEFAULT_STORE
    host: str = "127.0.0.1"
    port: int = 8000
    update_token: str | None = None  # writes are refused unless this is set

    @classmethod
    def from_env(cls) -> Settings:
        """Read KG_STORE, HOST, PORT (as the Makefile passes them) and KG_UPDATE_TOKEN."""
        env = os.environ
        return cls(
            store=Path(env.get("KG_STORE") or DEFAULT_STORE),
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8000),
            update_token=env.get("KG_UPDATE_TOKEN") or None,
        )
