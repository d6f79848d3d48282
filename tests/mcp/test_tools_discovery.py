"""The discovery tools over a real MCP session against the emulator: follow, list, unfollow
(confirmed), sync (its progress per source, and a cancel that stops it), the inbox with the
CLI's filters read back against the service, and radio (saved as an M3U8)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.config import AnalysisSettings, DownloadSettings, Settings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import InboxFilters, Service
from tests.mcp.harness import call, call_error, connect, page_all

CALLED = {"follow_source", "unfollow_source", "list_sources", "sync_sources", "inbox",
          "radio"}


def open_service(emulator: RunningEmulator, tmp_path: Path, *,
                 analyse_downloads: bool = False) -> Service:
    """A Service over the emulator downloading into tmp_path/music (analysing the files
    downloaded only when asked: it takes CPU seconds)."""
    settings = Settings(path=tmp_path / "config.toml",
                        downloads=DownloadSettings(dir=tmp_path / "music"),
                        analysis=AnalysisSettings(after_download=analyse_downloads))
    svc = Service.open(settings=settings, endpoints=emulator.endpoints,
                       data_dir=tmp_path / "data")
    svc.player.audio_output = "null"
    return svc


@pytest.fixture
async def mcp_service(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    """The MCP session's service (in place of conftest's): open_service's, downloading into
    tmp_path/music; imported by name by the download, analysis and library tests."""
    svc = open_service(emulator, tmp_path)
    yield svc
    await svc.aclose()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def artists(emulator: RunningEmulator, n: int = 3) -> list[str]:
    """``n`` artists with likes and reposts of tracks, the busiest first, as URNs."""
    social = emulator.social
    ranked = sorted(emulator.catalog.artists, key=lambda a: (-len(social.likes.get(a, [])), a))
    found = [a for a in ranked if any(x.kind == "track" for x in social.reposts.get(a, []))]
    return [f"soundcloud:users:{a}" for a in found[:n]]


async def test_follow_list_and_unfollow(mcp: ClientSession, mcp_service: Service,
                                        emulator: RunningEmulator) -> None:
    people = artists(emulator, 2)
    followed = await call(mcp, "follow_source", {"targets": [*people, "trending", "#house"]})
    assert sorted((s["kind"], s["target"]) for s in followed["sources"]) == sorted(
        [(k, p) for p in people for k in ("user_likes", "user_reposts")]
        + [("trending", "trending"), ("tag", "house")])
    listed = await page_all(mcp, "list_sources", {"limit": 2})
    kept = await mcp_service.discovery.sources()
    assert [(s["kind"], s["target"]) for s in listed] == [(s.kind, s.target) for s in kept]
    assert all(s["synced_at"] is None and s["tracks"] == 0 for s in listed)

    refused = await call_error(mcp, "unfollow_source", {"target": people[0]})
    assert "confirm: true" in refused["message"]
    assert len(await mcp_service.discovery.sources()) == 6
    gone = await call(mcp, "unfollow_source", {"target": people[0], "confirm": True})
    assert gone == {"unfollowed": people[0], "sources": 2}
    assert people[0] not in {s.target for s in await mcp_service.discovery.sources()}
    again = await call_error(mcp, "unfollow_source", {"target": people[0], "confirm": True})
    assert again["type"] == "invalid_argument" and "do not follow" in again["message"]
    mixcloud = await call(mcp, "follow_source", {"targets": [emulator.examples["mc_user_small"]]})
    user = {s["target"] for s in mixcloud["sources"]}
    assert len(user) == 1 and next(iter(user)).startswith("mixcloud:users:")
    assert {s["kind"] for s in mixcloud["sources"]} <= {"user_likes", "user_tracks",
                                                        "user_reposts"}
    assert {(s.kind, s.target) for s in await mcp_service.discovery.sources()} >= {
        (s["kind"], s["target"]) for s in mixcloud["sources"]}
    nothing = await call_error(mcp, "follow_source", {"targets": [""]})
    assert nothing["type"] == "invalid_argument"
    bad = await call_error(mcp, "follow_source", {"targets": ["https://example.com/x"]})
    assert bad["type"] == "invalid_url"


async def test_sync_reports_progress_per_source_then_the_inbox_pages(
        mcp: ClientSession, mcp_service: Service, emulator: RunningEmulator) -> None:
    people = artists(emulator, 3)
    await call(mcp, "follow_source", {"targets": people})
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    summary = await call(mcp, "sync_sources", progress_callback=progress)
    assert summary["sources"] == 6 and summary["new_tracks"] > 0 and summary["failed"] == 0
    assert [(d, t) for d, t, _ in seen] == [(n, 6) for n in range(1, 7)]
    assert all(m and " new" in m for _, _, m in seen)
    listed = await call(mcp, "list_sources")
    assert all(s["synced_at"] for s in listed["items"])

    expected = await mcp_service.inbox.list(limit=5, page=0)
    assert expected
    first = await call(mcp, "inbox", {"limit": 5})
    assert [e["urn"] for e in first["items"]] == [e.track.urn for e in expected]
    assert first["items"][0]["score"]["total"] == round(expected[0].score.total, 4)
    assert first["items"][0]["provenance"]
    whole = await page_all(mcp, "inbox", {"limit": 5})
    pages, number = [], 0
    while found := await mcp_service.inbox.list(limit=5, page=number):
        pages += [e.track.urn for e in found]
        number += 1
    assert [e["urn"] for e in whole] == pages

    genre = whole[0]["genre"] or (whole[0]["tags"] or ["x"])[0]
    filtered = await page_all(mcp, "inbox", {"limit": 50, "genre": genre,
                                             "duration": "medium"})
    wanted = await mcp_service.inbox.list(limit=50, filters=InboxFilters(
        genre=genre, duration="medium"))
    assert [e["urn"] for e in filtered][:50] == [e.track.urn for e in wanted]
    # Nothing is analysed yet: a tempo range or a key leaves nothing.
    assert (await call(mcp, "inbox", {"bpm_min": 60, "bpm_max": 200}))["items"] == []
    assert (await call(mcp, "inbox", {"key": "A minor"}))["items"] == []
    for args, said in (({"bpm_min": 140, "bpm_max": 120}, "above bpm_max"),
                       ({"key": "H major"}, "names no key"),
                       ({"bpm_min": 0}, "at least 1"),
                       ({"duration": "forever"}, "must be one of")):
        error = await call_error(mcp, "inbox", args)
        assert error["type"] == "invalid_argument" and said in error["message"], error
    unanalysed = await call_error(mcp, "inbox", {"mixes_with": whole[0]["urn"]})
    assert "has not been analysed" in unanalysed["message"]


async def test_a_cancelled_sync_stops(emulator_factory: Any, tmp_path: Path) -> None:
    slow = emulator_factory(seed=1, latency_ms=400)
    service = open_service(slow, tmp_path)
    try:
        async with connect(service) as session:
            # 16 sources, 8 synced at once: the second eight cannot be done when the first
            # source is.
            people = artists(slow, 8)
            assert len(people) == 8
            await call(session, "follow_source", {"targets": people})
            first = asyncio.Event()

            async def progress(done: float, total: float | None, message: str | None) -> None:
                first.set()

            task = asyncio.create_task(session.call_tool("sync_sources", {},
                                                         progress_callback=progress))
            await first.wait()  # one source finished
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.5)
            calls = len(slow.state.api_calls)
            await asyncio.sleep(4 * 0.4 * 2)  # the rest's pages would have come by now
            assert len(slow.state.api_calls) == calls
            synced = [s for s in (await call(session, "list_sources"))["items"]
                      if s["synced_at"]]
            assert 1 <= len(synced) < 16
    finally:
        await service.aclose()


async def test_radio_from_a_track_and_saved(mcp: ClientSession, mcp_service: Service,
                                            tmp_path: Path) -> None:
    seed = (await call(mcp, "search_tracks", {"query": "house", "limit": 1}))["items"][0]
    station = await call(mcp, "radio", {"target": seed["urn"], "size": 10, "save": "friday"})
    urns = [e["urn"] for e in station["items"]]
    assert 0 < len(urns) <= 10 and len(set(urns)) == len(urns) and seed["urn"] not in urns
    assert {e["via"] for e in station["items"]} <= {"related", "station", "liked_by"}
    saved = Path(station["saved_to"])
    assert saved == tmp_path / "music" / "friday.m3u8"
    text = _read(saved)
    assert [line for line in text.splitlines() if line.startswith("http")] == [
        e["url"] for e in station["items"]]
    again = await call_error(mcp, "radio", {"target": seed["urn"], "save": "friday"})
    assert again["type"] == "invalid_argument" and "exists" in again["message"]
    assert _read(saved) == text
    plain = await call(mcp, "radio", {"target": seed["urn"], "size": 5})
    assert plain["saved_to"] is None and len(plain["items"]) <= 5
    blank = await call_error(mcp, "radio", {"target": " "})
    assert blank["type"] == "invalid_argument"
