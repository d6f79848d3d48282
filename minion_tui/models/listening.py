"""What playback shows a listener: the player's state and its changes, the track playing, the
queue and the history, and messages for the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from minion_tui.models.catalog import StreamChoice, Track
from minion_tui.models.json_form import SKIP, JsonModel, json_opts

#: The queue's repeat modes, in the order the repeat key cycles them.
REPEAT_MODES = ("off", "one", "all")


@dataclass(frozen=True)
class PlayerState(JsonModel):
    """What the player is doing, as a UI shows it. Its JSON form (``play --json``) is the
    position, the duration and the one-word :attr:`state`."""

    __json_computed__: ClassVar[tuple[str, ...]] = ("state",)

    position: float = field(default=0.0, metadata=json_opts(ndigits=3))
    duration: float | None = None
    paused: bool = field(default=False, metadata=SKIP)
    idle: bool = field(default=True, metadata=SKIP)
    buffering: bool = field(default=False, metadata=SKIP)
    ended: bool = field(default=False, metadata=SKIP)
    volume: float = field(default=100.0, metadata=SKIP)
    muted: bool = field(default=False, metadata=SKIP)
    error: str = field(default="", metadata=SKIP)

    @property
    def state(self) -> str:
        if self.ended:
            return "ended"
        if self.idle:
            return "idle"
        if self.paused:
            return "paused"
        return "buffering" if self.buffering else "playing"


@dataclass(frozen=True)
class PlayerEvent(JsonModel):
    """One change: ``kind`` is the mpv property name, or "end-file" / "error"."""

    kind: str
    state: PlayerState


@dataclass(frozen=True)
class NowPlaying(JsonModel):
    track: Track
    choice: StreamChoice
    history_id: int
    queue_entry_id: int | None = None


@dataclass(frozen=True)
class Toast(JsonModel):
    """A message for the user (a skipped track, say); the UI shows it, the CLI logs it."""

    text: str


@dataclass(frozen=True)
class QueueEntry(JsonModel):
    id: int
    track_urn: str
    position: int
    origin: str = "user"


@dataclass(frozen=True)
class HistoryEntry(JsonModel):
    id: int
    track_urn: str
    started_at: str
    seconds_listened: float
    preview: bool
    context: str = field(default="", metadata=SKIP)

