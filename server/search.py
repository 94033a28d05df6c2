"""Entity search for autocompletion: labels and synonyms, ignoring case and diacritics.

Exact matches rank before prefix matches, which rank before substring matches; shorter names
first within a rank. The index is built from the store once per version of it.

>>> normalize("Sjögren  SYNDROME")
'sjogren syndrome'
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
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


class SearchIndex:
    """Names of entities, rebuilt when `version()` moves on."""

    def __init__(self, store: Store, version: Callable[[], int]) -> None:
        self._store, self._version = store, version
        self._built: tuple[int, list[Name], dict[str, str]] | None = None
        self._lock = threading.Lock()

    def _names(self) -> tuple[list[Name], dict[str, str]]:
        version = self._version()
        with self._lock:
            if self._built is None or self._built[0] != version:
                names, labels = [], {}
                for row in self._store.query(LABELS):
                    iri, name, kind = row["s"].value, row["name"].value, row["kind"].value
                    names.append(Name(iri, name, normalize(name), kind))
                    if kind == "label":
                        labels.setdefault(iri, name)
                self._built = (version, names, labels)
            return self._built[1], self._built[2]

    def search(self, text: str, limit: int = 20) -> list[Hit]:
        wanted = normalize(text)
        if not wanted:
            return []
        names, labels = self._names()
        best: dict[str, Hit] = {}
        for name in names:
            if wanted not in name.key:
                continue
            rank = 0 if name.key == wanted else 1 if name.key.startswith(wanted) else 2
            hit = Hit(name.iri, labels.get(name.iri, name.name), name.name, rank)
            current = best.get(name.iri)
            if current is None or (hit.rank, len(hit.matched)) < (current.rank, len(current.matched)):
                best[name.iri] = hit
        ordered = sorted(best.values(), key=lambda h: (h.rank, len(h.matched), h.label.casefold(), h.iri))
        return ordered[:limit]
