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

from minion_tui.emulator.catalog.model import (
    Activity,
    Catalog,
    Comment,
    Track,
    TrackSet,
    newest_first,
)

#: How many users one account may follow; past it ``PUT /me/followings`` answers 422
#: (docs/soundcloud.md §5 names the status, not the number: this is the emulator's).
FOLLOW_LIMIT = 2000


class Social:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._lock = threading.Lock()
        self.likes: dict[int, list[Activity]] = dict(catalog.likes)
        self.reposts: dict[int, list[Activity]] = dict(catalog.reposts)
        self.followings: dict[int, list[Activity]] = dict(catalog.followings)
        #: Playlists made or changed here (the catalog's stay as built), deleted ones,
        #: private ones, and the users whose list of sets changed (newest first).
        self.sets: dict[int, TrackSet] = {}
        self.deleted_sets: set[int] = set()
        self.private_sets: set[int] = set()
        self.user_sets: dict[int, list[int]] = {}
        #: Comments written here, per track, newest first.
        self.comments: dict[int, list[Comment]] = {}
        #: What each user streamed in full through the official API, newest first.
        self.played: dict[int, list[Activity]] = {}
        #: Uploads made here and tracks changed or deleted here; the users whose list of
        #: uploads changed (newest first).
        self.tracks: dict[int, Track] = {}
        self.deleted_tracks: set[int] = set()
        self.user_tracks: dict[int, list[int]] = {}
        self._next_track = max(catalog.tracks, default=0) + 1_000_000
        self._next_set = max(catalog.sets, default=0) + 1_000_000
        self._next_comment = 3_000_000_000
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

    def like(self, user_id: int, track_id: int, *, at: int | None = None,
             kind: str = "track") -> int:
        """``user_id`` likes the track (or playlist: ``kind``) now (or at ``at``, epoch
        seconds); returns the time."""
        return self._add(self.likes, user_id, track_id, at, kind)

    def repost(self, user_id: int, track_id: int, *, at: int | None = None,
               kind: str = "track") -> int:
        return self._add(self.reposts, user_id, track_id, at, kind)

    def unlike(self, user_id: int, track_id: int, *, kind: str = "track") -> bool:
        return self._drop(self.likes, user_id, track_id, kind)

    def unrepost(self, user_id: int, track_id: int, *, kind: str = "track") -> bool:
        return self._drop(self.reposts, user_id, track_id, kind)

    def follow(self, user_id: int, other_id: int) -> bool:
        """``user_id`` follows ``other_id``; False when that is past :data:`FOLLOW_LIMIT`."""
        with self._lock:
            known = self.followings.get(user_id, [])
            if (len(known) >= FOLLOW_LIMIT
                    and not any(a.target_id == other_id for a in known)):
                return False
        self._add(self.followings, user_id, other_id, None, "user")
        return True

    def unfollow(self, user_id: int, other_id: int) -> bool:
        return self._drop(self.followings, user_id, other_id, "user")

    def played_now(self, user_id: int, track_id: int) -> None:
        self._add(self.played, user_id, track_id, None, "track")

    # -- playlists -------------------------------------------------------------------------
    def track_set(self, set_id: int) -> TrackSet | None:
        if set_id in self.deleted_sets:
            return None
        return self.sets.get(set_id) or self._catalog.sets.get(set_id)

    def set_ids(self, user_id: int) -> list[int]:
        """The user's sets, newest first, private ones included."""
        found = self.user_sets.get(user_id)
        return list(found if found is not None else self._catalog.user_sets.get(user_id, []))

    def put_set(self, track_set: TrackSet, *, private: bool | None = None) -> TrackSet:
        """Keep a new or changed playlist (a new one goes first in its owner's sets)."""
        with self._lock:
            new = track_set.id == 0
            if new:
                track_set = _replace(track_set, id=self._next_set,
                                     permalink=f"{track_set.permalink}-{self._next_set}")
                self._next_set += 1
            self.sets[track_set.id] = track_set
            if private is True:
                self.private_sets.add(track_set.id)
            elif private is False:
                self.private_sets.discard(track_set.id)
            if new:
                self.user_sets[track_set.user_id] = [track_set.id,
                                                     *self.set_ids(track_set.user_id)]
            self.version += 1
            return track_set

    def stamp(self) -> int:
        with self._lock:
            return self._stamp(None)

    def delete_set(self, set_id: int) -> bool:
        with self._lock:
            found = self.sets.get(set_id) or self._catalog.sets.get(set_id)
            if found is None or set_id in self.deleted_sets:
                return False
            self.deleted_sets.add(set_id)
            self.user_sets[found.user_id] = [s for s in self.set_ids(found.user_id)
                                             if s != set_id]
            self.version += 1
            return True

    # -- uploads ---------------------------------------------------------------------------
    def track(self, track_id: int) -> Track | None:
        if track_id in self.deleted_tracks:
            return None
        return self.tracks.get(track_id) or self._catalog.tracks.get(track_id)

    def track_ids(self, user_id: int) -> list[int]:
        found = self.user_tracks.get(user_id)
        return list(found if found is not None else self._catalog.user_tracks.get(user_id, []))

    def put_track(self, track: Track) -> Track:
        """Keep an upload (id 0: a new one, first in its owner's tracks) or a change."""
        with self._lock:
            if track.id == 0:
                track = _replace_track(track, id=self._next_track,
                                       permalink=f"{track.permalink}-{self._next_track}")
                self._next_track += 1
                owner = track.user_id
                self.user_tracks[owner] = [track.id, *(
                    self.user_tracks.get(owner) or self._catalog.user_tracks.get(owner, []))]
            self.tracks[track.id] = track
            self.version += 1
            return track

    def delete_track(self, track_id: int) -> bool:
        with self._lock:
            found = self.tracks.get(track_id) or self._catalog.tracks.get(track_id)
            if found is None or track_id in self.deleted_tracks:
                return False
            self.deleted_tracks.add(track_id)
            owner = found.user_id
            base = self.user_tracks.get(owner) or self._catalog.user_tracks.get(owner, [])
            self.user_tracks[owner] = [t for t in base if t != track_id]
            self.version += 1
            return True

    # -- comments --------------------------------------------------------------------------
    def comment(self, user_id: int, track_id: int, body: str, timestamp_ms: int | None
                ) -> Comment:
        with self._lock:
            made = Comment(self._next_comment, track_id, user_id, body, self._stamp(None),
                           timestamp_ms)
            self._next_comment += 1
            self.comments[track_id] = [made, *self.comments.get(track_id, [])]
            self.version += 1
            return made

    def comments_of(self, track_id: int, generated: list[Comment]) -> list[Comment]:
        return [*self.comments.get(track_id, []), *generated]

    def _add(self, graph: dict[int, list[Activity]], user_id: int, track_id: int,
             at: int | None, kind: str = "track") -> int:
        with self._lock:
            when = self._stamp(at)
            kept = [a for a in graph.get(user_id, []) if (a.kind, a.target_id) != (kind,
                                                                                  track_id)]
            kept.append(Activity(when, kind, track_id, user_id))
            graph[user_id] = newest_first(kept)
            self.version += 1
            return when

    def _drop(self, graph: dict[int, list[Activity]], user_id: int, track_id: int,
              kind: str = "track") -> bool:
        with self._lock:
            before = graph.get(user_id, [])
            kept = [a for a in before if (a.kind, a.target_id) != (kind, track_id)]
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


def _replace(track_set: TrackSet, **changes: object) -> TrackSet:
    import dataclasses

    return dataclasses.replace(track_set, **changes)  # type: ignore[arg-type]


def _replace_track(track: Track, **changes: object) -> Track:
    import dataclasses

    return dataclasses.replace(track, **changes)  # type: ignore[arg-type]

