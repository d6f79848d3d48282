"""Tempo and key in the TUI (docs/analysis.md §10): ``B`` analyses the highlighted track from
its stream, ``M`` lists the tracks that sound like it in Browse, and every new analysis (a
stream's, a finished download's) updates the lists and the details panel in place.

The measuring is the service's (service.analysis: the first minutes fetched through net/,
the CPU work in worker processes); here it runs in a Textual worker, so the UI loop only
awaits. A result arrives as an :class:`Analysed` message, applied on the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from minion_tui.tui.widgets.details import refresh_details
from minion_tui.tui.widgets.track_list import TrackList

if TYPE_CHECKING:
    from textual.app import App

    from minion_tui.models import SoundAnalysis, Track
    from minion_tui.service import Service


@dataclass
class Analysed(Message):
    """A track's new analysis: its rows and the details panel show it."""

    urn: str
    bpm: float | None
    key: str | None
    camelot: str | None


def sound_summary(bpm: float | None, key: str | None, camelot: str | None) -> str:
    """"128.0 BPM · A minor · 8A" (as the details panel says it)."""
    parts = (f"{bpm:.1f} BPM" if bpm else "", key or "", camelot or "")
    return " · ".join(p for p in parts if p) or "no tempo or key found"


class SoundControl:
    """The app's analysis keys and the service's analysis events."""

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service
        self._following = False

    def follow(self) -> None:
        """Apply every new analysis the service makes (a download's, when it finishes)."""
        if not self._following:
            self._following = True
            self.service.analysis.on_analysed(self._on_analysed)

    def _on_analysed(self, found: SoundAnalysis) -> None:
        if found.urn:
            self.app.post_message(Analysed(found.urn, found.bpm, found.key, found.camelot))

    def apply(self, message: Analysed) -> None:
        for track_list in self.app.query(TrackList):
            track_list.set_sound(message.urn, message.bpm, message.key, message.camelot)
        refresh_details(self.app.screen)

    def analyse(self, track: Track) -> None:
        self.follow()
        self.app.notify(f"Analysing {track.title} (its first minutes)…", title="Tempo and key",
                        timeout=4)
        self.app.run_worker(self._analyse(track), group=f"analyse-{track.urn}",
                            exclusive=True, exit_on_error=False,
                            description=f"Analysing {track.title}")

    async def _analyse(self, track: Track) -> None:
        found = await self.service.analysis.analyze_target(track.urn)
        # Also when the answer came from the cache (no event then): the rows show it.
        self.app.post_message(Analysed(track.urn, found.bpm, found.key, found.camelot))
        self.app.notify(f"{track.title}: {sound_summary(found.bpm, found.key, found.camelot)}",
                        title="Tempo and key", timeout=6)
