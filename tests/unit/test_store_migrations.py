"""Migrations by PRAGMA user_version: from empty, from the previous version with data kept,
a copy taken before migrating, and a failed migration leaving the old version intact."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from minion_tui.errors import StoreError
from minion_tui.models import Judgment, Source, Track
from minion_tui.store import MIGRATIONS, SCHEMA_VERSION, Store
from minion_tui.store.migrations import Migration

EXPECTED_TABLES = {
    "tracks", "users", "judgments", "judgment_history", "provenance", "sources", "queue",
    "app_state", "play_history", "downloads", "download_segments", "download_archive",
    "search_history", "download_sets",
    # migration 6: the inbox's materialised scores (store/schema_inbox_scores.py)
    "inbox_scores", "inbox_score_state", "inbox_trust", "inbox_dirty_tracks",
    "inbox_dirty_judged", "inbox_dirty_whos", "inbox_dirty_sources",
    # migration 7: request budgets and the outbox of remote actions (docs/accounts.md §7, §8)
    "budget_spends", "outbox",
    # migration 8: audio analyses (store/schema_sounds.py)
    "sounds", "track_sounds",
}


def track(n: int) -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                 url=f"https://soundcloud.com/a/s{n}", title=f"Song {n}", artist="A",
                 uploader="a", duration_ms=1000 * n, uploader_urn="soundcloud:users:1",
                 raw={"id": n})


def read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def tables(path: Path) -> set[str]:
    return {r[0] for r in read(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def version(path: Path) -> int:
    return int(read(path, "PRAGMA user_version")[0][0])


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.v*.bak"))


def make_v1(path: Path) -> None:
    """A database as the first release left it, with the user's data in it."""
    store = Store.open(path, migrations=MIGRATIONS[:1])
    try:
        store.upsert_tracks([track(n) for n in range(1, 4)])
        store.set_judgment(track(2).urn, Judgment.LIKED)
        store.set_judgment(track(3).urn, Judgment.NOT_INTERESTED)
        store.upsert_source(Source(None, "tag", "dub techno", "#dub techno", pinned=True))
    finally:
        store.close()


def test_the_migrations_are_numbered_and_there_is_a_previous_version() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 2


def test_an_empty_file_gets_the_whole_schema_and_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    store = Store.open(path)
    store.close()
    assert version(path) == SCHEMA_VERSION
    assert tables(path) == EXPECTED_TABLES
    assert store.backup is None and backups(path) == []


def test_the_previous_version_is_upgraded_with_its_data_kept_and_a_copy_taken(
    tmp_path: Path,
) -> None:
    path = tmp_path / "minion.db"
    make_v1(path)
    assert version(path) == 1 and "search_history" not in tables(path)

    store = Store.open(path)
    try:
        assert [t.title for t in store.get_tracks([track(n).urn for n in range(1, 4)])] == [
            "Song 1", "Song 2", "Song 3"]
        assert store.judgments(track(n).urn for n in range(1, 4)) == {
            track(2).urn: Judgment.LIKED, track(3).urn: Judgment.NOT_INTERESTED}
        assert len(store.judgment_history(track(2).urn)) == 1
        assert [s.target for s in store.sources(pinned_only=True)] == ["dub techno"]
        store.add_search("dub techno", "tracks", {})  # the table version 2 added
        assert [e.query for e in store.recent_searches()] == ["dub techno"]
    finally:
        store.close()
    assert version(path) == SCHEMA_VERSION

    [backup] = backups(path)
    assert store.backup == backup
    assert re.fullmatch(r"minion\.db\.v1-\d{8}T\d{6}Z\.bak", backup.name)
    assert version(backup) == 1
    assert read(backup, "SELECT urn, judgment FROM judgments ORDER BY urn") == [
        (track(2).urn, "liked"), (track(3).urn, "not_interested")]
    assert not list(tmp_path.glob("*.part"))

    reopened = Store.open(path)  # already current: no second copy
    reopened.close()
    assert backups(path) == [backup]


def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    make_v1(path)
    broken = (
        MIGRATIONS[0],
        Migration(2, "half-good", ("CREATE TABLE half_done (a TEXT)",
                                   "DELETE FROM judgments",
                                   "ALTER TABLE nowhere ADD COLUMN b TEXT")),
    )
    with pytest.raises(StoreError) as failure:
        Store.open(path, migrations=broken)
    assert "schema version 2 (half-good)" in failure.value.text
    assert "left at version 1" in failure.value.text
    assert version(path) == 1
    assert "half_done" not in tables(path)
    assert len(read(path, "SELECT * FROM judgments")) == 2
    [backup] = backups(path)
    assert str(backup) in failure.value.text

    # the real migrations still apply afterwards
    Store.open(path).close()
    assert version(path) == SCHEMA_VERSION and len(read(path, "SELECT * FROM judgments")) == 2


def test_a_failing_data_step_rolls_back_and_earlier_migrations_stay(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    make_v1(path)

    def wipe_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM tracks")
        raise ValueError("bad data")

    with pytest.raises(StoreError, match="bad data"):
        Store.open(path, migrations=(*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "data",
                                                            (wipe_then_fail,))))
    assert version(path) == SCHEMA_VERSION  # version 2 committed before 3 failed
    assert len(read(path, "SELECT * FROM tracks")) == 3


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match="newer than this minion_tui"):
        Store.open(path)
    assert version(path) == SCHEMA_VERSION + 5


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    path.write_bytes(b"this is not SQLite at all" * 100)
    with pytest.raises(StoreError, match=r"cannot be read.*Move the file aside"):
        Store.open(path)


def test_misnumbered_migrations_are_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="numbered"):
        Store.open(tmp_path / "minion.db", migrations=(MIGRATIONS[1],))


_OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from minion_tui.store import Store
start = float(sys.argv[2])
while time.time() < start:
    pass
store = Store.open(Path(sys.argv[1]))
store.close()
print("opened")
"""


def test_processes_opening_a_new_database_at_once_all_open_it_at_the_newest_version(
    tmp_path: Path,
) -> None:
    """The TUI and a command started together on a first run: one migrates, the others wait
    for its write lock and find the work done (they failed with "Could not upgrade …: table
    … already exists")."""
    import subprocess
    import sys
    import time

    path = tmp_path / "new" / "library.db"
    start = time.time() + 1.5  # every process spinning before the same instant
    children = [subprocess.Popen([sys.executable, "-c", _OPEN_AT_ONCE, str(path), str(start)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(4)]
    results = [child.communicate(timeout=60) for child in children]
    assert [(child.returncode, out.strip(), err) for child, (out, err)
            in zip(children, results, strict=True)] == [(0, "opened", "")] * 4
    assert version(path) == SCHEMA_VERSION
    assert backups(path) == []
