"""The results of tools that are not one of the service's models as they are: each a
JsonModel, so its JSON form and its output schema come from one declaration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from minion_tui.models import Track
from minion_tui.models.json_form import JsonModel

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(JsonModel, Generic[T]):
    """One page of a list tool's result: ``next_cursor`` is opaque (pass it back as
    ``cursor`` for the next page) and null on the last page."""

    items: Sequence[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PlayerStatus(JsonModel):
    """What the player is doing: ``state`` is idle, playing, paused, buffering or ended;
    ``track`` the one loaded (null before anything played in this server); ``position`` and
    ``duration`` in seconds; ``volume`` 0-100 (null before the player started); ``repeat``
    off, one or all."""

    state: str
    track: Track | None
    position: float | None
    duration: float | None
    volume: float | None
    muted: bool
    queue_entry_id: int | None
    repeat: str


@dataclass(frozen=True, slots=True)
class QueueItem(JsonModel):
    """One entry of the play queue: ``id`` names it to queue_remove and queue_move;
    ``current`` is the entry playing (or played last); ``origin`` user (queued) or context
    (the rest of a list played); ``track`` null when the track is no longer stored."""

    id: int
    position: int
    origin: str
    current: bool
    track_urn: str
    track: Track | None
