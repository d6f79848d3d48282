"""Pulling followed sources into the store: each walked newest first down to its high-water
mark, all of them at once under the per-host rate limit, one transaction per page.

- **Incremental.** A source's mark is the newest item (time, URN) its last walk saw; the
  next walk stops at the first item at or below it, so an unchanged source costs one
  request (docs/soundcloud.md §1.5: lists are newest first by the item's ``created_at``,
  §2.5, and cursors are keyset by time, so a walk can go on from any ``next_href``).
- **Resumable.** Each page is one transaction (store/source_sync.py ``merge``): its tracks,
  its provenance rows and where the walk goes on. The mark moves only with the last page.
  Killed anywhere, the next sync goes on from the last page committed, down to the old mark.
- **Full re-walks.** A source walked in full longer than ``[discovery] full_rewalk_days``
  ago (or never) is walked to its end; rows of items it no longer lists are dropped then.
- **Concurrent.** Every source is a task; the tasks share the HTTP client, whose per-host
  window (net/limiter.py) is the only pacing: with several requests waiting, the host's
  budget is spent in full (bench/discovery.py measures the rate at the emulator).
- **No full collections.** The tracks a sync keeps (``_Tally.written``, the provider's
  parse memo) grow the heap by a quarter again and again, and each time CPython walked all
  of it: 17 full collections of ~130 ms that found nothing, 2.2 s of a 29 s sync during
  which the loop sent nothing the limiter had scheduled (bench/discovery.py). Each page's
  survivors are frozen (``gc.freeze``, as tui/heap.py does for the app): a collection walks
  only what the last page allocated, and reference counting still frees frozen objects.

Charts and tags have no times to stop at: each sync takes their first
:data:`~minion_tui.discovery.sources.SNAPSHOT_SIZE` items as they are now.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from minion_tui.discovery.sources import KINDS, SourceKind, provenance_source
from minion_tui.errors import MinionError
from minion_tui.models import Activity, Page, SyncEvent, SyncSummary, Track
from minion_tui.store.records import Provenance, utc_now
from minion_tui.store.source_sync import SourceRow, followed, merge
from minion_tui.store.store import Store

log = logging.getLogger(__name__)

#: Page sizes: a full walk takes the most a page holds; an incremental one expects few.
FULL_PAGE = 200
INCREMENTAL_PAGE = 50
#: Sources walked at once: enough to keep the host's window busy through the latency.
CONCURRENCY = 8

Pages = Callable[[SourceKind, str, int, "str | None"], AsyncIterator[Page[Activity]]]


@dataclass
class _Tally:
    total: int
    done: int = 0
    new_tracks: int = 0
    added: int = 0
    dropped: int = 0
    updated: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    written: dict[str, Track] = field(default_factory=dict)
    """The track objects this sync has stored, by URN: the provider hands back the same
    object for a track it met unchanged (its parse memo), and the same track in many
    people's likes need not be encoded and written again for each (bench/discovery.py:
    40,000 rows over 6,000 tracks)."""


def _mark(activity: Activity) -> list[str | None]:
    return [activity.at, activity.track.urn]


def _seen(activity: Activity, mark: list[str | None] | None) -> bool:
    """At or below the high-water mark: the mark's item itself, or anything older."""
    if not mark:
        return False
    at, urn = mark
    return activity.track.urn == urn or bool(activity.at and at and activity.at < at)


def _due(rewalked_at: str | None, days: float) -> bool:
    if rewalked_at is None or days <= 0:
        return True
    try:
        last = datetime.fromisoformat(rewalked_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    return datetime.now(UTC) - last >= timedelta(days=days)


def _fresh_walk(row: SourceRow, days: float) -> dict[str, Any]:
    full = row.cursor is None or _due(row.rewalked_at, days)
    return {"started": utc_now(), "full": full, "next": None, "top": None,
            "mark": None if full or row.cursor is None else json.loads(row.cursor)}


async def sync(store: Store, pages: Pages, *, requests: Callable[[], int],
               full_rewalk_days: float, on_event: Callable[[SyncEvent], None] | None = None,
               concurrency: int = CONCURRENCY) -> SyncSummary:
    """Walk every followed source; ``pages(kind, target, page_size, start)`` reads one."""
    rows = await store.call(followed, store)
    tally = _Tally(total=len(rows))
    first = requests()
    gate = asyncio.Semaphore(max(1, concurrency))

    def emit(event: SyncEvent) -> None:
        if on_event is not None:
            on_event(event)

    async def one(row: SourceRow) -> None:
        async with gate:
            try:
                await _walk(store, pages, row, full_rewalk_days, tally, emit)
            except MinionError as exc:
                tally.failed += 1
                tally.done += 1
                log.info("sync of %s %s failed: %s", row.kind, row.target, exc.text)
                emit(SyncEvent("source", row.kind, row.target, row.title, "failed",
                               done=tally.done, total=tally.total, message=exc.text))

    await asyncio.gather(*(one(r) for r in rows))
    return SyncSummary("summary", tally.new_tracks, tally.updated, requests() - first,
                       round(time.monotonic() - tally.started, 3), tally.total, tally.added,
                       tally.dropped, tally.failed)


async def _walk(store: Store, pages: Pages, row: SourceRow, days: float, tally: _Tally,
                emit: Callable[[SyncEvent], None]) -> None:
    kind = KINDS[row.kind]
    source = provenance_source(row.kind, row.target)
    actor = row.target if kind.of_user else None
    walk = row.walk or _fresh_walk(row, days)
    if not kind.of_user:
        walk["full"] = False  # a chart changes as a whole: nothing to confirm or drop
    mark = walk.get("mark")
    size = FULL_PAGE if walk["full"] else INCREMENTAL_PAGE
    count = added = new = dropped = 0
    stream = pages(kind, row.target, size, walk.get("next") if kind.of_user else None)
    try:
        async for page in stream:
            count += 1
            fresh: list[Activity] = []
            stop = False
            for activity in page.items:
                if kind.of_user and _seen(activity, mark):
                    stop = True
                    break
                fresh.append(activity)
            if walk.get("top") is None and fresh and kind.of_user:
                walk["top"] = _mark(fresh[0])
            walk["next"] = page.next_href
            ends = stop or not page.next_href or not kind.of_user
            now = utc_now()
            rows = [Provenance(a.track.urn, source, actor, kind.action, a.at or now)
                    for a in fresh]
            finish = ({"cursor": json.dumps(walk["top"]) if walk.get("top") else None,
                       "source": source, "action": kind.action} if ends else None)
            tracks = list({a.track.urn: a.track for a in fresh
                           if tally.written.get(a.track.urn) is not a.track}.values())
            merged = await store.call(merge, store, row.id, tracks, rows, walk=walk,
                                      finish=finish)
            tally.written.update((t.urn, t) for t in tracks)
            gc.freeze()
            added += merged.added
            new += merged.new_tracks
            dropped += merged.dropped
            tally.new_tracks += merged.new_tracks
            tally.added += merged.added
            tally.dropped += merged.dropped
            if ends:
                break
            emit(SyncEvent("source", row.kind, row.target, row.title, "batch", count,
                           merged.added, merged.new_tracks, full=walk["full"], done=tally.done,
                           total=tally.total))
    finally:
        await _close(stream)
    tally.done += 1
    tally.updated += 1 if added else 0
    emit(SyncEvent("source", row.kind, row.target, row.title, "done", count, added, new,
                   dropped, walk["full"], tally.done, tally.total))


async def _close(stream: AsyncIterator[Any]) -> None:
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()
