"""The Mixcloud client over real loopback HTTP against a scripted server answering the shapes
of docs/mixcloud.md by hand (the emulator's integration tests come with it): paging.next
followed exactly as given (http:// too), the limit, the 403 RateLimitException retried after
its Retry-After, error bodies, streams from one GraphQL call, tracklists' fallbacks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from minion_tui.errors import HTTPAuthError, NotFound, RateLimited
from minion_tui.models import Section, Track, User
from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.mixcloud import parse, streams
from minion_tui.providers.mixcloud.client import Mixcloud
from minion_tui.providers.mixcloud.urls import Target
from tests.integration.local_server import QuietHandler, serving_with

Reply = tuple[int, Any, dict[str, str]]


@dataclass
class Script:
    """What the server answers, by path (``/api/…``, ``/apih/…``, ``/app/graphql``), in
    order when a list is given; every request is recorded."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def answer(self, path: str, query: str) -> Reply:
        self.seen.append((path, parse_qs(query)))
        replies = self.routes.get(path)
        if not replies:
            return 404, {"error": {"type": "NotFoundException", "message": "Nope"}}, {}
        return replies.pop(0) if len(replies) > 1 else replies[0]


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def served(script: Script) -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, body, headers = script.answer(parts.path, parts.query)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.answer(status, data, {"Content-Type": "text/javascript", **headers})

    with serving_with(Handler) as base:
        yield base


@pytest.fixture
async def mixcloud(served: str) -> AsyncIterator[Mixcloud]:
    endpoints = EndpointMap([("https://api.mixcloud.com", served + "/api"),
                             ("http://api.mixcloud.com", served + "/apih"),
                             ("https://app.mixcloud.com", served + "/app")])
    http = Http(HttpOptions(endpoints=endpoints, rate_limit=0, max_retries=2,
                            retry_after_cap=0.2, backoff_base=0.01, deadline=20))
    yield Mixcloud(http)
    await http.aclose()


def show(n: int, user: str = "Spartacus") -> dict[str, Any]:
    return {"key": f"/{user}/mix-{n}/", "url": f"https://www.mixcloud.com/{user}/mix-{n}/",
            "name": f"Mix {n}", "type": "cloudcast", "audio_length": 60 * n,
            "created_time": f"2017-09-{n:02d}T07:15:37Z",
            "user": {"username": user, "name": f"{user} Radio", "key": f"/{user}/",
                     "url": f"https://www.mixcloud.com/{user}/", "type": "user"}}


async def collect(pages: AsyncIterator[Any]) -> list[Any]:
    return [item async for page in pages for item in page.items]


async def test_paging_next_is_followed_exactly_as_given(mixcloud: Mixcloud,
                                                        script: Script) -> None:
    following = ("http://api.mixcloud.com/Spartacus/favorites/?limit=2"
                 "&until=2017-09-29+07%3A15%3A37")
    script.routes["/api/Spartacus/favorites/"] = [
        (200, {"data": [show(1), show(2)], "paging": {"next": following}, "name": "Favorites"},
         {})]
    script.routes["/apih/Spartacus/favorites/"] = [
        (200, {"data": [show(2), show(3)], "paging": {}, "name": "Favorites"}, {})]
    got = await collect(mixcloud.user_listing("likes", "Spartacus"))
    assert [t.id for t in got] == ["Spartacus/mix-1", "Spartacus/mix-2", "Spartacus/mix-3"]
    assert all(isinstance(t, Track) and t.provider == "mixcloud" for t in got)
    assert script.seen[0] == ("/api/Spartacus/favorites/", {"limit": ["50"]})
    assert script.seen[1] == ("/apih/Spartacus/favorites/",
                              {"limit": ["2"], "until": ["2017-09-29 07:15:37"]})


async def test_the_limit_stops_the_walk(mixcloud: Mixcloud, script: Script) -> None:
    script.routes["/api/popular/hot/"] = [
        (200, {"data": [show(1), show(2)],
               "paging": {"next": "https://api.mixcloud.com/popular/hot/?offset=2"}}, {})]
    got = await collect(mixcloud.chart("hot", limit=2))
    assert [t.title for t in got] == ["Mix 1", "Mix 2"]
    assert script.seen == [("/api/popular/hot/", {"limit": ["2"]})]


async def test_listings_reach_their_documented_paths(mixcloud: Mixcloud,
                                                     script: Script) -> None:
    users = {"data": [{"username": "bob", "name": "Bob", "key": "/bob/", "type": "user"}]}
    script.routes["/api/Spartacus/mix-1/listeners/"] = [(200, users, {})]
    script.routes["/api/Spartacus/following/"] = [(200, users, {})]
    script.routes["/api/discover/deep-house/popular/"] = [(200, {"data": [show(4)]}, {})]
    script.routes["/api/search/"] = [(200, {"data": [{"key": "/discover/funk/", "name": "Funk",
                                                      "type": "tag"}]}, {})]
    listeners = await collect(mixcloud.track_listing("listeners", "Spartacus/mix-1"))
    assert [u.urn for u in listeners] == ["mixcloud:users:bob"]
    assert isinstance((await collect(mixcloud.user_listing("followings", "Spartacus")))[0], User)
    assert [t.id for t in await collect(mixcloud.tag("Deep House"))] == ["Spartacus/mix-4"]
    tags = await collect(mixcloud.search("funk", kind="tags"))
    assert [t.slug for t in tags] == ["funk"]
    assert script.seen[-1] == ("/api/search/", {"q": ["funk"], "type": ["tag"],
                                                "limit": ["50"]})


async def test_a_rate_limit_403_is_waited_out_and_retried(mixcloud: Mixcloud,
                                                          script: Script) -> None:
    limited = {"error": {"type": "RateLimitException", "retry_after": 0,
                         "message": "You have hit your rate limit. Retry after 0 seconds."}}
    script.routes["/api/Spartacus/mix-1/"] = [(403, limited, {"Retry-After": "0"}),
                                              (200, show(1), {})]
    track = await mixcloud.resolve("https://www.mixcloud.com/Spartacus/mix-1/")
    assert isinstance(track, Track) and track.title == "Mix 1"
    assert len(script.seen) == 2


async def test_a_rate_limit_that_stays_is_rate_limited(mixcloud: Mixcloud,
                                                       script: Script) -> None:
    limited = {"error": {"type": "RateLimitException", "retry_after": 0, "message": "Slow"}}
    script.routes["/api/Spartacus/"] = [(403, limited, {"Retry-After": "0"})]
    with pytest.raises(RateLimited) as refused:
        await mixcloud.user("Spartacus")
    assert refused.value.type == "rate_limited"
    assert len(script.seen) == 3  # max_retries=2


async def test_another_403_is_refused_at_once(mixcloud: Mixcloud, script: Script) -> None:
    script.routes["/api/Spartacus/"] = [(403, "<html>Forbidden</html>", {})]
    with pytest.raises(HTTPAuthError) as refused:
        await mixcloud.user("Spartacus")
    assert refused.value.type == "auth" and len(script.seen) == 1


async def test_a_missing_show_is_not_found_with_the_message(mixcloud: Mixcloud,
                                                            script: Script) -> None:
    with pytest.raises(NotFound) as refused:
        await mixcloud.resolve("mixcloud:cloudcasts:Spartacus/gone")
    assert refused.value.type == "not_found"
    assert "no show https://www.mixcloud.com/Spartacus/gone/" in refused.value.message
    assert "Nope" in refused.value.message


async def test_stream_is_one_graphql_call_with_yt_dlps_query(mixcloud: Mixcloud,
                                                             script: Script) -> None:
    hls = "https://audio4.mixcloud.com/secure/hls/a/b/c/d/x.m4a/index.m3u8"
    script.routes["/app/graphql"] = [(200, {"data": {"cloudcastLookup": {
        "name": "Mix 1", "isExclusive": False,
        "streamInfo": {"hlsUrl": parse.encode_stream_url(hls), "url": None}}}}, {})]
    choice = await mixcloud.stream("https://www.mixcloud.com/Spartacus/mix-1/")
    assert (choice.protocol, choice.codec, choice.url) == ("hls", "aac", hls)
    assert choice.track_urn == "mixcloud:cloudcasts:Spartacus/mix-1"
    assert [path for path, _ in script.seen] == ["/app/graphql"]
    assert script.seen[0][1]["query"] == [
        streams.lookup_query(Target("show", "Spartacus", "mix-1"))]
    again = await mixcloud.refresh_stream(choice)
    assert again.url == hls and len(script.seen) == 2


async def test_tracklists_fall_back_to_less_then_to_rest(mixcloud: Mixcloud,
                                                         script: Script) -> None:
    refused = {"errors": [{"message": "Cannot query field \"waveformUrl\""}]}
    answer = {"data": {"cloudcastLookup": {"sections": [
        {"artistName": "A", "songName": "S", "startSeconds": 10}, {"chapter": "Talk"}]}}}
    script.routes["/app/graphql"] = [(200, refused, {}), (200, answer, {})]
    got = await collect(mixcloud.track_listing("tracklist", "Spartacus/mix-1"))
    assert got == [Section("track", 10_000, "A", "S"), Section("chapter", None, "", "Talk")]
    script.routes["/app/graphql"] = [(200, {"data": {"cloudcastLookup": {
        "sections": [], "waveformUrl": "https://audiocdn1.mixcloud.com/waveforms/x.json"}}}, {})]
    script.routes["/api/Spartacus/mix-2/"] = [(200, {**show(2), "sections": [
        {"start_time": 5, "track": {"name": "Old", "artist": {"name": "Timer"}}}]}, {})]
    got = await collect(mixcloud.track_listing("tracklist", "Spartacus/mix-2"))
    assert got == [Section("track", 5_000, "Timer", "Old")]
    track = parse.track(show(2))
    assert mixcloud.waveform_url(track) == "https://audiocdn1.mixcloud.com/waveforms/x.json"


def test_undeclared_names_are_refused_on_the_call() -> None:
    client = Mixcloud(Http())
    for call in (lambda: client.user_listing("reposts", "a"),
                 lambda: client.track_listing("station", "a/b"),
                 lambda: client.chart("trending"),
                 lambda: client.search("x", kind="playlists"),
                 lambda: client.search("x", genre="house"),
                 lambda: client.search("  ")):
        with pytest.raises(Exception) as refused:
            call()
        assert getattr(refused.value, "type", "") == "invalid_argument"




def live_node(user: str, viewers: int) -> dict[str, Any]:
    return {"id": f"TGl2ZVN0cmVhbTox{user}", "name": f"{user} on air", "streamStatus": "LIVE",
            "startedAt": "2026-12-02T21:00:00Z", "currentSpectators": viewers,
            "hlsUrl": f"https://live-fsn1-hez.mixcloud.com/hls/{user}/master.m3u8",
            "thumbnailUrl": "https://thumbnailer.mixcloud.com/unsafe/300x300/live_streams/x",
            "owner": {"username": user, "displayName": f"{user} Radio"}}


async def test_live_now_is_paged_by_its_cursor_and_plays_its_plain_url(
        mixcloud: Mixcloud, script: Script) -> None:
    def connection(nodes: list[dict[str, Any]], cursor: str | None) -> Reply:
        return 200, {"data": {"viewer": {"live": {"currentLiveStreams": {
            "edges": [{"node": n} for n in nodes],
            "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}}}}}}, {}

    script.routes["/app/graphql"] = [connection([live_node("ann", 90), live_node("bob", 50)],
                                                "c1"),
                                     connection([live_node("cat", 10)], None)]
    got = await collect(mixcloud.chart("live"))
    assert [t.urn for t in got] == ["mixcloud:live:ann", "mixcloud:live:bob",
                                    "mixcloud:live:cat"]
    assert got[0].url == "https://www.mixcloud.com/live/ann/" and got[0].artist == "ann Radio"
    assert 'after: "c1"' in script.seen[1][1]["query"][0]
    asked = len(script.seen)
    choice = await mixcloud.stream(got[0])
    assert choice.url == "https://live-fsn1-hez.mixcloud.com/hls/ann/master.m3u8"
    assert (choice.protocol, choice.track_urn) == ("hls", "mixcloud:live:ann")
    assert len(script.seen) == asked  # the listing's answer carried the URL


async def test_a_live_page_resolves_while_live_and_not_after(mixcloud: Mixcloud,
                                                              script: Script) -> None:
    script.routes["/app/graphql"] = [
        (200, {"data": {"userLookup": {"liveStream": live_node("ann", 3)}}}, {}),
        (200, {"data": {"userLookup": {"liveStream": None}}}, {})]
    live = await mixcloud.resolve("https://www.mixcloud.com/live/ann/")
    assert isinstance(live, Track) and live.urn == "mixcloud:live:ann"
    assert mixcloud.url_for("mixcloud:live:ann") == "https://www.mixcloud.com/live/ann/"
    with pytest.raises(NotFound) as gone:
        await mixcloud.stream("mixcloud:live:ann")
    assert "not live" in gone.value.message


async def test_the_service_lists_comments_of_a_user_or_of_a_show_by_the_target(
        served: str, script: Script, tmp_path: Any) -> None:
    from minion_tui.service import Service

    def comments(text: str) -> Reply:
        return 200, {"data": [{"comment": text, "submit_date": "2020-01-01T00:00:00Z",
                               "key": f"/comments/cr/{text}/", "type": "comment",
                               "user": {"username": "bob", "name": "Bob", "type": "user"}}]}, {}

    script.routes["/api/Spartacus/"] = [(200, {"username": "Spartacus", "name": "S",
                                               "key": "/Spartacus/", "type": "user"}, {})]
    script.routes["/api/Spartacus/mix-1/"] = [(200, show(1), {})]
    script.routes["/api/Spartacus/comments/"] = [comments("on-profile")]
    script.routes["/api/Spartacus/mix-1/comments/"] = [comments("on-show")]
    service = Service.open(endpoints={"https://api.mixcloud.com": served + "/api"},
                           data_dir=tmp_path)
    try:
        on_user = await collect(service.catalog.browse(
            "comments", "https://www.mixcloud.com/Spartacus/"))
        on_show = await collect(service.catalog.browse(
            "comments", "https://www.mixcloud.com/Spartacus/mix-1/"))
        similar = service.catalog.browse("similar", "https://www.mixcloud.com/Spartacus/")
        with pytest.raises(Exception) as refused:
            await collect(similar)
    finally:
        await service.aclose()
    assert [c.body for c in on_user] == ["on-profile"]
    assert [c.body for c in on_show] == ["on-show"]
    assert "no 'similar' listing for a user" in str(refused.value)


def test_the_cli_resolves_and_streams_a_mixcloud_url_with_no_flag(
        served: str, script: Script, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from minion_tui.cli import main

    monkeypatch.setenv("MINION_ENDPOINTS", f"https://api.mixcloud.com={served}/api,"
                                           f"https://app.mixcloud.com={served}/app")
    script.routes["/api/Spartacus/mix-1/"] = [(200, {**show(1), "play_count": 9,
                                                     "tags": [{"name": "Funk"}]}, {})]
    m4a = "https://stream3.mixcloud.com/secure/c/m4a/64/a/b/c/d/x.m4a?sig=s1"
    script.routes["/app/graphql"] = [(200, {"data": {"cloudcastLookup": {
        "name": "Mix 1", "streamInfo": {"url": parse.encode_stream_url(m4a)}}}}, {})]
    assert main(["resolve", "https://m.mixcloud.com/Spartacus/mix-1", "--json"]) == 0
    track = json.loads(capsys.readouterr().out)
    assert (track["kind"], track["provider"], track["id"], track["urn"]) == (
        "track", "mixcloud", "Spartacus/mix-1", "mixcloud:cloudcasts:Spartacus/mix-1")
    assert (track["duration_ms"], track["tags"], track["counts"]["plays"]) == (60_000,
                                                                              ["Funk"], 9)
    asked = len(script.seen)
    assert main(["stream", "https://www.mixcloud.com/Spartacus/mix-1/", "--json"]) == 0
    stream = json.loads(capsys.readouterr().out)
    assert [path for path, _ in script.seen[asked:]] == ["/app/graphql"]  # GraphQL only
    assert (stream["protocol"], stream["codec"], stream["url"]) == ("progressive", "aac", m4a)
    assert main(["resolve", "mixcloud:cloudcasts:Spartacus/gone", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "not_found"
