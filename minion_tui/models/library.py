"""The user's library as the front ends see it: remembered searches, discovery sources, and
where a track was surfaced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True, slots=True)
class SurfacedBy:
    """One distinct way a track was surfaced ("Likes of Alice"), newest first in
    ``service.library.surfaced_by``."""

    label: str
    source: str
    action: str
    actor_urn: str | None
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "source": self.source, "action": self.action,
                "actor_urn": self.actor_urn, "at": self.at}
