"""Persisted download jobs through the Service: pause/retry, cancel, faults, disk full."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from minion_tui.downloads.batch import Runner
from minion_tui.downloads.engine import DownloadOptions
from minion_tui.downloads.jobs import JobControl
from minion_tui.models import DownloadEvent, Outcome, Track
from minion_tui.service import Service
from tests.integration.downloading import download_pausing_first
from tests.integration.full_disk import FullDisk
from tests.integration.request_log import install, throttle


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", ".parts",
                                                                        ".tmp", ".seg")))


def _rows(data: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data / "minion.db") as conn:
        return [(str(s), str(r or "")) for s, r in
                conn.execute("SELECT state, reason FROM downloads ORDER BY id")]


async def _reference(url: str, folder: Path, data: Path) -> Path:
    """An uninterrupted download through the Service (its own database)."""
    service = Service.open(data_dir=data)
    try:
        [outcome] = await service.downloads.download([url], directory=folder)
    finally:
        await service.aclose()
    assert outcome.state == "done", outcome
    return Path(outcome.path)


async def _stopped_then(sc_env: Any, tmp_path: Path,
                        stop: Callable[[Service, int], Awaitable[None]]
                        ) -> tuple[Service, Outcome, list[DownloadEvent]]:
    """Start a slow download and run ``stop`` on its job once 2 segments are in."""
    url = sc_env.examples["track_full"]
    service = Service.open(data_dir=tmp_path / "data")
    events: list[DownloadEvent] = []
    stopping: list[asyncio.Task[None]] = []

    def listen(event: DownloadEvent) -> None:
        events.append(event)
        if event.kind == "segment" and event.segments_done >= 2 and not stopping:
            assert event.job_id is not None
            stopping.append(asyncio.get_running_loop().create_task(
                stop(service, event.job_id)))

    unsubscribe = service.downloads.on_event(listen)
    sc_env.state.set_faults("slow:ms=60")
    try:
        [outcome] = await service.downloads.download([url], directory=tmp_path / "out", segments=1)
        await asyncio.gather(*stopping)
    finally:
        sc_env.state.set_faults("")
        unsubscribe()
    return service, outcome, events


async def test_pause_then_retry_completes(sc_env: Any, tmp_path: Path) -> None:
    whole = await _reference(sc_env.examples["track_full"], tmp_path / "ref", tmp_path / "r")
    service, outcome, events = await _stopped_then(sc_env, tmp_path, lambda svc,
                                                   job: svc.downloads.pause(job))
    try:
        assert outcome.state == "paused" and outcome.job_id is not None
        [job] = await service.downloads.jobs()
        assert (job.id, job.state, job.reason) == (outcome.job_id, "paused", "paused by the user")
        out = tmp_path / "out"
        assert not (out / whole.name).exists()
        assert list(out.glob(".*.parts/*.seg"))  # the journal is kept
        assert events[-1].kind == "paused" and events[-1].job_id == job.id

        again = await service.downloads.retry(job.id)
        assert again.state == "done" and Path(again.path) == out / whole.name
        [job] = await service.downloads.jobs()
        assert job.state == "done" and job.bytes_done == whole.stat().st_size
        assert _sha(out / whole.name) == _sha(whole)
        assert _leftovers(out) == []
    finally:
        await service.aclose()


async def test_cancel_removes_partial_files(sc_env: Any, tmp_path: Path) -> None:
    service, outcome, events = await _stopped_then(sc_env, tmp_path, lambda svc,
                                                   job: svc.downloads.cancel(job))
    try:
        assert outcome.state == "cancelled"
        [job] = await service.downloads.jobs()
        assert (job.state, job.reason) == ("cancelled", "cancelled by the user")
        out = tmp_path / "out"
        assert job.path and not Path(job.path).exists()  # noqa: ASYNC240 (no final file)
        assert list(out.iterdir()) == []  # no .part, no journal
        assert [e.kind for e in events][-1] == "cancelled"
    finally:
        await service.aclose()


async def test_disk_full_fails_the_job_then_retry_completes(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    whole = await _reference(url, tmp_path / "ref", tmp_path / "r")
    data, out = tmp_path / "data", tmp_path / "out"
    service = Service.open(data_dir=data)
    try:
        track = await service.catalog.resolve(url)
        assert isinstance(track, Track)

        async def choose(t: Track, prefer: str | None) -> Any:
            return await service.catalog.stream(t, require_full=True, prefer=prefer)

        options = DownloadOptions(out, segments=1, opener=FullDisk(600_000))
        runner = Runner.build(service.downloads._source, choose, options,
                              store=await service._core.db(),
                              control=JobControl())
        plan = runner.plan()
        job_id = await runner.open(track, plan)
        [outcome] = await runner.settle([(runner.start(track, plan, job_id), track, job_id)])
        assert outcome.state == "failed" and "No space left on device" in outcome.reason
        [(state, reason)] = _rows(data)
        assert state == "failed" and "No space left on device" in reason  # reason in SQLite
        assert not (out / whole.name).exists()  # nothing under the final name
        assert list(out.glob(".*.parts/*.seg"))  # partial data kept for resume

        assert job_id is not None
        again = await service.downloads.retry(job_id)
        assert again.state == "done"
        assert _sha(out / whole.name) == _sha(whole)
        assert _rows(data) == [("done", "")]
    finally:
        await service.aclose()


async def test_429_burst_and_truncated_segments_still_complete(sc_env: Any,
                                                               tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    whole = await _reference(url, tmp_path / "ref", tmp_path / "r")
    log = install(sc_env)
    burst = throttle(sc_env, n=6, prefix="/sc-aac/", suffix=".m4s", retry_after=1)
    sc_env.state.set_faults("drop:n=1:prefix=/sc-aac/")  # every segment's first answer is cut
    try:
        got = await _reference(url, tmp_path / "out", tmp_path / "data")
    finally:
        sc_env.state.set_faults("")
    assert burst.left == 0  # all six 429s were served and survived
    segments = [p for p in log.paths("/sc-aac/") if p.endswith(".m4s")]
    assert segments and all(segments.count(p) == 2 for p in set(segments))  # cut, then again
    assert _sha(got) == _sha(whole)


async def test_a_set_track_retried_later_joins_the_sets_m3u8(sc_env: Any, tmp_path: Path) -> None:
    # The batch writes the set's M3U8 with what finished; a track paused (or failed) then is
    # listed in its place once a retry finishes it.
    service = Service.open(data_dir=tmp_path / "data")
    outcomes = await download_pausing_first(service, sc_env, sc_env.examples["set_small"],
                                            ("segment",), directory=tmp_path / "out",
                                            segments=1)
    try:
        done = [o for o in outcomes if o.state == "done"]
        [paused] = [o for o in outcomes if o.state == "paused"]
        assert done and paused.job_id is not None
        folder = Path(done[0].path).parent
        m3u8 = folder / f"{folder.name}.m3u8"

        def listed() -> list[str]:
            return [line for line in m3u8.read_text(encoding="utf-8").splitlines()
                    if not line.startswith("#")]

        assert sorted(listed()) == sorted(Path(o.path).name for o in done)
        again = await service.downloads.retry(paused.job_id)
        assert again.state == "done"
        names = listed()
        assert Path(again.path).name in names and len(names) == len(done) + 1
        assert names == sorted(names)  # in set order ("01 - …", "02 - …")
    finally:
        await service.aclose()
