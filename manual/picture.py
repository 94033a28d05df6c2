"""The data-model picture: an SVG of every class the shapes describe, what the ontology aligns
it to, and its properties with the class or datatype of their values.

Written from `ontology/higm.ttl` and `ontology/shapes.ttl` alone, deterministically, so that a
test can check that `docs/images/data-model.svg` is up to date.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from rdflib import BNode, Graph, URIRef

from ontology import ONTOLOGY_FILE, RDFS, SH, SHAPES_FILE
from ontology.identifiers import compress

ROW, CHAR, PAD, GAP = 17, 7.3, 8, 16  # pixels: a row, a character of 12 px monospace, padding, gaps


@dataclass(frozen=True)
class Box:
    name: str
    aligned: tuple[str, ...]
    rows: tuple[str, ...]

    @property
    def height(self) -> int:
        return ROW * (len(self.rows) + 1 + bool(self.aligned)) + 2 * PAD


def _curie(term: object) -> str:
    if isinstance(term, URIRef):
        return compress(str(term)) or f"<{term}>"
    return "(a path)"


def _value(shapes: Graph, shape: object) -> str:
    for predicate in (SH["class"], SH.datatype, SH.nodeKind):
        value = shapes.value(shape, predicate)
        if value is not None:
            return str(value).rsplit("#", 1)[-1] if predicate == SH.nodeKind else _curie(value)
    return ""


def _properties(shapes: Graph, node: object) -> list[tuple[str, str]]:
    found = []
    for shape in shapes.objects(node, SH.property):
        path = shapes.value(shape, SH.path)
        found.append((_curie(path), _value(shapes, shape)))
    return sorted(set(found))


def boxes() -> tuple[list[Box], list[str]]:
    """The classes' boxes, and the properties every class shares (left out of the boxes)."""
    shapes = Graph().parse(SHAPES_FILE)
    ontology = Graph().parse(ONTOLOGY_FILE)
    described = sorted(((c, n) for n, c in shapes.subject_objects(SH.targetClass)), key=lambda x: _curie(x[0]))
    properties = {c: _properties(shapes, n) for c, n in described}
    counts = Counter(path for props in properties.values() for path, _ in props)
    common = sorted(path for path, count in counts.items() if count > len(described) / 2)
    result = []
    for cls, _ in described:
        aligned = tuple(sorted(_curie(o) for o in ontology.objects(cls, RDFS.subClassOf) if not isinstance(o, BNode)))
        rows = tuple(f"{path} → {value}" if value else path for path, value in properties[cls] if path not in common)
        result.append(Box(_curie(cls), aligned, rows))
    return result, common


def _place(items: list[Box], columns: int) -> list[tuple[Box, int, int]]:
    heights = [GAP] * columns
    placed = []
    for box in items:
        column = heights.index(min(heights))
        placed.append((box, column, heights[column]))
        heights[column] += box.height + GAP
    return placed


def _text(x: float, y: float, text: str, weight: str = "normal") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" font-weight="{weight}">{escape(text)}</text>'


def _box(box: Box, x: float, y: float, width: float) -> list[str]:
    parts = [(f'<rect x="{x:.0f}" y="{y:.0f}" width="{width:.0f}" height="{box.height}" rx="4" '
             'fill="#f6f8fa" stroke="#57606a"/>'), _text(x + PAD, y + PAD + 12, box.name, "bold")]
    lines = ([f"⊑ {', '.join(box.aligned)}"] if box.aligned else []) + list(box.rows)
    parts += [_text(x + PAD, y + PAD + 12 + ROW * (i + 1), line) for i, line in enumerate(lines)]
    return parts


def svg(columns: int = 3) -> str:
    """The picture, as SVG text."""
    items, common = boxes()
    longest = max(len(line) for box in items for line in (box.name, *box.rows, "⊑ " + ", ".join(box.aligned)))
    width = longest * CHAR + 2 * PAD
    placed = _place(items, columns)
    footer = GAP + max(y + box.height for box, _, y in placed)
    total_width = columns * (width + GAP) + GAP
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{footer + 2 * ROW:.0f}" '
             'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12" fill="#1f2328">'),
             f'<rect width="{total_width:.0f}" height="{footer + 2 * ROW:.0f}" fill="#ffffff"/>']
    for box, column, y in placed:
        parts += _box(box, GAP + column * (width + GAP), y, width)
    parts.append(_text(GAP, footer + ROW, "Every class also has: " + ", ".join(common) + ". ⊑: a subclass of."))
    return "\n".join(parts) + "\n</svg>\n"
