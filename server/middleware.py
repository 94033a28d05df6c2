"""ASGI middleware: security headers on every response, and X-Forwarded-* from trusted proxies."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ForwardedHeaders:
    """Believes X-Forwarded-Proto, -Host and -Prefix, but only from the configured proxies.

    With them, URLs the app builds (the Service Description's sd:endpoint, page links) are the
    URLs the client used, in front of the proxy.
    """

    def __init__(self, app: ASGIApp, trusted: tuple[str, ...]) -> None:
        self.app = app
        self.trusted = set(trusted)

    def _trusts(self, scope: Scope) -> bool:
        client = scope.get("client")
        return "*" in self.trusted or (client is not None and client[0] in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and self._trusts(scope):
            scope = dict(scope)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if proto := headers.get("x-forwarded-proto"):
                scope["scheme"] = proto.split(",")[0].strip()
            if host := headers.get("x-forwarded-host"):
                host = host.split(",")[0].strip()
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"]
                scope["headers"].append((b"host", host.encode("latin-1")))
            if prefix := headers.get("x-forwarded-prefix"):
                prefix = prefix.split(",")[0].strip().rstrip("/")
                scope["root_path"] = prefix  # ASGI: path includes root_path
                scope["path"] = prefix + scope["path"]
        await self.app(scope, receive, send)
