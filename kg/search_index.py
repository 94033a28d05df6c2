"""Entity search: a full-text index of every entity's labels, synonyms, CURIEs and definitions.

The index is tantivy's (a Rust search library, Lucene's design, with Python bindings), kept in
`<store>.products/search/`. It is built when data is loaded (`build`) and kept current after
writes (`update`, for the subjects a write touched); a request only reads it. Why tantivy
rather than SQLite's FTS5, which the standard library has: it has typo tolerance within one edit
(Levenshtein automata over the term dictionary: FTS5 has none), prefix and phrase queries on
words and on whole names, results ordered by a fast field (our ranking) rather than only by
BM25, on-disk immutable segments that a writer in one process commits while readers in others
go on, and a reader per process that picks up a new commit cheaply.

One document per name: the entity's IRI, the name's normalised text as one term (`key`: exact
and whole-name prefix matches), its words (`names`, or `definition` for a definition; lower
case, diacritics folded), the entity's filter kinds (`types`), and a 64-bit `order` that sorts
its hits. Search runs the tiers below in turn, each from the index, until `limit` entities are
found; an entity found in one tier is not repeated in the next:

| rank | tier | e.g. for "cd40" |
|---|---|---|
| 0 | exact: the whole name (or CURIE) is the text | CD40 |
| 1 | prefix: the whole name starts with the text | CD40LG, CD40 ligand |
| 2 | words: the text's words in order, the last one a word prefix, then in any order (and in definitions) | Reduced T cell CD40 expression |
| 3 | typos: each word of four letters or more within one edit (the last, of a word's start) | neutropnia |

Within a rank: labels before synonyms before CURIEs before definitions, then shorter names,
then names in code-point order, then IRIs. Case and diacritics never matter. The text is
always plain text, cut at 200 characters and eight words: it is never parsed as tantivy's
query language (`title:x OR *` is looked for as those characters).

>>> Searcher(Path("/nonexistent")).search("cd40")
[]
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from .search_entities import KINDS, NAME_KINDS, Entity, Name, batches, normalize, read

Report = Callable[[str], None]
MARK = "kg-search.json"  # beside tantivy's files: our schema's version, so an older index is rebuilt
SCHEMA_VERSION = 2  # 2: the endpoint's descriptions of itself (graph/examples, graph/void) left out
WORDS = "kg_words"  # our analyzer: simple tokenizer, long tokens dropped, lower case, ASCII folding
MAX_TEXT, MAX_WORDS, MAX_KEY, MAX_DEFINITION = 200, 8, 1000, 10_000
TYPO_MIN = 4  # letters a word needs before one edit is allowed
HEAP = 64_000_000  # the writer's memory before it writes a segment


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("iri", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("key", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("names", tokenizer_name=WORDS, index_option="position")
    builder.add_text_field("definition", tokenizer_name=WORDS, index_option="position")
    builder.add_text_field("types", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("order", fast=True)
    builder.add_bytes_field("hit", stored=True)
    return builder.build()


SCHEMA = _schema()
ANALYZER = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())


@dataclass(frozen=True)
class Hit:
    iri: str
    curie: str | None
    label: str
    matched: str  # the name, CURIE or definition that matched
    kind: str  # label, synonym, curie or definition
    types: tuple[str, ...]  # filter kinds: condition, gene, protein, phenotype, publication
    rank: int  # 0 exact, 1 prefix, 2 words, 3 typos

    def as_json(self) -> dict[str, object]:
        return {"iri": self.iri, "curie": self.curie, "label": self.label, "matched": self.matched,
                "kind": self.kind, "types": list(self.types), "rank": self.rank}


def sort_key(kind: str, text: str, iri: str) -> tuple[int, int, bytes, str]:
    """The order of hits within one rank; `order_of` packs its start into 64 bits."""
    return NAME_KINDS.index(kind), min(len(text), 4095), text.encode(), iri


def order_of(kind: str, text: str) -> int:
    kind_order, length, data, _ = sort_key(kind, text, "")
    return kind_order << 62 | length << 50 | int.from_bytes(data[:6].ljust(6, b"\0")) << 2


def _document(entity: Entity, record: dict[str, Any], name: Name) -> tantivy.Document:
    text = normalize(name.text[:MAX_DEFINITION])
    doc = tantivy.Document()
    doc.add_text("iri", entity.iri)
    if name.kind == "definition":
        doc.add_text("definition", text)
    else:
        doc.add_text("names", text)
        if len(text) <= MAX_KEY:
            doc.add_text("key", text)
    for kind in entity.kinds:
        doc.add_text("types", kind)
    doc.add_unsigned("order", order_of(name.kind, text))
    doc.add_bytes("hit", json.dumps({**record, "matched": name.text, "kind": name.kind, "sort": text}).encode())
    return doc


def _add(writer: tantivy.IndexWriter, entity: Entity) -> int:
    record, names = entity.as_record(), entity.names()
    for name in names:
        writer.add_document(_document(entity, record, name))
    return len(names)


# -- the folder ---------------------------------------------------------------------------------

def _compatible(folder: Path) -> bool:
    try:
        mark = json.loads((folder / MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return mark == {"schema": SCHEMA_VERSION} and tantivy.Index.exists(str(folder))


def _open(folder: Path) -> tantivy.Index:
    index = tantivy.Index.open(str(folder))
    index.register_tokenizer(WORDS, ANALYZER)
    return index


def _writable(folder: Path) -> tantivy.Index:
    """The index in `folder`, made anew when missing or of another schema (unmarked until its
    first commit, so that readers say it is being made rather than find it empty)."""
    if _compatible(folder):
        return _open(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
    index.register_tokenizer(WORDS, ANALYZER)
    return index


def _commit(writer: tantivy.IndexWriter) -> None:
    writer.commit()
    writer.wait_merging_threads()


def build(store: Any, folder: Path, *, report: Report | None = None) -> int:
    """Index every entity of `store` into `folder` (one commit: readers see the old index until
    it lands); how many entities."""
    started = time.monotonic()
    entities = read(store)
    if report:
        report(f"search: read {len(entities):,} entities in {time.monotonic() - started:.1f} s")
    writer = _writable(Path(folder)).writer(heap_size=HEAP, num_threads=1)
    writer.delete_all_documents()
    names = sum(_add(writer, entity) for entity in entities.values())
    _commit(writer)
    (Path(folder) / MARK).write_text(json.dumps({"schema": SCHEMA_VERSION}), encoding="utf-8")
    if report:
        report(f"search: indexed {len(entities):,} entities ({names:,} names) in {time.monotonic() - started:.1f} s")
    return len(entities)


def update(store: Any, folder: Path, subjects: Iterable[str], *, report: Report | None = None) -> int:
    """Index `subjects` again from `store`: each with its names now, or none when it has none
    left; how many of them are in the index now. FileNotFoundError when there is no index."""
    folder = Path(folder)
    if not _compatible(folder):
        raise FileNotFoundError(f"no search index in {folder}; build it first")
    writer = _open(folder).writer(heap_size=HEAP, num_threads=1)
    kept = asked = 0
    for batch in batches(subjects):
        entities = read(store, batch)
        for iri in batch:
            writer.delete_documents_by_term("iri", iri)
            entity = entities.get(iri)
            kept += bool(entity and _add(writer, entity))
        asked += len(batch)
    _commit(writer)
    if report:
        report(f"search: indexed {asked:,} subjects again, {kept:,} with names")
    return kept


# -- searching ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Wanted:
    key: str  # the whole text, normalised
    words: tuple[str, ...]


def wanted(text: str) -> Wanted | None:
    key = normalize(text[:MAX_TEXT])
    return Wanted(key, tuple(ANALYZER.analyze(key)[:MAX_WORDS])) if key else None


def _typo_tolerant(word: str) -> bool:
    """Words of letters only (an identifier's digits are never guessed at), TYPO_MIN or more."""
    return len(word) >= TYPO_MIN and word.isalpha()


def _word(field: str, word: str, *, last: bool, typo: bool = False) -> Query:
    distance = 1 if typo and _typo_tolerant(word) else 0
    if distance == 0 and not last:
        return Query.term_query(SCHEMA, field, word)
    return Query.fuzzy_term_query(SCHEMA, field, word, distance=distance, transposition_cost_one=True, prefix=last)


def _all(field: str, words: tuple[str, ...], *, typo: bool = False) -> Query:
    last = len(words) - 1
    return Query.boolean_query([(Occur.Must, _word(field, w, last=i == last, typo=typo)) for i, w in enumerate(words)])


def _tiers(want: Wanted) -> list[tuple[int, Query]]:
    tiers = [(0, Query.term_query(SCHEMA, "key", want.key)),
             (1, Query.fuzzy_term_query(SCHEMA, "key", want.key, distance=0, prefix=True))]
    if len(want.words) > 1:
        tiers.append((2, Query.phrase_prefix_query(SCHEMA, "names", list(want.words))))
    if want.words:
        tiers.append((2, Query.boolean_query([(Occur.Should, _all("names", want.words)),
                                              (Occur.Should, _all("definition", want.words))])))
    if any(_typo_tolerant(w) for w in want.words):
        tiers.append((3, _all("names", want.words, typo=True)))
    return tiers


def _ranked(searcher: tantivy.Searcher, query: Query, rank: int, need: int, seen: Collection[str]) -> list[Hit]:
    """The first `need` entities not in `seen` that `query` finds, in order: hits are fetched
    in the order of the `order` field, and only groups of equal order seen whole are used."""
    size = max(4 * need, 32)
    while True:
        hits = searcher.search(query, size, count=False, order_by_field="order", order=tantivy.Order.Asc).hits
        exhausted = len(hits) < size
        whole = hits if exhausted else [h for h in hits if h[0] < hits[-1][0]]
        records = [json.loads(bytes(searcher.doc(address)["hit"][0])) for _, address in whole]
        records.sort(key=lambda r: sort_key(r["kind"], r["sort"], r["iri"]))
        found: dict[str, Hit] = {}
        for r in records:
            if r["iri"] not in seen and r["iri"] not in found:
                found[r["iri"]] = Hit(r["iri"], r["curie"], r["label"], r["matched"], r["kind"], tuple(r["types"]), rank)
        if exhausted or len(found) >= need:
            return list(found.values())[:need]
        size *= 4


class Searcher:
    """Reads the index in `folder`; a commit made since the last search (by another process
    too) is picked up by the next search, which looks at the index's `meta.json` (one stat)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._index: tantivy.Index | None = None

    def _current(self) -> tantivy.Index | None:
        try:
            meta, mark = (self.folder / "meta.json").stat(), (self.folder / MARK).stat()
        except OSError:
            return None
        signature = (meta.st_ino, meta.st_mtime_ns, meta.st_size, mark.st_ino, mark.st_mtime_ns)  # the mark comes last
        with self._lock:
            if signature != self._seen:
                self._index = _open(self.folder) if _compatible(self.folder) else None
                self._seen = signature
            return self._index

    @property
    def ready(self) -> bool:
        """Whether there is an index to search (False while the first one is being made)."""
        return self._current() is not None

    def search(self, text: str, *, types: Collection[str] | None = None, limit: int = 20) -> list[Hit]:
        """Up to `limit` entities for `text`, best first; only those of `types` when given.
        ValueError for a type that is not one of KINDS."""
        unknown = set(types or ()) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown types {sorted(unknown)}; use {', '.join(KINDS)}")
        want, index = wanted(text), self._current()
        if want is None or index is None or limit < 1:
            return []
        searcher = index.searcher()
        only = Query.term_set_query(SCHEMA, "types", sorted(types)) if types else None
        found: dict[str, Hit] = {}
        for rank, query in _tiers(want):
            if only is not None:
                query = Query.boolean_query([(Occur.Must, query), (Occur.Must, only)])
            for hit in _ranked(searcher, query, rank, limit - len(found), found):
                found[hit.iri] = hit
            if len(found) >= limit:
                break
        return list(found.values())
