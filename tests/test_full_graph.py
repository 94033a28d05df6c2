"""At the size users run: a fresh `kg serve` over the full default graph (HPO's whole release),
default settings, and every user-facing route on its first request: status and content, under
the server's default deadline. The times are `python -m bench.first_touch`'s (make bench)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from live_server import serving

from bench.first_touch import CLIENT_SECONDS, Route, association, routes
from kg.products import SUFFIX, folder_of
from kg.saved_queries import load_queries
from kg.settings import Settings
from kg.store import Store

pytestmark = [pytest.mark.full_release, pytest.mark.live]
NAMES = [route.name for route in routes("/id/association")]  # the association's path is the store's


@pytest.fixture(scope="module")
def full_routes(full_store: Store) -> dict[str, Route]:
    return {route.name: route for route in routes(association(full_store))}


@pytest.fixture(scope="module")
def full_url(full_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kg serve`, default settings, over a checkpoint of the full store with its products."""
    copy = tmp_path_factory.mktemp("served") / "store"
    full_store.checkpoint(copy)
    shutil.copytree(folder_of(full_store), copy.with_name(copy.name + SUFFIX))
    with serving(copy) as url:
        yield url


@pytest.fixture(scope="module")
def client(full_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=full_url, timeout=CLIENT_SECONDS) as session:
        yield session


@pytest.mark.parametrize("name", NAMES)
def test_route_answers_on_its_first_request(client: httpx.Client, full_routes: dict[str, Route], name: str) -> None:
    route = full_routes[name]
    response = route.ask(client)
    assert response.status_code == route.status, response.text[:500]
    assert route.contains in response.content


def test_every_saved_query_is_asked(full_routes: dict[str, Route]) -> None:
    asked = {path.split("?")[0].removeprefix("/api/queries/") for path in (r.path for r in full_routes.values())}
    assert set(load_queries(Settings().queries)) <= asked
