"""The data-model picture of the query page, from hand-made statistics: which classes are drawn,
the rows of each box, the arrows, the layout, and the SVG (each class linked to its query)."""

from __future__ import annotations

import re
from html import unescape
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from kg.statistics import Figures, Statistics, Usage
from ontology import DCTERMS, GRAPH, RDF, RDFS
from server.data_model import (
    MAX_CLASSES,
    MAX_LITERALS,
    MAX_ROWS,
    class_query,
    layout,
    model_of,
    picture,
    svg,
)

EX = "http://example.org/"
A, B, C, D = (f"{EX}{name}" for name in "ABCD")
DATA, OTHER = f"{EX}graph/data", f"{EX}graph/other"
STRING, INTEGER = "http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/2001/XMLSchema#integer"
SVG = "{http://www.w3.org/2000/svg}"


def statistics(graphs: dict[str, dict[str, int]], usage: dict[str, dict[str, Usage]],
               titles: dict[str, str] | None = None) -> Statistics:
    """Statistics with these classes per graph (class → instances) and this per-class usage."""
    classes: dict[str, int] = {}
    for counts in graphs.values():
        for cls, count in counts.items():
            classes[cls] = classes.get(cls, 0) + count
    about = {g: [(str(DCTERMS.title), f'"{title}"')] for g, title in (titles or {}).items()}
    return Statistics(1, "2026-01-01T00:00:00+00:00", Figures(classes=classes, usage=usage),
                      {g: Figures(classes=counts) for g, counts in graphs.items()}, about)


def link(triples: int, **targets: int) -> Usage:
    return Usage(triples, {f"{EX}{name}": n for name, n in targets.items()})


def literal(triples: int, datatype: str = STRING) -> Usage:
    return Usage(triples, datatypes={datatype: triples})


CHAIN = statistics({DATA: {A: 10, B: 5, C: 2}}, {A: {f"{EX}p": link(10, B=10)}, B: {f"{EX}q": link(5, C=5)}})
MODEL_CASES = [
    # (case, statistics, classes drawn, rows of A as (property, triples, targets, datatype))
    ("a chain of links", CHAIN, {A, B, C}, [(f"{EX}p", 10, (B,), None)]),
    ("classes only in the ontology or metadata are left out, unless a value's class",
     statistics({DATA: {A: 3}, str(GRAPH["ontology"]): {B: 1, D: 4}, str(GRAPH["metadata"]): {C: 2}},
                {A: {f"{EX}p": link(3, B=3)}}),
     {A, B}, [(f"{EX}p", 3, (B,), None)]),
    ("rdf: properties are left out",
     statistics({DATA: {A: 2, B: 1}}, {A: {str(RDF.type): link(2, B=2), str(RDF.subject): link(2, B=2)}}),
     {A, B}, []),
    ("a class holding a tenth or less of the values gets no arrow",
     statistics({DATA: {A: 100, B: 100, C: 1}}, {A: {f"{EX}p": link(101, B=100, C=1)}}),
     {A, B, C}, [(f"{EX}p", 101, (B,), None)]),
    ("links first, then at most MAX_LITERALS literal properties, each by triples",
     statistics({DATA: {A: 9, B: 1}}, {A: {f"{EX}l{n}": literal(n) for n in range(1, 6)}
                                      | {f"{EX}p": link(1, B=1), f"{EX}n": literal(7, INTEGER)}}),
     {A, B}, [(f"{EX}p", 1, (B,), None), (f"{EX}n", 7, (), INTEGER), (f"{EX}l5", 5, (), STRING),
              (f"{EX}l4", 4, (), STRING)]),
]


@pytest.mark.parametrize(("case", "stats", "drawn", "rows"), MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_what_is_drawn(case: str, stats: Statistics, drawn: set[str], rows: list[tuple[object, ...]]) -> None:
    model = model_of(stats)
    assert set(model.classes) == drawn
    assert [(r.property, r.triples, r.targets, r.datatype) for r in model.rows[A]] == rows
    assert model.classes[A] == stats.dataset.classes[A]
    assert len(rows) <= MAX_ROWS and sum(1 for r in rows if r[3]) <= MAX_LITERALS


def test_at_most_max_classes_the_most_linked_first_and_the_rest_counted() -> None:
    many = {f"{EX}c{n}": n + 1 for n in range(MAX_CLASSES + 5)}
    stats = statistics({DATA: {**many, A: 1, B: 1}}, {A: {f"{EX}p": link(1, B=1)}})
    model = model_of(stats)
    assert len(model.classes) == MAX_CLASSES and model.left_out == 7
    assert list(model.classes)[:2] == [A, B]  # linked to another class
    assert f"{EX}c{MAX_CLASSES + 4}" in model.classes and f"{EX}c0" not in model.classes  # then the most used


def test_extra_properties_are_counted_not_listed() -> None:
    stats = statistics({DATA: {A: 1} | {f"{EX}c{n}": 1 for n in range(MAX_ROWS + 2)}},
                       {A: {f"{EX}p{n}": Usage(1, {f"{EX}c{n}": 1}) for n in range(MAX_ROWS + 2)}})
    model = model_of(stats)
    assert len(model.rows[A]) == MAX_ROWS and model.hidden_rows[A] == 2


@pytest.mark.parametrize(("title", "short"), [("HPO annotations, release 2025-01-16", "HPO"),
                                              ("Curated facts of the HIGM1 review", "Curated facts")])
def test_each_class_names_the_graph_with_most_of_its_instances(title: str, short: str) -> None:
    stats = statistics({DATA: {A: 5, B: 1}, OTHER: {A: 1, B: 3}}, {A: {f"{EX}p": link(1, B=1)}}, {DATA: title})
    assert model_of(stats).sources == {A: short}


LAYOUT_CASES = [
    ("a chain goes rightwards", CHAIN, [[A], [B], [C]]),
    ("a cycle ends where it would close", statistics({DATA: {A: 9, B: 5}}, {A: {f"{EX}p": link(1, B=1)},
                                                                              B: {f"{EX}q": link(1, A=1)}}),
     [[A], [B]]),
    ("a class with no links stays in the first column",
     statistics({DATA: {A: 9, B: 5, D: 1}}, {A: {f"{EX}p": link(1, B=1)}}), [[A, D], [B]]),
]


@pytest.mark.parametrize(("case", "stats", "columns"), LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_layout_in_columns_with_boxes_apart(case: str, stats: Statistics, columns: list[list[str]]) -> None:
    placed, width, height = layout(model_of(stats))
    xs = sorted({box.x for box in placed.values()})
    assert [[c for c in sorted(placed, key=lambda c: placed[c].y) if placed[c].x == x] for x in xs] == columns
    for x in xs:
        column = sorted((b for b in placed.values() if b.x == x), key=lambda b: b.y)
        assert all(upper.y + upper.height < lower.y for upper, lower in pairwise(column))
    assert all(box.y + box.height <= height and box.x < width for box in placed.values())


def _parsed(drawn: str) -> ElementTree.Element:
    return ElementTree.fromstring(drawn)


def test_the_svg_links_each_class_and_escapes_what_it_shows() -> None:
    hostile = statistics({DATA: {A: 2, B: 1}}, {A: {f"{EX}p": link(2, B=2)}}, {DATA: '<script>alert(1)</script>'})
    drawn = svg(model_of(hostile), lambda cls: f"/?cls={cls}&x=<y>")
    root = _parsed(drawn)  # well-formed XML: everything shown is escaped
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == [f"/?cls={A}&x=<y>", f"/?cls={B}&x=<y>"]
    assert "<script>" not in drawn and len(list(root.iter(f"{SVG}rect"))) == 2
    assert len([p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]) == 1


def test_a_long_class_name_is_squeezed_then_cut() -> None:
    names = {f"{EX}{'N' * n}": 1 for n in (10, 45, 90)}
    root = _parsed(svg(model_of(statistics({DATA: names}, {})), lambda cls: "/"))
    shown = {t.text: t.get("textLength") for t in root.iter(f"{SVG}text") if t.get("class") == "name"}
    lengths = sorted(shown, key=len)
    assert shown[lengths[0]] is None and shown[lengths[1]] is not None  # short as it is; longer squeezed
    assert lengths[2].endswith("…") and len(lengths[2]) < 60


@pytest.mark.parametrize(("cls", "term", "declared"), [
    ("https://w3id.org/higm-kg/vocab#Gene", "kg:Gene", {"kg", "rdfs"}),
    (str(RDFS.Class), "rdfs:Class", {"rdfs"}),
    (f"{EX}odd/name", f"<{EX}odd/name>", {"rdfs"}),
])
def test_a_class_opens_a_query_for_its_instances(cls: str, term: str, declared: set[str]) -> None:
    text = class_query(cls)
    assert f"?instance a {term} ." in text
    assert set(re.findall(r"^PREFIX (\w+):", text, re.MULTILINE)) == declared


def test_the_picture_is_drawn_once_per_statistics_and_links_to_the_query_page() -> None:
    first = picture(CHAIN, "http://host/")
    assert picture(CHAIN, "http://host/") is first
    again = statistics({DATA: {A: 10, B: 5, C: 2}}, CHAIN.dataset.usage)
    assert picture(again, "http://host/") is not first and picture(again, "http://host/") == first
    hrefs = [unescape(href) for href in re.findall(r'href="([^"]+)"', first)]
    assert all(href.startswith("http://host/?") for href in hrefs)
    assert sorted(parse_qs(urlsplit(href).query)["query"][0] for href in hrefs) == [class_query(c) for c in (A, B, C)]
