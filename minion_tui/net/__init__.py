"""HTTP for the whole app: one shared client, the endpoint map, per-host limits, retries.

Everything below is re-exported from here (ARCHITECTURE.md, "net"). What a
failed exchange raises is net's own (net/errors.py), and so are the response types
(net/response.py): nothing outside net/ needs httpx or h11.
"""

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
