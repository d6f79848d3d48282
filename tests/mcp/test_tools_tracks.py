"""The track tools over a real MCP session against the emulator: comments, related, station,
favouriters, listeners, stream URL, waveform, artwork, remixes, sharing."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from mcp.client.session import ClientSession

from minion_tui.mcp.tools.tracks import base_title, downsample, public_stream_url
from minion_tui.models import Comment, Track
from minion_tui.service import Service
from tests.mcp.expected import browsed
from tests.mcp.harness import call, call_error, page_all

CALLED = {"track_comments", "related_tracks", "track_station", "track_favoriters",
          "track_listeners", "stream_url", "track_waveform", "track_artwork", "find_remixes",
          "share_link"}


async def test_track_comments_match_the_service_and_page_on(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    url = emulator.examples["track_full"]
    first = await call(mcp, "track_comments", {"target": url, "limit": 5})
    expected = [c for c in await browsed(mcp_service, "comments", url, n=10)
                if isinstance(c, Comment)]
    assert [c["id"] for c in first["items"]] == [c.id for c in expected[:5]]
    assert all(c["kind"] == "comment" and c["body"] and c["user"]["username"]
               for c in first["items"])
    second = await call(mcp, "track_comments", {"target": url, "limit": 5,
                                                "cursor": first["next_cursor"]})
    assert [c["id"] for c in second["items"]] == [c.id for c in expected[5:10]]
    show = emulator.examples["mc_show_tracks"]
    mixcloud = await call(mcp, "track_comments", {"target": show, "limit": 3})
    assert all(c["kind"] == "comment" for c in mixcloud["items"])


async def test_related_tracks_on_both_services_and_the_station(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    url = emulator.examples["track_full"]
    related = await call(mcp, "related_tracks", {"target": url, "limit": 4})
    expected = await browsed(mcp_service, "related", url, n=4)
    assert [t["urn"] for t in related["items"]] == [t.urn for t in expected]
    station = await call(mcp, "track_station", {"target": url, "limit": 4})
    assert [t["urn"] for t in station["items"]] == [
        t.urn for t in await browsed(mcp_service, "station", url, n=4)]
    show = emulator.examples["mc_show_tracks"]
    similar = await call(mcp, "related_tracks", {"target": show, "limit": 3})
    assert [t["urn"] for t in similar["items"]] == [
        t.urn for t in await browsed(mcp_service, "similar", show, n=3)]
    assert {t["provider"] for t in similar["items"]} <= {"mixcloud"}
    refused = await call_error(mcp, "track_station", {"target": show})
    assert refused["type"] == "invalid_argument" and "SoundCloud" in refused["message"]


async def test_favoriters_and_listeners_of_a_mixcloud_show(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    show = emulator.examples["mc_show_tracks"]
    fans = await page_all(mcp, "track_favoriters", {"target": show, "limit": 20})
    expected = await browsed(mcp_service, "favorites", show)
    assert [u["urn"] for u in fans] == [u.urn for u in expected]
    assert all(u["kind"] == "user" for u in fans)
    listeners = await call(mcp, "track_listeners", {"target": show, "limit": 5})
    assert [u["urn"] for u in listeners["items"]] == [
        u.urn for u in await browsed(mcp_service, "listeners", show, n=5)]
    sc = await call_error(mcp, "track_favoriters", {"target": emulator.examples["track_full"]})
    assert sc["type"] == "invalid_argument" and "Mixcloud" in sc["message"]


async def test_stream_url_carries_the_signature_but_no_client_id(
        mcp: ClientSession, emulator: Any) -> None:
    stream = await call(mcp, "stream_url", {"target": emulator.examples["track_full"]})
    assert stream["protocol"] in {"hls", "progressive"} and not stream["preview"]
    query = parse_qs(urlsplit(stream["url"]).query)
    assert "Signature" in query and "client_id" not in query and "oauth_token" not in query
    assert stream["track_urn"].startswith("soundcloud:tracks:")
    preview = await call(mcp, "stream_url", {"target": emulator.examples["track_preview"]})
    assert preview["preview"] is True
    refused = await call_error(mcp, "stream_url", {"target": emulator.examples["track_preview"],
                                                   "full": True})
    assert refused["type"] == "preview_only", refused
    mixcloud = await call(mcp, "stream_url", {"target": emulator.examples["mc_show_short"]})
    assert mixcloud["url"].startswith("https://") and "client_id" not in mixcloud["url"]


def test_public_stream_url_drops_only_what_names_us() -> None:
    url = ("https://cf-media.sndcdn.com/a.128.mp3?Policy=p&Signature=s&Key-Pair-Id=k"
           "&client_id=SECRET&oauth_token=TOKEN")
    assert public_stream_url(url) == ("https://cf-media.sndcdn.com/a.128.mp3?Policy=p"
                                      "&Signature=s&Key-Pair-Id=k")


async def test_track_waveform_downsamples_the_service_peaks(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    url = emulator.examples["track_full"]
    track = await mcp_service.catalog.resolve(url)
    assert isinstance(track, Track)
    peaks = await mcp_service.player.waveform(track)
    got = await call(mcp, "track_waveform", {"target": url, "points": 50})
    assert got["points"] == 50 == len(got["peaks"])
    assert got["peaks"] == downsample(peaks, 50)
    assert max(got["peaks"]) == round(max(peaks), 4) and all(0 <= p <= 1 for p in got["peaks"])
    assert got["duration_ms"] == track.duration_ms
    bad = await call_error(mcp, "track_waveform", {"target": url, "points": 5})
    assert bad["type"] == "invalid_argument" and "at least 10" in bad["message"]


def test_downsample_keeps_the_loudest_of_each_stretch() -> None:
    assert downsample([0.1, 0.9, 0.2, 0.3, 0.5, 0.4], 3) == [0.9, 0.3, 0.5]
    assert downsample([0.5, 0.25], 10) == [0.5, 0.25]


async def test_track_artwork_sizes(mcp: ClientSession, emulator: Any) -> None:
    url = emulator.examples["track_full"]
    large = await call(mcp, "track_artwork", {"target": url})
    small = await call(mcp, "track_artwork", {"target": url, "size": "small"})
    assert large["url"].endswith("t500x500.jpg") and large["size"] == "large"
    assert small["url"] != large["url"] and small["size"] == "small"
    wrong = await call_error(mcp, "track_artwork", {"target": url, "size": "huge"})
    assert wrong["type"] == "invalid_argument"
    user = await call_error(mcp, "track_artwork", {"target": emulator.examples["user"]})
    assert user["type"] == "invalid_argument" and "not a track" in user["message"]


async def test_find_remixes_keeps_remixes_of_the_title_only(
        mcp: ClientSession, mcp_service: Service) -> None:
    remix = None
    async for page in mcp_service.catalog.search("remix"):
        remix = next((t for t in page.items if "Remix)" in t.title), None)
        break
    assert remix is not None
    base = base_title(remix.title)
    found = await page_all(mcp, "find_remixes", {"target": remix.urn, "limit": 10})
    assert all(base in t["title"].lower() and t["urn"] != remix.urn for t in found)
    assert all(any(w in t["title"].lower() for w in ("remix", "edit", "rework", "bootleg",
                                                      "flip", "vip", "refix"))
               for t in found)
    original = None
    async for page in mcp_service.catalog.search(base):
        original = next((t for t in page.items if base_title(t.title) == base
                         and "remix" not in t.title.lower()), None)
        break
    assert original is not None, base
    of_original = await page_all(mcp, "find_remixes", {"target": original.urn})
    assert remix.urn in {t["urn"] for t in of_original}
    assert original.urn not in {t["urn"] for t in of_original}


def test_base_title() -> None:
    assert base_title("Glass Signal (Nomad Wren Remix)") == "glass signal"
    assert base_title("Solar  Velocity feat. Rafael Keller") == "solar velocity"


async def test_share_link_of_a_track_a_playlist_and_a_user(
        mcp: ClientSession, emulator: Any) -> None:
    track = await call(mcp, "share_link", {"target": emulator.examples["track_full"]})
    assert track["url"] == emulator.examples["track_full"] and track["kind"] == "track"
    assert track["text"].startswith(track["title"]) and track["url"] in track["text"]
    by_urn = await call(mcp, "share_link", {"target": track["urn"]})
    assert by_urn["url"] == track["url"]
    playlist = await call(mcp, "share_link", {"target": emulator.examples["set_small"]})
    assert playlist["kind"] == "playlist" and playlist["url"] == emulator.examples["set_small"]
    user = await call(mcp, "share_link", {"target": emulator.examples["mc_user"]})
    assert user["kind"] == "user" and "mixcloud.com/NightShiftRadio" in user["url"]
    for bad in ("", "   ", "x" * 70_000):
        error = await call_error(mcp, "share_link", {"target": bad})
        assert error["type"] == "invalid_argument"
    missing = await call_error(mcp, "share_link",
                               {"target": "https://soundcloud.com/nobody-here/nothing"})
    assert missing["type"] == "not_found"


async def test_track_waveform_reports_progress_and_measures_a_mixcloud_show(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    show = emulator.examples["mc_show_short"]
    got = await call(mcp, "track_waveform", {"target": show, "points": 20},
                     progress_callback=progress)
    assert [done for done, _, _ in seen] == [0, 1, 2] and {t for _, t, _ in seen} == {2}
    track = await mcp_service.catalog.resolve(show)
    assert isinstance(track, Track) and got["track_urn"] == track.urn
    assert got["points"] == 20 and max(got["peaks"]) > 0
