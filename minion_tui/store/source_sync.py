"""The store's side of discovery: followed sources, their high-water marks and walks, and
the merge of one batch of tracks with their provenance in one transaction.

Why it is built this way (minion_tui/discovery/sync.py walks the listings):

- A walk goes newest first and stops at its source's high-water mark. The mark moves only
  when the walk ends; until then each batch commits its rows *and* where the walk goes on
  (``walk``), in the same transaction. Killed after any batch, the next sync goes on from
  there with the old mark as its stop, so nothing is lost; provenance is unique per (track,
  source, actor, action), so nothing is written twice.
- A full re-walk stamps every row it sees with its start (``confirmed_at``); its last batch
  deletes the source's rows it did not see — items no longer liked or reposted — except
  those of tracks the user judged (their evidence stays, and with it what trust learned).
- The merge is a handful of ``executemany`` statements per batch: 40,000 rows take a
  fraction of a second where a statement and a commit per row take many (bench/discovery.py).

Plain functions taking the :class:`Store`; run them with ``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minion_tui.models import FollowedSource, Track
from minion_tui.store.records import Provenance, utc_now
from minion_tui.store.store import Store

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A followed source as the sync reads it."""

    id: int
    kind: str
    target: str
    title: str
    cursor: str | None
    synced_at: str | None
    walk: dict[str, Any] | None
    rewalked_at: str | None


@dataclass(frozen=True, slots=True)
class Merged:
    added: int
    new_tracks: int
    dropped: int


def follow(store: Store, sources: Sequence[tuple[str, str, str]]) -> int:
    """Follow (kind, target, title) sources; one already known is followed again with its
    marks kept. Returns how many were not followed before."""
    now = utc_now()
    with store.transaction() as conn:
        before = {(k, t) for k, t in conn.execute(
            "SELECT kind, target FROM sources WHERE followed = 1")}
        conn.executemany(
            "INSERT INTO sources (kind, target, title, followed, created_at)\n"
            "VALUES (?, ?, ?, 1, ?)\n"
            "ON CONFLICT (kind, target) DO UPDATE SET followed = 1,\n"
            "  title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END",
            [(k, t, title, now) for k, t, title in sources])
    return sum(1 for k, t, _ in sources if (k, t) not in before)


def unfollow(store: Store, target: str) -> int:
    """Stop following every source of ``target`` (a user's URN, "trending", a tag). The rows
    stay (a pinned one stays pinned; its marks are kept for a later follow); the provenance
    they brought stays too. Returns how many were followed."""
    with store.transaction() as conn:
        return conn.execute("UPDATE sources SET followed = 0 WHERE target = ? AND followed = 1",
                            (target,)).rowcount


def followed(store: Store) -> list[SourceRow]:
    with store.snapshot() as conn:
        found = conn.execute(
            "SELECT id, kind, target, title, cursor, synced_at, walk, rewalked_at\n"
            "FROM sources WHERE followed = 1 ORDER BY id").fetchall()
    return [SourceRow(i, k, t, title, c, s, json.loads(w) if w else None, r)
            for i, k, t, title, c, s, w, r in found]


def listed(store: Store, keys: dict[int, str]) -> list[FollowedSource]:
    """The followed sources with how many tracks each surfaced; ``keys`` maps a source id to
    its provenance ``source`` name."""
    rows = followed(store)
    with store.snapshot() as conn:
        counts = {key: conn.execute("SELECT count(*) FROM provenance WHERE source = ?",
                                    (key,)).fetchone()[0] for key in set(keys.values())}
    return [FollowedSource(r.kind, r.target, r.title, counts.get(keys.get(r.id, ""), 0),
                           r.synced_at, r.rewalked_at, r.walk is not None) for r in rows]


def merge(store: Store, source_id: int, tracks: Sequence[Track], rows: Sequence[Provenance],
          *, walk: dict[str, Any] | None, finish: dict[str, Any] | None = None) -> Merged:
    """One batch in one transaction: the tracks, their provenance (confirmed by a full walk
    when ``walk["full"]``), and the source's walk state. ``finish`` ends the walk: it sets
    the high-water mark ``finish["cursor"]`` and, after a full walk, drops the source's rows
    it did not confirm (``finish["source"]``, ``finish["action"]``)."""
    now = utc_now()
    confirmed = walk["started"] if walk and walk.get("full") else None
    with store.transaction() as conn:
        known: set[str] = set()
        urns = [t.urn for t in tracks]
        for start in range(0, len(urns), _CHUNK):
            chunk = urns[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            known.update(u for (u,) in conn.execute(
                f"SELECT urn FROM tracks WHERE urn IN ({marks})", chunk))
        store.upsert_tracks(tracks)
        before = conn.total_changes
        conn.executemany(
            "INSERT INTO provenance (track_urn, source, actor_urn, action, at, recorded_at,\n"
            "  confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(p.track_urn, p.source, p.actor_urn or "", p.action, p.at, now, confirmed)
             for p in rows])
        added = conn.total_changes - before
        if confirmed is not None and len(rows) > added:
            conn.executemany(
                "UPDATE provenance SET confirmed_at = ? WHERE track_urn = ? AND source = ?\n"
                "  AND actor_urn = ? AND action = ?",
                [(confirmed, p.track_urn, p.source, p.actor_urn or "", p.action) for p in rows])
        dropped = 0
        if finish is None:
            conn.execute("UPDATE sources SET walk = ? WHERE id = ?",
                         (json.dumps(walk) if walk else None, source_id))
        else:
            if confirmed is not None:
                dropped = conn.execute(
                    "DELETE FROM provenance WHERE source = ? AND action = ?\n"
                    "  AND (confirmed_at IS NULL OR confirmed_at < ?)\n"
                    "  AND track_urn NOT IN (SELECT urn FROM judgments)",
                    (finish["source"], finish["action"], confirmed)).rowcount
            conn.execute(
                "UPDATE sources SET walk = NULL, cursor = coalesce(?, cursor), synced_at = ?,\n"
                "  rewalked_at = CASE WHEN ? THEN ? ELSE rewalked_at END WHERE id = ?",
                (finish.get("cursor"), now, confirmed is not None, now, source_id))
    return Merged(added, len(set(urns) - known), dropped)


def merge_row_by_row(store: Store, tracks: Sequence[Track], rows: Sequence[Provenance]) -> int:
    """The naive merge, a statement and a commit per row: only bench/discovery.py's peer."""
    store.upsert_tracks(tracks)
    added = 0
    for row in rows:
        added += store.add_provenance([row])
    return added
