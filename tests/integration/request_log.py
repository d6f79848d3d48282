"""Server-side hooks on a running emulator for download tests: a request log, a 429 burst.

The request log proves a resumed download fetched only the segments it was missing, counted
on the server rather than trusting the client's own events. The 429 burst
imitates a CDN throttling segment fetches (the `rate-limit` fault profile only covers the
api-v2 media calls). Both wrap the app uvicorn hands to each *new* connection, so install
them before the requests they should see are made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from minion_tui.emulator.server import RunningEmulator

W = TypeVar("W")


class RequestLog:
    """ASGI middleware recording the path of every HTTP request (thread-safe)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self._lock:
                self._paths.append(scope["path"])
        await self.app(scope, receive, send)

    def paths(self, prefix: str = "") -> list[str]:
        with self._lock:
            return [p for p in self._paths if p.startswith(prefix)]

    def clear(self) -> None:
        with self._lock:
            self._paths.clear()


class TooManyRequests:
    """ASGI middleware answering the next ``n`` requests under ``prefix`` (and ending in
    ``suffix``) with 429 and ``Retry-After: retry_after``; ``left`` counts what is left."""

    def __init__(self, app: Any, *, n: int, prefix: str, suffix: str = "",
                 retry_after: int = 1) -> None:
        self.app, self.prefix, self.suffix, self.retry_after = app, prefix, suffix, retry_after
        self._lock = threading.Lock()
        self.left = n

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(self.prefix) and path.endswith(
                self.suffix):
            with self._lock:
                throttled = self.left > 0
                self.left -= int(throttled)
            if throttled:
                await send({"type": "http.response.start", "status": 429, "headers": [
                    (b"content-length", b"0"), (b"retry-after", str(self.retry_after).encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def wrap(emulator: RunningEmulator, make: Callable[[Any], W]) -> W:
    """``make(app)`` put in front of the app ``emulator`` serves, for the connections made from
    now on; returns the wrapper."""
    config = emulator._server.config
    wrapper = make(config.loaded_app)
    config.loaded_app = wrapper
    return wrapper


def install(emulator: RunningEmulator) -> RequestLog:
    """Start logging the requests ``emulator`` serves from now on (new connections)."""
    return wrap(emulator, RequestLog)


def throttle(emulator: RunningEmulator, *, n: int, prefix: str, suffix: str = "",
             retry_after: int = 1) -> TooManyRequests:
    """Answer the next ``n`` requests under ``prefix`` ending in ``suffix`` (e.g. "/sc-aac/",
    ".m4s": AAC segments) with 429."""
    return wrap(emulator, lambda app: TooManyRequests(app, n=n, prefix=prefix, suffix=suffix,
                                                      retry_after=retry_after))
