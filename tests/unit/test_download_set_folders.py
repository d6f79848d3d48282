"""Set folders claimed in SQLite (migration 5, store/downloads.py claim_set_folder): one set per
folder, the claim kept, downloads made before claims respected, and a job's plan carrying
its set's tags; folder names numbered without taking a dot for an extension."""

from __future__ import annotations

from pathlib import Path

from minion_tui.downloads.jobs import JobPlan
from minion_tui.downloads.naming import MAX_COMPONENT_BYTES, numbered_folder
from minion_tui.models import Track
from minion_tui.store import Store
from minion_tui.store import downloads as rows


def _track(n: int) -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                 url=f"https://soundcloud.com/a/s{n}", title=f"Song {n}", artist="A",
                 uploader="a", duration_ms=1000 * n)


def _claim(store: Store, urn: str, tracks: set[int], *, directory: str = "/m",
           artist: str = "Owner", total: int = 3) -> str:
    return rows.claim_set_folder(store, directory, urn, "Mix", title="Mix", album_artist=artist,
                                 total=total,
                                 track_urns=frozenset(f"soundcloud:tracks:{n}" for n in tracks))


def test_each_set_keeps_the_folder_it_claimed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "minion.db")
    try:
        assert _claim(store, "soundcloud:playlists:1", {1}) == "Mix"
        assert _claim(store, "soundcloud:playlists:2", {2}) == "Mix (2)"
        assert _claim(store, "soundcloud:playlists:3", {3}) == "Mix (3)"
        assert _claim(store, "soundcloud:playlists:2", {2}) == "Mix (2)"  # again: its own
        assert _claim(store, "soundcloud:playlists:1", {1}) == "Mix"
        # Another download folder is another namespace.
        assert _claim(store, "soundcloud:playlists:2", {2}, directory="/n") == "Mix"
    finally:
        store.close()
    store = Store.open(tmp_path / "minion.db")  # a restart
    try:
        assert _claim(store, "soundcloud:playlists:3", {3}) == "Mix (3)"
    finally:
        store.close()


def test_a_folder_filled_before_claims_is_left_to_its_set(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "minion.db")
    try:
        # Jobs of a set downloaded before sets claimed folders: tracks 1 and 2 in "Mix".
        for n in (1, 2):
            rows.open_job(store, _track(n), JobPlan("/m", playlist="Mix", index=n))
        assert _claim(store, "soundcloud:playlists:9", {7, 8}) == "Mix (2)"  # another set
        assert _claim(store, "soundcloud:playlists:4", {2, 5}) == "Mix"  # the same set
    finally:
        store.close()


def test_a_jobs_plan_brings_back_its_sets_tags(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "minion.db")
    try:
        folder = _claim(store, "soundcloud:playlists:1", {1}, artist="Echo Quartz", total=4)
        job = rows.open_job(store, _track(1), JobPlan("/m", "{playlist}/x", "mp3", folder, 2,
                                                      "Mix", 4, "Echo Quartz"))
        assert rows.job_plan(store, job.id) == JobPlan("/m", "{playlist}/x", "mp3", "Mix", 2,
                                                       "Mix", 4, "Echo Quartz")
        single = rows.open_job(store, _track(2), JobPlan("/m", "{title}", "mp3"))
        assert rows.job_plan(store, single.id) == JobPlan("/m", "{title}", "mp3")
        # The set's owner renamed: the claim's record follows, and so do its jobs' tags.
        _claim(store, "soundcloud:playlists:1", {1}, artist="E. Quartz", total=5)
        assert rows.job_plan(store, job.id).album_artist == "E. Quartz"
        assert rows.job_plan(store, job.id).total == 5
    finally:
        store.close()


def test_folders_are_numbered_as_folders() -> None:
    assert numbered_folder("Vol. 2", 1) == "Vol. 2"
    assert numbered_folder("Vol. 2", 2) == "Vol. 2 (2)"  # not "Vol (2). 2"
    long = "é" * 200
    cut = numbered_folder(long, 12)
    assert cut.endswith("é (12)") and len(cut.encode()) <= MAX_COMPONENT_BYTES
