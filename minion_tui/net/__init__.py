"""HTTP for the whole app: one shared client, the endpoint map, per-host limits, retries.

Everything below is re-exported from here (ARCHITECTURE.md, "net"). What a
failed exchange raises is net's own (net/errors.py), and so are the response types
(net/response.py): nothing outside net/ needs httpx or h11.

The names are loaded on first use (PEP 562): importing ``minion_tui.net.endpoints`` (the
registry does, for the source box's capabilities before the first frame) no longer pulls in
httpx and the client, 45 ms of the TUI's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minion_tui.net.client import Http
    from minion_tui.net.endpoints import EndpointMap, merge_query, redact_url
    from minion_tui.net.errors import (
        CloseError,
        ConnectError,
        ConnectTimeout,
        DecodingError,
        LocalProtocolError,
        MalformedURL,
        NetError,
        PoolTimeout,
        ProtocolError,
        ProxyError,
        ReadError,
        ReadTimeout,
        RemoteProtocolError,
        StreamError,
        Timeout,
        TransportError,
        UnsupportedProtocol,
        WriteError,
        WriteTimeout,
    )
    from minion_tui.net.hosts import HostClass, RatePolicy, host_class
    from minion_tui.net.response import Response, StreamResponse
    from minion_tui.net.retry import Failure, exception_failure, parse_retry_after
    from minion_tui.net.spec import (
        BROWSER_USER_AGENT,
        AuthHook,
        Credentials,
        HttpOptions,
        HttpStats,
        RequestSpec,
    )

_HOME: dict[str, str] = {
    "AuthHook": "minion_tui.net.spec",
    "BROWSER_USER_AGENT": "minion_tui.net.spec",
    "CloseError": "minion_tui.net.errors",
    "ConnectError": "minion_tui.net.errors",
    "ConnectTimeout": "minion_tui.net.errors",
    "Credentials": "minion_tui.net.spec",
    "DecodingError": "minion_tui.net.errors",
    "EndpointMap": "minion_tui.net.endpoints",
    "Failure": "minion_tui.net.retry",
    "HostClass": "minion_tui.net.hosts",
    "Http": "minion_tui.net.client",
    "HttpOptions": "minion_tui.net.spec",
    "HttpStats": "minion_tui.net.spec",
    "LocalProtocolError": "minion_tui.net.errors",
    "MalformedURL": "minion_tui.net.errors",
    "NetError": "minion_tui.net.errors",
    "PoolTimeout": "minion_tui.net.errors",
    "ProtocolError": "minion_tui.net.errors",
    "ProxyError": "minion_tui.net.errors",
    "RatePolicy": "minion_tui.net.hosts",
    "ReadError": "minion_tui.net.errors",
    "ReadTimeout": "minion_tui.net.errors",
    "RemoteProtocolError": "minion_tui.net.errors",
    "RequestSpec": "minion_tui.net.spec",
    "Response": "minion_tui.net.response",
    "StreamError": "minion_tui.net.errors",
    "StreamResponse": "minion_tui.net.response",
    "Timeout": "minion_tui.net.errors",
    "TransportError": "minion_tui.net.errors",
    "UnsupportedProtocol": "minion_tui.net.errors",
    "WriteError": "minion_tui.net.errors",
    "WriteTimeout": "minion_tui.net.errors",
    "exception_failure": "minion_tui.net.retry",
    "host_class": "minion_tui.net.hosts",
    "merge_query": "minion_tui.net.endpoints",
    "parse_retry_after": "minion_tui.net.retry",
    "redact_url": "minion_tui.net.endpoints",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next lookup is a plain module attribute
    return value


__all__ = [
    "BROWSER_USER_AGENT",
    "AuthHook",
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "Credentials",
    "DecodingError",
    "EndpointMap",
    "Failure",
    "HostClass",
    "Http",
    "HttpOptions",
    "HttpStats",
    "LocalProtocolError",
    "MalformedURL",
    "NetError",
    "PoolTimeout",
    "ProtocolError",
    "ProxyError",
    "RatePolicy",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "RequestSpec",
    "Response",
    "StreamError",
    "StreamResponse",
    "Timeout",
    "TransportError",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
    "exception_failure",
    "host_class",
    "merge_query",
    "parse_retry_after",
    "redact_url",
]
