"""The catalog as every provider describes it: tracks, playlists, users, comments, stream
choices, and pages of listings."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from minion_tui.models.json_form import SKIP, JsonModel


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
class Counts(JsonModel):
    plays: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None


@dataclass(frozen=True, slots=True)
class User(JsonModel):
    provider: str
    kind: ClassVar[str] = "user"
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
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, metadata=SKIP)


@dataclass(frozen=True, slots=True)
class Track(JsonModel):
    provider: str
    kind: ClassVar[str] = "track"
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
    # Tempo (BPM, one decimal), key ("A minor") and its Camelot code ("8A") as measured here
    # (analysis/), None until the track is analysed; the service's own figures, where it
    # gives any (SoundCloud's rarely filled bpm and key_signature), beside them.
    bpm: float | None = None
    key: str | None = None
    camelot: str | None = None
    service_bpm: float | None = None
    service_key: str | None = None
    # Kept for the store and for links to the uploader; not part of the JSON contract.
    uploader_urn: str | None = field(default=None, metadata=SKIP)
    # The uploader's page (what "go to artist" opens and the details panel shows); not JSON.
    uploader_url: str = field(default="", metadata=SKIP)
    # Provider JSON as received: kept for the store and for debugging, never in to_json().
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, metadata=SKIP)


@dataclass(frozen=True, slots=True)
class Playlist(JsonModel):
    provider: str
    kind: ClassVar[str] = "playlist"
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
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, metadata=SKIP)


@dataclass(frozen=True, slots=True)
class Comment(JsonModel):
    kind: ClassVar[str] = "comment"
    id: str
    body: str
    timestamp_ms: int | None
    created_at: str | None
    user: User


@dataclass(frozen=True, slots=True)
class StreamChoice(JsonModel):
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
    max_range_bytes: int | None = field(default=None, metadata=SKIP)
    """The largest range to ask for at once when downloading it (None: the downloader's own
    size); Mixcloud throttles past ~5 MB a request (docs/mixcloud.md §4.5)."""


@dataclass(frozen=True, slots=True)
class Section(JsonModel):
    """One entry of a show's tracklist: a track (artist and title) or a chapter (its name in
    ``title``), from ``start_ms`` into the show (None when the service does not say)."""

    kind: str  # "track" | "chapter"
    start_ms: int | None
    artist: str
    title: str


@dataclass(frozen=True, slots=True)
class Tag(JsonModel):
    """A tag (genre) as a search finds it: ``name`` as shown, ``slug`` as a URL spells it."""

    provider: str
    kind: ClassVar[str] = "tag"
    name: str
    slug: str
    url: str = ""


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(JsonModel, Generic[T]):
    """One page of a paginated listing. ``next_href`` is None on the last page."""

    items: Sequence[T]
    next_href: str | None = None
    total: int | None = None

Resource = Track | Playlist | User
