"""The catalogue of saved queries, written from their `#+` headers."""

from __future__ import annotations

from pathlib import Path

from kg.saved_queries import Parameter, SavedQuery, load_queries
from ontology.identifiers import compress

from . import ROOT


def _value(text: str) -> str:
    curie = compress(text) if text.startswith(("http://", "https://")) else None
    return f"`{curie or text}`".replace("|", "\\|")


def _parameter(parameter: Parameter) -> str:
    facts = [parameter.type, "required" if parameter.required else "optional"]
    facts += [f"default {_value(parameter.default)}"] if parameter.default is not None else []
    facts += [f"example {_value(parameter.example)}"] if parameter.example is not None else []
    described = f": {parameter.description}" if parameter.description else ""
    return f"- `{parameter.name}` ({', '.join(facts)}){described}"


def _examples(query: SavedQuery) -> list[str]:
    if not query.example:
        return []
    columns = list(dict.fromkeys(name for row in query.example for name in row))
    lines = ["Rows its answer includes (checked by the tests):", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_value(str(row[c])) if c in row else "" for c in columns) + " |"
              for row in query.example]
    return lines + [""]


def _entry(query: SavedQuery) -> list[str]:
    lines = [f"### `{query.name}`", "", f"**{query.summary}.** {query.description}".strip(), "",
             f"Tags: {', '.join(query.tags)}. Form: {query.form}.", ""]
    if query.parameters:
        lines += ["Parameters:", "", *(_parameter(p) for p in query.parameters), ""]
    if query.section:
        types = ", ".join(_value(t) for t in query.section.types)
        lines += [(f"On entity pages: the section \"{query.section.title}\" of every {types}, "
                  f"with the entity as `{query.section.parameter}`."), ""]
    lines += _examples(query)
    lines += [f"Run it: `kg query {query.name}`, or `GET /api/queries/{query.name}`.", ""]
    return lines


def catalogue(folder: Path = ROOT / "queries") -> str:
    """The catalogue as Markdown: an index table, then one entry per query by name."""
    queries = sorted(load_queries(folder).values(), key=lambda q: q.name)
    lines = ["| query | summary | tags |", "|---|---|---|"]
    lines += [f"| [`{q.name}`](#{q.name}) | {q.summary} | {', '.join(q.tags)} |" for q in queries]
    lines.append("")
    for query in queries:
        lines += _entry(query)
    return "\n".join(lines)
