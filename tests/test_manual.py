"""The README and the manual: every fenced block is checked as its marker says (see
`manual/blocks.py`), the generated parts are up to date, and `mkdocs build --strict` passes."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SHARED, shared_file
from live_server import build_store, serving

from kg.saved_queries import load_queries
from kg.store import Store
from manual import DOCS, README, ROOT
from manual.__main__ import stale
from manual.blocks import KINDS, Block, answered, blocks, table
from ontology.identifiers import compress

PAGES = [README, *sorted(DOCS.rglob("*.md"))]
CHECKED = [pair for page in PAGES for pair in answered(blocks(page.read_text(encoding="utf-8"),
                                                              str(page.relative_to(ROOT))))]
SERVER = "http://127.0.0.1:8000"
KG = re.compile(r"^(?:\.venv/bin/)?kg(?= )", re.MULTILINE)


def of(kind: str, *, full: bool = False) -> list[pytest.param]:
    """The blocks of one kind, as test parameters named by page and line."""
    chosen = [(b, o) for b, o in CHECKED if b.kind == kind and ("full_release" in b.options) == full]
    marks = [pytest.mark.full_release] if full else []
    return [pytest.param(b, o, id=b.where, marks=marks) for b, o in chosen]


@pytest.mark.parametrize(("block", "output"), [pytest.param(b, o, id=b.where) for b, o in CHECKED])
def test_every_block_says_how_it_is_checked(block: Block, output: Block | None) -> None:
    assert block.kind in KINDS, f"{block.where}: no <!-- check: … --> marker (or an unknown kind)"
    if block.kind == "none":
        assert len(block.options[0]) > 20, f"{block.where}: say why this block cannot be checked"


def test_generated_parts_are_up_to_date() -> None:
    assert stale() == [], "run python -m manual"


def test_readme_fits_on_two_screens() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


# --- SPARQL and saved queries: the answer is the table after the block -------------------------


def _cell(term: ox.Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        curie = compress(term.value)
        return f"`{curie}`" if curie else f"<{term.value}>"
    return term.value


def _answer(result: ox.QuerySolutions) -> tuple[list[str], list[list[str]]]:
    names = [v.value for v in result.variables]
    return names, [[_cell(row[name]) for name in names] for row in result]


def _compare(block: Block, answer: tuple[list[str], list[list[str]]], ordered: bool) -> None:
    """The answer is the table (in its order, with `ordered`; else as a set of rows)."""
    header, rows = table(block.after)
    assert header, f"{block.where}: no answer table after the block"
    names, got = answer
    assert header == names, f"{block.where}: the table's columns are not the query's"
    if not ordered:
        rows, got = sorted(rows), sorted(got)
    assert rows == got, f"{block.where}: the answer is not the table shown"


def _loaded(default_disk_store: Path, tmp_path: Path, block: Block) -> Store:
    paths = [o.removeprefix("loaded=") for o in block.options if o.startswith("loaded=")]
    store = tmp_path / "store"
    shutil.copytree(default_disk_store, store)
    for path in paths:
        source = shared_file(SHARED / path.removeprefix("shared/")) if path.startswith("shared/") else ROOT / path
        subprocess.run([sys.executable, "-m", "cli", "load", str(source), "--store", str(store)],
                       check=True, capture_output=True, cwd=ROOT)
    return Store.open(store)


def _sparql(store: Store, block: Block) -> None:
    _compare(block, _answer(store.query(block.text)), ordered="ordered" in block.options)


@pytest.mark.parametrize(("block", "output"), of("sparql"))
def test_sparql_answers_as_shown(block: Block, output: None, default_store: Store,
                                 default_disk_store: Path, tmp_path: Path) -> None:
    if any(o.startswith("loaded=") for o in block.options):
        _sparql(_loaded(default_disk_store, tmp_path, block), block)
    else:
        _sparql(default_store, block)


@pytest.mark.parametrize(("block", "output"), of("sparql", full=True))
def test_sparql_on_the_full_graph_answers_as_shown(block: Block, output: None, full_store: Store) -> None:
    _sparql(full_store, block)


def _saved(store: Store, block: Block) -> None:
    queries = load_queries(ROOT / "queries")
    for line in block.text.splitlines():
        words = shlex.split(line, comments=True)
        assert words[:2] == [".venv/bin/kg", "query"] or words[:2] == ["kg", "query"], f"{block.where}: {line}"
        values = dict(w.split("=", 1) for flag, w in itertools.pairwise(words) if flag in ("-p", "--param"))
        query = queries[words[2]]
        names, got = _answer(store.query(query.bind(values)))
        first = [int(o.removeprefix("first=")) for o in block.options if o.startswith("first=")]
        _compare(block, (names, got[:first[0]] if first else got), ordered=bool(first) or "ordered" in block.options)


@pytest.mark.parametrize(("block", "output"), of("saved") + of("saved", full=True))
def test_saved_queries_answer_as_shown(block: Block, output: None, request: pytest.FixtureRequest) -> None:
    store = request.getfixturevalue("full_store" if "full_release" in block.options else "default_store")
    _saved(store, block)


# --- shell commands: `kg` against a store of the default graph, `curl` against a live server ----


@pytest.fixture(scope="session")
def default_disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("manual") / "store")


@pytest.fixture(scope="session")
def manual_server(default_disk_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("manual-served") / "store"
    shutil.copytree(default_disk_store, store)
    with serving(store) as base:
        yield base


def _shell(block: Block, text: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run `text` with bash in a copy of the default graph's store; what it printed."""
    for tool in ("curl", "jq"):
        if re.search(rf"\b{tool}\b", text) and shutil.which(tool) is None:
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                pytest.fail(f"{tool} is missing (make system installs it)")
            pytest.skip(f"{tool} is missing (make system installs it)")
    store = tmp_path / "store"
    shutil.copytree(request.getfixturevalue("default_disk_store"), store)
    script = KG.sub(f"{shlex.quote(sys.executable)} -m cli", text)
    if SERVER in script:
        script = script.replace(SERVER, request.getfixturevalue("manual_server"))
    env = {**os.environ, "KG_STORE": str(store)}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{block.where}: {done.stderr[-2000:]}"
    return done.stdout


def _same(block: Block, output: Block, printed: str) -> None:
    if output.language == "json":
        got, shown = json.loads(printed), json.loads(output.text)
        for volatile in ("request_id",):
            got.pop(volatile, None), shown.pop(volatile, None)
        assert got == shown, f"{block.where}"
    else:
        assert printed.replace("\r\n", "\n").strip("\n") == output.text.strip("\n"), f"{block.where}"


@pytest.mark.live
@pytest.mark.parametrize(("block", "output"), of("shell"))
def test_shell_commands_run(block: Block, output: None, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _shell(block, block.text, request, tmp_path)


@pytest.mark.live
@pytest.mark.parametrize(("block", "output"), of("shell output"))
def test_shell_commands_print_what_is_shown(block: Block, output: Block | None, request: pytest.FixtureRequest,
                                            tmp_path: Path) -> None:
    assert output is not None, f"{block.where}: no output block after it"
    for number, line in enumerate(re.sub(r"\\\n\s*", " ", block.text).splitlines()):
        _same(block, output, _shell(block, line, request, tmp_path / str(number)))


MASKED = re.compile(r" in [\d.,]+ s \([\d,.]+ [\w/]+\)")


@pytest.mark.parametrize(("block", "output"), of("output"))
def test_printed_examples_match_a_run(block: Block, output: None, tmp_path: Path) -> None:
    """An example of what a command prints (on stderr or stdout), times and rates aside."""
    command = KG.sub(f"{shlex.quote(sys.executable)} -m cli", " ".join(block.options))
    done = subprocess.run(command + f" --store {tmp_path / 'store'}", shell=True, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    printed = MASKED.sub(" in … s (…)", done.stderr + done.stdout).splitlines()
    shown = MASKED.sub(" in … s (…)", block.text).splitlines()
    assert printed[:len(shown)] == shown, f"{block.where}"


@pytest.mark.parametrize(("block", "output"), of("excerpt"))
def test_excerpts_are_in_their_file(block: Block, output: None) -> None:
    text = (ROOT / block.options[0]).read_text(encoding="utf-8")
    for line in block.text.splitlines():
        if "…" not in line:
            assert line in text, f"{block.where}: {line!r} is not in {block.options[0]}"


@pytest.mark.parametrize(("block", "output"), of("layout"))
def test_the_layout_names_folders_that_exist(block: Block, output: None) -> None:
    for line in block.text.splitlines():
        folder = re.match(r"^([\w.-]+)/\s", line)
        if folder:
            assert (ROOT / folder[1]).is_dir(), f"{block.where}: no folder {folder[1]}"


# --- the site ----------------------------------------------------------------------------------


def test_the_manual_builds_strictly_and_offline(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-4000:]
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "fonts.googleapis" not in pages and "fonts.gstatic" not in pages
    assert re.search(r"<(?:script|link)[^>]+(?:src|href)=\"https?://", pages) is None


# --- tables of settings ---------------------------------------------------------------------------

LIMITS = DOCS / "endpoint" / "limits.md"


def _shown(default: str) -> object:
    """A default as the limits table writes it, as the settings hold it."""
    words = default.strip("`").split()
    if default in ("empty", "unset", "off"):
        return {"empty": (), "unset": None, "off": False}[default]
    if re.fullmatch(r"\d+", words[0]) and len(words) == 1:
        return float(words[0])
    return tuple(words) if len(words) > 1 or default == "`*`" else words[0]


def _limits() -> list[tuple[str, str]]:
    header, rows = table(LIMITS.read_text(encoding="utf-8"))
    assert header == ["variable", "default", "what"]
    return [(row[0].strip("`"), row[1]) for row in rows]


@pytest.mark.parametrize(("variable", "default"), _limits())
def test_the_limits_table_gives_each_default_the_settings_have(variable: str, default: str) -> None:
    from kg.settings import Settings

    value = getattr(Settings.from_env({}), variable.removeprefix("KG_").lower())
    value = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    if variable == "KG_QUERIES":
        value = f"{value.name}/"
    assert value == _shown(default)


def test_the_limits_table_names_every_variable_the_settings_read() -> None:
    source = (ROOT / "kg" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env\.get\("(KG_\w+)"', source)) - {"KG_STORE"}
    assert read == {variable for variable, _ in _limits()}


def test_the_measured_build_printed_no_warning() -> None:
    from manual.figures import measured

    assert measured()["warnings"] == []


def test_the_readme_links_to_files_that_exist() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8"))
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert local and [link for link in local if not (ROOT / link).exists()] == []


def _phrasing_rows() -> list[pytest.param]:
    text = (DOCS / "loaders" / "medlineplus.md").read_text(encoding="utf-8")
    header, rows = table(text[text.index("| shape | example"):])
    assert header[:2] == ["shape", "example (the row's own)"]
    return [pytest.param(row[1], id=row[0]) for row in rows]


@pytest.mark.parametrize("example", _phrasing_rows())
def test_the_phrasing_table_quotes_the_loaders_own_examples(example: str) -> None:
    """Each sentence the table quotes (cut with …) is part of a row's example in the loader; other
    wordings the row names, "(or …)", are not examples."""
    from loaders.medlineplus.causes import PHRASINGS

    quoted = re.findall(r"\"([^\"]+)\"", re.sub(r"\(or [^)]*\)", "", example))
    parts = [part.strip() for sentence in quoted for part in sentence.split("…") if part.strip()]
    assert parts
    for part in parts:
        assert any(part in phrasing.example for phrasing in PHRASINGS), part
