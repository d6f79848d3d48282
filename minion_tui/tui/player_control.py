"""Playback from the TUI: the player keys, play requests (a track list's enter, the queue pane)
and the one worker that follows the player's events.

The app holds one :class:`PlayerControl` and forwards to it (app.py's playback block, and the
key actions of :class:`PlayerKeys`, which the app mixes in), so the app module stays an
arranger; PlayerControl knows the app only as a Textual App plus two callbacks. Everything
goes through the service façade; the player itself (libmpv) is created on the first play, so
the app starts — and keeps running — without it.

The event pump never polls: it iterates ``service.player.player_events()`` and posts
:class:`NowPlayingBar.Update` only when something visible changes (the elapsed second, a
waveform column, the state, the volume, the track).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual.binding import BindingType

from minion_tui.errors import MinionError, PlayerUnavailable
from minion_tui.models import Judgment, Track
from minion_tui.tui.keymap import help_only
from minion_tui.tui.messages import PlayRequest
from minion_tui.tui.tracklist import load_sections, offers_tracklist
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from minion_tui.tui.widgets.track_list import TrackList

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Sequence

    from textual.app import App

    from minion_tui.models import HistoryEntry, NowPlaying, PlayerState
    from minion_tui.service import Player, Service

log = logging.getLogger(__name__)

SEEK_SHORT = 10
SEEK_LONG = 60
VOLUME_STEP = 5

PLAYER_BINDINGS: list[BindingType] = [
    # Not in the footer (it would crowd out the pane's keys); the help screen lists them all.
    # The actions are PlayerKeys' below, mixed into the app.
    help_only("space", "toggle_pause", "Play/pause", "player.toggle_pause"),
    help_only("a", "queue_add", "Queue", "player.queue_add"),
    help_only("A", "play_next", "Play next", "player.play_next"),
    help_only("left_square_bracket", f"seek(-{SEEK_SHORT})",
              f"Back {SEEK_SHORT} s", "player.seek_back"),
    help_only("right_square_bracket", f"seek({SEEK_SHORT})",
              f"Forward {SEEK_SHORT} s", "player.seek_forward"),
    help_only("left_curly_bracket", f"seek(-{SEEK_LONG})",
              f"Back {SEEK_LONG} s", "player.seek_back_long"),
    help_only("right_curly_bracket", f"seek({SEEK_LONG})",
              f"Forward {SEEK_LONG} s", "player.seek_forward_long"),
    help_only("minus", f"volume(-{VOLUME_STEP})", "Volume down", "player.volume_down"),
    help_only("equals_sign,plus", f"volume({VOLUME_STEP})", "Volume up", "player.volume_up"),
    help_only("m", "mute", "Mute", "player.mute"),
    help_only("greater_than_sign", "next_track", "Next", "player.next"),
    help_only("less_than_sign", "previous_track", "Previous", "player.previous"),
    help_only("L", "rate_playing('liked')", "Like playing", "player.rate_liked"),
    help_only("X", "rate_playing('not_interested')",
              "Not interested (playing)", "player.rate_not_interested"),
    help_only("N", "rate_playing('not_quite')", "Not quite (playing)", "player.rate_not_quite"),
]


class PlayerControl:
    """What the player keys and play requests do; one per app."""

    def __init__(self, app: App[Any], service: Service, *,
                 rate: Callable[[str, Judgment | None], object],
                 queue_changed: Callable[[], object]) -> None:
        """``rate`` stores a rating (the app's, so every list shows it); ``queue_changed``
        is called whenever the queue or the entry playing may have changed."""
        self.app = app
        self.service = service
        self._rate = rate
        self._queue_changed = queue_changed
        self._following = False
        self._now: NowPlaying | None = None
        self._bar: NowPlayingBar | None = None

    @property
    def bar(self) -> NowPlayingBar | None:
        """The main screen's bar, also while a modal (help) is on top. Found once: every
        player event asks for it (several a second while playing), and a DOM query matches
        every widget of the screen — 3-8 ms of the loop per event (bench/playback.py, a j
        pressed while the player's events came in)."""
        if self._bar is not None and self._bar.is_attached:
            return self._bar
        if not self.app.screen_stack:
            return None
        self._bar = next(iter(self.app.screen_stack[0].query(NowPlayingBar)), None)
        return self._bar

    def _run(self, work: Coroutine[Any, Any, None], description: str, *,
             group: str = "player", exclusive: bool = False) -> None:
        self.app.run_worker(work, group=group, exclusive=exclusive, exit_on_error=False,
                            description=description)

    # -- the player, created on first use ----------------------------------------------------

    async def _ready(self) -> bool:
        """The player exists (and its events are followed); False, with the install hint on
        screen, when libmpv is missing."""
        try:
            await self.service.player.start()
        except PlayerUnavailable as exc:
            self.app.notify(exc.text, title="Playback unavailable", severity="error",
                            timeout=10)
            if (bar := self.bar) is not None:
                bar.show_unavailable()
            return False
        if not self._following:
            self._following = True
            self.service.player.on_toast(lambda toast: self.app.notify(
                toast.text, title="Playback", severity="warning", timeout=8))
            self._run(self._follow(), "Following the player", group="player-events",
                      exclusive=True)
        return True

    async def _follow(self) -> None:
        now, state = self.service.player.now_playing()
        self._publish(now, state, "start")
        async for event in self.service.player.player_events():
            if event.kind == "error":
                self._failed(event.state.error)
            self._publish(self.service.player.now_playing()[0], event.state, event.kind)

    def _failed(self, text: str) -> None:
        """mpv could not play (no audio device, a broken stream): say so, never stay silent
        with the bar at 0:00."""
        log.warning("playback failed: %s", text)
        self.app.notify(text, title="Playback failed", severity="error", timeout=12)

    def _publish(self, now: NowPlaying | None, state: PlayerState | None, kind: str) -> None:
        new_track = now is not self._now
        if new_track:
            self._now = now
            if now is not None:
                self._run(self._waveform(now.track), "Drawing the waveform", group="waveform",
                          exclusive=True)
                if offers_tracklist(self.service, now.track):
                    self._run(self._sections(now.track), "Reading the tracklist",
                              group="np-tracklist", exclusive=True)
        if new_track or kind in ("end-file", "start-file", "error"):
            self._queue_changed()
        bar = self.bar
        if bar is None:
            return
        if new_track or kind != "time-pos" or bar.would_change(now, state):
            bar.post_message(NowPlayingBar.Update(now, state))

    async def _waveform(self, track: Track) -> None:
        try:
            peaks = await self.service.player.waveform(track)
        except MinionError as exc:  # a missing picture is not worth an error toast
            log.info("no waveform for %s: %s", track.urn, exc.text)
            return
        if (bar := self.bar) is not None:
            bar.set_peaks(track.urn, peaks)

    async def _sections(self, track: Track) -> None:
        try:
            sections = await load_sections(self.service, track)
        except MinionError as exc:  # the bar goes on without naming sections
            log.info("no tracklist for %s: %s", track.urn, exc.text)
            return
        if (bar := self.bar) is not None:
            bar.set_sections(track.urn, sections)

    def play_section(self, track: Track, seconds: float) -> None:
        """Enter on a tracklist section: seek there when ``track`` is the one playing, else
        play it from there."""
        self._run(self._play_section(track, seconds), f"Playing {track.title}",
                  group="player-play", exclusive=True)

    async def _play_section(self, track: Track, seconds: float) -> None:
        if not await self._ready():
            return
        player = self.service.player
        now, state = player.now_playing()
        if now is not None and now.track.urn == track.urn and state is not None \
                and state.state in ("playing", "paused", "buffering"):
            try:
                await player.seek(seconds)
            except MinionError as exc:
                self.app.notify(exc.text, title="Seek", severity="warning", timeout=6)
            return
        self._publish(await player.play(track, start=seconds), player.now_playing()[1], "")

    def show_restored(self) -> None:
        """At start: the bar shows the track ``space`` will resume (paused, at the second the
        last session stopped), rather than "nothing playing"."""
        self._run(self._show_restored(), "Reading the last session's place",
                  group="player-restore")

    async def _show_restored(self) -> None:
        point = await self.service.player.resume_point()
        bar = self.bar
        if point is not None and bar is not None and not bar.view.title:
            track, seconds, volume = point
            bar.show_track(track, position=seconds, state="paused", volume=round(volume))

    # -- requests ----------------------------------------------------------------------------

    def request(self, message: PlayRequest) -> None:
        if message.track is not None:
            self.play(message.track)
        elif message.queue_entry is not None:
            self._run(self._play_queue(message.queue_entry), "Playing from the queue",
                      group="player-play", exclusive=True)
        elif message.history is not None:
            self._run(self._play_again(message.history), "Playing again",
                      group="player-play", exclusive=True)

    def play(self, track: Track) -> None:
        self._run(self._play(track), f"Playing {track.title}", group="player-play",
                  exclusive=True)

    def play_in(self, tracks: Sequence[Track], track: Track) -> None:
        """Play ``track`` with the list it is in as what plays next."""
        index = next((i for i, t in enumerate(tracks) if t is track), None)
        if index is None:
            self.play(track)
            return
        self._run(self._play_in(list(tracks), index), f"Playing {track.title}",
                  group="player-play", exclusive=True)

    async def _play_in(self, tracks: list[Track], index: int) -> None:
        if await self._ready():
            now = await self.service.player.play_context(tracks, index)
            self._publish(now, self.service.player.now_playing()[1], "")

    async def _play(self, track: Track) -> None:
        if await self._ready():
            self._publish(await self.service.player.play(track),
                          self.service.player.now_playing()[1], "")

    async def _play_queue(self, entry_id: int) -> None:
        if await self._ready():
            now = await self.service.player.play_queue(entry_id)
            self._publish(now, self.service.player.now_playing()[1], "")

    async def _play_again(self, entry: HistoryEntry) -> None:
        if await self._ready():
            self._publish(await self.service.player.play_again(entry),
                          self.service.player.now_playing()[1],
                          "")

    def seek_fraction(self, fraction: float) -> None:
        self._run(self._seek_fraction(fraction), "Seeking")

    async def _seek_fraction(self, fraction: float) -> None:
        state = self.service.player.now_playing()[1]
        if state is not None and state.duration and await self._ready():
            await self.service.player.seek(max(0.0, min(1.0, fraction)) * state.duration)

    # -- keys (PlayerKeys) ---------------------------------------------------------------

    def control(self, call: Callable[[Player], Awaitable[object]]) -> None:
        """Run one player command once the player is there (the keys that need no track)."""
        self._run(self._control(call), "Playback")

    async def _control(self, call: Callable[[Player], Awaitable[object]]) -> None:
        if await self._ready():
            await call(self.service.player)

    def step(self, *, forward: bool) -> None:
        """``>`` / ``<``: the next or previous queue entry; when there is none, say so."""
        self._run(self._step(forward), "Playback")

    async def _step(self, forward: bool) -> None:
        if not await self._ready():
            return
        player = self.service.player
        now = await (player.next_track() if forward else player.previous_track())
        if now is not None:
            return
        if forward:
            self.app.notify("Nothing next: the queue has no track after this one. Queue "
                            "tracks with a (A: play next), or press r in the Queue to repeat "
                            "it.", title="Next", severity="warning", timeout=5)
        else:
            self.app.notify("Nothing before this: the queue has no earlier track.",
                            title="Previous", severity="warning", timeout=5)

    def _highlighted(self) -> Track | None:
        focused = self.app.focused
        if isinstance(focused, TrackList):
            return focused.highlighted
        return None

    def queue_highlighted(self, *, next: bool) -> None:
        track = self._highlighted()
        if track is None:
            self.app.notify("Highlight a track in a list first (Browse or Search).",
                            title="Queue", severity="warning", timeout=4)
            return
        self._run(self._queue_add(track, next=next), "Adding to the queue")

    async def _queue_add(self, track: Track, *, next: bool) -> None:
        await self.service.player.queue_add([track], next=next)
        where = "to play next" if next else "to the queue"
        self.app.notify(f"Added {track.title} {where}.", title="Queue", timeout=3)
        self._queue_changed()

    def rate_playing(self, judgment: Judgment) -> None:
        now = self.service.player.now_playing()[0]
        if now is None:
            self.app.notify("Nothing is playing; rate a highlighted track with l / x / n.",
                            title="Rating", severity="warning", timeout=4)
            return
        self._rate(now.track.urn, judgment)

    def rated(self, urn: str, judgment: Judgment | None) -> None:
        """A rating was saved (from any list or L/X/N): the bar's badge follows."""
        if (bar := self.bar) is not None:
            bar.set_judgment(urn, judgment)


class PlayerKeys:
    """The actions of :data:`PLAYER_BINDINGS`, mixed into the app (bindings resolve their
    actions on the node that declares them): each hands its argument to the app's
    :class:`PlayerControl`."""

    @property
    def player_control(self) -> PlayerControl:
        raise NotImplementedError

    def action_toggle_pause(self) -> None:
        self.player_control.control(lambda player: player.toggle_pause())

    def action_seek(self, seconds: float) -> None:
        """Seek by ``seconds`` (negative: back)."""
        self.player_control.control(lambda player: player.seek(float(seconds), relative=True))

    def action_volume(self, change: float) -> None:
        """Change the volume by ``change`` points (negative: down)."""
        self.player_control.control(lambda player: player.change_volume(float(change)))

    def action_mute(self) -> None:
        self.player_control.control(lambda player: player.mute())

    def action_next_track(self) -> None:
        self.player_control.step(forward=True)

    def action_previous_track(self) -> None:
        self.player_control.step(forward=False)

    def action_queue_add(self) -> None:
        self.player_control.queue_highlighted(next=False)

    def action_play_next(self) -> None:
        self.player_control.queue_highlighted(next=True)

    def action_rate_playing(self, judgment: str) -> None:
        """Rate the track playing: a :class:`~minion_tui.models.Judgment` value."""
        self.player_control.rate_playing(Judgment(judgment))
