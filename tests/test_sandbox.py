"""The second lock, which does not read the text: the engine's network, in the server's engine
processes and in the CLI's engine thread (`kg.sandbox`, `kg.connect_supervisor`).

Each test goes past every check, straight to the engine, next to bait servers on loopback: with
federation off nothing leaves; with federation on only the allow-listed bait is reached, even
by a redirect from it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from bait import bait_server
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from kg.allow_list import Endpoint
from kg.connect_supervisor import Reachable, resolvers
from kg.sandbox import run_confined
from kg.settings import Settings
from kg.store import Store
from server.app import create_app
from server.errors import EngineError, Forbidden

ROOT = Path(__file__).resolve().parents[1]
IO_URING_SETUP = 425  # the same number on x86-64 and arm64
PROBED_FAMILIES = {"AF_PACKET": 17, "AF_VSOCK": 40, "AF_ALG": 38, "AF_UNSPEC": 0, "AF_APPLETALK": 5}


def _service(url: str) -> str:
    return f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


@contextmanager
def _server(store: Store, allowed: str) -> Iterator[TestClient]:
    with TestClient(create_app(store, Settings(service_allow=(allowed + "/",)))) as client:
        yield client


# -- the server's engine processes, federation on --------------------------------------------------


def test_only_the_allow_listed_bait_is_reached_from_a_worker(default_store: Store) -> None:
    """Past every check, in a worker: bait B is not reached (403, the sandbox's refusal), bait A is."""
    with bait_server() as (a, seen_a), bait_server() as (b, seen_b), _server(default_store, a) as client:
        assert "only towards the allow-list" in client.get("/health").text
        pool = client.app.state.pool
        with pytest.raises(Forbidden, match="may not reach the network"):
            pool.call(Store.query, _service(b + "/direct"))
        with pytest.raises(EngineError):  # reached: the bait answers 500
            pool.call(Store.query, _service(a + "/direct"))
        assert (seen_a, seen_b) == (["/direct"], [])


def test_a_redirect_from_the_allow_listed_bait_reaches_nothing_else(default_store: Store) -> None:
    with bait_server() as (b, seen_b), bait_server(redirect=b + "/target") as (a, seen_a), \
            _server(default_store, a) as client:
        with pytest.raises(EngineError):
            client.app.state.pool.call(Store.query, _service(a + "/moved"))
        assert (seen_a, seen_b) == (["/moved"], [])


def test_the_sandbox_s_refusal_is_a_403_over_http(default_store: Store) -> None:
    """A PermissionError from the engine (the sandbox stopped a connect) is answered 403, never 500."""
    with bait_server() as (b, seen_b), TestClient(create_app(default_store, Settings())) as client:
        app = client.app

        @app.get("/direct")
        def direct() -> None:
            app.state.pool.call(Store.query, _service(b + "/direct"))

        response = client.get("/direct")
        assert response.status_code == 403 and "may not reach the network" in response.text
        assert seen_b == []


# -- the CLI's engine thread -----------------------------------------------------------------------


def _raw_service(url: str) -> str:
    """A SERVICE call on a raw engine, in the calling (confined) thread; its outcome."""
    try:
        ox.Store().query(_service(url))
    except PermissionError:
        return "refused"
    except OSError:
        return "reached"
    return "answered"


@pytest.mark.parametrize("federation", [False, True])
def test_a_confined_thread_reaches_only_the_allow_list(federation: bool) -> None:
    with bait_server() as (a, seen_a), bait_server() as (b, seen_b):
        settings = Settings(service_allow=(a + "/",) if federation else ())
        outcomes = run_confined(lambda: (_raw_service(a + "/x"), _raw_service(b + "/y")), settings)
        assert outcomes == (("reached" if federation else "refused"), "refused")
        assert (seen_a, seen_b) == ((["/x"] if federation else []), [])
        assert _raw_service(b + "/after") == "reached"  # the caller's thread is not confined
        assert seen_b == ["/after"]


def _probe() -> dict[str, int]:
    """The errno of each socket family and of io_uring_setup, in the calling thread."""
    found = {}
    for name, family in PROBED_FAMILIES.items():
        try:
            socket.socket(family, socket.SOCK_RAW if family == 17 else socket.SOCK_SEQPACKET).close()
            found[name] = 0
        except OSError as error:
            found[name] = error.errno or -1
    libc = ctypes.CDLL(None, use_errno=True)
    found["io_uring_setup"] = 0 if libc.syscall(IO_URING_SETUP, 1, ctypes.create_string_buffer(120)) >= 0 \
        else ctypes.get_errno()
    return found


@pytest.mark.parametrize("federation", [False, True])
def test_odd_socket_families_and_io_uring_are_refused(federation: bool) -> None:
    found = run_confined(_probe, Settings(service_allow=("http://127.0.0.1:9/",) if federation else ()))
    assert found.pop("io_uring_setup") == errno.ENOSYS
    assert set(found.values()) == {errno.EAFNOSUPPORT}, found


def test_the_supervisor_knows_the_resolvers_and_resolves_the_allow_list(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nsearch example.org\n")
    assert resolvers(conf) == {("10.0.0.53", 53), ("fe80::1", 53)}
    assert resolvers(tmp_path / "missing") == {("127.0.0.1", 53), ("::1", 53)}
    reachable = Reachable([Endpoint.parse("http://localhost:8123/sparql")])
    assert reachable.admits(("127.0.0.1", 8123)) and not reachable.admits(("127.0.0.1", 8124))


def test_kg_query_of_a_deep_expression_does_not_crash(tmp_path: Path) -> None:
    """20 KB of `7+1+1…`, within the lexer's bounds: the engine's recursion fits the large stack.
    A subprocess, as a crash would be a segmentation fault."""
    text = "SELECT (7" + "+1" * 9_990 + " AS ?x) {}"
    result = subprocess.run([sys.executable, "-m", "cli", "query", text, "--store", str(tmp_path / "store"),
                             "--format", "csv"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KG_SERVICE_ALLOW": ""}, check=False)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.split() == ["x", "9997"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
<rdf:Description rdf:about="http://example.org/s"><ex:p>&c;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_kg_load_refuses_rdf_xml_with_entity_declarations(tmp_path: Path) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(BILLION_LAUGHS)
    result = CliRunner().invoke(cli, ["load", str(path), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1 and "DOCTYPE or entity declarations is refused" in result.stderr
    assert "Traceback" not in result.stderr
