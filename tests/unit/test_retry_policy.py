"""The retry policy: classification, Retry-After parsing, full-jitter backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest

from minion_tui.net.retry import (
    Outcome,
    RetryPolicy,
    backoff_delay,
    classify_status,
    exception_failure,
    parse_retry_after,
    status_failure,
)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.OK),
        (206, Outcome.OK),
        (304, Outcome.OK),
        (400, Outcome.FAIL),
        (401, Outcome.AUTH),
        (403, Outcome.AUTH),
        (404, Outcome.NOT_FOUND),
        (410, Outcome.NOT_FOUND),
        (408, Outcome.RETRY),
        (416, Outcome.FAIL),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (501, Outcome.FAIL),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
        (504, Outcome.RETRY),
        (505, Outcome.FAIL),
        (520, Outcome.RETRY),
    ],
)
def test_classify_status(status: int, outcome: Outcome) -> None:
    assert classify_status(status) is outcome


def _response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "http://h/"))


def test_429_pauses_the_host_and_is_retried_even_for_post() -> None:
    failure = status_failure(_response(429, **{"Retry-After": "7"}), "POST")
    assert failure.retryable and failure.pauses_host
    assert failure.retry_after == 7.0
    assert failure.reason == "rate limited (HTTP 429)"


def test_503_is_retried_for_get_but_not_for_post() -> None:
    assert status_failure(_response(503), "GET").retryable
    assert not status_failure(_response(503), "POST").retryable
    assert not status_failure(_response(503), "GET").pauses_host
    assert status_failure(_response(503, **{"Retry-After": "2"}), "GET").pauses_host


def _request() -> httpx.Request:
    return httpx.Request("GET", "http://h/")


@pytest.mark.parametrize(
    ("exc", "get", "post"),
    [
        (httpx.ConnectError("refused", request=_request()), True, True),
        (httpx.ConnectTimeout("slow", request=_request()), True, True),
        (httpx.PoolTimeout("busy", request=_request()), True, True),
        (httpx.ReadTimeout("slow", request=_request()), True, False),
        (httpx.RemoteProtocolError("peer closed", request=_request()), True, False),
        (httpx.ReadError("reset", request=_request()), True, False),
        (httpx.DecodingError("bad gzip", request=_request()), True, False),
        (httpx.UnsupportedProtocol("ftp", request=_request()), False, False),
        (httpx.LocalProtocolError("ours", request=_request()), False, False),
    ],
)
def test_exception_classification(exc: Exception, get: bool, post: bool) -> None:
    assert exception_failure(exc, "GET").retryable is get
    assert exception_failure(exc, "POST").retryable is post


def test_a_body_cut_mid_transfer_reads_as_such() -> None:
    exc = httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body", request=_request()
    )
    failure = exception_failure(exc, "GET")
    assert failure.reason == "connection dropped mid-transfer"
    assert "complete message body" in failure.detail


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-5", 0.0),
        ("Sat, 21 Nov 2026 00:01:30 GMT", 90.0),
        ("Sat, 21 Nov 2026 00:00:00 GMT", 0.0),
        ("Fri, 20 Nov 2026 23:00:00 GMT", 0.0),  # in the past: retry now
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    now = datetime(2026, 11, 21, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == seconds


def test_backoff_is_full_jitter_and_capped() -> None:
    rng = random.Random(7)
    for attempt in range(12):
        ceiling = min(30.0, 0.5 * 2**attempt)
        samples = [backoff_delay(attempt, base=0.5, cap=30.0, rng=rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        # Full jitter spreads over the whole range, not just near the top.
        assert min(samples) < ceiling * 0.1 and max(samples) > ceiling * 0.9
    assert backoff_delay(10_000, base=0.5, cap=30.0, rng=rng) <= 30.0


def test_policy_prefers_retry_after_and_clamps_it() -> None:
    policy = RetryPolicy(retry_after_cap=60.0, backoff_base=0.5, backoff_cap=30.0)
    rng = random.Random(1)
    assert policy.delay(status_failure(_response(429, **{"Retry-After": "5"}), "GET"), 0, rng) == 5
    huge = status_failure(_response(429, **{"Retry-After": "3600"}), "GET")
    assert policy.delay(huge, 0, rng) == 60.0
    plain = status_failure(_response(503), "GET")
    assert 0.0 <= policy.delay(plain, 3, rng) <= 4.0
