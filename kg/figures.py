"""The statistics as data: the figures of a graph or of the dataset, and of one generation.

See `kg.statistics` for what they are and how they are made; `kg.void` writes them as VoID.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Usage:
    """A property's triples from the instances of one class: in all, per class of their objects,
    and per datatype of their literals."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    datatypes: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.triples + other.triples, _add(self.classes, other.classes),
                     _add(self.datatypes, other.datatypes))


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    total = Counter(a)
    total.update(b)
    return dict(total)


@dataclass(frozen=True)
class Figures:
    """The VoID figures of one named graph, or of the dataset."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # class → instances
    properties: dict[str, int] = field(default_factory=dict)  # property → triples
    usage: dict[str, dict[str, Usage]] = field(default_factory=dict)  # class → property → usage

    def links(self) -> list[tuple[str, str, str, int]]:
        """(subject class, property, object class, triples): the class-to-class links."""
        return sorted((cls, prop, target, count) for cls, props in self.usage.items()
                      for prop, use in props.items() for target, count in use.classes.items())

    def to_json(self) -> dict[str, Any]:
        usage = {c: {p: [u.triples, u.classes, u.datatypes] for p, u in ps.items()} for c, ps in self.usage.items()}
        return {"triples": self.triples, "entities": self.entities, "distinct_subjects": self.distinct_subjects,
                "distinct_objects": self.distinct_objects, "classes": self.classes, "properties": self.properties,
                "usage": usage}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        usage = {c: {p: Usage(int(t), dict(oc), dict(dt)) for p, (t, oc, dt) in ps.items()}
                 for c, ps in data["usage"].items()}
        return cls(int(data["triples"]), int(data["entities"]), int(data["distinct_subjects"]),
                   int(data["distinct_objects"]), dict(data["classes"]), dict(data["properties"]), usage)


@dataclass(frozen=True)
class Statistics:
    """The figures of one generation of the data, and when they were made."""

    generation: int
    made: str  # ISO 8601, UTC: when they were counted
    dataset: Figures
    graphs: dict[str, Figures]
    about: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # graph → (predicate, object N-Triples)
    modified: str | None = None  # when the data reached this generation, if known
    seconds: float = field(default=0.0, compare=False)  # how long the counting took

    @property
    def classes(self) -> dict[str, int]:
        return self.dataset.classes

    @property
    def properties(self) -> dict[str, int]:
        return self.dataset.properties

    @property
    def sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        return {graph: figures.triples for graph, figures in self.graphs.items()}

    def to_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "made": self.made, "modified": self.modified, "seconds": self.seconds,
                "dataset": self.dataset.to_json(), "graphs": {g: f.to_json() for g, f in self.graphs.items()},
                "about": {g: [list(pair) for pair in pairs] for g, pairs in self.about.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Statistics:
        return cls(int(data["generation"]), str(data["made"]), Figures.from_json(data["dataset"]),
                   {g: Figures.from_json(f) for g, f in data["graphs"].items()},
                   {g: [(p, o) for p, o in pairs] for g, pairs in data["about"].items()},
                   data.get("modified"), float(data.get("seconds", 0.0)))
