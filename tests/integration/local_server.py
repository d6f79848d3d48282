"""Tiny real HTTP servers for tests that need exact responses the emulator would never give
(page variants, pagination edge cases, Range and If-Range answers, requests in flight)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import SplitResult, urlsplit

#: An answer to a GET: (status, body, content type or None).
Answer = tuple[int, bytes, str | None]


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with one call."""

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving_with(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[str]:
    """Serve ``handler`` on loopback ``port`` (0: a free one) in a thread; yields the base
    URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def answering_server(answer: Callable[[SplitResult], Answer]) -> Iterator[str]:
    """A tiny real HTTP server on a free loopback port for tests that need exact responses
    the emulator would never give; yields its base URL."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            status, data, content_type = answer(urlsplit(self.path))
            self.answer(status, data, {"Content-Type": content_type} if content_type else {})

    with serving_with(Handler) as base:
        yield base
