"""What a request is made of: options, the request spec, the auth hook, wait notices, stats.

Kept apart from the client so providers can build specs and hooks without reading the loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from minion_tui.net.endpoints import EndpointMap

if TYPE_CHECKING:
    from minion_tui.net.response import Response

# A current desktop Chrome on Windows (the reduced UA string Chrome sends since v110). Some
# web front-ends serve a stripped page to unknown agents. Overridable in config ([net]).
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
)
_NO_ENDPOINTS = EndpointMap()  # immutable and hashable, so one shared default is safe


@dataclass(frozen=True)
class HttpOptions:
    endpoints: EndpointMap = _NO_ENDPOINTS
    rate_limit: float = 15.0  # requests/s per host, token bucket; <= 0 disables the limit
    # requests/s per media-CDN host (net/hosts.py says which hosts); <= 0 disables the limit
    cdn_rate_limit: float = 1000.0
    max_retries: int = 5
    timeout: float = 20.0  # per attempt (connect/read/write/pool)
    deadline: float = 120.0  # overall per request, retries and waits included
    retry_after_cap: float = 60.0  # Retry-After values are clamped to this
    backoff_base: float = 0.5  # full jitter: sleep = U(0, min(cap, base * 2**attempt))
    backoff_cap: float = 30.0
    user_agent: str = BROWSER_USER_AGENT
    long_wait_notice: float = 3.0  # a wait >= this many seconds is announced through on_wait


@dataclass(frozen=True)
class RequestSpec:
    method: str
    url: str  # REAL-origin URL; the map is applied at send time
    params: Mapping[str, str] | None = None  # merged into the query, overriding same names
    headers: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None  # form body (beside the query and headers)
    json: Any = None  # JSON body (beside the query and headers)


class AuthHook(Protocol):
    """Called at most once per request() on a 401/403: return a fixed spec (fresh client_id,
    re-signed URL) to retry once, or None to give up."""

    async def __call__(self, response: Response, spec: RequestSpec) -> RequestSpec | None: ...


@dataclass
class HttpStats:
    requests: int = 0  # attempts sent, retries and redirect hops included
    by_host: dict[str, int] = field(default_factory=dict)  # keyed by the real host
    retries: int = 0
