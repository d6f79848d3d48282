"""Rows of the store that are not provider models: searches, provenance, discovery sources.

They live here, not in ``models.py``, because only the store and the services built on it
(discovery, the search pane) deal in them; providers never produce them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """Now as ISO 8601 UTC with milliseconds, e.g. ``2026-01-27T03:47:23.120Z``.

    Milliseconds (not the seconds of provider timestamps) so that rows written in one burst
    still sort in the order they were written; the same text sorts correctly as a string.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


#: How a track reached us. Free text in the database (new providers may add actions); these
#: are the ones discovery writes today.
PROVENANCE_ACTIONS = ("like", "repost", "chart", "search", "related", "tag", "upload")

#: Kinds of discovery sources the app knows how to sync.
SOURCE_KINDS = (
    "user_likes",
    "user_tracks",
    "user_reposts",
    "user_playlists",
    "tag",
    "trending",
    "related",
)


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """One remembered search. ``filters`` are the search filters (genre, duration, ...)."""

    query: str
    kind: str
    filters: Mapping[str, str]
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "filters": dict(self.filters),
                "at": self.at}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who or what surfaced a track, how, and when.

    ``source`` names the listing, e.g. ``soundcloud:users:12:likes`` or ``charts:trending``;
    ``actor_urn`` is the account that acted (liked, reposted, uploaded), None for charts and
    searches; ``at`` is when the action happened if the service says so, else when we saw it.
    """

    track_urn: str
    source: str
    actor_urn: str | None
    action: str
    at: str = field(default_factory=utc_now)

    def to_json(self) -> dict[str, Any]:
        return {"track_urn": self.track_urn, "source": self.source, "actor_urn": self.actor_urn,
                "action": self.action, "at": self.at}


@dataclass(frozen=True, slots=True)
class Source:
    """A discovery source: a user's likes, a tag, a chart... ``pinned`` sources are synced
    by ``service.sync_sources()``; ``cursor`` is where the last sync stopped (provider-specific
    text, e.g. a ``next_href`` or the newest item's time) and ``synced_at`` when it ran.
    ``id`` is None until the source is stored."""

    id: int | None
    kind: str
    target: str
    title: str = ""
    pinned: bool = False
    cursor: str | None = None
    synced_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "target": self.target, "title": self.title,
                "pinned": self.pinned, "cursor": self.cursor, "synced_at": self.synced_at}
