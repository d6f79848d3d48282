"""What MPRIS methods and ``ctl`` commands do to the service's player, in one place.

Both front doors (mpris.py on the session bus, ctl.py on the private socket) call
:class:`Controller`; each method is a coroutine on the loop that runs the app (the TUI's or
``play``'s) and awaits only the service's own coroutines, so nothing here blocks it.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument, InvalidURL, PlaybackError
from minion_tui.models import Judgment

if TYPE_CHECKING:
    from minion_tui.models import NowPlaying, PlayerState
    from minion_tui.service import Player, Service

#: Our rating as MPRIS's xesam:userRating (0..1).
RATING = {Judgment.LIKED: 1.0, Judgment.NOT_QUITE: 0.5, Judgment.NOT_INTERESTED: 0.0}


def playback_status(state: PlayerState | None, *, stopped: bool = False) -> str:
    """MPRIS PlaybackStatus: Playing, Paused or Stopped."""
    if state is None or stopped or state.state in ("idle", "ended"):
        return "Stopped"
    return "Paused" if state.state == "paused" else "Playing"


class Controller:
    """The player as the desktop drives it."""

    def __init__(self, service: Service) -> None:
        self.service = service
        #: Set by Stop (the player only pauses and goes back to 0), cleared by a play.
        self.stopped = False

    @property
    def player(self) -> Player:
        return self.service.player

    @property
    def start_volume(self) -> float:
        """The volume before the player exists: the configured start-up one."""
        return float(self.service.settings.playback.volume)

    def snapshot(self) -> tuple[NowPlaying | None, PlayerState | None]:
        return self.service.player.now_playing()

    async def play(self) -> None:
        now, state = self.snapshot()
        self.stopped = False
        if now is None or state is None:
            await self.player.toggle_pause()  # resumes the last session's queue entry
        elif state.state in ("idle", "ended"):
            await self.player.play(now.track)
        else:
            await self.player.resume()

    async def pause(self) -> None:
        if self.snapshot()[1] is not None:
            await self.player.pause()

    async def toggle(self) -> None:
        state = self.snapshot()[1]
        if state is not None and state.state in ("playing", "buffering"):
            await self.player.pause()
        else:
            await self.play()

    async def stop(self) -> None:
        state = self.snapshot()[1]
        if state is None:
            return
        await self.player.pause()
        self.stopped = True
        if state.duration:
            await self.player.seek(0.0)

    async def next(self) -> bool:
        """The next queue entry; False when there is none."""
        self.stopped = False
        return await self.player.next_track() is not None

    async def previous(self) -> bool:
        self.stopped = False
        return await self.player.previous_track() is not None

    async def seek_to(self, seconds: float) -> None:
        """Seek to ``seconds`` into the track playing: invalid_argument outside it."""
        if not math.isfinite(seconds) or seconds < 0:
            raise InvalidArgument(f"Cannot seek to {seconds!r} seconds.",
                                  hint="Give a number of seconds from 0 to the track's length.")
        state = self.snapshot()[1]
        if state is None or state.duration is None:
            raise PlaybackError("Nothing is playing, so there is nothing to seek in.",
                                hint="Play a track first, then seek.")
        if seconds > state.duration:
            raise InvalidArgument(
                f"{seconds:g} s is past the end of the track ({state.duration:.0f} s long).",
                hint=f"Give a number of seconds from 0 to {math.floor(state.duration)}.")
        await self.player.seek(seconds)

    async def seek_by(self, seconds: float) -> None:
        """MPRIS Seek: by ``seconds`` (negative: back), clamped to the track."""
        state = self.snapshot()[1]
        if state is None or state.duration is None or not math.isfinite(seconds):
            return
        target = state.position + seconds
        if target > state.duration:  # the spec: past the end acts like Next
            await self.next()
            return
        await self.player.seek(max(0.0, target))

    async def open_uri(self, uri: str) -> None:
        """Play a SoundCloud or Mixcloud URL (what a provider claims)."""
        from minion_tui.service import is_claimed

        if not uri.strip() or not is_claimed(uri):
            raise InvalidURL(f"Not a SoundCloud or Mixcloud link: {uri[:200]!r}.",
                             hint="Open a track's or a show's URL.")
        self.stopped = False
        await self.player.play(uri.strip())

    async def set_volume(self, fraction: float) -> None:
        if math.isfinite(fraction) and self.snapshot()[1] is not None:
            await self.player.set_volume(round(max(0.0, min(1.0, fraction)) * 100))

    async def set_repeat(self, loop_status: str) -> None:
        mode = {"None": "off", "Track": "one", "Playlist": "all"}.get(loop_status)
        if mode is not None:
            await self.player.set_repeat(mode)

    def status(self) -> dict[str, Any]:
        """What ``ctl status --json`` prints."""
        now, state = self.snapshot()
        track = now.track if now is not None else None
        word = playback_status(state, stopped=self.stopped).lower()
        return {
            "state": word,
            "title": track.title if track else "",
            "artist": track.artist if track else "",
            "url": track.url if track else "",
            "urn": track.urn if track else "",
            "position": round(state.position, 3) if state is not None else 0.0,
            "duration": state.duration if state is not None else None,
            "volume": round(state.volume if state is not None else self.start_volume),
            "pid": os.getpid(),
        }
