"""The manual's generated parts: the saved-query catalogue, the prefixes and IRI forms, the
data-model picture and the build figures, written into `docs/` and the README by
`python -m manual` from the ontology, the shapes, the saved queries and bench output.

The tests (`tests/test_manual.py`) regenerate each part and fail when a page is not up to date,
and run every example of the README and the manual.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
