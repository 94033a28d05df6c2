"""Read a curated YAML file into records: text in, records out, no RDF.

Every structural problem is a LoadError naming the file, the line and the top-level section.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ontology.identifiers import expand

from .. import yaml_lines
from ..errors import LoadError, decode_utf8
from .records import Dataset, Entity, Evidence, Publication, Source, Statement

CURATED = "a curated YAML file"  # what a file given to this loader is said not to be

SECTIONS = ("graph", "title", "version", "sources", "entities", "statements", "publications")


class _Reader:
    """Walks the parsed YAML, knowing which file and section it is in for error messages."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.section: str | None = None

    def fail(self, message: str, line: int | None) -> LoadError:
        return LoadError(self.file, message, line=line, section=self.section)

    def mapping(self, value: Any, what: str, line: int) -> yaml_lines.Mapping:
        if not isinstance(value, yaml_lines.Mapping):
            raise self.fail(f"{what} must be a mapping", line)
        return value

    def fields(self, node: yaml_lines.Mapping, what: str, required: set[str], optional: set[str]) -> None:
        missing = sorted(required - node.keys())
        if missing:
            raise self.fail(f"{what} lacks {', '.join(missing)}", node.line)
        unknown = sorted(node.keys() - required - optional)
        if unknown:
            raise self.fail(f"{what} has unknown field(s) {', '.join(map(str, unknown))}", node.line)

    def text(self, node: yaml_lines.Mapping, key: str, what: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"{what}: {key} must be text", node.line)
        return str(value)

    def names(self, value: Any, what: str, line: int) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{what} must be a list of text", line)
        return tuple(value)

    def evidence(self, value: Any, what: str, line: int) -> tuple[Evidence, ...]:
        items = [value] if isinstance(value, str) else value
        if not items or not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise self.fail(f"{what}: 'from' must name a source, as source or source#section", line)
        return tuple(Evidence.parse(v) for v in items)

    def grouped(self, node: yaml_lines.Mapping, key: str, what: str) -> tuple[tuple[str, Evidence], ...]:
        """A `{evidence: [values]}` block, such as synonyms grouped by where they come from."""
        groups = node.get(key) or yaml_lines.Mapping()
        groups = self.mapping(groups, f"{what}: {key}", node.line)
        return tuple(
            (value, evidence)
            for source, values in groups.items()
            for evidence in self.evidence(source, what, groups.line)
            for value in self.names(values, f"{what}: {key}", groups.line)
        )

    def source(self, key: str, node: yaml_lines.Mapping) -> Source:
        what = f"source {key!r}"
        self.fields(node, what, {"title"}, {"iri", "id", "publisher", "modified", "version", "mint", "sections"})
        if ("iri" in node) == ("id" in node):
            raise self.fail(f"{what} needs exactly one of iri (a URL) or id (a CURIE of the record)", node.line)
        sections = self.mapping(node.get("sections") or yaml_lines.Mapping(), what, node.line)
        modified = node.get("modified")
        if modified is not None and not isinstance(modified, datetime.date):
            raise self.fail(f"{what}: modified must be a date such as 2023-02-06", node.line)
        if sections and not node.get("mint"):
            raise self.fail(f"{what}: sections need 'mint', the path of the section nodes", node.line)
        return Source(
            key=key, iri=self.record_iri(node, what), title=str(node["title"]), line=node.line,
            publisher=self.text(node, "publisher", what), modified=modified,
            version=self.text(node, "version", what), mint=self.text(node, "mint", what),
            sections=tuple((str(k), str(v)) for k, v in sections.items()),
        )

    def record_iri(self, node: yaml_lines.Mapping, what: str) -> str:
        if "iri" in node:
            return str(node["iri"])
        try:
            return str(expand(str(node["id"])))
        except ValueError as error:
            raise self.fail(f"{what}: {error}", node.line) from None

    def statement(self, node: Any, subject: str | None, default: tuple[Evidence, ...] | None, line: int) -> Statement:
        node = self.mapping(node, "a statement", line)
        what = f"statement on line {node.line}"
        subject = subject or self.text(node, "s", what)
        if not subject or "p" not in node or ("o" in node) == ("v" in node):
            raise self.fail(f"{what} needs s (outside an entity), p, and exactly one of o or v", node.line)
        if "from" not in node and default is None:
            raise self.fail(f"{what} needs 'from'", node.line)
        evidence = self.evidence(node["from"], what, node.line) if "from" in node else default
        qualifiers = tuple(
            (str(k), str(v)) for k, v in node.items() if k not in {"s", "p", "o", "v", "from", "wording"}
        )
        value = node.get("v")
        if value is not None and not isinstance(value, str | int | bool | datetime.date):
            raise self.fail(f"{what}: v must be text, a number, true/false or a date", node.line)
        return Statement(
            subject=subject, predicate=str(node["p"]), evidence=evidence, line=node.line,
            object=self.text(node, "o", what), value=value, qualifiers=qualifiers,
            wording=self.text(node, "wording", what),
        )

    def entity(self, key: str, node: yaml_lines.Mapping) -> tuple[Entity, list[Statement]]:
        what = f"entity {key!r}"
        self.fields(node, what, {"type", "label", "from"},
                    {"id", "mint", "synonyms", "exact_matches", "xrefs", "statements"})
        if ("id" in node) == ("mint" in node):
            raise self.fail(f"{what} needs exactly one of id (an external CURIE) or mint", node.line)
        evidence = self.evidence(node["from"], what, node.line)
        statements = node.get("statements") or yaml_lines.Sequence()
        entity = Entity(
            key=key, type=str(node["type"]), label=str(node["label"]), evidence=evidence,
            line=node.line, id=self.text(node, "id", what), mint=self.text(node, "mint", what),
            synonyms=self.grouped(node, "synonyms", what),
            exact_matches=self.grouped(node, "exact_matches", what),
            xrefs=self.grouped(node, "xrefs", what),
        )
        return entity, [self.statement(s, key, evidence, node.line) for s in statements]

    def publication(self, key: str, node: yaml_lines.Mapping) -> Publication:
        what = f"publication {key!r}"
        self.fields(node, what, {"title", "authors", "journal", "year", "from"},
                    {"issued", "volume", "issue", "pages", "doi", "pmid", "pmcid", "bookshelf",
                     "editors", "publisher", "ids_from"})
        if not isinstance(node["year"], int):
            raise self.fail(f"{what}: year must be a number", node.line)
        if not node.get("doi") and not node.get("pmid"):
            raise self.fail(f"{what} needs a doi or a pmid to be identified by", node.line)
        if (node.get("pmid") or node.get("pmcid")) and "ids_from" not in node:
            raise self.fail(f"{what}: a pmid or pmcid needs 'ids_from', where it was verified", node.line)
        texts = {k: self.text(node, k, what) for k in
                 ("issued", "volume", "issue", "pages", "doi", "pmid", "pmcid", "bookshelf", "publisher")}
        return Publication(
            key=key, title=str(node["title"]), journal=str(node["journal"]), year=node["year"],
            authors=self.names(node["authors"], f"{what}: authors", node.line),
            editors=self.names(node.get("editors") or [], f"{what}: editors", node.line),
            evidence=self.evidence(node["from"], what, node.line), line=node.line,
            id_evidence=self.evidence(node["ids_from"], what, node.line) if "ids_from" in node else (),
            **texts,
        )

    def keyed(self, root: yaml_lines.Mapping, section: str, build: Callable[[str, Any], Any]) -> list[Any]:
        self.section = section
        block = self.mapping(root.get(section) or yaml_lines.Mapping(), section, root.line)
        return [build(str(k), self.mapping(v, f"{section} {k!r}", block.line)) for k, v in block.items()]

    def dataset(self, root: Any) -> Dataset:
        if not isinstance(root, yaml_lines.Mapping):
            raise self.fail("the file must be a YAML mapping with sections " + ", ".join(SECTIONS), 1)
        self.fields(root, "the file", {"graph", "title", "version", "sources", "entities"},
                    {"statements", "publications"})
        sources = self.keyed(root, "sources", self.source)
        pairs = self.keyed(root, "entities", self.entity)
        self.section = "statements"
        listed = root.get("statements") or yaml_lines.Sequence()
        statements = [s for _, inline in pairs for s in inline]
        statements += [self.statement(s, None, None, listed.line) for s in listed]
        publications = self.keyed(root, "publications", self.publication)
        return Dataset(
            graph=str(root["graph"]), title=str(root["title"]), version=str(root["version"]),
            sources=tuple(sources), entities=tuple(e for e, _ in pairs),
            statements=tuple(statements), publications=tuple(publications),
        )


def parse(text: str, file: str) -> Dataset:
    """Records from the text of a curated file; `file` names it in errors."""
    try:
        root = yaml_lines.load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        section = yaml_lines.top_level_key_at(text, line) if line else None
        raise LoadError(file, f"YAML syntax: {error.problem}", line=line, section=section) from None
    return _Reader(file).dataset(root)


def read(path: Path) -> Dataset:
    """Records from a curated file on disk."""
    return parse(decode_utf8(path.read_bytes(), str(path), CURATED), str(path))
