"""The download tools over a real MCP session against the emulator: a track's file (the same
bytes as the service's own download), its progress, a cancel that leaves no partial file, a
folder outside the download folder refused, sets, a user's likes, the jobs listed, paused,
retried, cancelled and resumed."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.config import AnalysisSettings, Settings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Playlist
from minion_tui.service import Service
from tests.mcp.harness import call, call_error, connect
from tests.mcp.test_tools_discovery import mcp_service, open_service

__all__ = ["mcp_service"]  # the fixture: a service downloading into tmp_path/music

CALLED = {"download", "download_likes", "download_jobs", "pause_download", "cancel_download",
          "retry_download", "resume_downloads"}

PARTIAL = (".part", ".parts", ".tmp", ".seg")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@asynccontextmanager
async def _slow_session(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[ClientSession]:
    """A session on a fresh service whose downloads come in slowly; the fault is cleared after."""
    service = open_service(emulator, tmp_path)
    emulator.state.set_faults("slow:ms=80")
    try:
        async with connect(service) as session:
            yield session
    finally:
        emulator.state.set_faults("")
        await service.aclose()


async def _started(start: Callable[[Any], Coroutine[Any, Any, Any]]) -> asyncio.Task[Any]:
    """The call `start(progress)` made in a task, returned once its first bytes have come in."""
    started = asyncio.Event()

    async def progress(done: float, total: float | None, message: str | None) -> None:
        if done > 0:
            started.set()

    task = asyncio.create_task(start(progress))
    await started.wait()
    return task


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _exists(path: str | Path) -> bool:
    return Path(path).exists()


def _size(path: Path) -> int:
    return path.stat().st_size


def _partial(folder: Path) -> list[str]:
    return [p.name for p in _files(folder) if p.name.endswith(PARTIAL)]


async def _reference(emulator: RunningEmulator, url: str, tmp_path: Path) -> Path:
    """The same track downloaded by the service itself (its own data and folder)."""
    settings = Settings(path=tmp_path / "ref.toml",
                        analysis=AnalysisSettings(after_download=False))
    svc = Service.open(settings=settings, endpoints=emulator.endpoints,
                       data_dir=tmp_path / "ref-data")
    try:
        [outcome] = await svc.downloads.download([url], directory=tmp_path / "ref")
    finally:
        await svc.aclose()
    assert outcome.state == "done", outcome
    return Path(outcome.path)


async def test_download_a_track_with_progress(mcp: ClientSession, emulator: RunningEmulator,
                                              tmp_path: Path) -> None:
    url = emulator.examples["track_full"]
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    result = await call(mcp, "download", {"targets": [url]}, progress_callback=progress)
    assert (result["done"], result["skipped"], result["failed"]) == (1, 0, 0)
    [outcome] = result["outcomes"]
    path = Path(outcome["path"])
    assert path.parent == tmp_path / "music" and _exists(path)
    assert _sha(path) == _sha(await _reference(emulator, url, tmp_path))
    assert _files(tmp_path / "music") == [path]
    assert seen and seen[-1][:2] == (1.0, 1.0) and "done" in (seen[-1][2] or "")
    values = [d for d, _, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert len(seen) >= 3  # progress while it ran, not only at the end

    jobs = await call(mcp, "download_jobs")
    [job] = jobs["items"]
    assert (job["id"], job["state"], job["path"]) == (outcome["job_id"], "done", str(path))
    assert job["bytes_done"] == _size(path) or job["segments_done"] > 0
    again = await call(mcp, "download", {"targets": [url]})
    [same] = again["outcomes"]  # the archive knows it: nothing fetched again
    assert (same["state"], same["reason"], same["path"]) == ("done", "already downloaded",
                                                             str(path))
    assert _files(tmp_path / "music") == [path]
    assert (await call(mcp, "download_jobs", {"state": "failed"}))["items"] == []


async def test_a_folder_outside_the_download_folder_is_refused(
        mcp: ClientSession, emulator: RunningEmulator, tmp_path: Path) -> None:
    url = emulator.examples["track_full"]
    (tmp_path / "music").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "music" / "out").symlink_to(tmp_path / "elsewhere")
    for directory in ("..", "../elsewhere", "a/../../x", str(tmp_path / "elsewhere"), "/tmp",
                      "out", "out/deeper", "~/x/../../.."):
        error = await call_error(mcp, "download", {"targets": [url], "directory": directory})
        assert error["type"] == "invalid_argument", (directory, error)
        assert "outside the download folder" in error["message"] or "folder" in error["message"]
    for directory in ("", "  "):
        error = await call_error(mcp, "download", {"targets": [url], "directory": directory})
        assert error["type"] == "invalid_argument"
    assert _files(tmp_path) == []
    assert (await call(mcp, "download_jobs"))["items"] == []
    inside = await call(mcp, "download", {"targets": [url], "directory": "sets/friday"})
    assert Path(inside["outcomes"][0]["path"]).parent == tmp_path / "music" / "sets" / "friday"
    absolute = await call(mcp, "download", {"targets": [emulator.examples["track_opus"]],
                                            "directory": str(tmp_path / "music" / "x")})
    assert Path(absolute["outcomes"][0]["path"]).parent == tmp_path / "music" / "x"


async def test_bad_targets_and_formats_are_refused(mcp: ClientSession, tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("https://soundcloud.com/a/b\n")
    for args, said in (({"targets": []}, "at least one"),
                       ({"targets": [""]}, "blank"),
                       ({"targets": [str(listed)]}, "not a URL or URN"),
                       ({"targets": ["soundcloud:tracks:1"], "format": "wav9"},
                        "must be one of")):
        error = await call_error(mcp, "download", args)
        assert error["type"] == "invalid_argument" and said in error["message"], error
    for name, args in (("pause_download", {"job_id": 99}), ("retry_download", {"job_id": 99}),
                       ("cancel_download", {"job_id": 99, "confirm": True})):
        error = await call_error(mcp, name, args)
        assert error["type"] == "invalid_argument" and "no download job 99" in error["message"]


async def test_a_cancelled_download_stops_and_leaves_no_partial_file(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    url = emulator.examples["track_full"]
    async with _slow_session(emulator, tmp_path) as session:
        task = await _started(lambda progress: session.call_tool(
            "download", {"targets": [url], "format": "best"}, progress_callback=progress))
        assert _files(tmp_path / "music")  # bytes are coming in: a partial file is there now
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):  # the server's cleanup runs beside this
            jobs = (await call(session, "download_jobs"))["items"]
            if jobs and jobs[0]["state"] == "cancelled":
                break
            await asyncio.sleep(0.05)
        [job] = jobs
        assert job["state"] == "cancelled"
        size = len(emulator.state.api_calls)
        await asyncio.sleep(1.0)
        assert _files(tmp_path / "music") == []
        assert not _exists(job["path"])
        assert len(emulator.state.api_calls) == size


async def test_pause_then_retry_then_cancel_a_done_job(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    url = emulator.examples["track_full"]
    async with _slow_session(emulator, tmp_path) as session:
        task = await _started(lambda progress: call(
            session, "download", {"targets": [url]}, progress_callback=progress))
        [running] = (await call(session, "download_jobs", {"state": "running"}))["items"]
        paused = await call(session, "pause_download", {"job_id": running["id"]})
        assert paused["state"] == "paused" and paused["reason"] == "paused by the user"
        result = await task
        assert result["outcomes"][0]["state"] == "paused"
        assert not _exists(paused["path"])
        emulator.state.set_faults("")
        retried = await call(session, "retry_download", {"job_id": running["id"]})
        [outcome] = retried["outcomes"]
        assert outcome["state"] == "done" and _exists(outcome["path"])
        assert _partial(tmp_path / "music") == []
        assert _sha(Path(outcome["path"])) == _sha(
            await _reference(emulator, url, tmp_path))
        refused = await call_error(session, "cancel_download", {"job_id": running["id"]})
        assert "confirm: true" in refused["message"]
        kept = await call(session, "cancel_download", {"job_id": running["id"],
                                                       "confirm": True})
        assert kept["state"] == "done" and _exists(outcome["path"])
        again = await call_error(session, "retry_download", {"job_id": running["id"]})
        assert again["type"] == "invalid_argument" and "is done" in again["message"]


async def test_a_set_and_a_users_likes(mcp: ClientSession, mcp_service: Service,
                                       emulator: RunningEmulator, tmp_path: Path) -> None:
    playlist = await mcp_service.catalog.resolve(emulator.examples["set_small"])
    assert isinstance(playlist, Playlist)
    result = await call(mcp, "download", {"targets": [emulator.examples["set_small"]]})
    assert [o["track_urn"] for o in result["outcomes"]] == [t.urn for t in playlist.tracks]
    done = [Path(o["path"]) for o in result["outcomes"] if o["state"] == "done"]
    assert done and all(p.exists() and p.parent.parent == tmp_path / "music" for p in done)
    assert list((tmp_path / "music").rglob("*.m3u8"))

    social = emulator.social
    few = min(emulator.catalog.artists, key=lambda a: (
        sum(1 for x in social.likes.get(a, []) if x.kind == "track"),
        len(social.likes.get(a, [])), a))
    user = f"soundcloud:users:{few}"
    liked = [t.urn async for page in mcp_service.catalog.browse("likes", user)
             for t in page.items if getattr(t, "kind", "") == "track"]
    likes = await call(mcp, "download_likes", {"user": user, "directory": "likes"})
    assert [o["track_urn"] for o in likes["outcomes"]] == liked
    for o in likes["outcomes"]:
        assert o["state"] in ("done", "skipped")
        if o["state"] == "done":
            assert Path(o["path"]).parent == tmp_path / "music" / "likes"
    track = (await call(mcp, "search_tracks", {"query": "rain", "limit": 1}))["items"][0]
    wrong = await call_error(mcp, "download_likes", {"user": track["urn"]})
    assert wrong["type"] == "invalid_argument" and "not a user" in wrong["message"]


async def test_resume_runs_what_a_crash_left(emulator: RunningEmulator,
                                             tmp_path: Path) -> None:
    url = emulator.examples["track_full"]
    first = open_service(emulator, tmp_path)
    emulator.state.set_faults("slow:ms=80")
    try:
        started = asyncio.Event()

        def listen(event: Any) -> None:
            if event.kind in ("bytes", "segment"):
                started.set()

        crash = asyncio.create_task(first.downloads.download([url], listener=listen))
        await started.wait()
        crash.cancel()  # the process "dies": the job stays running in the database
        with pytest.raises(asyncio.CancelledError):
            await crash
    finally:
        emulator.state.set_faults("")
        await first.aclose()
    service = open_service(emulator, tmp_path)
    try:
        async with connect(service) as session:
            [left] = (await call(session, "download_jobs"))["items"]
            assert left["state"] in ("running", "queued")
            resumed = await call(session, "resume_downloads")
            [outcome] = resumed["outcomes"]
            assert outcome["state"] == "done" and outcome["job_id"] == left["id"]
            assert _sha(Path(outcome["path"])) == _sha(
                await _reference(emulator, url, tmp_path))
            assert (await call(session, "resume_downloads"))["outcomes"] == []
    finally:
        await service.aclose()


async def test_a_mixcloud_show_downloads_too(mcp: ClientSession, mcp_service: Service,
                                             emulator: RunningEmulator,
                                             tmp_path: Path) -> None:
    show = await mcp_service.catalog.resolve(emulator.examples["mc_show_short"])
    result = await call(mcp, "download", {"targets": [emulator.examples["mc_show_short"]],
                                          "directory": "mixcloud"})
    [outcome] = result["outcomes"]
    assert (outcome["state"], outcome["track_urn"]) == ("done", show.urn)
    path = Path(outcome["path"])
    assert path.parent == tmp_path / "music" / "mixcloud" and _size(path) > 0
    [job] = (await call(mcp, "download_jobs", {"state": "done"}))["items"]
    assert job["track_urn"] == show.urn
