"""Download jobs in SQLite (migration 3, store/downloads.py), the speed meter, and the
segment reader the AAC remux reads the journal through."""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from minion_tui.downloads.jobs import JobPlan, Meter
from minion_tui.downloads.remux import SegmentReader
from minion_tui.models import Track
from minion_tui.store import MIGRATIONS, Store
from minion_tui.store import downloads as rows


def track(n: int) -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                 url=f"https://soundcloud.com/a/s{n}", title=f"Song {n}", artist="A",
                 uploader="a", duration_ms=1000 * n)


def test_migration_3_keeps_jobs_segments_and_archive(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    old = Store.open(path, migrations=MIGRATIONS[:2])
    try:
        old.upsert_tracks([track(1)])
        with old.transaction() as conn:
            conn.execute("INSERT INTO downloads (id, track_urn, state, reason, path, bytes_done,"
                         " created_at) VALUES (7, ?, 'failed', 'disk full', '/m/a.m4a', 42, "
                         "'2026-01-01T00:00:00.000Z')", (track(1).urn,))
            conn.execute("INSERT INTO download_segments (download_id, idx, url, state) "
                         "VALUES (7, 0, 'https://cdn/s0', 'done')")
            conn.execute("INSERT INTO download_archive (track_urn, path, download_id, "
                         "downloaded_at) VALUES (?, '/m/a.m4a', 7, 'x')", (track(1).urn,))
    finally:
        old.close()
    store = Store.open(path)
    try:
        job = rows.get_job(store, 7)
        assert (job.state, job.reason, job.path, job.bytes_done) == (
            "failed", "disk full", "/m/a.m4a", 42)
        rows.update_job(store, 7, state="paused")  # the new CHECK allows it
        assert rows.get_job(store, 7).state == "paused"
        assert rows.archived_path(store, track(1).urn) == "/m/a.m4a"
    finally:
        store.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT idx, state FROM download_segments WHERE download_id = 7"
                            ).fetchall() == [(0, "done")]
        assert conn.execute("SELECT download_id FROM download_archive").fetchall() == [(7,)]
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE downloads SET state = 'bogus' WHERE id = 7")


def test_open_job_resumes_an_unfinished_row_and_lists_newest_first(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "minion.db")
    try:
        plan = JobPlan(str(tmp_path / "out"), "{artist} - {title}.{ext}")
        first = rows.open_job(store, track(1), plan)
        assert (first.state, first.title, first.path) == ("queued", "A - Song 1", "")
        rows.update_job(store, first.id, state="running", segments_total=9, segments_done=3)
        # The same track into the same folder again (a restart after a kill): same row.
        again = rows.open_job(store, track(1), plan)
        assert again.id == first.id and again.state == "queued" and again.segments_done == 3
        rows.update_job(store, first.id, state="done", path="/out/a.m4a")
        fresh = rows.open_job(store, track(1), plan)  # done rows are history: a new job
        second = rows.open_job(store, track(2), plan)
        assert fresh.id != first.id
        assert [j.id for j in rows.list_jobs(store)] == [second.id, fresh.id, first.id]
        assert [j.id for j in rows.list_jobs(store, states=("done",))] == [first.id]
        assert rows.job_plan(store, first.id) == plan
        with pytest.raises(ValueError):
            rows.update_job(store, first.id, state="exploded")
    finally:
        store.close()


def test_meter_smooths_speed_and_estimates_eta() -> None:
    now = [0.0]
    meter = Meter(clock=lambda: now[0])
    assert meter.eta(0, 1000) is None  # no speed yet
    for second in range(1, 5):
        now[0] = float(second)
        meter.update(100 * second)  # a steady 100 bytes/s
    assert meter.speed == pytest.approx(100.0)
    assert meter.eta(400, 1000) == pytest.approx(6.0)
    assert meter.eta(400, None) is None


def test_meter_takes_its_first_event_as_a_baseline_not_a_rate() -> None:
    # An HLS download: 2.4 s of set-up, then the 635-byte init segment, then 100 kB/s.
    now = [2.4]
    meter = Meter(clock=lambda: now[0])
    assert meter.update(635) is None
    for tick in range(1, 4):
        now[0] = 2.4 + tick
        meter.update(635 + 100_000 * tick)
    assert meter.speed == pytest.approx(100_000.0)


def test_segment_reader_is_one_seekable_stream(tmp_path: Path) -> None:
    parts = [b"init-box", b"", b"fragment-one", b"2"]
    paths = []
    for n, data in enumerate(parts):
        path = tmp_path / f"{n}.seg"
        path.write_bytes(data)
        paths.append(path)
    whole = b"".join(parts)
    with SegmentReader(paths) as reader:
        assert reader.read() == whole
        reader.seek(-5, io.SEEK_END)
        assert reader.read(3) == whole[-5:-2]
        reader.seek(6)
        assert reader.read(6) == whole[6:12]  # across a file boundary and the empty file
        assert reader.tell() == 12
        reader.seek(100)
        assert reader.read(4) == b""
