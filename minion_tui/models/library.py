"""The user's library as the front ends see it: remembered searches, discovery sources, and
where a track was surfaced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True, slots=True)
class SearchEntry(JsonModel):
    """One remembered search. ``filters`` are the search filters (genre, duration, ...)."""

    query: str
    kind: str
    filters: Mapping[str, str]
    at: str


@dataclass(frozen=True, slots=True)
class Source(JsonModel):
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


@dataclass(frozen=True, slots=True)
class SurfacedBy(JsonModel):
    """One distinct way a track was surfaced ("Likes of Alice"), newest first in
    ``service.library.surfaced_by``."""

    label: str
    source: str
    action: str
    actor_urn: str | None
    at: str

