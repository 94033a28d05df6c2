"""`kg fetch` against a local HTTP server on 127.0.0.1 serving our fixtures: conditional GETs,
retries, timeouts, errors, and a store left as it was when a fetch fails. Never the network."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from cli.main import app as cli

RECORDS = ROOT / "tests" / "data" / "medlineplus-records"
runner = CliRunner()


@dataclass
class Site:
    """What the local server serves, and how it misbehaves, path by path."""

    files: dict[str, bytes] = field(default_factory=dict)
    status: dict[str, list[int]] = field(default_factory=dict)  # statuses to answer first, in order
    slow: set[str] = field(default_factory=set)
    cut: set[str] = field(default_factory=set)  # bodies that stop half-way
    requests: Counter[str] = field(default_factory=Counter)
    conditional: Counter[str] = field(default_factory=Counter)
    url: str = ""


class Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        site, path = self.site, self.path.lstrip("/")
        site.requests[path] += 1
        if site.status.get(path):
            self.send_error(site.status[path].pop(0))
            return
        if path in site.slow:
            time.sleep(1.0)
        if path not in site.files:
            self.send_error(404)
            return
        body = site.files[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match"):
            site.conditional[path] += 1
            if self.headers["If-None-Match"] == etag:
                self.send_response(304)
                self.end_headers()
                return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if path in site.cut else body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site(files={
        "download/ghr-summaries.xml": (RECORDS / "ghr-summaries.xml").read_bytes(),
        "download/genetics/condition/cystic-fibrosis.json": (RECORDS / "json/condition/cystic-fibrosis.json").read_bytes(),
        "download/genetics/gene/cd40.json": (RECORDS / "json/gene/cd40.json").read_bytes(),
    })
    handler = type("SiteHandler", (Handler,), {"site": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def fetch(site: Site, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["fetch", "medlineplus", *args, "--dest", str(tmp_path / "cache"),
                                 "--store", str(tmp_path / "store"), "--timeout", "0.3", "--retries", "2",
                                 "--backoff", "0.01"], env={"KG_MEDLINEPLUS_URL": site.url})
    return result.exit_code, result.stdout, result.stderr


def export(tmp_path: Path) -> str:
    return runner.invoke(cli, ["export", "--format", "nq", "--store", str(tmp_path / "store")]).stdout


def test_fetch_downloads_and_loads(site: Site, tmp_path: Path) -> None:
    code, out, err = fetch(site, tmp_path, "--all", "--condition", "cystic-fibrosis", "--gene", "cd40")
    assert code == 0, err
    assert "ghr-summaries.xml: downloaded" in out and "graph/medlineplus/gene/cd40: " in out
    assert (tmp_path / "cache" / "download" / "ghr-summaries.xml").read_bytes() == site.files["download/ghr-summaries.xml"]


def test_running_again_fetches_only_what_changed(site: Site, tmp_path: Path) -> None:
    assert fetch(site, tmp_path, "--all", "--gene", "cd40")[0] == 0
    site.files["download/genetics/gene/cd40.json"] = site.files["download/genetics/gene/cd40.json"].replace(
        b"TNFRSF5", b"TNFRSF5 (changed)")
    code, out, _ = fetch(site, tmp_path, "--all", "--gene", "cd40")
    assert code == 0
    assert "ghr-summaries.xml: not modified" in out and "cd40.json: downloaded" in out
    assert site.conditional["download/ghr-summaries.xml"] == 1
    assert "graph/medlineplus/gene/cd40: " in out and "(written)" in out


def test_a_cached_file_edited_since_is_fetched_whole_again(site: Site, tmp_path: Path) -> None:
    assert fetch(site, tmp_path, "--gene", "cd40")[0] == 0
    cached = tmp_path / "cache" / "download" / "genetics" / "gene" / "cd40.json"
    cached.write_bytes(cached.read_bytes()[:10])
    code, out, _ = fetch(site, tmp_path, "--gene", "cd40")
    assert code == 0 and "cd40.json: downloaded" in out and cached.read_bytes() == site.files["download/genetics/gene/cd40.json"]


def test_retries_on_server_errors_then_succeeds(site: Site, tmp_path: Path) -> None:
    site.status["download/genetics/gene/cd40.json"] = [503, 429]
    code, _out, err = fetch(site, tmp_path, "--gene", "cd40")
    assert code == 0, err
    assert site.requests["download/genetics/gene/cd40.json"] == 3


FAILURES = [
    ("a 404", lambda s: None, ["--condition", "no-such-condition"], "HTTP 404"),
    ("a 500 every time", lambda s: s.status.update({"download/ghr-summaries.xml": [500] * 5}), ["--all"], "HTTP 500"),
    ("a slow server", lambda s: s.slow.add("download/ghr-summaries.xml"), ["--all"], "no answer within 0.3 s"),
    ("a body cut short", lambda s: s.cut.add("download/ghr-summaries.xml"), ["--all"], "download/ghr-summaries.xml"),
]


@pytest.mark.parametrize(("case", "arrange", "args", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failed_fetch_loads_nothing_and_leaves_no_half_file(site: Site, tmp_path: Path, case: str, arrange,  # type: ignore[no-untyped-def]
                                                              args: list[str], message: str) -> None:
    assert fetch(site, tmp_path, "--gene", "cd40")[0] == 0
    before = export(tmp_path)
    arrange(site)
    code, _, err = fetch(site, tmp_path, "--gene", "cd40", *args)
    assert code == 1 and "nothing loaded" in err and message in " ".join(err.split()), err
    assert export(tmp_path) == before
    cache = tmp_path / "cache"
    assert not list(cache.rglob("*.part")) and not (cache / "download" / "ghr-summaries.xml").exists()


def test_fetch_needs_something_to_fetch(site: Site, tmp_path: Path) -> None:
    code, _, err = fetch(site, tmp_path)
    assert code == 2 and "--all" in err


def test_fetch_hpo_in_the_same_shape(tmp_path: Path) -> None:
    from loaders.hpo import bundled

    served = Site(files={path.name: path.read_bytes() for path in bundled() if path.name != "phenotype_to_genes.txt"})
    served.files = {name: data[:200_000] if name != "hp.obo" else data for name, data in served.files.items()}
    handler = type("SiteHandler", (Handler,), {"site": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = runner.invoke(cli, ["fetch", "hpo", "--dest", str(tmp_path / "hpo"), "--no-load",
                                     "--base-url", f"http://127.0.0.1:{server.server_address[1]}"])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "hpo").iterdir() if not p.name.startswith(".")) == [
        "genes_to_phenotype.txt", "hp.obo", "phenotype.hpoa"]
