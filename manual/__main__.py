"""`python -m manual`: rewrite the manual's generated parts; `--check`: only say which are stale."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from . import DOCS, README
from .catalogue import catalogue
from .figures import hpo_table, measured, summary
from .picture import svg
from .regions import replace
from .sources import identifier_spaces, vocabularies

PICTURE = DOCS / "images" / "data-model.svg"

# (page, region) → what it holds
REGIONS: dict[tuple[Path, str], Callable[[], str]] = {
    (README, "build"): lambda: summary(measured()),
    (DOCS / "loaders" / "hpo.md", "build"): lambda: summary(measured()),
    (DOCS / "loaders" / "hpo.md", "hpo-graphs"): lambda: hpo_table(measured()),
    (DOCS / "queries.md", "catalogue"): catalogue,
    (DOCS / "data-model.md", "identifier-spaces"): identifier_spaces,
    (DOCS / "data-model.md", "vocabularies"): vocabularies,
}


def expected() -> dict[Path, str]:
    """Every generated file's text as it should be now."""
    pages: dict[Path, str] = {}
    for (page, name), make in REGIONS.items():
        pages[page] = replace(pages.get(page) or page.read_text(encoding="utf-8"), name, make())
    return {**pages, PICTURE: svg()}


def stale() -> list[Path]:
    """The generated files that differ from what they should be."""
    return [path for path, text in expected().items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(arguments: list[str]) -> int:
    if "--check" in arguments:
        found = stale()
        for path in found:
            print(f"{path}: not up to date; run python -m manual", file=sys.stderr)
        return 1 if found else 0
    for path, text in expected().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
