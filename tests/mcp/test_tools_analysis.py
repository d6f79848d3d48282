"""The analysis tools over a real MCP session against the emulator: a file's tempo and key
(synthesised at a known tempo and key), a stream's kept in the library and read back as the
track's sound data, tracks that sound alike as the service ranks them, the taste of the
liked tracks' measured tempi and keys, progress, and a cancel that keeps nothing."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.analysis_audio import make_track
from tests.mcp.harness import call, call_error, connect, page_all
from tests.mcp.test_tools_discovery import mcp_service, open_service

__all__ = ["mcp_service"]  # the fixture: a service downloading into tmp_path/music

CALLED = {"analyze_track", "get_sound_data", "similar_tracks"}


async def _full(mcp: ClientSession, n: int) -> list[dict[str, Any]]:
    found = [t for t in (await call(mcp, "search_tracks", {"query": "house", "limit": 50}))[
        "items"] if t["availability"] == "full" and 60_000 < t["duration_ms"] < 400_000]
    assert len(found) >= n
    return found[:n]


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("minion-analysis-*")}


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's temporary folders in a folder of the test's own, so what another test
    process makes in the machine's /tmp at the same time is not counted as ours."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_a_file_is_measured_with_progress(mcp: ClientSession, tmp_path: Path) -> None:
    song = make_track(tmp_path / "song.mp3", 126.0, 9, True, 15.0)
    seen: list[tuple[float, float | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total))

    found = await call(mcp, "analyze_track", {"input": str(song)},
                       progress_callback=progress)
    assert (found["bpm"], found["key"], found["camelot"]) == (126.0, "A minor", "8A")
    assert 0 < found["bpm_confidence"] <= 1 and 0 < found["key_confidence"] <= 1
    assert found["seconds_analysed"] > 10 and found["input"] == str(song)
    assert seen == [(0, 2), (2, 2)]
    for value, kind in (("", "invalid_argument"), (str(tmp_path), "invalid_argument"),
                        (str(tmp_path / "missing.mp3"), "not_found"),
                        ("https://example.com/x.mp3", "invalid_url")):
        error = await call_error(mcp, "analyze_track", {"input": value})
        assert error["type"] == kind, (value, error)


async def test_a_stream_is_kept_read_back_compared_and_tasted(
        mcp: ClientSession, mcp_service: Service) -> None:
    tracks = await _full(mcp, 3)
    before = await call(mcp, "get_sound_data", {"target": tracks[0]["urn"]})
    assert before["analysis"] is None and before["track"]["bpm"] is None
    assert before["track"]["urn"] == tracks[0]["urn"]
    measured = {}
    for t in tracks:
        measured[t["urn"]] = await call(mcp, "analyze_track", {"input": t["urn"]})
        assert measured[t["urn"]]["bpm"] and measured[t["urn"]]["camelot"]
    data = await call(mcp, "get_sound_data", {"target": tracks[0]["url"]})
    first = measured[tracks[0]["urn"]]
    assert data["analysis"] == first
    assert (data["track"]["bpm"], data["track"]["key"], data["track"]["camelot"]) == (
        first["bpm"], first["key"], first["camelot"])
    assert data["track"]["title"] == tracks[0]["title"]

    near = await page_all(mcp, "similar_tracks", {"target": tracks[0]["urn"], "limit": 1})
    ranked = await mcp_service.analysis.similar(tracks[0]["urn"], limit=500)
    assert [(s["track"]["urn"], s["distance"]) for s in near] == [
        (s.track.urn, s.distance) for s in ranked]
    assert {s["track"]["urn"] for s in near} == {t["urn"] for t in tracks[1:]}
    assert [s["distance"] for s in near] == sorted(s["distance"] for s in near)

    for t in tracks:
        await call(mcp, "rate_track", {"target": t["urn"], "judgment": "liked"})
    taste = await call(mcp, "my_taste")
    tempi = sorted(m["bpm"] for m in measured.values())
    assert taste["analysed"] == 3 and taste["liked"] == 3
    assert (taste["bpm"]["low"], taste["bpm"]["high"]) == (tempi[0], tempi[-1])
    assert taste["bpm"]["median"] == tempi[1]
    keys: dict[str, int] = {}
    for m in measured.values():
        keys[m["key"]] = keys.get(m["key"], 0) + 1
    assert {c["value"]: c["count"] for c in taste["keys"]} == keys
    assert sum(c["count"] for c in taste["camelots"]) == 3

    seed = tracks[0]["urn"]
    mixing = await call(mcp, "inbox", {"mixes_with": seed})
    assert mixing["next_cursor"] is None  # nothing followed: an empty inbox, no error


async def test_a_cancelled_analysis_keeps_nothing(emulator_factory: Any, tmp_path: Path,
                                                  own_tmp: Path) -> None:
    slow = emulator_factory(seed=1, latency_ms=300)
    service = open_service(slow, tmp_path)
    before = _leftovers()
    assert before == set()
    try:
        async with connect(service) as session:
            [track] = await _full(session, 1)
            started = asyncio.Event()

            async def progress(done: float, total: float | None, message: str | None) -> None:
                started.set()

            task = asyncio.create_task(session.call_tool(
                "analyze_track", {"input": track["urn"]}, progress_callback=progress))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(2.0)
            data = await call(session, "get_sound_data", {"target": track["urn"]})
            assert data["analysis"] is None and data["track"]["bpm"] is None
            assert service.analysis.measured == 0
    finally:
        await service.aclose()
    assert _leftovers() == set() and not os.listdir(own_tmp)
