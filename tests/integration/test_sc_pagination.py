"""Pagination edges over real HTTP against a tiny stdlib api-v2 stand-in whose pages are set
exactly (docs/soundcloud.md §1.5): empty pages that still carry next_href, next_href absent vs null,
client_id re-added to every next_href, exact limits, stub tracks hydrated, a repeating
next_href not followed forever."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qs

import pytest

from minion_tui.models import Page, Track
from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.soundcloud.client import SoundCloud
from tests.integration.local_server import Answer, answering_server

CID = "Q" * 32
API = "https://api-v2.soundcloud.com"


def full(n: int) -> dict[str, Any]:
    return {"id": n, "kind": "track", "title": f"Cut {n}", "duration": 1000 * n,
            "user": {"id": 7, "username": "u"}}


@dataclass
class Lists:
    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    last: str = "absent"  # how the last page ends: "absent" | "null" | "empty" | "loop"
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        self.paths.append(path)
        self.requests.append(query)
        if query.get("client_id") != [CID]:
            return 401, {}
        if path == "/api/tracks":
            ids = query["ids"][0].split(",")
            return 200, [full(int(i)) for i in reversed(ids) if int(i) < 10_000]
        k = int(query.get("cursor", ["0"])[0])
        body: dict[str, Any] = {"collection": self.pages[k], "query_urn": None}
        if k + 1 < len(self.pages):
            body["next_href"] = f"{API}/users/1/tracks?cursor={k + 1}&limit=" \
                                f"{query.get('limit', ['?'])[0]}"
        elif self.last == "null":
            body["next_href"] = None
        elif self.last == "empty":
            body["next_href"] = ""
        elif self.last == "loop":
            body["next_href"] = f"{API}/users/1/tracks?cursor={k}"
        return 200, body


@pytest.fixture
def lists() -> Iterator[tuple[Lists, str]]:
    state = Lists()

    def answer(parts: SplitResult) -> Answer:
        status, body = state.answer(parts.path, parse_qs(parts.query))
        return status, json.dumps(body).encode(), "application/json"

    with answering_server(answer) as url:
        yield state, url


@pytest.fixture
async def sc(lists: tuple[Lists, str], tmp_path: Path) -> AsyncIterator[SoundCloud]:
    _, url = lists
    http = Http(HttpOptions(endpoints=EndpointMap.from_dict({API: f"{url}/api"}), rate_limit=0))
    client = SoundCloud(http, cache_dir=tmp_path, client_id=CID)
    yield client
    await http.aclose()


async def drain(pages: AsyncIterator[Page[Track]]) -> list[list[str]]:
    return [[t.id for t in page.items] async for page in pages]


@pytest.mark.parametrize("last", ["absent", "null", "empty"])
async def test_walks_empty_pages_and_stops_without_next_href(
    lists: tuple[Lists, str], sc: SoundCloud, last: str
) -> None:
    state, _ = lists
    state.pages = [[full(1), full(2)], [], [], [full(3)], [], [full(4)]]
    state.last = last
    assert await drain(sc.user_tracks("1")) == [["1", "2"], ["3"], ["4"]]
    assert len(state.requests) == 6
    assert all(q["client_id"] == [CID] for q in state.requests)  # re-added to each next_href
    assert state.requests[0]["linked_partitioning"] == ["1"]
    assert state.requests[0]["limit"] == ["50"]


async def test_exact_limit_stops_early(lists: tuple[Lists, str], sc: SoundCloud) -> None:
    state, _ = lists
    state.pages = [[full(1), full(2), full(3)], [], [full(4), full(5), full(6)], [full(7)]]
    pages = [p async for p in sc.user_tracks("1", limit=4)]
    assert [[t.id for t in p.items] for p in pages] == [["1", "2", "3"], ["4"]]
    assert pages[-1].next_href is None and pages[0].next_href
    assert len(state.requests) == 3 and state.requests[0]["limit"] == ["4"]


async def test_limit_asks_at_most_200_per_page(lists: tuple[Lists, str], sc: SoundCloud) -> None:
    state, _ = lists
    state.pages = [[full(i) for i in range(1, 6)]]
    assert sum(map(len, await drain(sc.user_tracks("1", limit=999)))) == 5
    assert state.requests[0]["limit"] == ["200"]


async def test_entirely_empty_listing_yields_one_empty_page(
    lists: tuple[Lists, str], sc: SoundCloud
) -> None:
    state, _ = lists
    state.pages = [[], []]
    assert await drain(sc.user_tracks("1")) == [[]]


async def test_repeating_next_href_is_not_followed_forever(
    lists: tuple[Lists, str], sc: SoundCloud
) -> None:
    state, _ = lists
    state.pages = [[full(1)], [full(2)]]
    state.last = "loop"
    assert await drain(sc.user_tracks("1")) == [["1"], ["2"]]
    assert len(state.requests) == 3  # the repeated cursor is asked once more, then dropped


async def test_stub_tracks_in_a_list_are_hydrated_in_place(
    lists: tuple[Lists, str], sc: SoundCloud
) -> None:
    state, _ = lists
    stub = {"id": 5, "kind": "track", "monetization_model": "BLACKBOX", "policy": "ALLOW"}
    gone = {"id": 10_001, "kind": "track", "policy": "ALLOW"}
    state.pages = [[full(1), stub, gone, full(2), {"junk": True}, "x"]]
    assert await drain(sc.user_tracks("1")) == [["1", "5", "2"]]
    assert "/api/tracks" in state.paths


async def test_tracks_batches_of_fifty_in_request_order(
    lists: tuple[Lists, str], sc: SoundCloud
) -> None:
    state, _ = lists
    wanted = [str(i) for i in range(130, 0, -1)] + ["20000"]
    got = await sc.tracks(wanted)
    assert [t.id for t in got] == wanted[:-1]
    sizes = sorted(len(q["ids"][0].split(",")) for q in state.requests)
    assert sizes == [31, 50, 50]
