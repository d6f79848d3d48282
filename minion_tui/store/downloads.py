"""Download jobs, the download archive and the sets' folders (migrations 1, 3 and 5).

Plain functions taking the :class:`Store`; run them on its worker thread with
``await store.call(fn, store, ...)``. A job row is written before any byte is fetched and
updated at each state change, so the database always says what a crash interrupted.
"""

from __future__ import annotations

from typing import Any

from minion_tui.downloads.jobs import JOB_STATES, JobPlan
from minion_tui.downloads.naming import numbered_folder
from minion_tui.models import DownloadJob, Track
from minion_tui.store.records import utc_now
from minion_tui.store.store import Store

_JOB_COLUMNS = ("id, track_urn, title, state, coalesce(reason, ''), coalesce(path, ''), "
                "bytes_done, bytes_expected, segments_done, segments_total, created_at, "
                "coalesce(updated_at, created_at)")
_PLAN_COLUMNS = ("d.directory, d.template, coalesce(d.preset, 'best'), d.playlist, d.set_index, "
                 "d.album, coalesce(s.track_total, 0), coalesce(s.album_artist, '')")
#: A job with the set it belongs to (none for a track on its own): the set's tags live there.
_PLAN_FROM = ("downloads d LEFT JOIN download_sets s ON s.directory = d.directory "
              "AND s.folder = d.playlist AND d.playlist != ''")
#: Columns update_job may set (the keyword names callers use).
_UPDATABLE = {"state": "state", "reason": "reason", "path": "path", "part_path": "part_path",
              "protocol": "protocol", "codec": "codec", "bytes_done": "bytes_done",
              "bytes_total": "bytes_expected", "segments_done": "segments_done",
              "segments_total": "segments_total"}


def _job(row: Any) -> DownloadJob:
    return DownloadJob(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]),
                       str(row[5]), int(row[6]), None if row[7] is None else int(row[7]),
                       int(row[8]), int(row[9]), str(row[10]), str(row[11]))


def open_job(store: Store, track: Track, plan: JobPlan) -> DownloadJob:
    """The job for ``track`` in ``plan.directory``: the unfinished one if a run was
    interrupted (so it resumes), else a new 'queued' row. The track is stored first."""
    store.upsert_tracks([track])
    now = utc_now()
    title = f"{track.artist} - {track.title}" if track.artist else track.title
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT id FROM downloads WHERE track_urn = ? AND directory = ? AND playlist = ? "
            "AND state IN ('queued', 'running', 'paused', 'failed') ORDER BY id DESC LIMIT 1",
            (track.urn, plan.directory, plan.playlist)).fetchone()
        if row is not None:
            job_id = int(row[0])
            conn.execute("UPDATE downloads SET state = 'queued', reason = NULL, title = ?, "
                         "template = ?, preset = ?, set_index = ?, album = ?, updated_at = ? "
                         "WHERE id = ?", (title, plan.template, plan.format, plan.index,
                                          plan.album, now, job_id))
        else:
            cursor = conn.execute(
                "INSERT INTO downloads (track_urn, title, state, preset, directory, template, "
                "playlist, set_index, album, created_at, updated_at) "
                "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
                (track.urn, title, plan.format, plan.directory, plan.template, plan.playlist,
                 plan.index, plan.album, now, now))
            job_id = int(cursor.lastrowid or 0)
    return get_job(store, job_id)


def update_job(store: Store, job_id: int, **fields: Any) -> None:
    """Set some of: state, reason, path, part_path, protocol, codec, bytes_done, bytes_total,
    segments_done, segments_total. Entering 'running' counts an attempt."""
    unknown = set(fields) - set(_UPDATABLE)
    if unknown:
        raise ValueError(f"update_job: unknown fields {sorted(unknown)}")
    state = fields.get("state")
    if state is not None and state not in JOB_STATES:
        raise ValueError(f"update_job: unknown state {state!r}")
    now = utc_now()
    sets = [f"{_UPDATABLE[k]} = ?" for k in fields] + ["updated_at = ?"]
    values = [*fields.values(), now]
    if state == "running":
        sets += ["attempts = attempts + 1", "started_at = ?", "finished_at = NULL"]
        values.append(now)
    elif state in ("done", "failed", "cancelled"):
        sets.append("finished_at = ?")
        values.append(now)
    with store.transaction() as conn:
        conn.execute(f"UPDATE downloads SET {', '.join(sets)} WHERE id = ?", (*values, job_id))


def _job_row(store: Store, columns: str, job_id: int, source: str = "downloads d") -> Any:
    """``columns`` of job ``job_id`` (the jobs table is ``d`` in ``source``); KeyError when
    there is no such job."""
    with store.snapshot() as conn:
        row = conn.execute(f"SELECT {columns} FROM {source} WHERE d.id = ?",
                           (job_id,)).fetchone()
    if row is None:
        raise KeyError(job_id)
    return row


def get_job(store: Store, job_id: int) -> DownloadJob:
    return _job(_job_row(store, _JOB_COLUMNS, job_id))


def job_plan(store: Store, job_id: int) -> JobPlan:
    row = _job_row(store, _PLAN_COLUMNS, job_id, _PLAN_FROM)
    return JobPlan(str(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]),
                   str(row[5]), int(row[6]), str(row[7]))


def claim_set_folder(store: Store, directory: str, playlist_urn: str, name: str, *,
                     title: str, album_artist: str, total: int,
                     track_urns: frozenset[str]) -> str:
    """The folder of ``directory`` that set ``playlist_urn`` downloads into: the one it
    claimed before, else ``name`` (its title made safe) or the first of ``name (2)``,
    ``name (3)`` … that no other set claimed — and, for downloads made before sets claimed
    folders, that holds no jobs of tracks all outside this set (another set's). What the set
    says of itself (title, owner, length) is brought up to date either way."""
    now = utc_now()
    with store.transaction() as conn:
        row = conn.execute("SELECT folder FROM download_sets WHERE directory = ? "
                           "AND playlist_urn = ?", (directory, playlist_urn)).fetchone()
        if row is not None:
            folder = str(row[0])
            conn.execute("UPDATE download_sets SET title = ?, album_artist = ?, "
                         "track_total = ? WHERE directory = ? AND folder = ?",
                         (title, album_artist, total, directory, folder))
            return folder
        n = 1
        while True:
            folder = numbered_folder(name, n)
            n += 1
            taken = conn.execute("SELECT 1 FROM download_sets WHERE directory = ? "
                                 "AND folder = ?", (directory, folder)).fetchone()
            if taken is not None:
                continue
            before = {str(urn) for (urn,) in conn.execute(
                "SELECT DISTINCT track_urn FROM downloads WHERE directory = ? AND playlist = ?",
                (directory, folder))}
            if before and not before & track_urns:
                continue
            conn.execute("INSERT INTO download_sets (directory, folder, playlist_urn, title, "
                         "album_artist, track_total, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (directory, folder, playlist_urn, title, album_artist, total, now))
            return folder


def list_jobs(store: Store, limit: int = 200, *, states: tuple[str, ...] = ()
              ) -> list[DownloadJob]:
    """Newest first; only ``states`` when given."""
    where = f"WHERE state IN ({', '.join('?' * len(states))})" if states else ""
    with store.snapshot() as conn:
        found = conn.execute(f"SELECT {_JOB_COLUMNS} FROM downloads {where} "
                             "ORDER BY id DESC LIMIT ?", (*states, limit)).fetchall()
    return [_job(row) for row in found]


def set_members(store: Store, directory: str, playlist: str) -> list[tuple[str, str]]:
    """(track urn, path) of every finished job of set ``playlist`` downloaded into
    ``directory``, in set order (what its M3U8 lists)."""
    with store.snapshot() as conn:
        found = conn.execute(
            "SELECT track_urn, path FROM downloads WHERE directory = ? AND playlist = ? "
            "AND state = 'done' AND path != '' ORDER BY set_index, id",
            (directory, playlist)).fetchall()
    return [(str(urn), str(path)) for urn, path in found]


def archive(store: Store, track_urn: str, path: str, *, codec: str, size: int,
            job_id: int | None) -> None:
    """Record a completed download (the archive a later batch skips by)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO download_archive (track_urn, path, codec, bytes, download_id, "
            "downloaded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (track_urn) DO UPDATE SET "
            "path = excluded.path, codec = excluded.codec, bytes = excluded.bytes, "
            "download_id = excluded.download_id, downloaded_at = excluded.downloaded_at",
            (track_urn, path, codec, size, job_id, utc_now()))


def archived_path(store: Store, track_urn: str) -> str | None:
    with store.snapshot() as conn:
        row = conn.execute("SELECT path FROM download_archive WHERE track_urn = ?",
                           (track_urn,)).fetchone()
    return None if row is None else str(row[0])


def archived_owner(store: Store, path: str) -> str | None:
    """The track the archive says ``path`` holds (None when it knows no file of that path)."""
    with store.transaction() as conn:
        row = conn.execute("SELECT track_urn FROM download_archive WHERE path = ? "
                           "ORDER BY downloaded_at DESC LIMIT 1", (path,)).fetchone()
    return None if row is None else str(row[0])
