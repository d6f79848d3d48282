"""Who liked and reposted what, for one running emulator.

The catalog (built once per seed and shared by every emulator of a process) holds the graph
as generated; :class:`Social` starts from it and lets a test or a bench change it — a like,
an un-like, a repost, two hundred likes each for two hundred artists — without touching the
shared catalog. Lists are replaced, never edited in place (copy on write), so a handler that
took a user's list keeps a consistent one while another thread changes the graph.

Times: a new like or repost is newer than everything already there (one second apart), so
it lands on the first page of the owner's list, as a new like does on SoundCloud, whose
lists are newest first by the item's ``created_at`` (docs/soundcloud.md §1.2, §2.5).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence

from minion_tui.emulator.catalog.model import Activity, Catalog, newest_first


class Social:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._lock = threading.Lock()
        self.likes: dict[int, list[Activity]] = dict(catalog.likes)
        self.reposts: dict[int, list[Activity]] = dict(catalog.reposts)
        #: Bumped on every change, so indexes built from the graph know when to rebuild.
        self.version = 0
        newest = [a.created_at for lists in (self.likes, self.reposts)
                  for acts in lists.values() for a in acts[:1]]
        self._next_at = max([catalog.now, *newest]) + 1

    def _stamp(self, at: int | None) -> int:
        if at is not None:
            return at
        self._next_at += 1
        return self._next_at - 1

    def like(self, user_id: int, track_id: int, *, at: int | None = None) -> int:
        """``user_id`` likes the track now (or at ``at``, epoch seconds); returns the time."""
        return self._add(self.likes, user_id, track_id, at)

    def repost(self, user_id: int, track_id: int, *, at: int | None = None) -> int:
        return self._add(self.reposts, user_id, track_id, at)

    def unlike(self, user_id: int, track_id: int) -> bool:
        return self._drop(self.likes, user_id, track_id)

    def unrepost(self, user_id: int, track_id: int) -> bool:
        return self._drop(self.reposts, user_id, track_id)

    def _add(self, graph: dict[int, list[Activity]], user_id: int, track_id: int,
             at: int | None) -> int:
        with self._lock:
            when = self._stamp(at)
            kept = [a for a in graph.get(user_id, []) if (a.kind, a.target_id) != ("track",
                                                                                  track_id)]
            kept.append(Activity(when, "track", track_id, user_id))
            graph[user_id] = newest_first(kept)
            self.version += 1
            return when

    def _drop(self, graph: dict[int, list[Activity]], user_id: int, track_id: int) -> bool:
        with self._lock:
            before = graph.get(user_id, [])
            kept = [a for a in before if (a.kind, a.target_id) != ("track", track_id)]
            graph[user_id] = kept
            self.version += 1
            return len(kept) != len(before)

    def populate(self, user_ids: Sequence[int], *, likes: int, reposts: int,
                 seed: int = 0) -> None:
        """Give each of ``user_ids`` exactly ``likes`` liked and ``reposts`` reposted tracks
        (replacing theirs), drawn by play count — so, as on the service, a few popular
        tracks are liked by many of them and most by one — at times between the track's
        upload and the catalog's now. For benches of discovery at scale."""
        rng = random.Random(seed)
        c = self._catalog
        listed = [t for t in c.listed_tracks()]
        weights = [t.playback_count ** 0.5 + 20 for t in listed]
        with self._lock:
            for user_id in user_ids:
                for graph, wanted in ((self.likes, likes), (self.reposts, reposts)):
                    chosen: dict[int, int] = {}
                    while len(chosen) < min(wanted, len(listed)):
                        for track in rng.choices(listed, weights=weights, k=wanted):
                            if len(chosen) < wanted and track.id not in chosen:
                                chosen[track.id] = rng.randint(track.created_at, c.now)
                    graph[user_id] = newest_first(
                        Activity(at, "track", tid, user_id) for tid, at in chosen.items())
            self.version += 1
