"""Mixcloud through the Service, against the emulator over loopback HTTP: every endpoint
family the app reads, both paging modes, the trailing-slash redirect, an error body, the
rate limit, exclusive shows, each kind of section and each kind of stream.

The client's own unit tests (tests/unit/test_mixcloud_client.py) script the answers by hand
and the emulator's (tests/emulator/) read it with plain httpx; here the two meet, and each
check compares what the Service returns with what the emulator's REST answers say."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from minion_tui import config
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import NotFound, RateLimited, SubscriptionRequired, UsageError
from minion_tui.models import Comment, Page, Playlist, Section, Tag, Track, User
from minion_tui.service import Service
from tests.integration.request_log import wrap


class QueryLog:
    """ASGI middleware recording (path, query) of every request (thread-safe): the paging
    links the client followed, as the server received them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.seen: list[tuple[str, dict[str, list[str]]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = parse_qs(scope.get("query_string", b"").decode())
            with self._lock:
                self.seen.append((scope["path"], query))
        await self.app(scope, receive, send)

    def under(self, prefix: str) -> list[tuple[str, dict[str, list[str]]]]:
        with self._lock:
            return [(p, q) for p, q in self.seen if p.startswith(prefix)]


@pytest.fixture
def requests(emulator: RunningEmulator) -> QueryLog:
    return wrap(emulator, QueryLog)


@pytest.fixture
async def mc_service(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    settings = config.load_settings()
    net = dataclasses.replace(settings.net, retry_after_cap=0.05, max_retries=2)
    svc = Service.open(settings=dataclasses.replace(settings, net=net),
                       endpoints=emulator.endpoints, data_dir=tmp_path)
    yield svc
    await svc.aclose()


async def every(pages: AsyncIterator[Page[Any]]) -> list[Any]:
    return [item async for page in pages for item in page.items]


def keys(data: Any) -> list[str]:
    """The ids the client makes of REST list items: the key without its slashes."""
    return [item["key"].strip("/") for item in data["data"]]


async def test_a_user_and_a_show_resolve_to_the_contract_forms(
        emulator: RunningEmulator, mc_service: Service, mc_rest: Any) -> None:
    raw = mc_rest("/NightShiftRadio/")
    user = await mc_service.catalog.resolve(emulator.examples["mc_user"])
    assert isinstance(user, User)
    assert (user.urn, user.full_name, user.followers_count, user.followings_count,
            user.track_count, user.city, user.country) == (
        "mixcloud:users:NightShiftRadio", raw["name"], raw["follower_count"],
        raw["following_count"], raw["cloudcast_count"], raw["city"], raw["country"])
    show_raw = mc_rest("/NightShiftRadio/night-shift-300/")
    show = await mc_service.catalog.resolve(emulator.examples["mc_show_tracks"])
    assert isinstance(show, Track)
    assert show.urn == "mixcloud:cloudcasts:NightShiftRadio/night-shift-300"
    assert show.duration_ms == show_raw["audio_length"] * 1000
    assert show.tags == tuple(t["name"] for t in show_raw["tags"])
    assert show.artwork_url == show_raw["pictures"]["1024wx1024h"]
    assert (show.counts.plays, show.counts.likes, show.counts.reposts, show.counts.comments) \
        == (show_raw["play_count"], show_raw["favorite_count"], show_raw["repost_count"],
            show_raw["comment_count"])


@pytest.mark.parametrize(("listing", "tab", "kind"), [
    ("shows", "cloudcasts", Track), ("favorites", "favorites", Track),
    ("listens", "listens", Track), ("followers", "followers", User),
    ("following", "following", User), ("playlists", "playlists", Playlist),
])
async def test_every_user_listing_lists_what_rest_lists(
        emulator: RunningEmulator, mc_service: Service, mc_rest: Any, listing: str, tab: str,
        kind: type) -> None:
    user = ("quietlistener" if listing in ("favorites", "listens", "playlists")
            else "NightShiftRadio")
    got = await every(mc_service.catalog.browse(listing, f"https://www.mixcloud.com/{user}/",
                                                limit=5))
    raw = mc_rest(f"/{user}/{tab}/", limit=5)["data"]
    assert raw, f"the emulator lists no {tab} of {user}"
    assert all(isinstance(item, kind) for item in got)
    assert [item.url for item in got] == [item["url"] for item in raw]


async def test_the_feed_and_profile_comments(emulator: RunningEmulator, mc_service: Service,
                                             mc_rest: Any) -> None:
    commented = next(u["username"] for u in mc_rest("/NightShiftRadio/followers/", limit=50)["data"]
                     if mc_rest(f"/{u['username']}/comments/")["data"])
    comments = await every(mc_service.catalog.browse(
        "comments", f"https://www.mixcloud.com/{commented}/"))
    raw = mc_rest(f"/{commented}/comments/")["data"]
    assert [c.body for c in comments] == [c["comment"] for c in raw]
    assert all(isinstance(c, Comment) and c.created_at for c in comments)
    feed = await every(mc_service.catalog.browse("feed", emulator.examples["mc_user_small"],
                                                 limit=5))
    assert feed and all(isinstance(t, Track) and t.provider == "mixcloud" for t in feed)


@pytest.mark.parametrize(("listing", "kind"), [
    ("comments", Comment), ("favorites", User), ("listeners", User), ("similar", Track)])
async def test_every_show_listing_lists_what_rest_lists(
        emulator: RunningEmulator, mc_service: Service, mc_rest: Any, listing: str,
        kind: type) -> None:
    got = await every(mc_service.catalog.browse(listing, emulator.examples["mc_show_tracks"],
                                                limit=5))
    raw = mc_rest(f"/NightShiftRadio/night-shift-300/{listing}/", limit=5)["data"]
    assert raw and all(isinstance(item, kind) for item in got)
    if kind is Comment:
        assert [c.body for c in got] == [c["comment"] for c in raw]
    elif kind is User:
        assert [u.username for u in got] == [u["username"] for u in raw]
    else:
        assert [t.id for t in got] == [t["key"].strip("/") for t in raw]


@pytest.mark.parametrize(("chart", "path"), [("popular", "/popular/"), ("hot", "/popular/hot/"),
                                             ("new", "/new/")])
async def test_charts_and_a_tag(mc_service: Service, mc_rest: Any, chart: str, path: str) -> None:
    got = await every(mc_service.catalog.browse(chart, provider="mixcloud", limit=4))
    assert [t.id for t in got] == keys(mc_rest(path, limit=4))
    tagged = await every(mc_service.catalog.browse("tag", "deep-house", provider="mixcloud",
                                                   limit=4))
    assert [t.id for t in tagged] == keys(mc_rest("/discover/deep-house/popular/", limit=4))


async def test_live_now_lists_the_live_user(emulator: RunningEmulator,
                                            mc_service: Service) -> None:
    live = await every(mc_service.catalog.browse("live", provider="mixcloud"))
    assert "mixcloud:live:selva_sessions" in [t.urn for t in live]
    choice = await mc_service.catalog.stream(emulator.examples["mc_live"])
    assert choice.protocol == "hls" and choice.url.endswith("master.m3u8")
    assert "live-fsn1-hez.mixcloud.com" in choice.url  # plain, not obfuscated (§5)


@pytest.mark.parametrize(("kind", "model", "field"), [
    ("tracks", Track, "title"), ("users", User, "full_name"), ("tags", Tag, "name")])
async def test_search_by_type(mc_service: Service, mc_rest: Any, kind: str, model: type,
                              field: str) -> None:
    query = "house" if kind == "tags" else "night"
    got = await every(mc_service.catalog.search(query, kind=kind, provider="mixcloud",
                                                limit=3))
    rest_type = {"tracks": "cloudcast", "users": "user", "tags": "tag"}[kind]
    raw = mc_rest("/search/", q=query, type=rest_type, limit=3)["data"]
    assert raw and all(isinstance(item, model) for item in got)
    assert [getattr(item, field) for item in got] == [item["name"] for item in raw]


async def test_date_paging_follows_until_links_even_over_http(
        emulator: RunningEmulator, mc_service: Service, requests: QueryLog,
        mc_rest: Any) -> None:
    emulator.mixcloud.paging_scheme = "http"
    try:
        got = await every(mc_service.catalog.browse("favorites",
                                                    emulator.examples["mc_user_small"]))
    finally:
        emulator.mixcloud.paging_scheme = "https"
    assert len(got) == 60 and len({t.id for t in got}) == 60
    walked = requests.under("/mc-api")
    pages = [q for p, q in walked if p.endswith("/quietlistener/favorites/")]
    assert len(pages) == 2 and "until" not in pages[0] and "until" in pages[1]
    assert walked[-1][0].startswith("/mc-api-http/")  # the http:// link, as given


async def test_offset_paging_follows_offset_links(emulator: RunningEmulator,
                                                  mc_service: Service,
                                                  requests: QueryLog) -> None:
    api = mc_service._core.provider("mixcloud").api
    pages = [page async for page in api.pages("/NightShiftRadio/cloudcasts/", {"offset": "0"},
                                              page_size=20)]
    items = [i["key"] for page in pages for i in page.items]
    assert len(items) == 45 and len(set(items)) == 45
    offsets = [q.get("offset") for p, q in requests.under("/mc-api/NightShiftRadio/cloudcasts/")]
    assert offsets == [["0"], ["20"], ["40"]]


async def test_a_path_without_its_slash_is_followed_through_the_301(
        mc_service: Service, requests: QueryLog) -> None:
    api = mc_service._core.provider("mixcloud").api
    user = await api.get("/NightShiftRadio")
    assert user["username"] == "NightShiftRadio"
    assert [p for p, _ in requests.under("/mc-api/")] == ["/mc-api/NightShiftRadio",
                                                         "/mc-api/NightShiftRadio/"]


async def test_an_error_body_becomes_not_found_with_its_message(
        emulator: RunningEmulator, mc_service: Service) -> None:
    with pytest.raises(NotFound) as missing:
        await mc_service.catalog.resolve("https://www.mixcloud.com/NightShiftRadio/no-such/")
    assert missing.value.type == "not_found"
    assert "no-such" in missing.value.message and "could not be found" in missing.value.message


async def test_the_rate_limit_is_waited_out_and_retried(
        emulator: RunningEmulator, mc_service: Service, requests: QueryLog) -> None:
    # The emulator's clock moves 50 s per REST call: the second call is over the budget of
    # one per 120 s (403 RateLimitException, Retry-After 20), the retry comes after the
    # window and is answered.
    ticks = iter(range(1000, 100_000, 50))
    emulator.mixcloud.faults.clock = lambda: float(next(ticks))
    emulator.mixcloud.set_faults("mc-rate-limit:n=1:window=120")
    try:
        first = await mc_service.catalog.resolve(emulator.examples["mc_user"])
        second = await mc_service.catalog.resolve(emulator.examples["mc_user_small"])
    finally:
        emulator.mixcloud.set_faults("")
    assert isinstance(first, User) and isinstance(second, User)
    assert second.username == "quietlistener"
    assert [p for p, _ in requests.under("/mc-api/")] == [
        "/mc-api/NightShiftRadio/", "/mc-api/quietlistener/", "/mc-api/quietlistener/"]
    assert mc_service._core.http.stats.retries == 1


async def test_a_rate_limit_that_stays_is_rate_limited(emulator: RunningEmulator,
                                                       mc_service: Service) -> None:
    emulator.mixcloud.faults.clock = lambda: 1000.0
    emulator.mixcloud.set_faults("mc-rate-limit:n=0:window=120")
    try:
        with pytest.raises(RateLimited) as refused:
            await mc_service.catalog.resolve(emulator.examples["mc_user"])
    finally:
        emulator.mixcloud.set_faults("")
    assert refused.value.type == "rate_limited"


async def test_an_exclusive_show_needs_a_subscription(emulator: RunningEmulator,
                                                      mc_service: Service) -> None:
    show = await mc_service.catalog.resolve(emulator.examples["mc_show_exclusive"])
    assert isinstance(show, Track) and show.availability == "exclusive"
    with pytest.raises(SubscriptionRequired) as refused:
        await mc_service.catalog.stream(emulator.examples["mc_show_exclusive"])
    assert refused.value.type == "subscription_required" and "Select" in refused.value.message


async def test_each_section_kind(emulator: RunningEmulator, mc_service: Service) -> None:
    timed = await every(mc_service.catalog.browse("tracklist",
                                                  emulator.examples["mc_show_tracks"]))
    assert len(timed) == 12 and {s.kind for s in timed} == {"track"}
    assert all(isinstance(s, Section) and s.artist and s.title for s in timed)
    starts = [s.start_ms for s in timed]
    assert None not in starts and starts == sorted(starts)
    mixed = await every(mc_service.catalog.browse("tracklist",
                                                  emulator.examples["mc_show_chapters"]))
    assert {s.kind for s in mixed} == {"track", "chapter"}
    assert all(s.artist == "" for s in mixed if s.kind == "chapter")
    assert sum(s.start_ms is None for s in mixed) == 2
    hidden = await every(mc_service.catalog.browse(
        "tracklist", emulator.examples["mc_show_hidden_tracklist"]))
    assert hidden == []


async def test_each_stream_kind(emulator: RunningEmulator, mc_service: Service) -> None:
    hls = await mc_service.catalog.stream(emulator.examples["mc_show_tracks"])
    assert (hls.protocol, hls.codec, hls.preview) == ("hls", "aac", False)
    assert hls.url.startswith("https://audio") and hls.url.endswith("/index.m3u8")
    emulator.mixcloud.offer_hls = False
    try:
        progressive = await mc_service.catalog.stream(emulator.examples["mc_show_tracks"])
    finally:
        emulator.mixcloud.offer_hls = True
    assert (progressive.protocol, progressive.codec) == ("progressive", "aac")
    assert progressive.url.startswith("https://stream") and ".m4a?sig=" in progressive.url
    assert progressive.url.split("/secure/c/m4a/64/")[1].split(".m4a")[0] == \
        hls.url.split("/secure/hls/")[1].split(".m4a")[0]  # the same file (§4.5)


async def test_a_listing_that_does_not_fit_the_target_names_those_that_do(
        emulator: RunningEmulator, mc_service: Service) -> None:
    with pytest.raises(UsageError) as refused:
        await every(mc_service.catalog.browse("similar", emulator.examples["mc_user"]))
    assert refused.value.exit_code == 2
    assert "shows, tracks, favorites" in refused.value.text
    with pytest.raises(UsageError) as chart:
        await every(mc_service.catalog.browse("popular"))
    assert "--provider mixcloud" in chart.value.text


async def test_provenance_says_where_a_show_surfaced(emulator: RunningEmulator,
                                                     mc_service: Service) -> None:
    shows = await every(mc_service.catalog.browse("shows", emulator.examples["mc_user"],
                                                  limit=1))
    popular = await every(mc_service.catalog.browse("popular", provider="mixcloud", limit=1))
    similar = await every(mc_service.catalog.browse(
        "similar", emulator.examples["mc_show_tracks"], limit=1))
    favourites = await every(mc_service.catalog.browse(
        "favorites", emulator.examples["mc_user_small"], limit=1))
    listens = await every(mc_service.catalog.browse(
        "listens", emulator.examples["mc_user_small"], limit=1))
    labels = {}
    for track in (*shows, *popular, *similar, *favourites, *listens):
        labels[track.urn] = [s.label for s in await mc_service.library.provenance(track.urn)]
    # The label names the user as the store last saw them (username or display name).
    assert {"Shows of Night Shift Radio", "Shows of NightShiftRadio"} & set(labels[shows[0].urn])
    assert "Similar to Night Shift 300" in labels[similar[0].urn]
    assert "Mixcloud popular" in labels[popular[0].urn]
    small = {"quietlistener", "Quiet Listener"}
    assert {f"Favourites of {n}" for n in small} & set(labels[favourites[0].urn])
    assert {f"Listens of {n}" for n in small} & set(labels[listens[0].urn])
