"""A tiny real HTTP server for tests that need exact responses the emulator would never give
(page variants, pagination edge cases)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import SplitResult, urlsplit

#: An answer to a GET: (status, body, content type or None).
Answer = tuple[int, bytes, str | None]


@contextmanager
def answering_server(answer: Callable[[SplitResult], Answer]) -> Iterator[str]:
    """A tiny real HTTP server on a free loopback port for tests that need exact responses
    the emulator would never give; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, data, content_type = answer(urlsplit(self.path))
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
