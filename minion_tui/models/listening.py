"""What playback shows a listener: the player's state and its changes, the track playing, the
queue and the history, and messages for the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.models.catalog import StreamChoice, Track


@dataclass(frozen=True)
class PlayerState:
    """What the player is doing, as a UI shows it."""

    position: float = 0.0
    duration: float | None = None
    paused: bool = False
    idle: bool = True
    buffering: bool = False
    ended: bool = False
    volume: float = 100.0
    muted: bool = False
    error: str = ""

    @property
    def state(self) -> str:
        if self.ended:
            return "ended"
        if self.idle:
            return "idle"
        if self.paused:
            return "paused"
        return "buffering" if self.buffering else "playing"

    def to_json(self) -> dict[str, Any]:
        return {"position": round(self.position, 3), "duration": self.duration,
                "state": self.state}


@dataclass(frozen=True)
class PlayerEvent:
    """One change: ``kind`` is the mpv property name, or "end-file" / "error"."""

    kind: str
    state: PlayerState


@dataclass(frozen=True)
class NowPlaying:
    track: Track
    choice: StreamChoice
    history_id: int
    queue_entry_id: int | None = None


@dataclass(frozen=True)
class Toast:
    """A message for the user (a skipped track, say); the UI shows it, the CLI logs it."""

    text: str


@dataclass(frozen=True)
class QueueEntry:
    id: int
    track_urn: str
    position: int
    origin: str = "user"


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    track_urn: str
    started_at: str
    seconds_listened: float
    preview: bool
    context: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "track_urn": self.track_urn, "started_at": self.started_at,
                "seconds_listened": self.seconds_listened, "preview": self.preview}
