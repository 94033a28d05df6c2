"""A picture of what is in the graph, for the query page: the classes with their instances, the
properties each class's instances use with how many triples, and an arrow from a property to
the class of its values. Drawn as SVG on the server from the statistics the server holds (the
per-class property partitions counted when data is written), so the page never waits for it.

The classes drawn are those with instances in the data (not only in the ontology or in the
metadata graph), and the classes their properties lead to, at most MAX_CLASSES, the most used
first. `rdf:` properties (types, the reification of statements) are left out: the boxes show
what a query would match. Boxes are laid out in columns so that most arrows go rightwards.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from kg.statistics import Statistics, Usage
from ontology import DCTERMS, GRAPH, RDF, RDFS
from ontology.identifiers import compress, sparql_prefixes

from .names import Release

__all__ = ["Model", "Row", "class_query", "layout", "model_of", "picture", "svg"]

MAX_CLASSES = 20
MAX_ROWS = 7  # properties listed per box (at most MAX_LITERALS of them literal-valued); the rest are counted
MAX_LITERALS = 3
MINOR_TARGET = 0.1  # a class holding less than this share of a property's values gets no arrow
LEFT_OUT_GRAPHS = frozenset({str(GRAPH["metadata"]), str(GRAPH["ontology"])})
BOX_WIDTH, HEADER, ROW, GAP_X, GAP_Y, MARGIN = 320, 36, 17, 110, 26, 16
RIGHT = 90  # room on the right for the arrows that go back
LOCAL_NAME = re.compile(r"[A-Za-z0-9_]([\w.-]*[\w-])?", re.ASCII)  # a prefixed name's local part, kept simple
CHAR = 6.4  # the width of a character at 11 px, on the generous side
NAME_CHAR = 7.6  # and of the class's name, at 12 px bold
SQUEEZE = 1.2  # how much wider than its box a class's name may be drawn squeezed into it


@dataclass(frozen=True)
class Row:
    """A property of a class's instances: its triples, and the classes (or the datatype) of its values."""

    property: str
    triples: int
    targets: tuple[str, ...] = ()  # the classes drawn here that hold its values (the main ones)
    datatype: str | None = None


@dataclass
class Model:
    classes: dict[str, int]  # class → instances, in the order they are ranked
    sources: dict[str, str] = field(default_factory=dict)  # class → the short name of the graph with most of them
    rows: dict[str, list[Row]] = field(default_factory=dict)
    hidden_rows: dict[str, int] = field(default_factory=dict)  # per class: properties not listed
    left_out: int = 0  # classes not drawn


def _name(iri: str) -> str:
    return compress(iri) or iri.rsplit("/", 1)[-1]


def _usage_rows(usage: Mapping[str, Usage], drawn: set[str]) -> list[Row]:
    """A class's properties: those whose values are drawn classes first, then a few with
    literal values, each ranked by its triples."""
    links, literals = [], []
    for prop, use in usage.items():
        if prop.startswith(str(RDF)):
            continue
        targets = sorted(((n, c) for c, n in use.classes.items() if c in drawn), reverse=True)
        if targets:
            main = tuple(c for n, c in targets if n >= MINOR_TARGET * targets[0][0])[:3]
            links.append(Row(prop, use.triples, main))
        elif use.datatypes:
            datatype = max(use.datatypes.items(), key=lambda item: item[1])[0]
            literals.append(Row(prop, use.triples, datatype=datatype))
    return _ranked(links) + _ranked(literals)[:MAX_LITERALS]


def _ranked(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.triples, r.property))


def _short_names(stats: Statistics) -> dict[str, str]:
    """Each graph's short name, from the title its load recorded (HPO, Curated facts …), named
    as entity pages name it."""
    found = {}
    for graph, pairs in stats.about.items():
        titles = [o for p, o in pairs if p == str(DCTERMS.title) and o.startswith('"')]
        if titles:
            found[graph] = Release(graph, titles[0][1:titles[0].rindex('"')]).short
    return found


def model_of(stats: Statistics) -> Model:
    """What to draw, from `kg.statistics.Statistics`: the data's classes and their links."""
    in_data: dict[str, int] = defaultdict(int)
    home: dict[str, str] = {}
    for graph, figures in stats.graphs.items():
        if graph not in LEFT_OUT_GRAPHS:
            for cls, count in figures.classes.items():
                if count > in_data[cls]:
                    in_data[cls], home[cls] = count, graph
    usage = stats.dataset.usage
    weight: dict[str, int] = defaultdict(int)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for cls in in_data:
        for prop, use in usage.get(cls, {}).items():
            if not prop.startswith(str(RDF)):
                weight[cls] += use.triples
                for target, count in use.classes.items():
                    weight[target] += count
                    neighbours[cls].add(target)
                    neighbours[target].add(cls)
    candidates = set(in_data) | {t for t in weight if t in stats.dataset.classes}
    # the classes most linked to others first (a query goes from one to the next), then the most used
    score = {c: len(neighbours[c] - {c}) + math.log10(1 + weight[c] + in_data.get(c, 0)) for c in candidates}
    ranked = sorted(candidates, key=lambda c: (-score[c], c))
    chosen = ranked[:MAX_CLASSES]
    drawn = set(chosen)
    short = _short_names(stats)
    model = Model({c: stats.dataset.classes.get(c, in_data.get(c, 0)) for c in chosen},
                  {c: short[home[c]] for c in chosen if home.get(c) in short}, left_out=len(ranked) - len(chosen))
    for cls in chosen:
        rows = _usage_rows(usage.get(cls, {}), drawn)
        model.rows[cls], model.hidden_rows[cls] = rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)
    return model


# -- layout ------------------------------------------------------------------------------------

def _links(model: Model) -> list[tuple[str, str]]:
    return [(cls, target) for cls, rows in model.rows.items() for row in rows for target in row.targets if target != cls]


def _columns(model: Model) -> list[list[str]]:
    """Longest-path layers over the links (a link that would close a cycle is not followed),
    each layer ordered by the mean position of the classes that lead to it."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for source, target in _links(model):
        outgoing[source].append(target)
    layer: dict[str, int] = {}
    for start in model.classes:  # in rank order, so that the most used classes lead
        stack, on_path = [(start, 0)], set()
        while stack:
            node, depth = stack.pop()
            if node in on_path or layer.get(node, -1) >= depth:
                continue
            layer[node] = depth
            on_path.add(node)
            stack += [(t, depth + 1) for t in outgoing[node] if t not in on_path and depth < len(model.classes)]
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for cls in model.classes:
        columns[layer.get(cls, 0)].append(cls)
    return _ordered(columns, model)


def _mean_place(sources: list[str], place: Mapping[str, int]) -> float:
    """The mean position of the classes placed before that lead to a class (none: last)."""
    placed = [place[s] for s in sources if s in place]
    return sum(placed) / len(placed) if placed else math.inf


def _ordered(columns: list[list[str]], model: Model) -> list[list[str]]:
    incoming: dict[str, list[str]] = defaultdict(list)
    for source, target in _links(model):
        incoming[target].append(source)
    for index in range(1, len(columns)):
        place = {cls: i for column in columns[:index] for i, cls in enumerate(column)}
        columns[index].sort(key=lambda cls, place=place: _mean_place(incoming[cls], place))
    return [column for column in columns if column]


@dataclass(frozen=True)
class Placed:
    cls: str
    x: float
    y: float
    height: float

    def row_y(self, index: int) -> float:
        return self.y + HEADER + (index + 0.5) * ROW


def _height(model: Model, cls: str) -> float:
    return HEADER + (len(model.rows[cls]) + (1 if model.hidden_rows[cls] else 0)) * ROW + 6


def layout(model: Model) -> tuple[dict[str, Placed], float, float]:
    """Each class's box, and the picture's width and height."""
    columns = _columns(model)
    heights = [sum(_height(model, c) for c in column) + GAP_Y * (len(column) - 1) for column in columns]
    tallest = max(heights, default=0)
    placed = {}
    for index, column in enumerate(columns):
        y = MARGIN  # columns top-aligned: the first boxes of each in the first screen
        for cls in column:
            placed[cls] = Placed(cls, MARGIN + index * (BOX_WIDTH + GAP_X), y, _height(model, cls))
            y += placed[cls].height + GAP_Y
    return placed, 2 * MARGIN + RIGHT + len(columns) * BOX_WIDTH + (len(columns) - 1) * GAP_X, 2 * MARGIN + tallest


# -- drawing -----------------------------------------------------------------------------------

def _edge(source: Placed, index: int, target: Placed) -> str:
    y1, y2 = source.row_y(index), target.y + HEADER / 2
    if target.x > source.x:
        x1, x2 = source.x + BOX_WIDTH, target.x
        bend = (x2 - x1) / 2
        return f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    x1, x2 = source.x + BOX_WIDTH, target.x + BOX_WIDTH  # leftwards or the same column: round the right side
    reach = max(x1, x2) + 40 + abs(y2 - y1) / 12
    return f"M{x1:.0f},{y1:.0f} C{reach:.0f},{y1:.0f} {reach:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"


def _fit(text: str, room: float, char: float) -> str:
    """`text` cut with an ellipsis to fit `room` pixels (the full text is in the box's title)."""
    most = int(room / char)
    return text if len(text) <= most else text[: most - 1] + "…"


def _title(name: str, x: float, y: float) -> str:
    """A class's name: a long one squeezed into the box (by at most SQUEEZE), then cut."""
    room = BOX_WIDTH - 16
    name = _fit(name, room * SQUEEZE, NAME_CHAR)
    squeeze = f' textLength="{room}" lengthAdjust="spacingAndGlyphs"' if len(name) * NAME_CHAR > room else ""
    return f'<text class="name" x="{x:.0f}" y="{y:.0f}"{squeeze}>{escape(name)}</text>'


def _box(model: Model, box: Placed, href: Callable[[str], str]) -> list[str]:
    cls, count = box.cls, model.classes[box.cls]
    subtitle = f"{count:,} instance{'s' if count != 1 else ''}" + (f" · {model.sources[cls]}" if cls in model.sources else "")
    parts = [(f'<g class="class"><a href="{escape(href(cls))}"><rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_WIDTH}" '
             f'height="{box.height:.0f}" rx="5"/>{_title(_name(cls), box.x + 8, box.y + 15)}<text class="count" x="{box.x + 8:.0f}" '
             f'y="{box.y + 31:.0f}">{escape(_fit(subtitle, BOX_WIDTH - 16, CHAR))}</text><title>{escape(cls)}</title></a>')]
    for index, row in enumerate(model.rows[cls]):
        y = box.row_y(index) + 4
        label = _name(row.property) + ("" if row.targets else f" · {_name(row.datatype or '')}")
        where = " → " + ", ".join(_name(t) for t in row.targets) if row.targets else ""
        triples = f"{row.triples:,}"
        parts.append(f'<text class="{"link" if row.targets else "literal"}" x="{box.x + 8:.0f}" y="{y:.0f}">'
                     f'{escape(_fit(label, BOX_WIDTH - 24 - CHAR * len(triples), CHAR))}'
                     f'<title>{escape(_name(row.property) + where)}</title></text>'
                     f'<text class="triples" x="{box.x + BOX_WIDTH - 8:.0f}" y="{y:.0f}" text-anchor="end">{triples}</text>')
    if model.hidden_rows[cls]:
        y = box.row_y(len(model.rows[cls])) + 4
        parts.append(f'<text class="more" x="{box.x + 8:.0f}" y="{y:.0f}">+ {model.hidden_rows[cls]} more properties</text>')
    return [*parts, "</g>"]


def _loop(box: Placed, index: int) -> str:
    """A property whose values are of the box's own class: a loop on its right side."""
    y, rise = box.row_y(index), box.row_y(index) - box.y - 10
    return f"M{box.x + BOX_WIDTH:.0f},{y:.0f} c40,0 40,-{rise:.0f} 0,-{rise:.0f}"


def svg(model: Model, href: Callable[[str], str]) -> str:
    """The picture as an inline SVG element; `href(iri)` links each class to its page."""
    placed, width, height = layout(model)
    note = (f'<text class="more" x="{MARGIN}" y="{height + 4:.0f}">{model.left_out:,} more class'
            f'{"es" if model.left_out != 1 else ""} not drawn: see the VoID</text>' if model.left_out else "")
    height += ROW if model.left_out else 0
    edges = [f'<path class="edge" d="{_edge(placed[cls], i, placed[t]) if t != cls else _loop(placed[cls], i)}" '
             'marker-end="url(#model-arrow)"/>'
             for cls, rows in model.rows.items() for i, row in enumerate(rows) for t in row.targets]
    boxes = [part for cls in model.classes for part in _box(model, placed[cls], href)]
    return "".join([
        (f'<svg class="data-model" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        'role="group" aria-label="The classes of the graph and the properties between them" xmlns="http://www.w3.org/2000/svg">'),
        ('<defs><marker id="model-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#7a8c99"/></marker></defs>'),
        *edges, *boxes, note, "</svg>",
    ])


def class_query(cls: str) -> str:
    """The query a class's box opens: its instances with their labels, the prefixes declared."""
    prefixes, name = sparql_prefixes(), compress(cls) or ""
    prefix, _, local = name.partition(":")
    plain = prefix in prefixes and LOCAL_NAME.fullmatch(local) is not None
    declared = {prefix: prefixes[prefix]} if plain else {}
    declared["rdfs"] = str(RDFS)
    lines = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in declared.items())
    return (f"{lines}SELECT ?instance ?label WHERE {{\n  ?instance a {name if plain else f'<{cls}>'} .\n"
            "  OPTIONAL { ?instance rdfs:label ?label }\n}\nLIMIT 100")


_drawn: list[tuple[Statistics, str, str]] = []  # the last picture: of which statistics, for which page


def picture(stats: Statistics, page: str) -> str:
    """The picture of `stats`, each class linked to its query on the query page at `page`; drawn
    once per statistics the server holds (a few tens of milliseconds on the full graph)."""
    for held, where, drawn in _drawn:
        if held is stats and where == page:
            return drawn
    drawn = svg(model_of(stats), lambda cls: page + "?" + urlencode({"query": class_query(cls)}))
    _drawn[:] = [(stats, page, drawn)]
    return drawn
