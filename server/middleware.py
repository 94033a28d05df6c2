"""ASGI middleware: the guard around every request, HEAD and OPTIONS, and trusted proxy headers."""

from __future__ import annotations

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HttpError
from .problems import render
from .requests import begin

log = logging.getLogger("kg.server")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}
REQUEST_ID = "X-Request-Id"
CANDIDATES = ("GET", "HEAD", "POST", "PUT", "DELETE")


class Guard:
    """The outermost layer: a request id, the security headers on every response (errors
    included), and a plain 500 for anything that escapes the handlers, logged with the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = begin(Headers(scope=scope).get(REQUEST_ID))
        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in {**SECURITY_HEADERS, REQUEST_ID: rid}.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception:
            log.exception("request %s failed", rid)
            if started:
                raise
            await render(Request(scope), HttpError("internal error; see the server's log"))(scope, receive, guarded)


class Methods:
    """HEAD wherever GET works (the body left out), and OPTIONS answered with `Allow`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        allowed = allowed_methods(scope)
        if method == "OPTIONS":
            status = 204 if allowed else 404
            await Response(status_code=status, headers={"Allow": ", ".join(sorted(allowed))})(scope, receive, send)
            return
        if "GET" not in allowed or _routes_take(scope, "HEAD"):
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def allowed_methods(scope: Scope) -> set[str]:
    """The methods some route takes at this path: HEAD wherever GET, and OPTIONS, when any."""
    methods: set[str] = set()
    for route in scope["app"].routes:
        if isinstance(route, Mount):
            methods |= {"GET"} if route.matches(scope)[0] != Match.NONE else set()
        else:
            methods |= {m for m in CANDIDATES if route.matches({**scope, "method": m})[0] == Match.FULL}
    if "GET" in methods:
        methods.add("HEAD")
    return methods | {"OPTIONS"} if methods else methods


def _routes_take(scope: Scope, method: str) -> bool:
    return any(not isinstance(route, Mount) and route.matches({**scope, "method": method})[0] == Match.FULL
               for route in scope["app"].routes)


class ForwardedHeaders:
    """Believes X-Forwarded-For, -Proto, -Host and -Prefix, but only from the configured proxies.

    With them, URLs the app builds (the Service Description's sd:endpoint, page links) are the
    URLs the client used, in front of the proxy, and the client address is the real one.
    """

    def __init__(self, app: ASGIApp, trusted: tuple[str, ...]) -> None:
        self.app = app
        self.trusted = set(trusted)

    def _trusts(self, scope: Scope) -> bool:
        client = scope.get("client")
        return "*" in self.trusted or (client is not None and client[0] in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and self._trusts(scope):
            scope = _forwarded(scope)
        await self.app(scope, receive, send)


def _first(value: str) -> str:
    return value.split(",")[0].strip()


def _forwarded(scope: Scope) -> Scope:
    scope = dict(scope)
    headers = Headers(scope=scope)
    if proto := headers.get("x-forwarded-proto"):
        scope["scheme"] = _first(proto)
    if host := headers.get("x-forwarded-host"):
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"]
        scope["headers"].append((b"host", _first(host).encode("latin-1")))
    if client := headers.get("x-forwarded-for"):
        scope["client"] = (_first(client), 0)
    if prefix := headers.get("x-forwarded-prefix"):
        prefix = _first(prefix).rstrip("/")
        scope["root_path"] = prefix  # ASGI: path includes root_path
        scope["path"] = prefix + scope["path"]
    return scope
