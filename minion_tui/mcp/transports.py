"""Serving the MCP server: stdio (the SDK's transport: while it serves, fd 1 points at stderr,
so stdout carries only JSON-RPC) and Streamable HTTP at ``/mcp`` (the SDK's ASGI app under
uvicorn), with a bearer token required when bound to anything but loopback.

The bearer token is generated once (``secrets``, 256 bits), printed once on stderr, and kept
with the sign-in tokens (the service's secret store: the keyring, else the private file);
later starts reuse it (``--new-token`` replaces it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp.server import build_server

if TYPE_CHECKING:
    from minion_tui.service import Service

log = logging.getLogger(__name__)

#: The secret store's key of the HTTP bearer token.
TOKEN_KEY = "mcp:http-bearer"
PATH = "/mcp"

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                Awaitable[None]]


def preload_sdk() -> None:
    """Import the MCP SDK on a thread now (returns at once): it is most of the start-up's
    CPU (its pydantic models for two protocol revisions), and the service, the store and the
    demo's emulator open meanwhile, waiting on disk and sockets."""
    import threading

    global _preloading

    def load() -> None:
        try:
            import mcp.server.lowlevel.server
            import mcp.server.stdio
            import mcp.shared.exceptions  # noqa: F401
        except Exception:  # imported again where used, which then says what is wrong
            log.debug("preloading the MCP SDK failed", exc_info=True)

    if _preloading is None:
        _preloading = threading.Thread(target=load, name="mcp-preload", daemon=True)
        _preloading.start()


_preloading: Any = None


async def _sdk_loaded() -> None:
    """Wait for :func:`preload_sdk` (the SDK's modules must not be imported from two
    threads at once: its package imports itself in a circle)."""
    if _preloading is not None:
        await asyncio.to_thread(_preloading.join)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_address(text: str) -> tuple[str, int]:
    """``[HOST:]PORT`` → (host, port); host 127.0.0.1 when left out; ``[::1]:8080`` for an
    IPv6 address. InvalidArgument saying what is wrong otherwise."""
    value = text.strip()
    if not value or any(ord(c) < 32 or c.isspace() for c in value) or len(value) > 300:
        raise InvalidArgument(f"Not an address to listen on: {text[:60]!r}.",
                              hint="Give [HOST:]PORT, e.g. 8765 or 0.0.0.0:8765.")
    host, _, port_text = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host or "127.0.0.1"
    if not port_text.isascii() or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise InvalidArgument(f"Not a port: {port_text[:20]!r} in {value[:60]!r}.",
                              hint="The port is a whole number from 0 (any free one) to 65535.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost" and not _hostname(host):
            raise InvalidArgument(f"Not a host to listen on: {host[:60]!r}.",
                                  hint="Use an IP address of this machine (127.0.0.1, "
                                  "0.0.0.0, ::1) or localhost.") from None
    return host, int(port_text)


def _hostname(host: str) -> bool:
    labels = host.split(".")
    return host.isascii() and len(host) <= 253 and all(
        0 < len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)


async def serve_stdio(service: Service) -> None:
    """Serve one client over stdin/stdout until stdin closes."""
    await _sdk_loaded()
    from mcp.server.stdio import stdio_server

    server = build_server(service)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


async def bearer_token(service: Service, *, renew: bool = False) -> tuple[str, bool]:
    """The HTTP bearer token (made and stored when there is none, or ``renew``) and whether
    it was made now."""
    store = service.accounts.secrets
    token = None if renew else await asyncio.to_thread(store.get, TOKEN_KEY)
    if token:
        return token, False
    token = secrets.token_urlsafe(32)
    await asyncio.to_thread(store.put, TOKEN_KEY, token)
    return token, True


def require_bearer(app: ASGI, token: str) -> ASGI:
    """``app`` behind ``Authorization: Bearer <token>``: 401 (with ``WWW-Authenticate``)
    without it, compared in constant time."""
    expected = f"Bearer {token}".encode()

    async def guarded(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"authorization", b"")
        if hmac.compare_digest(given, expected):
            await app(scope, receive, send)
            return
        body = (b'{"error": {"type": "auth", "message": "This MCP server needs '
                b'Authorization: Bearer <token> (printed when the server first started)."}}')
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="minion-tui"')]})
        await send({"type": "http.response.body", "body": body})

    return guarded


async def serve_http(service: Service, host: str, port: int, *, renew_token: bool = False,
                     ready: Callable[[str], None] | None = None) -> None:
    """Serve Streamable HTTP at ``http://host:port/mcp`` until SIGTERM or SIGINT.
    Off loopback a bearer token is required (printed on stderr when it is made)."""
    await _sdk_loaded()
    import uvicorn

    server = build_server(service)
    app: Any = server.streamable_http_app(streamable_http_path=PATH, host=host)
    if not is_loopback(host):
        token, made = await bearer_token(service, renew=renew_token)
        if made:
            print(f"minion-tui mcp: bearer token (shown once; stored with your sign-ins): "
                  f"{token}", file=sys.stderr, flush=True)
        else:
            print("minion-tui mcp: clients need the bearer token printed when it was made "
                  "(--new-token makes another).", file=sys.stderr, flush=True)
        app = require_bearer(app, token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=2, access_log=False)
    web = _uvicorn_server()(config)
    # SIGTERM and SIGINT end serve() gracefully; uvicorn's own handling would raise the signal
    # again once it stops, killing the process before the service is closed.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, web.stop)

    async def announce() -> None:
        while not web.started:  # noqa: ASYNC110 (uvicorn has no event for it)
            await asyncio.sleep(0.02)
        for sock in (s for srv in web.servers for s in (srv.sockets or ())):
            bound = sock.getsockname()
            shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
            url = f"http://{shown}:{bound[1]}{PATH}"
            print(f"minion-tui mcp: serving {url}", file=sys.stderr, flush=True)
            if ready is not None:
                ready(url)
            break

    watcher = asyncio.create_task(announce())
    try:
        await web.serve()
    finally:
        watcher.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def _uvicorn_server() -> type[Any]:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server without its signal handling (serve_http installs its own)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

        def stop(self) -> None:
            if self.should_exit:
                self.force_exit = True
            self.should_exit = True

    return Server
