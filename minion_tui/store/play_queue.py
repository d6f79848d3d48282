"""The play queue, small persistent player state and play history (tables of migration 1).

Plain functions taking the :class:`Store`; run them on its worker thread with
``await store.call(fn, store, ...)``. Queue positions are kept as 0..n-1 (the queue is short,
so renumbering is cheap and keeps every operation a simple rewrite).
"""

from __future__ import annotations

import random

from minion_tui.models import HistoryEntry, QueueEntry, Track
from minion_tui.store.records import utc_now
from minion_tui.store.store import Store

#: The origin of the queue rows a played list put there (explicitly queued tracks are "user").
CONTEXT = "context"


def queue_entries(store: Store) -> list[QueueEntry]:
    with store.snapshot() as conn:
        found = conn.execute(
            "SELECT id, track_urn, position, origin FROM queue ORDER BY position, id"
        ).fetchall()
    return [QueueEntry(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in found]


def _write_order(store: Store, urn_ids: list[int]) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE queue SET position = ? WHERE id = ?",
                         [(pos, entry_id) for pos, entry_id in enumerate(urn_ids)])


def queue_add(store: Store, urns: list[str], *, at: int | None = None,
              origin: str = "user") -> list[QueueEntry]:
    """Insert tracks (already stored) at ``at`` (default: the end); returns the new queue."""
    ids = [e.id for e in queue_entries(store)]
    at = len(ids) if at is None else max(0, min(at, len(ids)))
    now = utc_now()
    with store.transaction() as conn:
        new_ids: list[int] = []
        for urn in urns:
            cursor = conn.execute(
                "INSERT INTO queue (track_urn, position, origin, added_at) VALUES (?, ?, ?, ?)",
                (urn, len(ids) + len(new_ids), origin, now),
            )
            new_ids.append(int(cursor.lastrowid or 0))
        _write_order(store, ids[:at] + new_ids + ids[at:])
    return queue_entries(store)


def queue_play_context(store: Store, urns: list[str], index: int, *, current: int | None
                       ) -> tuple[list[QueueEntry], int]:
    """A list becomes what plays: its tracks (already stored) replace the last list's rows,
    in the list's order, and the returned entry id is ``urns[index]``'s. Explicitly queued
    rows (origin "user") after ``current`` (the entry playing, or played last) have not
    played yet: they stay, right after the chosen track, so they play before the list goes
    on; the rest — the old list, queued tracks already played — goes."""
    entries = queue_entries(store)
    ids = [e.id for e in entries]
    after = ids.index(current) + 1 if current in ids else 0
    pending = [e.id for e in entries[after:] if e.origin != CONTEXT]
    kept, now = set(pending), utc_now()
    with store.transaction() as conn:
        conn.executemany("DELETE FROM queue WHERE id = ?", [(i,) for i in ids if i not in kept])
        listed = [int(conn.execute(
            "INSERT INTO queue (track_urn, position, origin, added_at) VALUES (?, ?, ?, ?)",
            (urn, len(pending) + n, CONTEXT, now)).lastrowid or 0)
            for n, urn in enumerate(urns)]
        _write_order(store, listed[:index + 1] + pending + listed[index + 1:])
    return queue_entries(store), listed[index]


def queue_remove(store: Store, entry_id: int) -> list[QueueEntry]:
    with store.transaction() as conn:
        conn.execute("DELETE FROM queue WHERE id = ?", (entry_id,))
        _write_order(store, [e.id for e in queue_entries(store)])
    return queue_entries(store)


def queue_move(store: Store, entry_id: int, delta: int) -> list[QueueEntry]:
    """Move an entry up (negative ``delta``) or down, clamped to the queue's ends."""
    ids = [e.id for e in queue_entries(store)]
    if entry_id in ids:
        old = ids.index(entry_id)
        ids.pop(old)
        ids.insert(max(0, min(len(ids), old + delta)), entry_id)
        _write_order(store, ids)
    return queue_entries(store)


def queue_clear(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM queue")


def queue_shuffle(store: Store, *, keep_first: int = 0, seed: int | None = None
                  ) -> list[QueueEntry]:
    """Shuffle the entries after the first ``keep_first`` (the one playing stays put)."""
    ids = [e.id for e in queue_entries(store)]
    head, tail = ids[:keep_first], ids[keep_first:]
    random.Random(seed).shuffle(tail)
    _write_order(store, head + tail)
    return queue_entries(store)


def get_state(store: Store, key: str, default: str = "") -> str:
    with store.snapshot() as conn:
        row = conn.execute("SELECT value FROM app_state WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def set_state(store: Store, key: str, value: str) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO app_state (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def history_start(store: Store, urn: str, *, preview: bool = False, context: str = "") -> int:
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO play_history (track_urn, started_at, preview, context) "
            "VALUES (?, ?, ?, ?)", (urn, utc_now(), int(preview), context))
    return int(cursor.lastrowid or 0)


def history_listened(store: Store, entry_id: int, seconds: float) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE play_history SET seconds_listened = ? WHERE id = ?",
                     (seconds, entry_id))


def history(store: Store, limit: int = 50) -> list[HistoryEntry]:
    with store.snapshot() as conn:
        found = conn.execute(
            "SELECT id, track_urn, started_at, seconds_listened, preview, context "
            "FROM play_history ORDER BY started_at DESC, id DESC LIMIT ?", (limit,)).fetchall()
    return [HistoryEntry(int(r[0]), str(r[1]), str(r[2]), float(r[3]), bool(r[4]), str(r[5]))
            for r in found]


def queue_with_tracks(store: Store) -> list[tuple[QueueEntry, Track | None]]:
    """The queue in order, each entry with its stored track (None if no longer stored)."""
    entries = queue_entries(store)
    tracks = {t.urn: t for t in store.get_tracks([e.track_urn for e in entries])}
    return [(e, tracks.get(e.track_urn)) for e in entries]


def history_with_tracks(store: Store, limit: int = 50) -> list[tuple[HistoryEntry, Track | None]]:
    """Recent plays, newest first, each with its stored track (None if no longer stored)."""
    played = history(store, limit)
    tracks = {t.urn: t for t in store.get_tracks([e.track_urn for e in played])}
    return [(e, tracks.get(e.track_urn)) for e in played]
