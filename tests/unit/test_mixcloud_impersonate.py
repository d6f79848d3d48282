"""The optional browser-impersonating transport (net/impersonate.py, docs/mixcloud.md §4.1):
only the hosts named go through it, still through the endpoint map; without curl_cffi the
request fails saying how to install it; the setting is off by default."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from minion_tui.config import Settings
from minion_tui.errors import NetworkError
from minion_tui.net import EndpointMap, Http, HttpOptions, impersonate
from tests.integration.local_server import QuietHandler, serving_with

GRAPHQL = "https://app.mixcloud.com/graphql"


@pytest.fixture
def served() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    seen: list[tuple[str, str]] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            seen.append((urlsplit(self.path).path, self.headers.get("sec-ch-ua", "")))
            self.answer(200, json.dumps({"data": {"ok": True}}).encode(),
                        {"Content-Type": "application/json"})

    with serving_with(Handler) as base:
        yield base, seen


def _http(base: str, hosts: frozenset[str]) -> Http:
    return Http(HttpOptions(endpoints=EndpointMap([("https://app.mixcloud.com", base + "/app")]),
                            rate_limit=0, max_retries=0, impersonate_hosts=hosts))


def test_it_is_off_by_default() -> None:
    assert HttpOptions().impersonate_hosts == frozenset()
    assert Settings().net.impersonate is None


async def test_without_curl_cffi_it_says_how_to_get_it(
        served: tuple[str, list[tuple[str, str]]], monkeypatch: pytest.MonkeyPatch) -> None:
    base, seen = served
    monkeypatch.setitem(sys.modules, "curl_cffi", None)  # an import of it fails
    monkeypatch.setitem(sys.modules, "curl_cffi.requests", None)
    http = _http(base, frozenset({"app.mixcloud.com"}))
    try:
        with pytest.raises(NetworkError) as refused:
            await http.get_json(GRAPHQL)
    finally:
        await http.aclose()
    assert "curl_cffi is not installed" in refused.value.message
    assert "pip install curl_cffi" in (refused.value.hint or "")
    assert seen == []  # nothing went out by another way
    assert not impersonate.available()


@pytest.mark.skipif(importlib.util.find_spec("curl_cffi") is None,
                    reason="curl_cffi is optional and not installed here")
async def test_named_hosts_go_through_curl_cffi_and_the_endpoint_map(
        served: tuple[str, list[tuple[str, str]]]) -> None:
    base, seen = served
    http = _http(base, frozenset({"app.mixcloud.com"}))
    try:
        assert await http.get_json(GRAPHQL, params={"query": "{ x }"}) == {"data": {"ok": True}}
    finally:
        await http.aclose()
    assert [path for path, _ in seen] == ["/app/graphql"]
    assert "Chrom" in seen[0][1]  # a browser's client hints: curl_cffi's, not httpx's
    plain = _http(base, frozenset())
    try:
        await plain.get_json(GRAPHQL)
    finally:
        await plain.aclose()
    assert seen[1] == ("/app/graphql", "")
