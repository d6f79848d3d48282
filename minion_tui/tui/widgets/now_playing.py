"""The now-playing bar under every pane: what plays, by whom, the section of a show playing
now (its tracklist, tui/tracklist.py), elapsed / total, volume, the rating badge, a preview
label and the waveform (click to seek).

It is fed by :class:`NowPlayingBar.Update` messages (posted by the player event pump, see
``tui/player_control.py``); it never asks the player anything itself. What it shows is a
:class:`BarView` — a frozen value compared before any repaint, so the many ``time-pos``
events of a second cost nothing until the elapsed second or a waveform column changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from minion_tui.models import Judgment, Section, Track, format_duration
from minion_tui.tui.tracklist import current_section, section_name
from minion_tui.tui.widgets.waveform import Waveform

if TYPE_CHECKING:
    from minion_tui.models import NowPlaying, PlayerState

UNAVAILABLE_TEXT = "Playback unavailable: install libmpv (apt install libmpv2)"
IDLE_TEXT = "Nothing playing — enter on a track plays it, space pauses, ? lists every key"

_STATE_ICONS = {"playing": "▶", "paused": "⏸", "buffering": "…", "idle": "■", "ended": "■"}
_BADGES = {
    Judgment.LIKED: ("♥ liked", "$rating-liked"),
    Judgment.NOT_INTERESTED: ("✕ not interested", "$rating-not-interested"),
    Judgment.NOT_QUITE: ("~ not quite", "$rating-not-quite"),
}


@dataclass(frozen=True)
class BarView:
    """Everything the bar shows, at the resolution it shows it (whole seconds)."""

    title: str = ""
    artist: str = ""
    urn: str = ""
    judgment: Judgment | None = None
    preview: bool = False
    state: str = "idle"
    elapsed: int = 0
    total: int | None = None
    volume: int = 100
    muted: bool = False
    unavailable: bool = False
    section: str = ""
    """The section of the show playing now ("Artist – Title" or a chapter), "" if none."""

    @property
    def track_markup(self) -> Content:
        """The bar's first line. Titles and names go in as variables, never as markup:
        escaping is not enough ("[/dim" at the end of a name still parses as a tag)."""
        if self.unavailable:
            return Content.from_markup("[$text-error]$text[/]", text=UNAVAILABLE_TEXT)
        if not self.title:
            return Content.from_markup("[$text-muted]$text[/]", text=IDLE_TEXT)
        icon = _STATE_ICONS.get(self.state, "■")
        parts = [f"{icon} [b]$title[/b] — $artist"]
        if self.section:
            parts.append("[$text-accent]♪ $section[/]")
        if self.judgment is not None:
            label, colour = _BADGES[self.judgment]
            parts.append(f"[{colour}]{label}[/]")
        if self.preview:
            parts.append("[$text-warning]PREVIEW (30 s, Go+)[/]")
        return Content.from_markup("  ".join(parts), title=self.title, artist=self.artist,
                                   section=self.section)

    @property
    def time_text(self) -> str:
        if self.unavailable or not self.title:
            return ""
        volume = "muted" if self.muted else f"vol {self.volume}%"
        return f"{format_duration(self.elapsed)} / {format_duration(self.total)}  {volume}"


def bar_view(now: NowPlaying | None, state: PlayerState | None,
             judgments: dict[str, Judgment | None] | None = None,
             sections: tuple[str, list[Section]] = ("", [])) -> BarView:
    """The view of a playing track and player state; ``judgments`` holds ratings given since
    the track started (newer than the track's own ``judgment``); ``sections`` the (urn,
    tracklist) of the show whose current section the bar names."""
    if now is None or state is None:
        return BarView(volume=round(state.volume) if state else 100,
                       muted=bool(state and state.muted))
    track = now.track
    judgment = (judgments or {}).get(track.urn, track.judgment)
    duration = state.duration if state.duration else (track.duration_ms / 1000 or None)
    urn, tracklist = sections
    playing = current_section(tracklist, state.position) if urn == track.urn else None
    return BarView(
        section=section_name(playing) if playing is not None else "",
        title=track.title, artist=track.artist, urn=track.urn, judgment=judgment,
        preview=now.choice.preview, state=state.state, elapsed=int(state.position),
        total=None if duration is None else int(duration), volume=round(state.volume),
        muted=state.muted,
    )


class NowPlayingBar(Vertical):
    """Two lines: the track line (with time and volume on the right) and the waveform."""

    DEFAULT_CSS = """
    NowPlayingBar { height: 2; width: 1fr; background: $panel; }
    NowPlayingBar > Horizontal { height: 1; }
    NowPlayingBar #np-track { width: 1fr; height: 1; padding: 0 1; }
    NowPlayingBar #np-time { width: auto; height: 1; padding: 0 1; color: $text-muted; }
    NowPlayingBar Waveform { margin: 0 1; }
    """

    class Update(Message):
        """The player changed: the current track (None when nothing plays) and its state."""

        def __init__(self, now: NowPlaying | None, state: PlayerState | None) -> None:
            super().__init__()
            self.now = now
            self.state = state

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view = BarView()
        self._judgments: dict[str, Judgment | None] = {}
        self._peaks: tuple[str, list[float]] = ("", [])  # (urn, peaks), may come early
        self._sections: tuple[str, list[Section]] = ("", [])  # (urn, tracklist), the same
        self._last: tuple[NowPlaying | None, PlayerState | None] = (None, None)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(self._view.track_markup, id="np-track")
            yield Static(self._view.time_text, id="np-time")
        yield Waveform(id="np-waveform")

    @property
    def view(self) -> BarView:
        return self._view

    @property
    def waveform(self) -> Waveform:
        return self.query_one(Waveform)

    # -- feeding ---------------------------------------------------------------------------

    def show(self, view: BarView, fraction: float | None = None) -> None:
        """Show ``view`` (repainting only the parts that changed) and move the waveform."""
        old, self._view = self._view, view
        if view.track_markup != old.track_markup:
            self.query_one("#np-track", Static).update(view.track_markup)
        if view.time_text != old.time_text:
            self.query_one("#np-time", Static).update(view.time_text)
        if view.urn != old.urn:
            urn, peaks = self._peaks
            self.waveform.set_peaks(peaks if urn == view.urn else ())
        if fraction is not None:
            self.waveform.set_fraction(fraction)

    def would_change(self, now: NowPlaying | None, state: PlayerState | None) -> bool:
        """Whether this update would change anything on screen (the pump skips the rest)."""
        if bar_view(now, state, self._judgments, self._sections) != self._view:
            return True
        fraction = _fraction(state)
        waveform = self.waveform
        return (fraction is not None
                and waveform.columns_played(waveform.size.width)
                != int(fraction * waveform.size.width))

    def on_now_playing_bar_update(self, message: Update) -> None:
        message.stop()
        self._last = (message.now, message.state)
        self.show(bar_view(message.now, message.state, self._judgments, self._sections),
                  _fraction(message.state))

    def set_sections(self, urn: str, sections: list[Section]) -> None:
        """The tracklist of show ``urn``: while it plays the bar names the current section."""
        self._sections = (urn, sections)
        now, state = self._last
        if urn == self._view.urn and now is not None:
            self.show(bar_view(now, state, self._judgments, self._sections))

    def set_peaks(self, urn: str, peaks: list[float]) -> None:
        """The waveform of track ``urn``; shown while (or once) that track plays."""
        self._peaks = (urn, peaks)
        if urn == self._view.urn:
            self.waveform.set_peaks(peaks)

    def set_judgment(self, urn: str, judgment: Judgment | None) -> None:
        """A rating was saved: the badge follows if ``urn`` is the track playing."""
        self._judgments[urn] = judgment
        if urn == self._view.urn:
            self.show(replace(self._view, judgment=judgment))

    def show_unavailable(self) -> None:
        self.show(BarView(unavailable=True))

    def show_track(self, track: Track, *, preview: bool = False, position: float = 0.0,
                   duration: float | None = None, state: str = "playing", volume: int = 100,
                   muted: bool = False) -> None:
        """Show a track directly (used for fixed pictures and before the first event)."""
        total = duration if duration is not None else track.duration_ms / 1000
        self.show(BarView(title=track.title, artist=track.artist, urn=track.urn,
                          judgment=self._judgments.get(track.urn, track.judgment),
                          preview=preview, state=state, elapsed=int(position),
                          total=int(total) if total else None, volume=volume, muted=muted),
                  position / total if total else 0.0)


def _fraction(state: PlayerState | None) -> float | None:
    if state is None or not state.duration:
        return None
    return state.position / state.duration
