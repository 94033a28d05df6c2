"""Regenerate the files derived from the ontology and from bioregistry.

    python -m ontology.generate            # writes ontology/namespace.py and ontology/prefixes.json

`namespace.py` lists every term of `higm.ttl` as a `DefinedNamespace` attribute, so a typo in a
term name is an error. `prefixes.json` holds the bioregistry-preferred URI prefix of every
identifier space the graph uses; it is generated here so that the running system needs only
`curies`, not the whole registry. Tests regenerate both and compare.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

HERE = Path(__file__).parent
ONTOLOGY_FILE = HERE / "higm.ttl"
NAMESPACE_FILE = HERE / "namespace.py"
PREFIXES_FILE = HERE / "prefixes.json"
VOCAB = "https://w3id.org/higm-kg/vocab#"

# The identifier spaces the graph uses, by bioregistry prefix.
REGISTRY_PREFIXES = (
    "mondo", "hp", "cl", "go", "ro", "ncit", "doid", "hgnc", "ncbigene", "ensembl", "uniprot",
    "omim", "orphanet", "medgen", "umls", "snomedct", "gard", "nord", "pubmed", "pmc", "doi",
    "ncbibook", "decipher", "mesh",
)
# A prefix map cannot carry a suffix: bioregistry's PubMed URI format is
# https://pubmed.ncbi.nlm.nih.gov/$1/ (trailing slash), and its converter then falls back to a
# bioregistry.io resolver IRI. We keep PubMed's own host without the trailing slash.
URI_PREFIX_OVERRIDES = {"pubmed": "https://pubmed.ncbi.nlm.nih.gov/"}
# Of bioregistry's many prefix synonyms, keep the case variants and these common spellings
# (bioregistry lists e.g. STRING as a synonym of uniprot, which would mislead a reader).
COMMON_SYNONYMS = {
    "uniprot": {"uniprotkb"}, "pubmed": {"pmid"}, "snomedct": {"sctid"}, "pmc": {"pmcid"},
    "omim": {"mim"}, "orphanet": {"orpha", "ordo"}, "decipher": set(), "mesh": {"msh"},
}


def namespace_source(ontology: Graph) -> str:
    """Render the Python module for every term of the ontology in the kg namespace."""
    terms = sorted(
        str(s)[len(VOCAB):]
        for s in set(ontology.subjects())
        if isinstance(s, URIRef) and str(s).startswith(VOCAB)
    )
    lines = [
        '"""The kg vocabulary as an rdflib DefinedNamespace.',
        "",
        "Generated from ontology/higm.ttl by `python -m ontology.generate`; do not edit.",
        '"""',
        "",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        "",
        "class KG(DefinedNamespace):",
        '    """Terms of the HIGM knowledge-graph vocabulary."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{VOCAB}")',
        "",
    ]
    for name in terms:
        label = ontology.value(URIRef(VOCAB + name), RDFS.label)
        lines.append(f"    {name}: URIRef  # {label}")
    return "\n".join(lines) + "\n"


def prefix_records() -> list[dict[str, object]]:
    """Bioregistry's preferred prefixes and URI prefixes for the identifier spaces we use."""
    import bioregistry  # a test/dev dependency only

    converter = bioregistry.manager.get_converter(
        prefix_priority=["preferred", "default"], uri_prefix_priority=["default", "bioregistry"]
    )
    records = []
    for prefix in REGISTRY_PREFIXES:
        record = converter.get_record(prefix)
        if record is None:
            raise LookupError(f"bioregistry has no prefix {prefix!r}")
        uri_prefix = URI_PREFIX_OVERRIDES.get(prefix, record.uri_prefix)
        wanted = {prefix, record.prefix.lower(), *COMMON_SYNONYMS.get(prefix, ())}
        synonyms = {s for s in record.prefix_synonyms if s.lower() in wanted}
        synonyms |= {prefix, prefix.upper()}
        synonyms.discard(record.prefix)
        records.append({
            "prefix": record.prefix,
            "uri_prefix": uri_prefix,
            "prefix_synonyms": sorted(synonyms),
        })
    return records


def main() -> None:
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    NAMESPACE_FILE.write_text(namespace_source(ontology), encoding="utf-8")
    PREFIXES_FILE.write_text(json.dumps(prefix_records(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {NAMESPACE_FILE.name} and {PREFIXES_FILE.name}")


if __name__ == "__main__":
    main()
