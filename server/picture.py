"""The neighbourhood of an entity drawn as an SVG on the server, so the page needs no script and
no network to show it.

The entity is a box in the middle; what points at it is listed down the left (a gene that
causes a condition, an annotation of a phenotype), what it points at down the right. The
neighbours of one predicate are a group: one curve from the box to the group, one label for the
predicate, one row per neighbour. Every label has a row of its own, so no two overlap. Each
predicate gets at least one row; when a group has more neighbours than rows, its label gives
the count and links to the whole list.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .entities import RDF_TYPE, Entity, Node

ROWS = 18  # rows per side
ROW, TOP = 22, 28
WIDTH = 1020
CX = WIDTH / 2
BOX_HALF = 110  # half the centre box's width
NODE_DX = 290  # from the centre to a neighbour's dot
JUNCTION_DX = 270  # from the centre to where a group's curve ends
LABEL_DX = 266  # predicate labels end here, just before the junction (anchored at their end)
NODE_CHARS, PREDICATE_CHARS, CENTRE_CHARS = 28, 22, 24  # 24 bold 13 px characters fit the 220 px box
# How wide a character is drawn (sans-serif at 12 and 11 px), kept on the generous side: the
# browser test measures the real boxes.
NODE_CHAR_WIDTH, PREDICATE_CHAR_WIDTH = 7.4, 6.8
NODE_FONT, PREDICATE_FONT, CENTRE_LINE = 12, 11, 16


@dataclass(frozen=True)
class Group:
    predicate: Node
    members: tuple[Node, ...]  # the neighbours known (a sample when there are many)
    total: int
    outgoing: bool


@dataclass(frozen=True)
class Box:
    """A label's place: its box (x, y the top left), for drawing and for the overlap test."""

    kind: str  # centre, predicate or node
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def groups(entity: Entity) -> tuple[list[Group], list[Group]]:
    """What points at the entity (left) and what it points at (right), by predicate, IRIs only."""
    left = [Group(g.predicate, tuple(s for s in g.subjects if s.kind == "iri" and s.value != entity.iri), g.count, False)
            for g in entity.incoming]
    right = []
    for predicate, facts, _ in entity.groups():
        members = tuple(f.object for f in facts if f.object.kind == "iri" and f.object.value != entity.iri)
        if predicate.value != RDF_TYPE and members:
            right.append(Group(predicate, members, len(members), True))
    by_size = lambda g: (g.total, g.predicate.text)
    return sorted([g for g in left if g.members], key=by_size), sorted(right, key=by_size)


def allocate(side: list[Group], rows: int = ROWS) -> list[tuple[Group, tuple[Node, ...]]]:
    """Rows shared round-robin: each group one (as many groups as there are rows), then one more
    each in turn until the rows or the neighbours run out."""
    side = side[:rows]
    quota = [0] * len(side)
    left = rows
    while left:
        grown = False
        for index, group in enumerate(side):
            if left and quota[index] < len(group.members):
                quota[index] += 1
                left -= 1
                grown = True
        if not grown:
            break
    return [(group, group.members[:count]) for group, count in zip(side, quota, strict=True)]


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    centre: tuple[float, float]
    lines: tuple[str, ...]  # the entity's name, wrapped
    left: list[tuple[Group, tuple[Node, ...]]]
    right: list[tuple[Group, tuple[Node, ...]]]

    def row_y(self, index: int) -> float:
        return TOP + index * ROW

    def boxes(self) -> list[Box]:
        """Every label's box: the centre, each predicate and each neighbour."""
        cx, cy = self.centre
        height = len(self.lines) * CENTRE_LINE + 12
        found = [Box("centre", cx - BOX_HALF, cy - height / 2, 2 * BOX_HALF, height)]
        for sign, side in ((-1, self.left), (1, self.right)):
            row = 0
            for group, members in side:
                mid = self.row_y(row + (len(members) - 1) / 2)
                text = self.predicate_text(group, members)
                width = len(text) * PREDICATE_CHAR_WIDTH
                found.append(Box("predicate", cx + sign * LABEL_DX - (width if sign > 0 else 0), mid - 4 - PREDICATE_FONT,
                                 width, PREDICATE_FONT + 2))
                for member in members:
                    y = self.row_y(row)
                    width = len(_short(member.text, NODE_CHARS)) * NODE_CHAR_WIDTH
                    x = cx + sign * (NODE_DX + 10) - (width if sign < 0 else 0)
                    found.append(Box("node", x, y - NODE_FONT / 2 - 2, width, NODE_FONT + 2))
                    row += 1
        return found

    @staticmethod
    def predicate_text(group: Group, members: tuple[Node, ...]) -> str:
        hidden = group.total > len(members)
        count = f" ({group.total:,})" if hidden else ""
        return _short(group.predicate.text, PREDICATE_CHARS - len(count)) + count


def layout(entity: Entity) -> Layout:
    left, right = (allocate(side) for side in groups(entity))
    rows = max(sum(len(m) for _, m in left), sum(len(m) for _, m in right), 3)
    lines = tuple(textwrap.wrap(entity.node.text, CENTRE_CHARS, max_lines=3, placeholder="…")) or (entity.iri,)
    height = 2 * TOP + (rows - 1) * ROW
    return Layout(WIDTH, height, (CX, TOP + (rows - 1) * ROW / 2), lines, left, right)


def _side(drawn: Layout, sign: int, href: Callable[[str], str], more: Callable[[str, bool], str]) -> list[str]:
    cx, cy = drawn.centre
    parts, row = [], 0
    for group, members in (drawn.left if sign < 0 else drawn.right):
        first, last = drawn.row_y(row), drawn.row_y(row + len(members) - 1)
        mid = (first + last) / 2
        start, junction = cx + sign * BOX_HALF, cx + sign * JUNCTION_DX
        curve = f"M{start:.0f},{cy:.0f} C{start + sign * 80:.0f},{cy:.0f} {junction - sign * 80:.0f},{mid:.0f} {junction:.0f},{mid:.0f}"
        if sign < 0:  # incoming: the arrow points at the box
            curve = f"M{junction:.0f},{mid:.0f} C{junction - sign * 80:.0f},{mid:.0f} {start + sign * 80:.0f},{cy:.0f} {start:.0f},{cy:.0f}"
        arrow = ' marker-end="url(#arrow)"'  # at the box for what points at it, at each neighbour otherwise
        parts.append(f'<g class="edge"><path d="{curve}" fill="none" stroke="#999"{arrow if sign < 0 else ""}/>')
        for index in range(len(members)):
            y = drawn.row_y(row + index)
            parts.append(f'<line x1="{junction:.0f}" y1="{mid:.0f}" x2="{cx + sign * (NODE_DX - 7):.0f}" y2="{y:.0f}" '
                         f'stroke="#999"{arrow if sign > 0 else ""}/>')
        text = escape(drawn.predicate_text(group, members))
        label = (f'<text class="predicate" x="{cx + sign * LABEL_DX:.0f}" y="{mid - 4:.0f}" '
                 f'text-anchor="{"start" if sign < 0 else "end"}">{text}<title>{escape(group.predicate.value)}</title></text>')
        if group.total > len(members):
            label = f'<a class="more" href="{escape(more(group.predicate.value, group.outgoing))}">{label}</a>'
        parts.append(label + "</g>")
        for member in members:
            y = drawn.row_y(row)
            x = cx + sign * NODE_DX
            parts.append(f'<a class="node" href="{escape(href(member.value))}"><circle cx="{x:.0f}" cy="{y:.0f}" r="6" '
                         f'fill="{"#2a6f97" if sign > 0 else "#a05a2c"}"/><text x="{x + sign * 10:.0f}" y="{y + 4:.0f}" '
                         f'text-anchor="{"start" if sign > 0 else "end"}">{escape(_short(member.text, NODE_CHARS))}</text>'
                         f'<title>{escape(member.text)} — {escape(member.value)}</title></a>')
            row += 1
    return parts


def svg(entity: Entity, href: Callable[[str], str], more: Callable[[str, bool], str]) -> str:
    """The picture as an inline SVG element; `href(iri)` links a node, `more(predicate,
    outgoing)` the whole list of a group that is not all shown."""
    drawn = layout(entity)
    cx, _ = drawn.centre
    box = next(b for b in drawn.boxes() if b.kind == "centre")
    lines = "".join(f'<tspan x="{cx:.0f}" dy="{0 if i == 0 else CENTRE_LINE}">{escape(line)}</tspan>'
                    for i, line in enumerate(drawn.lines))
    head = (f'<svg class="neighbourhood" viewBox="0 0 {drawn.width:.0f} {drawn.height:.0f}" width="{drawn.width:.0f}" '
            f'height="{drawn.height:.0f}" role="img" aria-label="Neighbourhood of {escape(entity.node.text)}" '
            'xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#888"/>'
            '</marker></defs>')
    centre = (f'<g class="centre"><rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
              f'height="{box.height:.0f}" rx="8" fill="#333"/><text x="{cx:.0f}" y="{box.y + 6 + CENTRE_LINE - 3:.0f}" '
              f'text-anchor="middle">{lines}</text></g>')
    return "".join([head, *_side(drawn, -1, href, more), *_side(drawn, 1, href, more), centre, "</svg>"])
