"""Whether a query names its own dataset (FROM / FROM NAMED), read from the parsed query.

The union default graph must not override a query's own FROM, and the engine applies the
union to every query it is asked to, so the facade asks this first. Parsing is skipped when
the text cannot hold the keyword at all.

>>> declares_dataset("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
True
>>> declares_dataset("SELECT * WHERE { ?s <http://example.org/from> ?o }")
False
"""

from __future__ import annotations

from functools import lru_cache

from pyparsing.exceptions import ParseException
from rdflib.plugins.sparql.parser import parseQuery


@lru_cache(maxsize=1024)
def declares_dataset(sparql: str) -> bool:
    if "from" not in sparql.lower():
        return False
    try:
        parsed = parseQuery(sparql)
    except ParseException:
        return False  # the engine's parser reports the error, with its own line and column
    return "datasetClause" in parsed[1].keys()
