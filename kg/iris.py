"""IRIs as the engine reads them: references resolved against a base, prefixed names expanded.

Resolution goes through Oxigraph's own IRI resolver (by way of its Turtle parser), so what a
check concludes about an IRI is what the engine will use.

>>> resolve("../b", "http://example.org/a/c")
'http://example.org/b'
>>> expand_local("http://example.org/", "a\\\\#b")
'http://example.org/a#b'
>>> scheme("\\\\u0066ile:///etc/passwd", None)
'file'
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def unescape(reference: str) -> str:
    """An IRI reference with its codepoint escapes (`\\u0041`, `\\U00000041`) replaced."""
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), reference)


CACHED_LENGTH = 512  # longer references (and bases) are resolved afresh: a cache keyed by them could grow large


def resolve(reference: str, base: str | None) -> str:
    """The absolute IRI of `reference` (the text between `<` and `>`); ValueError if there is none."""
    if len(reference) + len(base or "") <= CACHED_LENGTH:
        return _cached_resolve(reference, base)
    return _resolve(reference, base)


@lru_cache(maxsize=4096)
def _cached_resolve(reference: str, base: str | None) -> str:
    return _resolve(reference, base)


def _resolve(reference: str, base: str | None) -> str:
    document = f"<{reference}> <urn:x-kg:p> <urn:x-kg:o> .".encode()
    try:
        [quad] = ox.parse(document, format=ox.RdfFormat.TURTLE, base_iri=base)
    except (SyntaxError, ValueError) as error:
        raise ValueError(f"<{reference}> is not an IRI here: {error}") from None
    return quad.subject.value


def expand_local(namespace: str, local: str) -> str:
    """A prefixed name's IRI: the namespace, then the local part with its `\\` escapes removed."""
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)


def scheme(reference: str, base: str | None) -> str | None:
    """The scheme an IRI reference has once resolved, in lower case, without resolving it."""
    found = _SCHEME.match(unescape(reference)) or (_SCHEME.match(base) if base else None)
    return found.group()[:-1].lower() if found else None
