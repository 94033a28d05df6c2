"""Entity search for autocompletion: labels and synonyms, ignoring case and diacritics.

Exact matches rank before prefix matches, which rank before substring matches; shorter names
first within a rank. A worker reads the names (`names`); the index over them is built once per
version of the store.

>>> normalize("Sjögren  SYNDROME")
'sjogren syndrome'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from kg.store import Store
from ontology.identifiers import compress

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?name ?kind WHERE {
  { ?s rdfs:label ?name BIND("label" AS ?kind) } UNION { ?s skos:altLabel ?name BIND("synonym" AS ?kind) }
  FILTER(isIRI(?s))
}"""


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class Name:
    iri: str
    name: str
    key: str
    kind: str  # label or synonym


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    rank: int  # 0 exact, 1 prefix, 2 substring

    def as_json(self) -> dict[str, object]:
        return {"iri": self.iri, "curie": compress(self.iri), "label": self.label, "matched": self.matched,
                "rank": self.rank}


def names(store: Store) -> list[tuple[str, str, str]]:
    """(IRI, name, "label" or "synonym") for every named entity; run in a worker."""
    return [(row["s"].value, row["name"].value, row["kind"].value) for row in store.query(LABELS)]


class SearchIndex:
    """Names of entities, normalised for matching."""

    def __init__(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self._names = [Name(iri, name, normalize(name), kind) for iri, name, kind in rows]
        self._labels: dict[str, str] = {}
        for iri, name, kind in rows:
            if kind == "label":
                self._labels.setdefault(iri, name)

    def search(self, text: str, limit: int = 20) -> list[Hit]:
        wanted = normalize(text)
        if not wanted:
            return []
        labels = self._labels
        best: dict[str, Hit] = {}
        for name in self._names:
            if wanted not in name.key:
                continue
            rank = 0 if name.key == wanted else 1 if name.key.startswith(wanted) else 2
            hit = Hit(name.iri, labels.get(name.iri, name.name), name.name, rank)
            current = best.get(name.iri)
            if current is None or (hit.rank, len(hit.matched)) < (current.rank, len(current.matched)):
                best[name.iri] = hit
        ordered = sorted(best.values(), key=lambda h: (h.rank, len(h.matched), h.label.casefold(), h.iri))
        return ordered[:limit]
