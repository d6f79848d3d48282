"""The catalog as every provider describes it: tracks, playlists, users, comments, stream
choices, and pages of listings."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar


class Availability(enum.StrEnum):
    """What a listener without a subscription can actually hear."""

    FULL = "full"
    PREVIEW = "preview"  # Go+ (SNIP) tracks: a 30 s snippet only
    DRM = "drm"  # only Widevine/FairPlay-encrypted streams remain
    BLOCKED = "blocked"  # geo-blocked (policy BLOCK, no transcodings)
    EXCLUSIVE = "exclusive"  # Mixcloud Select / subscriber-only
    UNAVAILABLE = "unavailable"  # nothing playable for another reason


class Judgment(enum.StrEnum):
    """The user's verdict on a track. Absence of a row means "not rated"."""

    LIKED = "liked"
    NOT_INTERESTED = "not_interested"
    NOT_QUITE = "not_quite"


@dataclass(frozen=True, slots=True)
class Counts:
    plays: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "plays": self.plays,
            "likes": self.likes,
            "reposts": self.reposts,
            "comments": self.comments,
        }


@dataclass(frozen=True, slots=True)
class User:
    provider: str
    id: str
    urn: str
    username: str
    url: str = ""
    full_name: str = ""
    avatar_url: str | None = None
    followers_count: int | None = None
    followings_count: int | None = None
    track_count: int | None = None
    verified: bool = False
    city: str | None = None
    country: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    kind = "user"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "id": self.id,
            "urn": self.urn,
            "username": self.username,
            "url": self.url,
            "full_name": self.full_name,
            "avatar_url": self.avatar_url,
            "followers_count": self.followers_count,
            "followings_count": self.followings_count,
            "track_count": self.track_count,
            "verified": self.verified,
            "city": self.city,
            "country": self.country,
        }


def clock(seconds: float) -> str:
    """A time in a track as a listener reads it: ``m:ss``, ``h:mm:ss`` from an hour on (whole
    seconds, rounded down). The one formatter for durations, positions, comment times and
    ETAs, in the TUI and the CLI alike."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class Track:
    provider: str
    id: str
    urn: str
    url: str
    title: str
    artist: str
    uploader: str
    duration_ms: int
    preview_ms: int | None = None
    genre: str = ""
    tags: tuple[str, ...] = ()
    created_at: str | None = None  # ISO 8601 UTC, "2026-01-27T03:47:23Z"
    artwork_url: str | None = None
    counts: Counts = field(default_factory=Counts)
    license: str = ""
    availability: Availability = Availability.FULL
    downloadable: bool = False
    description: str = ""
    judgment: Judgment | None = None
    uploader_urn: str | None = None
    # Provider JSON as received: kept for the store and for debugging, never in to_json().
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    kind = "track"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "id": self.id,
            "urn": self.urn,
            "url": self.url,
            "title": self.title,
            "artist": self.artist,
            "uploader": self.uploader,
            "duration_ms": self.duration_ms,
            "preview_ms": self.preview_ms,
            "genre": self.genre,
            "tags": list(self.tags),
            "created_at": self.created_at,
            "artwork_url": self.artwork_url,
            "counts": self.counts.to_json(),
            "license": self.license,
            "availability": self.availability.value,
            "downloadable": self.downloadable,
            "description": self.description,
            "judgment": self.judgment.value if self.judgment else None,
        }


@dataclass(frozen=True, slots=True)
class Playlist:
    provider: str
    id: str
    urn: str
    title: str
    url: str
    uploader: str
    track_count: int
    duration_ms: int
    is_album: bool = False
    artwork_url: str | None = None
    created_at: str | None = None
    tracks: tuple[Track, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    kind = "playlist"

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "id": self.id,
            "urn": self.urn,
            "title": self.title,
            "url": self.url,
            "uploader": self.uploader,
            "track_count": self.track_count,
            "duration_ms": self.duration_ms,
            "is_album": self.is_album,
            "artwork_url": self.artwork_url,
            "created_at": self.created_at,
            "tracks": [t.to_json() for t in self.tracks],
        }


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    body: str
    timestamp_ms: int | None
    created_at: str | None
    user: User

    kind = "comment"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "body": self.body,
            "timestamp_ms": self.timestamp_ms,
            "created_at": self.created_at,
            "user": self.user.to_json(),
        }


@dataclass(frozen=True, slots=True)
class StreamChoice:
    """A playable stream picked for a track: what the player and the downloader consume.

    ``url`` is the signed CDN URL as the provider returned it (the endpoint map is applied by
    ``net/`` when it is fetched or handed to mpv). ``expires_at`` is a UNIX time or None.
    """

    protocol: str  # "hls" | "progressive"
    codec: str  # "aac" | "mp3" | "opus"
    preset: str  # provider preset name, e.g. "aac_160k"
    url: str
    preview: bool = False
    mime_type: str = ""
    expires_at: float | None = None
    track_urn: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "codec": self.codec,
            "preset": self.preset,
            "url": self.url,
            "preview": self.preview,
            "mime_type": self.mime_type,
            "expires_at": self.expires_at,
            "track_urn": self.track_urn,
        }


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paginated listing. ``next_href`` is None on the last page."""

    items: Sequence[T]
    next_href: str | None = None
    total: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [i.to_json() if hasattr(i, "to_json") else i for i in self.items],
            "next_href": self.next_href,
            "total": self.total,
        }


Resource = Track | Playlist | User
