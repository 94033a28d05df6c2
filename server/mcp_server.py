"""The Model Context Protocol server: the graph's tools and resources for AI assistants.

Built on the official `mcp` SDK's low-level `Server`, over an app's state (see `mcp_tools`),
so that `kg serve` answers it over streamable HTTP at `/mcp` and `kg mcp` over stdio with
the very same code. Tool calls run in a thread (they wait for the worker pool). A tool's
error is a tool result with `isError` and the HTTP API's message (the problem's `detail`),
never a protocol error or a crashed session; an unknown tool or resource is a protocol error.

At `/mcp` the SDK's session manager runs stateless and answers each POST with JSON: every
call is one request, which our middleware sees like any other (the guard, trusted hosts,
CORS, the head limits), and which holds nothing between calls. The manager is made and run
by the app's lifespan (it runs once per instance; a lifespan entered again makes a new one).
Host checks are the app's (`KG_ALLOWED_HOSTS`), so the SDK's own are off; like `/sparql`,
the tools only read.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from http import HTTPStatus
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from kg import __version__
from kg.remote import EngineRefused
from kg.safety import Malformed, Refused
from ontology import GRAPH

from . import reads
from .errors import HttpError, QueryTimeout, UnsupportedMediaType, as_http
from .mcp_tools import Answer, Tool, catalogue, schema
from .metrics import Metrics
from .problems import TYPES

log = logging.getLogger("kg.mcp")
NAME = "higm-kg"
INSTRUCTIONS = (
    "A knowledge graph of X-linked hyper-IgM syndrome (HIGM1): conditions, genes, proteins, HPO "
    "phenotypes and publications, from MedlinePlus and HPO, each fact with its source. To answer a "
    "question: find an entity's CURIE with search_entities; read its facts with describe_entity; "
    "prefer a saved query (list_saved_queries, then its query_<name> tool); read schema before "
    "writing SPARQL for sparql_query. Everything is read-only.")
EXPECTED = (HttpError, SyntaxError, Refused, Malformed, EngineRefused)  # errors of the request, not of ours
QUERIES, ONTOLOGY, SUMMARY = "kg://queries/", "kg://model/ontology", "kg://model/summary"
ANNOTATIONS = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                    open_world_hint=False)


def failed(error: Exception, tool: str, metrics: Metrics | None = None) -> types.CallToolResult:
    """A tool error: the message the HTTP API gives (its problem's `detail`), and the problem;
    counted as the HTTP API counts it."""
    answered = as_http(error)
    if not isinstance(error, EXPECTED):
        log.error("tool %s failed", tool, exc_info=error)
    if metrics is not None:
        metrics.tool_calls.labels(tool, str(answered.status)).inc()
        metrics.errors.labels(str(answered.status)).inc()
        if isinstance(error, QueryTimeout):
            metrics.timeouts.inc()
    title = TYPES.get(answered.problem or "", HTTPStatus(answered.status).phrase)
    problem = {"title": title, "status": answered.status, "detail": answered.message,
               **{k: v for k, v in answered.members.items() if v is not None}}
    return types.CallToolResult(content=[types.TextContent(text=answered.message)], structured_content=problem,
                                is_error=True)


class Assistant:
    """The handlers of one MCP server over an app's state."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.tools: dict[str, Tool] = catalogue(state.queries, state.settings.max_rows)

    async def list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=t.name, title=t.title, description=t.description, input_schema=t.schema,
                       annotations=ANNOTATIONS) for t in self.tools.values()])

    async def call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = self.tools.get(params.name)
        if tool is None:
            raise MCPError(types.INVALID_PARAMS, f"no tool named {params.name!r}; tools/list lists them")
        metrics = getattr(self.state, "metrics", None)
        try:
            answer: Answer = await anyio.to_thread.run_sync(partial(self._run, tool, params.arguments))
        except Exception as error:  # noqa: BLE001 - every error is the tool's result, never the session's end
            return failed(error, tool.name, metrics)
        if metrics is not None:
            metrics.tool_calls.labels(tool.name, "ok").inc()
        return types.CallToolResult(content=[types.TextContent(text=answer.text)], structured_content=answer.data)

    def _run(self, tool: Tool, arguments: dict[str, Any] | None) -> Answer:
        return tool.run(self.state, tool.arguments(arguments))

    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        saved = [types.Resource(uri=f"{QUERIES}{q.name}", name=q.name, title=q.summary, description=q.description,
                                mime_type="application/sparql-query") for q in self.state.queries.values()]
        model = [types.Resource(uri=ONTOLOGY, name="ontology", title="The ontology", mime_type="text/turtle",
                                description="Our vocabulary (classes and properties, with labels and comments)"),
                 types.Resource(uri=SUMMARY, name="data-model", title="The data model in figures", mime_type="text/plain",
                                description="Classes and properties with counts, class-to-class links, prefixes")]
        return types.ListResourcesResult(resources=[*model, *saved])

    async def read_resource(self, ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        text, mime = await anyio.to_thread.run_sync(partial(self._resource, uri))
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)])

    def _resource(self, uri: str) -> tuple[str, str]:
        if uri == SUMMARY:
            return schema(self.state, {}).text, "text/plain"
        if uri == ONTOLOGY:
            body = self.state.pool.call(reads.serialize, "ttl", str(GRAPH["ontology"]))
            if body is not None:
                return body.decode(), "text/turtle"
        elif uri.startswith(QUERIES) and (saved := self.state.queries.get(uri[len(QUERIES):])) is not None:
            return saved_text(saved), "application/sparql-query"
        raise MCPError(types.INVALID_PARAMS, f"no resource {uri!r}; resources/list lists them")


def saved_text(saved: Any) -> str:
    """A saved query as a file: what it answers and its parameters in comments, then its text."""
    head = [f"# {saved.summary}", *(f"# {line}" for line in _wrapped(saved.description))]
    head += [f"# parameter {p.name}: {p.type}{'' if p.required else f', default {p.default}'}"
             f"{f' — {p.description}' if p.description else ''}" for p in saved.parameters]
    return "\n".join(head) + "\n" + saved.text.lstrip("\n")


def _wrapped(text: str, width: int = 96) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def mcp_server(state: Any) -> Server[Any]:
    """The MCP server over an app's state (`app.state`)."""
    handlers = Assistant(state)
    return Server(NAME, version=__version__, title="HIGM knowledge graph", instructions=INSTRUCTIONS,
                  on_list_tools=handlers.list_tools, on_call_tool=handlers.call_tool,
                  on_list_resources=handlers.list_resources, on_read_resource=handlers.read_resource)


@asynccontextmanager
async def sessions(app: Any) -> AsyncIterator[None]:
    """The `/mcp` session manager, made and run for the app's lifespan (`app.state.mcp`)."""
    manager = StreamableHTTPSessionManager(
        app=mcp_server(app.state), json_response=True, stateless=True,
        security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        max_request_body_size=app.state.settings.max_body)
    async with manager.run():
        app.state.mcp = manager
        try:
            yield
        finally:
            app.state.mcp = None


def _is_json(scope: Scope) -> bool:
    types = [value for name, value in scope["headers"] if name == b"content-type"]
    return len(types) == 1 and types[0].split(b";")[0].strip().lower() == b"application/json"


class Endpoint:
    """The ASGI app at `/mcp`: the running session manager of the app it is called in."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = getattr(scope["app"].state, "mcp", None)
        if manager is None:
            await PlainTextResponse("the MCP endpoint is not running\n", status_code=503)(scope, receive, send)
            return
        if not _is_json(scope):  # a form or text/plain POST needs no CORS preflight: a page elsewhere could send it
            raise UnsupportedMediaType("MCP messages are JSON: send Content-Type: application/json")
        await manager.handle_request(scope, receive, send)
