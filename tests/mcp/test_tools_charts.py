"""The chart tools and a show's tracklist over a real MCP session against the emulator."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.expected import browsed
from tests.mcp.harness import call, call_error, page_all

CALLED = {"trending_tracks", "tracks_by_genre", "mixcloud_popular", "mixcloud_hot",
          "mixcloud_new", "live_now", "show_tracklist"}


async def test_trending_on_soundcloud_pages_on(mcp: ClientSession,
                                               mcp_service: Service) -> None:
    first = await call(mcp, "trending_tracks", {"limit": 30})
    second = await call(mcp, "trending_tracks", {"limit": 30, "cursor": first["next_cursor"]})
    expected = await browsed(mcp_service, "trending", None, n=60)
    got = [t["urn"] for t in first["items"] + second["items"]]
    assert got == [t.urn for t in expected] and len(set(got)) == 60
    assert {t["provider"] for t in first["items"]} == {"soundcloud"}


async def test_the_mixcloud_charts(mcp: ClientSession, mcp_service: Service) -> None:
    popular = await call(mcp, "mixcloud_popular", {"limit": 5})
    hot = await call(mcp, "mixcloud_hot", {"limit": 5})
    new = await call(mcp, "mixcloud_new", {"limit": 5})
    for page, chart in ((popular, "popular"), (hot, "hot"), (new, "new")):
        expected = await browsed(mcp_service, chart, None, n=5, provider="mixcloud")
        assert [t["urn"] for t in page["items"]] == [t.urn for t in expected], chart
        assert {t["provider"] for t in page["items"]} == {"mixcloud"}
    live = await page_all(mcp, "live_now", {"limit": 2})
    expected_live = await browsed(mcp_service, "live", None, n=50, provider="mixcloud")
    assert [t["urn"] for t in live] == [t.urn for t in expected_live] and live
    assert all("/live/" in t["url"] for t in live)


async def test_tracks_by_genre_on_both_services(mcp: ClientSession, mcp_service: Service,
                                                emulator: Any) -> None:
    sc = await call(mcp, "tracks_by_genre", {"genre": "deep house", "limit": 10})
    expected = await browsed(mcp_service, "tag", "deep house", n=10)
    assert [t["urn"] for t in sc["items"]] == [t.urn for t in expected] and expected
    mc = await call(mcp, "tracks_by_genre", {"genre": "deep-house", "provider": "mixcloud",
                                             "limit": 5})
    assert mc["items"] and {t["provider"] for t in mc["items"]} == {"mixcloud"}
    blank = await call_error(mcp, "tracks_by_genre", {"genre": ""})
    assert blank["type"] == "invalid_argument"


async def test_show_tracklist_with_tracks_chapters_and_none(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    show = emulator.examples["mc_show_tracks"]
    sections = await page_all(mcp, "show_tracklist", {"target": show, "limit": 3})
    expected = await browsed(mcp_service, "tracklist", show, n=500)
    assert [(s["artist"], s["title"], s["start_ms"]) for s in sections] == [
        (s.artist, s.title, s.start_ms) for s in expected]
    assert sections[0]["kind"] == "track" and sections[1]["start_ms"] > 0
    chapters = await call(mcp, "show_tracklist",
                          {"target": emulator.examples["mc_show_chapters"]})
    assert chapters["items"] and "chapter" in {s["kind"] for s in chapters["items"]}
    hidden = await call(mcp, "show_tracklist",
                        {"target": emulator.examples["mc_show_hidden_tracklist"]})
    assert hidden["items"] == [] and hidden["next_cursor"] is None
    soundcloud = await call_error(mcp, "show_tracklist",
                                  {"target": emulator.examples["track_full"]})
    assert soundcloud["type"] == "invalid_argument" and "tracklist" in soundcloud["message"]
