"""HTTP for the whole app: one shared client, the endpoint map, per-host limits, retries.

The contract is /work/brief/NET_API.md; everything below is re-exported from here.
"""

from minion_tui.net.client import Http
from minion_tui.net.endpoints import EndpointMap, merge_query, redact_url
from minion_tui.net.hosts import HostClass, RatePolicy, host_class
from minion_tui.net.retry import Failure, exception_failure, parse_retry_after
from minion_tui.net.spec import (
    BROWSER_USER_AGENT,
    AuthHook,
    HttpOptions,
    HttpStats,
    RequestSpec,
    WaitNotice,
)

__all__ = [
    "BROWSER_USER_AGENT",
    "AuthHook",
    "EndpointMap",
    "Failure",
    "HostClass",
    "Http",
    "HttpOptions",
    "HttpStats",
    "RatePolicy",
    "RequestSpec",
    "WaitNotice",
    "exception_failure",
    "host_class",
    "merge_query",
    "parse_retry_after",
    "redact_url",
]
