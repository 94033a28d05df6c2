"""The prefix tables of the data model page: every identifier space's IRI form, and the
vocabularies, from the same prefix map the graph, the endpoint and the CLI use."""

from __future__ import annotations

from ontology import PREFIXES
from ontology.identifiers import converter


def identifier_spaces() -> str:
    """A table of the identifier spaces: the CURIE prefix, the IRI it stands for, its synonyms."""
    lines = ["| prefix | IRI of `PREFIX:local` | also written |", "|---|---|---|"]
    for record in sorted(converter().records, key=lambda r: r.prefix.lower()):
        if record.prefix in PREFIXES:
            continue
        synonyms = ", ".join(f"`{s}`" for s in sorted(record.prefix_synonyms) if s != record.prefix)
        lines.append(f"| `{record.prefix}` | `{record.uri_prefix}…` | {synonyms} |")
    return "\n".join(lines) + "\n"


def vocabularies() -> str:
    """A table of the vocabulary prefixes (ours, RDF's, Biolink …), in the map's order."""
    lines = ["| prefix | namespace |", "|---|---|"]
    lines += [f"| `{prefix}` | `{iri}` |" for prefix, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n"
