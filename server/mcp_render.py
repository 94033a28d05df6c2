"""What the MCP tools answer, as text for a model: compact tables, and an entity's description.

A table is tab-separated, under a line that counts its rows and says whether the answer was
cut. IRIs are shown as CURIEs wherever a predeclared prefix fits (a query may use them as
they are), else whole; literals by their value (and language tag); blank nodes as `_:id`.

>>> table = Table(("gene", "symbol"), [("HGNC:11935", "CD40LG")], cut=False)
>>> table.text().splitlines()
['1 row', 'gene\\tsymbol', 'HGNC:11935\\tCD40LG']
>>> print(Table(("n",), [("1",), ("2",)], cut=True, cap="at most 2 rows").text().splitlines()[0])
2 rows, cut (at most 2 rows): the answer has more rows than these
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ontology.identifiers import compress

from .entities import Entity, Node

JSON_RESULTS = "application/sparql-results+json"
ACCEPT = f"{JSON_RESULTS}, application/n-triples;q=0.9"  # solutions as JSON, triples line by line


@dataclass(frozen=True)
class Table:
    """Rows of display strings under named columns; `cut` when the answer had more."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    cut: bool = False
    cap: str = ""  # what cut it, in words
    boolean: bool | None = field(default=None)  # an ASK query's answer

    def head(self) -> str:
        if self.boolean is not None:
            return f"ASK: {str(self.boolean).lower()}"
        count = f"{len(self.rows)} row{'' if len(self.rows) == 1 else 's'}"
        if not self.cut:
            return count
        return f"{count}, cut{f' ({self.cap})' if self.cap else ''}: the answer has more rows than these"

    def text(self) -> str:
        if self.boolean is not None:
            return self.head()
        lines = [self.head(), "\t".join(self.columns), *("\t".join(row) for row in self.rows)]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        if self.boolean is not None:
            return {"boolean": self.boolean}
        return {"columns": list(self.columns), "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
                "row_count": len(self.rows), "cut": self.cut}


def _clean(text: str) -> str:
    """One line of a cell: tabs and line breaks as spaces."""
    return " ".join(text.split()) if any(c in text for c in "\t\r\n") else text


def iri_text(iri: str) -> str:
    return compress(iri) or iri


def _json_term(term: Mapping[str, Any] | None) -> str:
    """A term of SPARQL JSON results, shown."""
    if term is None:
        return ""
    kind, value = term.get("type"), str(term.get("value", ""))
    if kind == "uri":
        return iri_text(value)
    if kind == "bnode":
        return f"_:{value}"
    language = term.get("xml:lang")
    return _clean(value) + (f"@{language}" if language else "")


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return iri_text(term.value)
    if isinstance(term, ox.Literal):
        return _clean(term.value) + (f"@{term.language}" if term.language else "")
    return str(term)


def answer_table(body: bytes, media_type: str, *, cut: bool, cap: str) -> Table:
    """A worker's serialised answer (solutions or a boolean as SPARQL JSON, triples as
    N-Triples) as a table."""
    if media_type.startswith(JSON_RESULTS):
        document = json.loads(body)
        if "boolean" in document:
            return Table((), [], boolean=bool(document["boolean"]))
        columns = tuple(document["head"].get("vars", []))
        rows = [tuple(_json_term(binding.get(name)) for name in columns) for binding in document["results"]["bindings"]]
        return Table(columns, rows, cut, cap)
    triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    return Table(("subject", "predicate", "object"),
                 [(_term(t.subject), _term(t.predicate), _term(t.object)) for t in triples], cut, cap)


# -- an entity --------------------------------------------------------------------------------------

def node_text(node: Node | None) -> str:
    """A term of a description: an IRI's label with its CURIE (or IRI), a literal's value."""
    if node is None:
        return ""
    if node.kind != "iri":
        return _clean(node.value) + (f"@{node.language}" if node.language else "")
    name = iri_text(node.value)
    return f"{_clean(node.label)} ({name})" if node.label and node.label != name else name


def cell_text(cell: Sequence[Node | None]) -> str:
    """A column of a section's merged row: its values, each as `node_text` gives it, with "; "."""
    return "; ".join(node_text(node) for node in cell if node is not None)


def _sources(sources: Iterable[Any]) -> list[str]:
    return [" — ".join(part for part in (s.title, s.page or s.section) if part) for s in sources]


def entity_json(entity: Entity) -> dict[str, Any]:
    """The entity as its page shows it: the summary for its type (what its page leads with),
    names, types, links, facts with their sources, what points at it (counted, a sample named),
    and the saved queries' sections for its types."""
    return {
        "iri": entity.iri, "curie": compress(entity.iri), "label": entity.label,
        **({"summary": entity.summary.as_json()} if entity.summary else {}),
        "types": [node_text(t) for t in entity.types], "synonyms": entity.synonyms, "links": entity.links,
        "facts": [{"predicate": node_text(f.predicate), "object": node_text(f.object),
                   **({"sources": _sources(f.sources)} if f.sources else {})} for f in entity.facts],
        "incoming": [{"predicate": node_text(i.predicate), "count": i.count,
                      "subjects": [node_text(s) for s in i.subjects]} for i in entity.incoming],
        "sections": [{"title": t.title, "query": t.query, "columns": list(t.columns),
                      "rows": [dict(zip(t.columns, map(cell_text, row), strict=True)) for row in t.rows],
                      "more": t.more} for t in entity.tables],
    }


def lines(pairs: Sequence[tuple[str, object]]) -> str:
    """`name<TAB>value` lines."""
    return "\n".join(f"{name}\t{value}" for name, value in pairs)
