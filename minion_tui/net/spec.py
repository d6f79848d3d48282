"""What a request is made of: options, the request spec, the auth hook, wait notices, stats.

Kept apart from the client so providers can build specs and hooks without reading the loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from minion_tui.net.endpoints import EndpointMap, origin_of

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
    rate_limit: float = 15.0  # requests/s per host (net/limiter.py); <= 0 disables it
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
    # The most read into memory of one answer, by kind (net/bounds.py): get_json, get_text
    # (web pages, scripts, playlists), pictures (the caller passes it), anything else read
    # whole (request, get_bytes). A streamed body is capped only when the caller asks.
    max_json_bytes: int = 32 << 20
    max_text_bytes: int = 16 << 20
    max_image_bytes: int = 20 << 20
    max_body_bytes: int = 64 << 20
    # Real hosts reached through curl_cffi's browser impersonation (net/impersonate.py):
    # Mixcloud's GraphQL turns plain clients away (docs/mixcloud.md §4.1). Off by default.
    impersonate_hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Credentials:
    """What proves who we are to a service (a client id in the query, an OAuth header), and
    the only origins it may go to: the service's own API origins, REAL ones (before the
    endpoint map, so the emulated API gets them and the emulated CDN does not).

    Http attaches them to each hop of a request — the first URL and every redirect — whose
    real origin is one of ``origins``, and to nothing else: an absolute URL taken from an
    answer (``next_href``, a transcoding or media URL) that names another host gets the
    request without them."""

    origins: frozenset[str]
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalised = frozenset(filter(None, (origin_of(o) for o in self.origins)))
        object.__setattr__(self, "origins", normalised)

    def go_to(self, real_url: str) -> bool:
        """Whether these credentials may be sent to ``real_url`` (an unmapped URL)."""
        return origin_of(real_url) in self.origins

    def __repr__(self) -> str:  # never the secrets themselves, in a log or a traceback
        return (f"Credentials(origins={sorted(self.origins)!r}, params={sorted(self.params)!r},"
                f" headers={sorted(self.headers)!r})")


@dataclass(frozen=True)
class RequestSpec:
    method: str
    url: str  # REAL-origin URL; the map is applied at send time
    params: Mapping[str, str] | None = None  # merged into the query, overriding same names
    headers: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None  # form body (beside the query and headers)
    json: Any = None  # JSON body (beside the query and headers)
    # Sent only where they belong (Credentials.go_to), added per hop at send time.
    credentials: Credentials | None = None
    content: bytes | None = None  # a raw body (a multipart upload), its type in headers


class AuthHook(Protocol):
    """Called at most once per request() on a 401/403: return a fixed spec (fresh client_id,
    re-signed URL) to retry once, or None to give up."""

    async def __call__(self, response: Response, spec: RequestSpec) -> RequestSpec | None: ...


@dataclass
class HttpStats:
    requests: int = 0  # attempts sent, retries and redirect hops included
    by_host: dict[str, int] = field(default_factory=dict)  # keyed by the real host
    retries: int = 0
