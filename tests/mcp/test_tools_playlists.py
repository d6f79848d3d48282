"""get_playlist, playlist_tracks, export_m3u over a real MCP session against the emulator."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.harness import call, call_error, page_all

CALLED = {"get_playlist", "playlist_tracks", "export_m3u"}


async def test_get_playlist_without_its_tracks(mcp: ClientSession, mcp_service: Service,
                                               emulator: Any) -> None:
    url = emulator.examples["set_small"]
    expected = await mcp_service.catalog.playlist(url)
    got = await call(mcp, "get_playlist", {"target": url})
    assert got["kind"] == "playlist" and got["urn"] == expected.urn
    assert got["title"] == expected.title and got["track_count"] == expected.track_count
    assert got["tracks"] == []
    album = await call(mcp, "get_playlist", {"target": emulator.examples["album"]})
    assert album["is_album"] is True
    track = await call_error(mcp, "get_playlist", {"target": emulator.examples["track_full"]})
    assert track["type"] in {"invalid_argument", "not_found"}


async def test_playlist_tracks_page_to_the_end_in_order(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    url = emulator.examples["set_large"]
    expected = await mcp_service.catalog.playlist_tracks(url)
    assert len(expected) > 60
    first = await call(mcp, "playlist_tracks", {"target": url, "limit": 25})
    assert len(first["items"]) == 25 and first["next_cursor"]
    everything = await page_all(mcp, "playlist_tracks", {"target": url, "limit": 40})
    assert [t["urn"] for t in everything] == [t.urn for t in expected]
    small = await call(mcp, "playlist_tracks", {"target": emulator.examples["set_small"],
                                                "limit": 200})
    assert small["next_cursor"] is None and len(small["items"]) == 4


async def test_export_m3u_lists_every_track_by_url(mcp: ClientSession, mcp_service: Service,
                                                    emulator: Any) -> None:
    url = emulator.examples["set_small"]
    tracks = await mcp_service.catalog.playlist_tracks(url)
    got = await call(mcp, "export_m3u", {"target": url})
    lines = got["text"].splitlines()
    assert lines[0] == "#EXTM3U" and len(lines) == 1 + 2 * len(tracks)
    assert lines[2::2] == [t.url for t in tracks]
    first = tracks[0]
    assert lines[1] == f"#EXTINF:{round(first.duration_ms / 1000)},{first.artist} - {first.title}"
    assert got["track_count"] == len(tracks) and got["filename"].endswith(".m3u8")
    assert "/" not in got["filename"]
    for bad in ("", " ", "https://example.com/x"):
        error = await call_error(mcp, "export_m3u", {"target": bad})
        assert error["type"] in {"invalid_argument", "invalid_url"}, (bad, error)
