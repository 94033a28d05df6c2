"""The neighbourhood of an entity drawn as an SVG graph: the entity in the middle, its linked
entities on a circle around it, each edge named by its predicate. Drawn on the server, so the
page needs no script and no network to show it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .entities import RDF_TYPE, Entity, Node

MAX_NEIGHBOURS = 24
WIDTH, HEIGHT, RADIUS = 900, 640, 250


@dataclass(frozen=True)
class Edge:
    node: Node
    predicate: str
    outgoing: bool


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def neighbours(entity: Entity) -> list[Edge]:
    """Linked IRIs, outgoing then incoming, at most MAX_NEIGHBOURS, each once."""
    edges, seen = [], set()
    candidates = [Edge(f.object, f.predicate.text, True) for f in entity.facts
                  if f.object.kind == "iri" and f.predicate.value != RDF_TYPE]
    candidates += [Edge(s, group.predicate.text, False) for group in entity.incoming for s in group.subjects
                   if s.kind == "iri"]
    for edge in candidates:
        if edge.node.value not in seen and edge.node.value != entity.iri:
            seen.add(edge.node.value)
            edges.append(edge)
    return edges[:MAX_NEIGHBOURS]


def svg(entity: Entity, href: Callable[[str], str]) -> str:
    """The picture as an inline SVG element; `href(iri)` gives each node's link."""
    edges = neighbours(entity)
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [(f'<svg class="neighbourhood" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
              f'aria-label="Neighbourhood of {escape(entity.node.text)}" xmlns="http://www.w3.org/2000/svg">'),
             ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
              'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>')]
    for index, edge in enumerate(edges):
        angle = 2 * math.pi * index / max(1, len(edges)) - math.pi / 2
        x, y = cx + RADIUS * 1.45 * math.cos(angle), cy + RADIUS * math.sin(angle)
        start, end = ((cx, cy), (x, y)) if edge.outgoing else ((x, y), (cx, cy))
        mx, my = (cx + x) / 2, (cy + y) / 2
        parts.append(f'<g class="edge"><line x1="{start[0]:.0f}" y1="{start[1]:.0f}" x2="{end[0]:.0f}" '
                     f'y2="{end[1]:.0f}" stroke="#999" marker-end="url(#arrow)"/>'
                     f'<text x="{mx:.0f}" y="{my:.0f}" class="predicate">{escape(_short(edge.predicate, 22))}</text></g>')
        parts.append(f'<a class="node" href="{escape(href(edge.node.value))}"><circle cx="{x:.0f}" cy="{y:.0f}" r="7" '
                     f'fill="{"#2a6f97" if edge.outgoing else "#a05a2c"}"/><text x="{x:.0f}" y="{y + 20:.0f}" '
                     f'text-anchor="middle">{escape(_short(edge.node.text))}</text>'
                     f'<title>{escape(edge.node.value)}</title></a>')
    parts.append(f'<g class="centre"><circle cx="{cx:.0f}" cy="{cy:.0f}" r="12" fill="#333"/>'
                 f'<text x="{cx:.0f}" y="{cy - 20:.0f}" text-anchor="middle" font-weight="bold">'
                 f'{escape(_short(entity.node.text, 40))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
