"""What a failed exchange raises: net's own exception types, on both send paths.

h1.py raises these itself; what httpx raises is turned into the one of the same name where it
comes out of httpx (:func:`from_httpx`, ``raise … from`` the original). Callers catch these
and never import httpx.

None of them is a :class:`minion_tui.errors.MinionError`. :meth:`Http.request` retries them and,
when it gives up, raises the app-level ``NetworkError`` (JSON type ``network``) with what went
wrong in words; :meth:`Http.stream` lets them through to its caller (the downloader, the
stream proxy), which owns the retries and says in its own terms what failed.

Each one also subclasses the httpx exception of its name, so an ``except`` written against
httpx's types (net's own tests) still catches it; code outside net/ never sees httpx, so
nothing there can come to depend on that. The names are httpx's too: a failure reads the same
in a message (``ReadTimeout: no data from the server for 20 s``) whichever path it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx


class NetError(Exception):
    """Base of everything net/ raises for an exchange that failed."""


class TransportError(NetError, httpx.TransportError):
    """The exchange failed on the way: connecting, sending, or receiving the answer."""


class Timeout(TransportError, httpx.TimeoutException):
    """A connect, read, write or wait for a connection took longer than the timeout."""


class ConnectTimeout(Timeout, httpx.ConnectTimeout):
    """No connection (TCP and TLS) within the timeout: nothing reached the server."""


class ReadTimeout(Timeout, httpx.ReadTimeout):
    """The server sent nothing for the timeout, with the request (possibly) delivered."""


class WriteTimeout(Timeout, httpx.WriteTimeout):
    """The request could not be sent within the timeout."""


class PoolTimeout(Timeout, httpx.PoolTimeout):
    """No free connection in the pool within the timeout."""


class ConnectError(TransportError, httpx.ConnectError):
    """The connection could not be made: refused, unreachable, a name that does not resolve,
    a certificate that does not verify."""


class ReadError(TransportError, httpx.ReadError):
    """The connection failed while reading (reset by the peer, mid-transfer or not)."""


class WriteError(TransportError, httpx.WriteError):
    """The connection failed while sending the request."""


class CloseError(TransportError, httpx.CloseError):
    """The connection failed while being closed."""


class ProxyError(TransportError, httpx.ProxyError):
    """The proxy from the environment refused or failed the request."""


class UnsupportedProtocol(TransportError, httpx.UnsupportedProtocol):
    """A URL whose scheme cannot be sent (not http or https)."""


class ProtocolError(TransportError, httpx.ProtocolError):
    """The exchange broke the rules of HTTP/1.1, on one side or the other."""


class LocalProtocolError(ProtocolError, httpx.LocalProtocolError):
    """Our request could not be sent as HTTP/1.1 (a header value it cannot carry, say)."""


class RemoteProtocolError(ProtocolError, httpx.RemoteProtocolError):
    """The server's answer was not valid HTTP, or ended early: the connection closed before
    the end of the head or short of the body's Content-Length."""


class DecodingError(NetError, httpx.DecodingError):
    """The body arrived but did not decode (a gzip stream cut short, say)."""


class StreamError(NetError, httpx.StreamError):
    """A streamed body read in a way it cannot be: after it was closed, or a second time."""


class MalformedURL(NetError, httpx.InvalidURL):
    """A URL that cannot be turned into a request at all (an impossible port, say). Like
    httpx's InvalidURL, Http.request does not retry it: it lets it through."""


_FAILURES: tuple[type[NetError], ...] = (
    TransportError, Timeout, ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout,
    ConnectError, ReadError, WriteError, CloseError, ProxyError, UnsupportedProtocol,
    ProtocolError, LocalProtocolError, RemoteProtocolError, DecodingError, StreamError,
    MalformedURL,
)
#: Each httpx exception type -> ours of the same name (the httpx base each of ours declares).
_OURS: dict[type[BaseException], type[NetError]] = {
    base: ours for ours in _FAILURES for base in ours.__bases__
    if base.__module__.startswith("httpx")
}
#: What httpx raises for a failed exchange or a URL it cannot send: what from_httpx takes.
HTTPX_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx.StreamError,
                                             httpx.InvalidURL)


def from_httpx(error: Exception) -> Exception:
    """``error`` as net's exception: an httpx one becomes ours of its name (or of its nearest
    ancestor's, for one net has no name for), with the same message; anything else, ours
    included, is returned as it is."""
    if isinstance(error, NetError) or not isinstance(error, HTTPX_ERRORS):
        return error
    for kind in type(error).__mro__:
        ours = _OURS.get(kind)
        if ours is not None:
            return ours(str(error))
    return NetError(str(error))  # httpx.HTTPStatusError, TooManyRedirects: never raised here


@contextmanager
def httpx_failures() -> Iterator[None]:
    """Around a call into httpx: what it raises comes out as net's exception of that name,
    ``from`` httpx's."""
    try:
        yield
    except NetError:
        raise
    except HTTPX_ERRORS as error:
        raise from_httpx(error) from error
