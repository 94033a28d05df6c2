"""A local HTTP server on 127.0.0.1 that records every request it gets, and answers 500 (or, given
`redirect`, a 302 to that URL)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bait_server(redirect: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """Yield the server's base URL and the list of paths requested (query strings dropped)."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path.split("?")[0])
            self.send_response(500 if redirect is None else 302)
            if redirect is not None:
                self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
