"""The client id and the OAuth token go to api-v2 only (docs/soundcloud.md §1.5, §3): a hostile
answer whose ``next_href`` or transcoding URL names another host must not earn that host our
credentials. Two real loopback servers: an api-v2 stand-in (mapped from api-v2's origin) that
answers with URLs pointing at a second, unmapped one, and that second server, which records
the headers and the query of every request it receives, like the first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.soundcloud.client import SoundCloud
from tests.integration.local_server import QuietHandler, serving_with

CID = "C" * 32
TOKEN = "secret-oauth-token"
API = "https://api-v2.soundcloud.com"


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Recorder:
    """What one server received; it answers ``answer(path)`` as JSON."""

    answer: Callable[[str], Any] = lambda path: {}
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def saw_credentials(self) -> list[tuple[str, bool, bool]]:
        """(path, client_id in the query, an Authorization header) per request."""
        return [(s.path, "client_id" in s.query, "authorization" in s.headers)
                for s in self.seen]


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            recorder.seen.append(Seen(parts.path, parse_qs(parts.query),
                                      {k.lower(): v for k, v in self.headers.items()}))
            body = json.dumps(recorder.answer(parts.path)).encode()
            self.answer(200, body, {"Content-Type": "application/json"})

    with serving_with(Handler) as base:
        recorder.url = base
        yield recorder


def track(n: int, transcoding_url: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": n, "kind": "track", "title": f"Cut {n}", "duration": 1000,
                            "user": {"id": 7, "username": "u"}, "policy": "ALLOW"}
    if transcoding_url:
        data["media"] = {"transcodings": [{
            "url": transcoding_url, "preset": "mp3_0_0", "snipped": False,
            "format": {"protocol": "progressive", "mime_type": "audio/mpeg"}}]}
    return data


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    with recording(Recorder()) as api, recording(Recorder()) as other:
        yield api, other


@pytest.fixture
async def sc(servers: tuple[Recorder, Recorder], tmp_path: Path) -> AsyncIterator[SoundCloud]:
    api, _ = servers
    http = Http(HttpOptions(endpoints=EndpointMap.from_dict({API: f"{api.url}/api"}),
                            rate_limit=0))
    client = SoundCloud(http, cache_dir=tmp_path, client_id=CID, oauth_token=TOKEN)
    yield client
    await http.aclose()


async def test_a_next_href_to_another_host_gets_no_client_id_nor_token(
    servers: tuple[Recorder, Recorder], sc: SoundCloud
) -> None:
    api, other = servers
    api.answer = lambda path: {"collection": [track(1)],
                               "next_href": f"{other.url}/users/1/tracks?cursor=1"}
    other.answer = lambda path: {"collection": [track(2)]}
    pages = [[t.id for t in page.items] async for page in sc.user_tracks("1")]
    assert pages == [["1"], ["2"]]  # the page was fetched, as given
    # The API got both; the other host neither (nor the id in any other form).
    assert api.saw_credentials() == [("/api/users/1/tracks", True, True)]
    assert api.seen[0].query["client_id"] == [CID]
    assert api.seen[0].headers["authorization"] == f"OAuth {TOKEN}"
    assert other.saw_credentials() == [("/users/1/tracks", False, False)]
    assert CID not in repr(other.seen) and TOKEN not in repr(other.seen)


async def test_a_next_href_on_the_api_still_gets_them(
    servers: tuple[Recorder, Recorder], sc: SoundCloud
) -> None:
    api, _ = servers
    api.answer = lambda path: ({"collection": [track(1)],
                                "next_href": f"{API}/users/1/tracks?cursor=1"}
                               if len(api.seen) == 1 else {"collection": [track(2)]})
    assert [[t.id for t in p.items] async for p in sc.user_tracks("1")] == [["1"], ["2"]]
    assert api.saw_credentials() == [("/api/users/1/tracks", True, True)] * 2


async def test_a_transcoding_url_on_another_host_gets_no_client_id_nor_token(
    servers: tuple[Recorder, Recorder], sc: SoundCloud
) -> None:
    api, other = servers
    api.answer = lambda path: track(5, f"{other.url}/media/soundcloud:tracks:5/x/stream/"
                                       "progressive")
    other.answer = lambda path: {"url": f"{other.url}/cdn/5.mp3"}
    choice = await sc.stream("soundcloud:tracks:5")
    assert choice.url == f"{other.url}/cdn/5.mp3"
    assert api.saw_credentials() == [("/api/tracks/5", True, True)]
    assert other.saw_credentials() == [
        ("/media/soundcloud:tracks:5/x/stream/progressive", False, False)]
