"""YAML reading that keeps the line of every mapping and list, and refuses duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers the 1-based line it starts on."""

    line: int = 0


class Sequence(list[Any]):
    """A YAML sequence that remembers the 1-based line it starts on."""

    line: int = 0


class DuplicateKeyError(yaml.MarkedYAMLError):
    """The same key twice in one mapping: YAML would silently keep only the last."""


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise DuplicateKeyError(
                problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
            )
        seen.add(key)
    mapping = Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    sequence = Sequence(loader.construct_sequence(node, deep=True))
    sequence.line = node.start_mark.line + 1
    return sequence


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(text: str) -> Any:
    """Parse YAML text; yaml.MarkedYAMLError carries the line of a syntax error."""
    return yaml.load(text, Loader=_Loader)


def top_level_key_at(text: str, line: int) -> str | None:
    """The top-level key whose block holds `line`: the section of a syntax error."""
    section = None
    for number, content in enumerate(text.splitlines()[:line], start=1):
        if content[:1].isalpha() and ":" in content:
            section = content.split(":", 1)[0]
        if number >= line:
            break
    return section
