"""The emulated SoundCloud catalog: artists, tracks, sets, the social graph and comments.

The types only: build.py generates a catalog deterministically from a seed and keeps one per
seed in-process, because tests start many emulators. Times are epoch seconds relative to a
fixed CATALOG_NOW, so the same seed always renders the same JSON (snapshot tests depend on
that); the emulator treats CATALOG_NOW as "now" for date filters (search `filter.created_at`).
"""

from __future__ import annotations

import calendar
import functools
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from minion_tui.emulator.catalog.names import COMMENT_BODIES

CATALOG_NOW = calendar.timegm((2026, 8, 20, 12, 0, 0, 0, 0, 0))

# Stream availability of a track (what its media.transcodings look like, §2.2 of the doc).
CLEAR = "clear"  # aac_160k/hls + legacy mp3 (hls, progressive unless mp3_progressive=False)
CLEAR_DRM = "clear_drm"  # the above plus encrypted aac/abr (label tracks that kept clear AAC)
DRM_ONLY = "drm"  # encrypted only; its legacy mp3 answers 404 {} since 2026-04/05 (§3.5)
SNIP = "snip"  # Go+ preview: mp3 under /preview/, 30 s, snipped
BLOCKED = "block"  # geo-blocked: policy BLOCK, no transcodings
# Uploads before this keep the legacy Opus transcoding (Track.legacy_opus).
OPUS_CUTOFF = calendar.timegm((2020, 1, 1, 0, 0, 0, 0, 0, 0))


@dataclass(frozen=True, slots=True)
class Artist:
    id: int
    permalink: str
    username: str
    first_name: str
    last_name: str
    city: str
    country_code: str | None
    created_at: int
    description: str | None
    verified: bool
    pro: bool
    avatar_key: str | None
    genre: str
    label_name: str | None
    popularity: float


@dataclass(frozen=True, slots=True)
class Track:
    id: int
    user_id: int
    title: str
    permalink: str
    genre: str
    style: str
    tags: tuple[str, ...]
    duration_ms: int  # the real length (full_duration in JSON)
    created_at: int
    release_date: int | None
    last_modified: int
    availability: str
    policy: str
    monetization_model: str
    mp3_progressive: bool
    media_key: str
    artwork_key: str | None
    license: str
    downloadable: bool
    has_downloads_left: bool
    playback_count: int
    likes_count: int
    reposts_count: int
    comment_count: int
    download_count: int
    description: str | None
    label_name: str | None
    album_title: str | None
    isrc: str | None
    secret_token: str | None  # private tracks only ("s-XXXXX")
    listed: bool  # False: private, never shown in lists (makes the empty pages of §1.5)
    commentable: bool
    bpm: int
    seed: int
    # Still lists the legacy opus_0_0 HLS transcoding, as most clear tracks did in the early-2026
    # recordings before Opus was removed (§2.2, §3.5); the emulator keeps it on older uploads.
    legacy_opus: bool = False

    @property
    def urn(self) -> str:
        return f"soundcloud:tracks:{self.id}"


@dataclass(frozen=True, slots=True)
class TrackSet:
    id: int
    user_id: int
    title: str
    permalink: str
    is_album: bool
    set_type: str
    track_ids: tuple[int, ...]
    created_at: int
    genre: str
    tags: tuple[str, ...]
    artwork_key: str | None
    label_name: str | None
    license: str
    likes_count: int
    reposts_count: int
    description: str | None


@dataclass(frozen=True, slots=True)
class Activity:
    """A like, a repost or a follow: who did it to what, when (the social graph)."""

    created_at: int
    kind: str  # "track" | "playlist" | "user"
    target_id: int
    actor_id: int


def newest_first(items: Iterable[Activity]) -> list[Activity]:
    """``items`` newest first (ties: the higher target id first), as the service lists them."""
    return sorted(items, key=lambda a: (a.created_at, a.target_id), reverse=True)


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    track_id: int
    user_id: int
    body: str
    created_at: int
    timestamp_ms: int | None


@dataclass
class Catalog:
    seed: int
    now: int
    artists: dict[int, Artist]
    tracks: dict[int, Track]
    sets: dict[int, TrackSet]
    user_tracks: dict[int, list[int]]  # newest first, private ones included
    user_sets: dict[int, list[int]]  # newest first
    likes: dict[int, list[Activity]]  # newest first
    reposts: dict[int, list[Activity]]
    followings: dict[int, list[Activity]]
    followers: dict[int, list[Activity]]
    short_links: dict[str, str]  # on.soundcloud.com code -> soundcloud.com URL
    examples: dict[str, str] = field(default_factory=dict)
    _by_permalink: dict[str, int] = field(default_factory=dict)
    _track_paths: dict[tuple[str, str], int] = field(default_factory=dict)
    _set_paths: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_media_key: dict[str, int] = field(default_factory=dict)
    _comments: dict[int, list[Comment]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_permalink = {a.permalink: a.id for a in self.artists.values()}
        self._track_paths = {
            (self.artists[t.user_id].permalink, t.permalink): t.id for t in self.tracks.values()
        }
        self._set_paths = {
            (self.artists[s.user_id].permalink, s.permalink): s.id for s in self.sets.values()
        }
        self._by_media_key = {t.media_key: t.id for t in self.tracks.values()}

    # -- lookups -------------------------------------------------------------------------------
    def artist_by_permalink(self, permalink: str) -> Artist | None:
        found = self._by_permalink.get(permalink.lower())
        return self.artists[found] if found is not None else None

    def track_by_path(self, user: str, slug: str) -> Track | None:
        found = self._track_paths.get((user.lower(), slug.lower()))
        return self.tracks[found] if found is not None else None

    def set_by_path(self, user: str, slug: str) -> TrackSet | None:
        found = self._set_paths.get((user.lower(), slug.lower()))
        return self.sets[found] if found is not None else None

    def track_by_media_key(self, key: str) -> Track | None:
        found = self._by_media_key.get(key)
        return self.tracks[found] if found is not None else None

    def listed_tracks(self) -> list[Track]:
        return self._listed

    @functools.cached_property
    def _listed(self) -> list[Track]:
        return sorted((t for t in self.tracks.values() if t.listed),
                      key=lambda t: (t.created_at, t.id), reverse=True)

    def track_url(self, track: Track) -> str:
        base = f"https://soundcloud.com/{self.artists[track.user_id].permalink}/{track.permalink}"
        return f"{base}/{track.secret_token}" if track.secret_token else base

    def set_url(self, track_set: TrackSet) -> str:
        return (f"https://soundcloud.com/{self.artists[track_set.user_id].permalink}"
                f"/sets/{track_set.permalink}")

    def user_url(self, artist: Artist) -> str:
        return f"https://soundcloud.com/{artist.permalink}"

    # -- derived counts (the JSON counters agree with what the lists return) ----------------------
    @functools.cached_property
    def track_counts(self) -> dict[int, int]:
        return {uid: sum(1 for t in ids if self.tracks[t].listed)
                for uid, ids in self.user_tracks.items()}

    # -- tags ----------------------------------------------------------------------------------
    @functools.cached_property
    def tag_index(self) -> dict[str, list[int]]:
        """tag slug -> listed track ids, newest first (recent-tracks/{tag})."""
        index: dict[str, list[int]] = {}
        for track in self._listed:
            names = {tag_slug(t) for t in track.tags}
            if track.genre:
                names.add(tag_slug(track.genre))
            for name in names:
                index.setdefault(name, []).append(track.id)
        return index

    # -- comments (generated on first use: most tracks are never asked for theirs) --------------
    def comments(self, track: Track) -> list[Comment]:
        cached = self._comments.get(track.id)
        if cached is not None:
            return cached
        rng = random.Random(track.seed * 7919 + 17)
        users = sorted(self.artists)
        made: list[Comment] = []
        for n in range(track.comment_count):
            created = rng.randint(track.created_at, self.now)
            at = None if rng.random() < 0.12 else rng.randrange(0, max(track.duration_ms, 1))
            made.append(Comment(
                id=2_000_000_000 + (track.seed % 1_000_000) * 100 + n,
                track_id=track.id, user_id=rng.choice(users),
                body=rng.choice(COMMENT_BODIES), created_at=created, timestamp_ms=at,
            ))
        made.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        self._comments[track.id] = made
        return made


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def tag_slug(tag: str) -> str:
    """"Drum & Bass" -> "drum-and-bass", "deep house" -> "deep-house"."""
    return _SLUG_RE.sub("-", tag.lower().replace("&", " and ")).strip("-")


def slugify(text: str) -> str:
    return _SLUG_RE.sub("-", text.lower()).strip("-") or "untitled"
