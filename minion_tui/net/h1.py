"""GETs over kept-alive HTTP/1.1 connections of our own: how the app fetches what it reads.

A 60-minute mix is about 360 HLS segments. Eight at a time, each worker spends its life in
request → wait for the CDN → response → next request, so whatever CPU a request costs lands
between one response and the next request, 46 times in a row. Through httpx that is about
0.7 ms per segment (its models, httpcore's pool and anyio's cancel scopes; bench/download.py);
here the same exchange costs about a third of it: h11 — the HTTP/1.1 state machine httpcore
itself uses — over asyncio streams, one connection per request in flight, idle ones kept for
the next (docs/downloads.md §1.7: keep-alive is what parallel fetching is built on).

:class:`minion_tui.net.client.Http` sends its GETs here (``stream`` and ``request`` alike),
after the endpoint map, the rate limit and the redirects, which stay in Http; httpx sends
everything else, and the URLs only it can send as given (a proxy from the environment, a raw
non-ASCII path, credentials in the URL). Failures raise net's own exceptions (net/errors.py),
the same types and names as what comes out of httpx, so both paths are classified alike
(net/retry.py ``exception_failure``); one cookie jar serves both. ``stream`` asks for the
``identity`` encoding (media is not compressed: what arrives is what was sent); ``request``
accepts gzip and deflate and lets httpx's decoders undo them.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from http.cookiejar import CookieJar
from urllib.parse import SplitResult, urlsplit

import h11
import httpx

from minion_tui.net.errors import (
    ConnectError,
    ConnectTimeout,
    LocalProtocolError,
    MalformedURL,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    TransportError,
    WriteError,
    WriteTimeout,
)

#: Bytes asked of the socket at a time (the stream buffer holds up to 1 MiB).
READ_SIZE = 1 << 16
#: Idle connections kept per origin, and for how long (pool.py's keep-alive figures).
MAX_IDLE = 20
IDLE_EXPIRY = 30.0

Origin = tuple[str, str, int]  # scheme, host, port


class H1Response:
    """What :meth:`Http.stream` yields for a GET sent here (a
    :class:`~minion_tui.net.response.StreamResponse`)."""

    def __init__(self, status_code: int, headers: httpx.Headers, body: _Body) -> None:
        self.status_code = status_code
        self.headers = headers
        self._body = body

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as it arrives (pieces of at most READ_SIZE bytes; ``chunk_size`` is
        accepted for the signature of the httpx path). Raises RemoteProtocolError when the body
        ends short of its Content-Length."""
        async for piece in self._body.pieces():
            yield piece

    # Nothing to decode: the request asked for the identity encoding.
    aiter_bytes = aiter_raw

    async def aread(self) -> bytes:
        """The whole body."""
        return b"".join([piece async for piece in self._body.pieces()])

    async def aclose(self) -> None:
        self._body.close()


class _Connection:
    """One TCP (or TLS) connection and its h11 state."""

    def __init__(self, origin: Origin, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.origin = origin
        self.reader = reader
        self.writer = writer
        # Response heads up to 100 KiB, as httpcore allows (h11's default is 16 KiB).
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=100 << 10)
        self.idle_since = time.monotonic()
        self.reused = False

    def usable(self, now: float) -> bool:
        """Fit for another request: open, not closed by the server while idle, not idle
        for too long."""
        return (not self.writer.is_closing() and not self.reader.at_eof()
                and now - self.idle_since < IDLE_EXPIRY)

    async def send(self, request: h11.Request, seconds: float) -> None:
        try:
            self.writer.write(self.h11.send(request) + self.h11.send(h11.EndOfMessage()))
            async with asyncio.timeout(seconds):
                await self.writer.drain()
        except TimeoutError:
            message = f"no progress sending the request for {seconds:g} s"
            raise WriteTimeout(message) from None
        except OSError as error:
            raise WriteError(str(error) or type(error).__name__) from error
        except h11.LocalProtocolError as error:
            raise LocalProtocolError(str(error)) from error

    async def event(self, seconds: float) -> h11.Event | type[h11.PAUSED]:
        """The next h11 event, reading from the socket as needed (``seconds`` for each
        read)."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise RemoteProtocolError(str(error)) from error
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]  # NEED_DATA was handled above
            try:
                async with asyncio.timeout(seconds):
                    data = await self.reader.read(READ_SIZE)
            except TimeoutError:
                raise ReadTimeout(f"no data from the server for {seconds:g} s") from None
            except OSError as error:
                raise ReadError(str(error) or type(error).__name__) from error
            self.h11.receive_data(data)  # b"" is the server's EOF

    def close(self) -> None:
        self.writer.close()


class _Body:
    """A response body being read; gives its connection back to the pool when read whole."""

    def __init__(self, conn: _Connection, timeout: float,
                 give_back: Callable[[_Connection], None]) -> None:
        self.conn = conn
        self.timeout = timeout
        self.give_back = give_back
        self.finished = False
        self.closed = False

    async def pieces(self) -> AsyncIterator[bytes]:
        conn = self.conn
        while not self.finished:
            event = await conn.event(self.timeout)
            if type(event) is h11.Data:
                yield bytes(event.data)  # type: ignore[union-attr]
            elif type(event) is h11.EndOfMessage:
                self.finished = True
            else:  # ConnectionClosed or PAUSED before the end: h11 let it through
                raise RemoteProtocolError(
                    f"the connection ended inside the response body ({type(event).__name__})")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        conn = self.conn
        if not self.finished:  # what is already buffered may end it (a redirect's empty body)
            try:
                event = conn.h11.next_event()
                while type(event) is h11.Data:
                    event = conn.h11.next_event()
                self.finished = type(event) is h11.EndOfMessage
            except h11.RemoteProtocolError:
                pass
        if (self.finished and conn.h11.our_state is h11.DONE
                and conn.h11.their_state is h11.DONE):
            conn.h11.start_next_cycle()
            self.give_back(conn)
        else:  # an unread body, an error, or "Connection: close": the socket goes
            conn.close()


class H1Pool:
    """Kept-alive connections of one event loop (pool.py keeps one per loop, beside the
    httpx client), keyed by origin."""

    def __init__(self, ssl_context: Callable[[], ssl.SSLContext],
                 cookies: CookieJar | None = None) -> None:
        self._ssl_context = ssl_context
        # The httpx client's jar (pool.py shares one): cookies set by an answer here go out
        # with later requests here and through httpx alike, as when httpx sent everything.
        self._cookies = httpx.Cookies(cookies if cookies is not None else CookieJar())
        self._idle: dict[Origin, list[_Connection]] = {}
        # The proxies of the environment, read once as httpx does (trust_env).
        self._proxies = urllib.request.getproxies()
        self._closed = False
        self._warming: dict[Origin, int] = {}  # connections being opened by warm()
        self._tasks: set[asyncio.Future[None]] = set()

    def takes(self, url: str) -> bool:
        """Whether ``url`` can go here: http(s), printable ASCII as sent on the wire, no
        credentials in it, and no proxy for it. httpx takes the others (it percent-encodes
        a raw path and IDNA-encodes a host, sends user:password@ as basic auth)."""
        if not url.isascii() or not url.isprintable() or " " in url:
            return False
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
        if scheme not in ("http", "https") or not host or "@" in parts.netloc:
            return False
        if self._proxies.get(scheme) or self._proxies.get("all"):
            return bool(urllib.request.proxy_bypass(host))
        return True

    async def get(self, url: str, headers: Mapping[str, str],
                  seconds: float, *, encoding: str = "identity",
                  before_write: Callable[[], Awaitable[None]] | None = None) -> H1Response:
        """Send a GET for ``url`` and read the response head; the body is read through the
        response. ``seconds`` bounds each connect, write and read (httpx's timeout). A kept
        connection the server closed while it was idle is replaced by a new one.
        ``encoding`` is the Accept-Encoding sent; the body comes as sent (not decoded).

        ``before_write`` (the host's rate-limit slot) is awaited once the connection is
        ready, right before the request's bytes are written, and again before a resend: a
        slow connect taken *after* the slot would let the requests behind it reach the
        server closer together than the window (bench/discovery.py saw 18 in a second at a
        limit of 15)."""
        parts = urlsplit(url)
        origin = _origin(parts)
        scheme, host, port = origin
        fields = _request_headers(host, port, scheme, headers, encoding)
        if len(self._cookies.jar) and "cookie" not in dict(fields):
            carrier = httpx.Request("GET", url)
            self._cookies.set_cookie_header(carrier)
            if "cookie" in carrier.headers:
                fields.append(("cookie", carrier.headers["cookie"]))
        try:
            request = h11.Request(method="GET", target=_target(parts.path, parts.query),
                                  headers=fields)
        except h11.LocalProtocolError as error:  # a header value HTTP cannot carry
            raise LocalProtocolError(str(error)) from error
        while True:
            conn = await self._connection(origin, seconds)
            if before_write is not None:
                try:
                    await before_write()
                except BaseException:
                    self._give_back(conn)  # nothing was sent on it
                    raise
            try:
                await conn.send(request, seconds)
                event = await conn.event(seconds)
                while type(event) is h11.InformationalResponse:  # 100 Continue and the like
                    event = await conn.event(seconds)
            except (RemoteProtocolError, ReadError, WriteError):
                conn.close()
                if conn.reused:  # the server closed it while it was idle: a new one
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            if type(event) is not h11.Response:
                conn.close()
                raise RemoteProtocolError(f"expected a response, got {event!r}")
            response: h11.Response = event  # type: ignore[assignment]
            received = httpx.Headers(response.headers)
            if "set-cookie" in received:
                self._cookies.extract_cookies(httpx.Response(
                    response.status_code, headers=received, request=httpx.Request("GET", url)))
            return H1Response(response.status_code, received,
                              _Body(conn, seconds, self._give_back))

    def warm(self, url: str, connections: int, seconds: float) -> None:
        """Open connections to ``url``'s origin in the background until ``connections`` are
        idle or being opened, for requests about to follow (an HLS download's segments, while
        its playlist is on the way): their TCP and TLS handshakes — one or two round trips
        each, in parallel — are then behind us when the first segments are asked for. One
        that fails is simply not there; the request that needed it says what failed."""
        origin = _origin(urlsplit(url))
        missing = (connections - len(self._idle.get(origin, ()))
                   - self._warming.get(origin, 0))
        for _ in range(max(0, missing)):
            self._warming[origin] = self._warming.get(origin, 0) + 1
            task = asyncio.ensure_future(self._warm_one(origin, seconds))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _warm_one(self, origin: Origin, seconds: float) -> None:
        try:
            conn = await self._open(origin, seconds)
        except TransportError:
            return
        finally:
            self._warming[origin] -= 1
        self._give_back(conn)

    async def _connection(self, origin: Origin, seconds: float) -> _Connection:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.usable(now):
                conn.reused = True
                return conn
            conn.close()
        return await self._open(origin, seconds)

    async def _open(self, origin: Origin, seconds: float) -> _Connection:
        scheme, host, port = origin
        context = self._ssl_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(seconds):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context, server_hostname=host if context else None,
                    limit=1 << 20)
        except TimeoutError:
            raise ConnectTimeout(f"could not connect to {host}:{port} within "
                                       f"{seconds:g} s") from None
        except OSError as error:  # ssl.SSLError included
            raise ConnectError(str(error) or type(error).__name__) from error
        return _Connection(origin, reader, writer)

    def _give_back(self, conn: _Connection) -> None:
        idle = self._idle.setdefault(conn.origin, [])
        if self._closed or len(idle) >= MAX_IDLE:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        idle.append(conn)

    async def aclose(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        conns = [conn for idle in self._idle.values() for conn in idle]
        self._idle.clear()
        for conn in conns:
            conn.close()
        for conn in conns:
            try:
                await conn.writer.wait_closed()
            except (OSError, ssl.SSLError):
                pass


def _origin(parts: SplitResult) -> Origin:
    scheme = parts.scheme
    try:
        port = parts.port
    except ValueError as error:  # a port out of range or not a number
        raise MalformedURL(str(error)) from error
    return scheme, parts.hostname or "", port or (443 if scheme == "https" else 80)


def _target(path: str, query: str) -> str:
    return (path or "/") + (f"?{query}" if query else "")


def _request_headers(host: str, port: int, scheme: str, extra: Mapping[str, str],
                     encoding: str) -> list[tuple[str, str]]:
    """Host first (RFC 9112 §3.2), httpx's defaults, then the caller's (which win), except
    the encoding: ``encoding``, which the reader of the body knows how to take."""
    default_port = 443 if scheme == "https" else 80
    name = f"[{host}]" if ":" in host else host
    fields = {"host": name if port == default_port else f"{name}:{port}",
              "accept": "*/*", "connection": "keep-alive"}
    for key, value in extra.items():
        fields[key.lower()] = value
    fields["accept-encoding"] = encoding
    return list(fields.items())
