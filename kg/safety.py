"""What an operation may not do here, decided on its parse tree: SERVICE outside the allow-list,
LOAD, and any file: IRI. Oxigraph would otherwise fetch such IRIs itself. The server and the
CLI both ask here before the engine sees an operation.

>>> from kg.settings import Settings
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", Settings())
Traceback (most recent call last):
...
kg.safety.Refused: SERVICE is disabled here (federation is off; see KG_SERVICE_ALLOW)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .inspection import Shape, inspect_query, inspect_update
from .settings import Settings


class Refused(ValueError):
    """An operation this service will not run (HTTP 403)."""


class Malformed(ValueError):
    """An operation that cannot be run as given (HTTP 400)."""

_RISKY = re.compile(r"service|load|file:|\\u", re.IGNORECASE)


def _unparsed(text: str) -> None:
    """rdflib could not parse it: let the engine judge it only if nothing risky can be in it."""
    if _RISKY.search(text):
        raise Malformed("the operation could not be parsed to check its SERVICE, LOAD and file: IRIs")


def _check_services(shape: Shape, settings: Settings) -> None:
    for endpoint in shape.services:
        if not settings.federation:
            raise Refused("SERVICE is disabled here (federation is off; see KG_SERVICE_ALLOW)")
        if not any(endpoint.startswith(prefix) for prefix in settings.service_allow):
            raise Refused(f"SERVICE <{endpoint}> is not on the allow-list (KG_SERVICE_ALLOW)")


def check_dataset(iris: Iterable[str]) -> None:
    """Graph IRIs given as protocol parameters name local graphs only."""
    for iri in iris:
        if iri.lower().startswith("file:"):
            raise Refused(f"file: IRIs are refused: <{iri}>")


def _check(shape: Shape, text: str, settings: Settings) -> None:
    if not shape.parsed:
        _unparsed(text)
        return
    if shape.file_iris:
        raise Refused(f"file: IRIs are refused: <{shape.file_iris[0]}>")
    if shape.loads:
        raise Refused("LOAD is refused: data is never fetched on a client's behalf")
    _check_services(shape, settings)


def check_query(text: str, settings: Settings) -> None:
    """Raise 403 (or 400 when unverifiable) for a query this server will not run."""
    _check(inspect_query(text), text, settings)


def check_update(text: str, settings: Settings, *, using_parameters: bool) -> None:
    """As check_query, and 400 for using-graph-uri beside USING or WITH (SPARQL 1.1 Protocol 2.2.3)."""
    shape = inspect_update(text)
    _check(shape, text, settings)
    if using_parameters and shape.using_or_with:
        raise Malformed("using-graph-uri / using-named-graph-uri may not be combined with USING or WITH")
