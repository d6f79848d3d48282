"""The SoundCloud client over real HTTP against the emulator, with no client id configured (it
is scraped from the emulated page): every endpoint family, pagination edges, client-id
rotation, each availability class, URL expiry and the fault profiles.

Uses the emulator's documented test-facing API (run_in_thread, examples, state knobs)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from minion_tui.errors import (
    AuthError,
    DrmOnly,
    GeoBlocked,
    HTTPAuthError,
    InvalidArgument,
    NotFound,
    PreviewOnly,
    RateLimited,
)
from minion_tui.models import Availability, Comment, Page, Playlist, Track, User
from minion_tui.net import EndpointMap, Http, HttpOptions

server = pytest.importorskip("minion_tui.emulator.server")
from minion_tui.providers.soundcloud.client import SoundCloud  # noqa: E402

API_HOST = "api-v2.soundcloud.com"


def make_client(emu: Any, cache_dir: Path, **options: Any) -> SoundCloud:
    opts = {"rate_limit": 0, "max_retries": 3, "backoff_base": 0.01, "backoff_cap": 0.05,
            "retry_after_cap": 0.2, "timeout": 10.0, "deadline": 30.0, **options}
    http = Http(HttpOptions(endpoints=EndpointMap.from_dict(emu.endpoints), **opts))
    return SoundCloud(http, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    """One emulator for the read-only tests of this module."""
    running = server.run_in_thread(seed=7)
    yield running
    running.stop()


@pytest.fixture
def fresh() -> Iterator[Any]:
    """An emulator of its own for tests that turn knobs (faults, rotation, expiry)."""
    running = server.run_in_thread(seed=11)
    yield running
    running.stop()


@pytest.fixture
async def sc(emu: Any, tmp_path: Path) -> AsyncIterator[SoundCloud]:
    client = make_client(emu, tmp_path)
    yield client
    await client.http.aclose()


async def collect(pages: AsyncIterator[Page[Any]]) -> tuple[list[Any], list[int]]:
    items: list[Any] = []
    sizes: list[int] = []
    async for page in pages:
        items.extend(page.items)
        sizes.append(len(page.items))
    return items, sizes


async def resolve_as(sc: SoundCloud, target: str, cls: type[Any]) -> Any:
    resource = await sc.resolve(target)
    assert isinstance(resource, cls), resource
    return resource


# -- lookups ----------------------------------------------------------------------------------


async def test_resolve_full_track_scrapes_the_id_and_maps_fields(emu: Any, sc: SoundCloud) -> None:
    t = await resolve_as(sc, emu.examples["track_full"], Track)
    assert sc.client_ids.scrapes == 1 and sc.client_ids.active == emu.state.client_id
    assert t.id.isdigit() and t.urn == f"soundcloud:tracks:{t.id}"
    assert t.availability is Availability.FULL and t.preview_ms is None
    assert t.title and t.uploader and t.duration_ms > 0
    assert t.url.startswith("https://soundcloud.com/")
    assert sc.url_for(t.urn) == t.url
    again = await resolve_as(sc, t.urn, Track)  # the URN form reaches the same track
    assert (again.id, again.title) == (t.id, t.title)
    assert (await sc.resolve(sc.url_for("soundcloud:tracks:" + t.id))).urn == t.urn


@pytest.mark.parametrize(("example", "expected"), [
    ("track_drm", Availability.DRM), ("track_preview", Availability.PREVIEW),
    ("track_blocked", Availability.BLOCKED), ("track_long", Availability.FULL),
])
async def test_availability_classes(emu: Any, sc: SoundCloud, example: str,
                                    expected: Availability) -> None:
    t = await resolve_as(sc, emu.examples[example], Track)
    assert t.availability is expected
    if expected is Availability.PREVIEW:
        assert t.preview_ms is not None and t.preview_ms <= 31000 < t.duration_ms


async def test_private_and_short_links(emu: Any, sc: SoundCloud) -> None:
    private = await resolve_as(sc, emu.examples["track_private"], Track)
    assert private.raw.get("secret_token")
    choice = await sc.stream(private)
    assert choice.url.startswith("https://")
    short = await resolve_as(sc, emu.examples["short_link"], Track)
    assert short.id.isdigit() and short.title


async def test_unknown_track_is_not_found(sc: SoundCloud) -> None:
    with pytest.raises(NotFound, match="no track"):
        await sc.track("1")
    with pytest.raises(NotFound):
        await sc.resolve("https://soundcloud.com/nobody-here-zz/nothing-zz")


async def test_sets_are_fully_hydrated_in_order(emu: Any, sc: SoundCloud) -> None:
    small = await resolve_as(sc, emu.examples["set_small"], Playlist)
    assert 0 < len(small.tracks) == small.track_count <= 5
    emu.state.reset_counters()
    large = await resolve_as(sc, emu.examples["set_large"], Playlist)
    raw_ids = [str(t["id"]) for t in large.raw["tracks"]]
    assert len(large.tracks) == large.track_count == 500
    assert [t.id for t in large.tracks] == raw_ids
    assert all(t.title for t in large.tracks)
    batches = [p for p in emu.state.api_calls if p.rstrip("/").endswith("/tracks")]
    assert len(batches) == 10 and len(emu.state.api_calls) <= 11
    album = await resolve_as(sc, emu.examples["album"], Playlist)
    assert album.is_album
    by_id = await sc.playlist(large.id)
    assert [t.id for t in by_id.tracks] == raw_ids


async def test_tracks_batches_restore_order_and_skip_missing(emu: Any, sc: SoundCloud) -> None:
    large = await resolve_as(sc, emu.examples["set_large"], Playlist)
    wanted = [t.id for t in large.tracks[:120]][::-1]
    wanted.insert(3, "1")  # not in the catalog
    got = await sc.tracks(wanted)
    assert [t.id for t in got] == [i for i in wanted if i != "1"]


# -- listings and pagination -------------------------------------------------------------------


async def test_user_tabs(emu: Any, sc: SoundCloud) -> None:
    user = await resolve_as(sc, emu.examples["user"], User)
    tracks, sizes = await collect(sc.user_tracks(user.id))
    assert len(tracks) > 450 and all(isinstance(t, Track) for t in tracks)
    assert len({t.id for t in tracks}) == len(tracks) and 0 not in sizes
    if user.track_count is not None:
        assert len(tracks) == user.track_count
    for listing, kinds in (
        (sc.user_toptracks, (Track,)), (sc.user_albums, (Playlist,)),
        (sc.user_playlists, (Playlist,)), (sc.user_likes, (Track, Playlist)),
        (sc.user_reposts, (Track, Playlist)), (sc.user_followings, (User,)),
        (sc.user_followers, (User,)),
    ):
        items, _ = await collect(listing(user.id, limit=30))
        assert items, listing.__name__
        assert all(isinstance(i, kinds) for i in items), listing.__name__
        assert len(items) <= 30
    likes, _ = await collect(sc.user_likes(user.id))
    assert {type(i) for i in likes} == {Track, Playlist}
    albums, _ = await collect(sc.user_albums(user.id))
    assert all(a.is_album for a in albums)


@pytest.mark.parametrize("limit", [1, 7, 50, 201])
async def test_exact_limits(emu: Any, sc: SoundCloud, limit: int) -> None:
    user = await resolve_as(sc, emu.examples["user"], User)
    items, sizes = await collect(sc.user_tracks(user.id, limit=limit))
    assert len(items) == limit and sum(sizes) == limit


async def test_empty_pages_with_next_href_are_walked_through(emu: Any, sc: SoundCloud) -> None:
    user = await resolve_as(sc, emu.examples["user_empty_pages"], User)
    emu.state.reset_counters()
    items, sizes = await collect(sc.user_tracks(user.id, limit=500))
    calls = [p for p in emu.state.api_calls if p.endswith("/tracks")]
    assert items and 0 not in sizes
    assert len(calls) > len(sizes)  # some answered pages were empty and were skipped
    if user.track_count is not None:
        assert len(items) == min(500, user.track_count)


async def test_search_families_filters_and_limits(sc: SoundCloud) -> None:
    for kind, cls in (("tracks", Track), ("users", User), ("playlists", Playlist),
                      ("albums", Playlist)):
        items, _ = await collect(sc.search("a", kind=kind, limit=12))
        assert 0 < len(items) <= 12 and all(isinstance(i, cls) for i in items), kind
    mixed, _ = await collect(sc.search("a", kind="all", limit=40))
    assert all(isinstance(i, Track | User | Playlist) for i in mixed) and mixed
    exact, _ = await collect(sc.search("a", limit=7))
    assert len(exact) == 7
    filtered, _ = await collect(sc.search("a", duration="long", created="last_year",
                                          license="to_share", genre="techno", limit=5))
    assert all(isinstance(t, Track) for t in filtered)
    with pytest.raises(InvalidArgument, match="duration"):
        sc.search("a", duration="forever")
    with pytest.raises(InvalidArgument):
        sc.search("a", kind="users", license="to_share")
    suggestions = await sc.autocomplete("a", limit=5)
    assert 0 < len(suggestions) <= 5 and all(isinstance(s, str) and s for s in suggestions)


async def test_discovery_listings(emu: Any, sc: SoundCloud) -> None:
    trending, _ = await collect(sc.trending(limit=20))
    assert len(trending) == 20 and all(isinstance(t, Track) for t in trending)
    seed = await resolve_as(sc, emu.examples["track_full"], Track)
    for listing, cls in ((sc.related, Track), (sc.station, Track), (sc.comments, Comment)):
        items, _ = await collect(listing(seed.id, limit=15))
        assert items and len(items) <= 15 and all(isinstance(i, cls) for i in items)
    tag = emu.examples["tag"].rstrip("/").rsplit("/", 1)[-1]
    tagged, _ = await collect(sc.tag(tag, limit=25))
    assert len(tagged) == 25 and all(isinstance(t, Track) for t in tagged)


# -- streams ----------------------------------------------------------------------------------


async def test_full_track_streams_aac_hls_then_mp3_on_request(emu: Any, sc: SoundCloud) -> None:
    t = await resolve_as(sc, emu.examples["track_full"], Track)
    aac = await sc.stream(t)
    assert (aac.codec, aac.protocol, aac.preset, aac.preview) == ("aac", "hls", "aac_160k", False)
    assert aac.expires_at and aac.track_urn == t.urn
    playlist = await sc.http.get_text(aac.url)
    assert playlist.startswith("#EXTM3U") and "#EXT-X-MAP" in playlist
    mp3 = await sc.stream(t.urn, prefer="mp3")
    assert (mp3.codec, mp3.protocol) == ("mp3", "progressive")
    head = await sc.http.request("GET", mp3.url, headers={"Range": "bytes=0-1023"})
    assert head.content[:3] == b"ID3" or head.content[0] == 0xFF


async def test_refusals_per_availability(emu: Any, sc: SoundCloud) -> None:
    with pytest.raises(DrmOnly, match="DRM"):
        await sc.stream(emu.examples["track_drm"])
    with pytest.raises(GeoBlocked):
        await sc.stream(emu.examples["track_blocked"])
    preview = await resolve_as(sc, emu.examples["track_preview"], Track)
    with pytest.raises(PreviewOnly):
        await sc.stream(preview, require_full=True)
    snippet = await sc.stream(preview)
    assert snippet.preview and snippet.codec == "mp3"


async def test_expired_url_is_resigned(fresh: Any, tmp_path: Path) -> None:
    sc = make_client(fresh, tmp_path)
    fresh.state.media_ttl = 1.0
    t = await resolve_as(sc, fresh.examples["track_full"], Track)
    choice = await sc.stream(t, prefer="mp3")
    await asyncio.sleep(2.2)
    with pytest.raises(HTTPAuthError) as refused:
        await sc.http.get_bytes(choice.url)
    assert refused.value.status == 403
    fresh.state.media_ttl = None
    renewed = await sc.refresh_stream(choice)
    assert (renewed.preset, renewed.protocol) == (choice.preset, choice.protocol)
    assert renewed.url != choice.url
    assert len(await sc.http.get_bytes(renewed.url)) > 1000
    await sc.http.aclose()


# -- client id and faults ---------------------------------------------------------------------


async def test_rotation_costs_one_rescrape(fresh: Any, tmp_path: Path) -> None:
    sc = make_client(fresh, tmp_path)
    first = await resolve_as(sc, fresh.examples["track_full"], Track)
    old = sc.client_ids.active
    new = fresh.state.rotate_client_id()
    again = await resolve_as(sc, first.urn, Track)
    assert again.id == first.id
    assert sc.client_ids.scrapes == 2 and sc.client_ids.active == new != old
    # the next session reads the refreshed id from the disk cache: no scrape at all
    other = make_client(fresh, tmp_path)
    await other.track(first.id)
    assert other.client_ids.scrapes == 0
    await sc.http.aclose()
    await other.http.aclose()


async def test_a_revoked_id_falls_back_to_a_known_good_one_without_a_web_request(
        fresh: Any, tmp_path: Path) -> None:
    import json

    from minion_tui.providers.soundcloud.client_id import CACHE_FILE

    sc = make_client(fresh, tmp_path)
    first = await resolve_as(sc, fresh.examples["track_full"], Track)
    old = sc.client_ids.active
    await sc.http.aclose()
    # The site moves on to a new id; the old one keeps working (docs/soundcloud.md §4). A
    # later process (the cached id past its 4 h) scrapes the new one and keeps both.
    new = fresh.state.rotate_client_id(keep_old=True)
    cache = tmp_path / CACHE_FILE
    data = json.loads(cache.read_text())
    for entry in data["pool"]:
        entry["fetched_at"] -= 5 * 3600
    cache.write_text(json.dumps(data))
    sc = make_client(fresh, tmp_path)
    await sc.track(first.id)
    assert sc.client_ids.active == new and [p.id for p in sc.client_ids.pool] == [new, old]
    assert all(p.known_good for p in sc.client_ids.pool)
    # The new id is revoked: the next request falls back to the old one, with no page asked
    fresh.state.reset_counters()
    fresh.state.revoke_client_id(new)
    again = await sc.track(first.id)
    assert again.id == first.id
    assert fresh.state.web_pages == []  # neither soundcloud.com nor an asset was fetched
    assert sc.client_ids.active == old and sc.client_ids.fallbacks == 1
    assert sc.client_ids.scrapes == 1
    assert fresh.state.api_calls == [f"/tracks/{first.id}"] * 2  # refused once, then old
    await sc.http.aclose()


async def test_rate_limited_media_calls(fresh: Any, tmp_path: Path) -> None:
    sc = make_client(fresh, tmp_path, max_retries=1)
    t = await resolve_as(sc, fresh.examples["track_full"], Track)
    fresh.state.set_faults("rate-limit:n=2:window=600")
    await sc.stream(t)
    await sc.stream(t)
    with pytest.raises(RateLimited):
        for _ in range(3):
            await sc.stream(t)
    limited = [p for p in sc.client_ids.pool if p.id == fresh.state.client_id]
    assert limited and limited[0].limited_until > time.time()  # remembered, not retried blindly
    await sc.http.aclose()


@pytest.mark.parametrize("profile", ["flaky-lists", "drop:n=1", "5xx-burst:n=2", "bot-wall"])
async def test_fault_profiles_are_survived(fresh: Any, tmp_path: Path, profile: str) -> None:
    sc = make_client(fresh, tmp_path)
    user = await resolve_as(sc, fresh.examples["user"], User)
    fresh.state.set_faults(profile)
    items, _ = await collect(sc.user_tracks(user.id, limit=120))
    assert len(items) == 120
    t = await resolve_as(sc, fresh.examples["track_full"], Track)
    assert (await sc.stream(t)).url
    await sc.http.aclose()


async def test_bot_wall_stops_a_non_browser_client(fresh: Any, tmp_path: Path) -> None:
    sc = make_client(fresh, tmp_path, user_agent="python-httpx/0.28")
    user = await resolve_as(sc, fresh.examples["user"], User)
    fresh.state.set_faults("bot-wall")
    with pytest.raises(AuthError):
        await collect(sc.user_tracks(user.id, limit=120))
    await sc.http.aclose()
