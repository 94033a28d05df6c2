"""`kg mcp`: the MCP server over stdio, for an assistant that starts it as a command.

The store is opened as every command opens it. When it is free, the server is the one
`kg serve` runs (`server.mcp_server`) over the app `create_app` makes: the same worker pool
(its engine processes confined by `kg.sandbox`, the deadline, admission and caps), search
index and saved queries, its lifespan run for as long as the assistant stays. When `kg serve`
holds the store, this process passes every request on to the server's `/mcp`, and its
answers back, unchanged: one engine, one set of answers.

stdio carries the protocol alone: the SDK points fd 1 at stderr while it serves, and the
engine processes are started after that, so nothing they print reaches the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from mcp.server import Server
from mcp.server.stdio import stdio_server

from kg import __version__
from kg.settings import Settings
from kg.store import Store


def serve(store: Store, settings: Settings) -> None:
    """Serve the embedded store over stdio until the assistant closes it."""
    anyio.run(_embedded, store, settings)


async def _embedded(store: Store, settings: Settings) -> None:
    from server.app import create_app
    from server.mcp_server import mcp_server

    app = create_app(store, settings)
    async with stdio_server() as (read, write), app.router.lifespan_context(app):
        server = mcp_server(app.state)
        await server.run(read, write, server.create_initialization_options())


def relay(url: str) -> None:
    """Serve over stdio what the MCP server at `url` serves."""
    anyio.run(_relayed, url)


async def _relayed(url: str) -> None:
    from server.mcp_server import NAME

    async with AsyncExitStack() as stack:
        remote = await stack.enter_async_context(Client(url, cache=None))
        server = Server(NAME, version=__version__, instructions=remote.instructions, **_forwarding(remote))
        read, write = await stack.enter_async_context(stdio_server())
        await server.run(read, write, server.create_initialization_options())


def _forwarding(remote: Client) -> dict[str, Callable[..., Any]]:
    """The handlers that ask `remote` and answer with what it answered."""

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return await remote.list_tools(cursor=params.cursor if params else None)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return await remote.call_tool(params.name, params.arguments)

    async def list_resources(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        return await remote.list_resources(cursor=params.cursor if params else None)

    async def read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        return await remote.read_resource(str(params.uri))

    return {"on_list_tools": list_tools, "on_call_tool": call_tool, "on_list_resources": list_resources,
            "on_read_resource": read_resource}
