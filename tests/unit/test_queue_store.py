"""The SQLite-backed play queue: order operations, shuffle, persistence across reopen."""

from __future__ import annotations

from pathlib import Path

from minion_tui.models import QueueEntry, Track
from minion_tui.store import Store
from minion_tui.store import play_queue as pq


def _tracks(n: int) -> list[Track]:
    return [Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}",
                  url=f"https://soundcloud.com/a/t{i}", title=f"Track {i}", artist="A",
                  uploader="a", duration_ms=60_000) for i in range(1, n + 1)]


def _open(tmp_path: Path, n: int = 5) -> Store:
    store = Store.open(tmp_path / "q.db")
    store.upsert_tracks(_tracks(n))
    return store


def _urns(entries: list[QueueEntry]) -> list[str]:
    return [e.track_urn.rsplit(":", 1)[1] for e in entries]


def test_add_insert_remove_move_clear(tmp_path: Path) -> None:
    store = _open(tmp_path)
    try:
        q = pq.queue_add(store, ["soundcloud:tracks:1", "soundcloud:tracks:2"])
        q = pq.queue_add(store, ["soundcloud:tracks:3"], at=1)
        assert _urns(q) == ["1", "3", "2"]
        assert [e.position for e in q] == [0, 1, 2]
        q = pq.queue_move(store, q[2].id, -1)
        assert _urns(q) == ["1", "2", "3"]
        q = pq.queue_move(store, q[0].id, -10)  # clamped at the top
        assert _urns(q) == ["1", "2", "3"]
        q = pq.queue_move(store, q[0].id, 5)
        assert _urns(q) == ["2", "3", "1"]
        q = pq.queue_remove(store, q[1].id)
        assert _urns(q) == ["2", "1"]
        assert [e.position for e in q] == [0, 1]
        pq.queue_clear(store)
        assert pq.queue_entries(store) == []
    finally:
        store.close()


def test_shuffle_keeps_the_set_and_the_playing_head(tmp_path: Path) -> None:
    store = _open(tmp_path, 8)
    try:
        urns = [f"soundcloud:tracks:{i}" for i in range(1, 9)]
        before = pq.queue_add(store, urns)
        after = pq.queue_shuffle(store, keep_first=1, seed=3)
        assert after[0].id == before[0].id
        assert sorted(_urns(after)) == sorted(_urns(before))
        assert _urns(after) != _urns(before)
    finally:
        store.close()


def test_queue_repeat_and_history_survive_reopen(tmp_path: Path) -> None:
    store = _open(tmp_path)
    pq.queue_add(store, ["soundcloud:tracks:4", "soundcloud:tracks:5"])
    pq.set_state(store, "queue.repeat", "all")
    entry = pq.history_start(store, "soundcloud:tracks:4", preview=True)
    pq.history_listened(store, entry, 12.5)
    store.close()
    store = Store.open(tmp_path / "q.db")
    try:
        assert _urns(pq.queue_entries(store)) == ["4", "5"]
        assert pq.get_state(store, "queue.repeat") == "all"
        assert pq.get_state(store, "missing", "off") == "off"
        [played] = pq.history(store)
        assert (played.track_urn, played.seconds_listened, played.preview) == (
            "soundcloud:tracks:4", 12.5, True)
    finally:
        store.close()
