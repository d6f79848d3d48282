"""The retry policy: which failures are worth another attempt, and how long to wait first.

Pure functions, no I/O, so the whole policy is unit-testable. The rules follow
docs/downloads.md §4.1:

- connect errors, timeouts, a connection dropped mid-body, 408, 429 and 5xx (except 501/505)
  are retried; 404/410 never are; 401/403 go to the provider's hook; other 4xx fail at once.
- waits are full-jitter exponential, ``U(0, min(cap, base * 2**attempt))``, unless the server
  sent Retry-After (seconds or an HTTP-date, RFC 9110 §10.2.3), which wins, clamped to a cap.
- only idempotent methods retry failures that may have reached the server; a POST is retried
  only when nothing was processed (could not connect, or 429).
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from minion_tui.net.errors import (
    ConnectError,
    ConnectTimeout,
    DecodingError,
    LocalProtocolError,
    PoolTimeout,
    ProxyError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    TransportError,
    UnsupportedProtocol,
    WriteTimeout,
    from_httpx,
)

if TYPE_CHECKING:
    from minion_tui.net.response import Response

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
_PERMANENT_5XX = frozenset({501, 505})


class Outcome(enum.Enum):
    OK = "ok"
    RETRY = "retry"
    NOT_FOUND = "not_found"
    AUTH = "auth"
    FAIL = "fail"


def classify_status(status: int) -> Outcome:
    if status < 400:
        return Outcome.OK
    if status in (404, 410):
        return Outcome.NOT_FOUND
    if status in (401, 403):
        return Outcome.AUTH
    if status in (408, 429) or (status >= 500 and status not in _PERMANENT_5XX):
        return Outcome.RETRY
    return Outcome.FAIL


@dataclass(frozen=True)
class Failure:
    """One failed attempt, described for the retry loop and for the user."""

    reason: str  # what went wrong, in words: "server error (HTTP 503)"
    retryable: bool
    status: int | None = None
    retry_after: float | None = None  # seconds the server asked for (unclamped), if any
    detail: str = ""  # the library's message, for the final error text
    rate_limit: bool = False  # a rate limit under another status (Mixcloud's 403)

    @property
    def pauses_host(self) -> bool:
        """429 always slows the whole host; any status with Retry-After does too."""
        return (self.status == 429 or self.rate_limit
                or (self.status is not None and self.retry_after is not None))


def status_failure(response: Response, method: str) -> Failure:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 429:
        reason = "rate limited (HTTP 429)"
    elif status >= 500:
        reason = f"server error (HTTP {status})"
    else:
        reason = f"HTTP {status}"
    retryable = classify_status(status) is Outcome.RETRY and (
        method in IDEMPOTENT_METHODS or status == 429
    )
    return Failure(reason, retryable, status=status, retry_after=retry_after)


def rate_limit_failure(response: Response) -> Failure:
    """A response the caller's ``rate_limited`` check recognised as a rate limit whatever
    its status (Mixcloud answers 403 with ``RateLimitException``, docs/mixcloud.md §1.5):
    retried like a 429, after its Retry-After."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return Failure(f"rate limited (HTTP {status})", True, status=status,
                   retry_after=retry_after, rate_limit=True)


def exception_failure(exc: Exception, method: str) -> Failure:
    """Classify an exception raised while sending or reading a response: one of net's
    (net/errors.py), or an httpx one, read as net's of its name."""
    exc = from_httpx(exc)
    detail = str(exc) or type(exc).__name__
    idempotent = method in IDEMPOTENT_METHODS
    if isinstance(exc, ConnectTimeout):
        return Failure("timed out connecting", True, detail=detail)
    if isinstance(exc, PoolTimeout):
        return Failure("timed out waiting for a free connection", True, detail=detail)
    if isinstance(exc, ConnectError):
        return Failure("could not connect", True, detail=detail)
    if isinstance(exc, ProxyError | UnsupportedProtocol | LocalProtocolError):
        return Failure("could not send the request", False, detail=detail)
    if isinstance(exc, ReadTimeout | WriteTimeout):
        return Failure("timed out waiting for the server", idempotent, detail=detail)
    # RemoteProtocolError: "peer closed connection without sending complete message body";
    # ReadError: reset mid-transfer; DecodingError: a gzip body cut short. All mean the body
    # did not arrive whole, which is a failure of the whole request (§4.2).
    if isinstance(exc, RemoteProtocolError | ReadError | DecodingError):
        return Failure("connection dropped mid-transfer", idempotent, detail=detail)
    if isinstance(exc, TransportError):
        return Failure("network error", idempotent, detail=detail)
    return Failure("unexpected HTTP failure", False, detail=detail)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent/garbage."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)]; ``attempt`` counts from 0."""
    ceiling = min(cap, base * 2.0 ** min(attempt, 62))
    return rng.uniform(0.0, max(0.0, ceiling))


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0

    def delay(self, failure: Failure, retry_number: int, rng: random.Random) -> float:
        """How long to wait before retry number ``retry_number`` (0-based) after ``failure``."""
        if failure.retry_after is not None:
            return min(failure.retry_after, self.retry_after_cap)
        return backoff_delay(retry_number, base=self.backoff_base, cap=self.backoff_cap, rng=rng)
