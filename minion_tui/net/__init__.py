"""HTTP for the whole app: one shared client, the endpoint map, per-host limits, retries.

The contract is /work/brief/NET_API.md; everything below is re-exported from here.
"""

from minion_tui.net.client import Http
from minion_tui.net.endpoints import EndpointMap, merge_query, redact_url
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
    "Http",
    "HttpOptions",
    "HttpStats",
    "RequestSpec",
    "WaitNotice",
    "exception_failure",
    "merge_query",
    "parse_retry_after",
    "redact_url",
]
