"""Playback: the player, the stream proxy, the queue and history working together.

The service owns one :class:`Playback` (created on the first play). It resolves streams through
the provider, hands mpv loopback proxy URLs (stream_proxy.py explains why), records history and
advances the SQLite queue. Near the end of a track the next entry's stream is resolved and
appended to mpv's playlist so ``gapless-audio`` + ``prefetch-playlist`` join them without a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from minion_tui.errors import MinionError
from minion_tui.models import (
    Availability,
    NowPlaying,
    PlayerEvent,
    QueueEntry,
    StreamChoice,
    Toast,
    Track,
)
from minion_tui.playback.player import Player
from minion_tui.playback.stream_proxy import StreamProxy
from minion_tui.store import play_queue as pq
from minion_tui.store.store import Store

log = logging.getLogger(__name__)

#: Resolve the next track's stream this many seconds before the current one ends.
PREFETCH_LEAD = 15.0
#: A forward step of time-pos larger than this is a jump (a seek mpv did not announce, a
#: reconnect), not listening. Normal steps are a few hundredths of a second.
LISTENED_STEP_MAX = 3.0
#: app_state keys: the queue entry last played and the last volume (both survive restarts).
CURRENT_KEY = "queue.current"
VOLUME_KEY = "player.volume"
#: Where in the current entry the last session stopped ("<entry id>:<seconds>"), so ``space``
#: after a restart resumes there; used once.
POSITION_KEY = "queue.position"
_UNPLAYABLE = {Availability.DRM: "it is DRM-protected",
               Availability.BLOCKED: "it is not available in your country"}


StreamFor = Callable[[Track], Awaitable[StreamChoice]]
TrackFor = Callable[[str], Awaitable[Track]]


class Playback:
    def __init__(self, player: Player, proxy: StreamProxy, store: Store,
                 stream_for: StreamFor, track_for: TrackFor) -> None:
        self.player = player
        self.proxy = proxy
        self._store = store
        self._stream_for = stream_for
        self._track_for = track_for
        self.now: NowPlaying | None = None
        self._prefetched: tuple[int, NowPlaying, str] | None = None  # (entry id, next, url)
        self._toasts: list[Callable[[Toast], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        # Seconds listened to the current file: forward steps of time-pos while playing, so
        # seeks and pauses do not count and mpv resetting time-pos at the end loses nothing.
        self._listened = 0.0
        self._last_position: float | None = None
        self._counted_to: float | None = None  # the position the last counted step reached
        self._finished = 0  # the history entry whose seconds listened are recorded
        player.listen(self._on_event)

    def on_toast(self, listener: Callable[[Toast], None]) -> None:
        self._toasts.append(listener)

    def _toast(self, text: str) -> None:
        log.info("%s", text)
        for listener in self._toasts:
            listener(Toast(text))

    # -- playing ---------------------------------------------------------------------------

    async def _prepare(self, track: Track, entry_id: int | None) -> tuple[NowPlaying, str]:
        if track.availability in _UNPLAYABLE:
            raise MinionError(f"Skipped {track.title}: {_UNPLAYABLE[track.availability]} "
                              "and cannot be played here.")
        choice = await self._stream_for(track)
        history_id = await self._store.call(pq.history_start, self._store, track.urn,
                                            preview=choice.preview)
        return NowPlaying(track, choice, history_id, entry_id), self.proxy.add(choice)

    async def play(self, track: Track, *, start: float = 0.0,
                   entry_id: int | None = None) -> NowPlaying:
        now, url = await self._prepare(track, entry_id)  # an unplayable one leaves all as is
        await self._finish_history(self._take_listened())
        self.now, self._prefetched = now, None
        self.player.load(url, start=start)
        self._take_listened()  # what the old file played while the new one was resolved
        if now.choice.preview:
            self._toast(f"{track.title}: a 30 s preview (the full track needs Go+).")
        if entry_id is not None:
            await self._store.call(pq.set_state, self._store, CURRENT_KEY, str(entry_id))
        return now

    async def play_entry(self, entry: QueueEntry, *, start: float = 0.0) -> NowPlaying | None:
        """Play a queue entry (from ``start`` seconds); unplayable tracks are skipped with a
        toast saying why."""
        entries = await self._store.call(pq.queue_entries, self._store)
        ids = [e.id for e in entries]
        index = ids.index(entry.id) if entry.id in ids else 0
        for candidate in entries[index:]:
            try:
                track = await self._track_for(candidate.track_urn)
                return await self.play(track, entry_id=candidate.id,
                                       start=start if candidate.id == entry.id else 0.0)
            except MinionError as exc:
                self._toast(exc.text)
        return None

    async def resume(self) -> NowPlaying | None:
        """Nothing loaded yet this session: play the queue entry the last one was playing,
        from where it stopped. None when there is nothing to resume (or it is playing)."""
        if self.now is not None:
            return None
        current = await self.current_entry()
        entry = next((e for e in await self._store.call(pq.queue_entries, self._store)
                      if e.id == current), None)
        if entry is None:
            return None
        stored = await self._store.call(pq.get_state, self._store, POSITION_KEY, "")
        await self._store.call(pq.set_state, self._store, POSITION_KEY, "")
        return await self.play_entry(entry, start=stopped_at(stored, entry.id))

    async def next(self, *, manual: bool = True) -> NowPlaying | None:
        entry = await self._neighbour(+1, manual=manual)
        if entry is None:
            return None
        return await self.play_entry(entry)

    async def previous(self) -> NowPlaying | None:
        entry = await self._neighbour(-1, manual=True)
        return await self.play_entry(entry) if entry else None

    async def _neighbour(self, step: int, *, manual: bool) -> QueueEntry | None:
        entries = await self._store.call(pq.queue_entries, self._store)
        if not entries:
            return None
        repeat = await self._store.call(pq.get_state, self._store, "queue.repeat", "off")
        current = await self.current_entry()
        ids = [e.id for e in entries]
        if current not in ids:
            return entries[0]
        if repeat == "one" and not manual:
            return entries[ids.index(current)]
        index = ids.index(current) + step
        if 0 <= index < len(entries):
            return entries[index]
        return entries[index % len(entries)] if repeat == "all" else None

    async def current_entry(self) -> int | None:
        """The queue entry playing, or else the one played last (also in an earlier session),
        so ``>`` continues after it."""
        if self.now is not None:
            return self.now.queue_entry_id
        stored = await self._store.call(pq.get_state, self._store, CURRENT_KEY, "")
        return int(stored) if stored.isdigit() else None

    # -- events ----------------------------------------------------------------------------

    def _on_event(self, event: PlayerEvent) -> None:
        self._count_listened(event)
        if event.kind == "volume":
            self._spawn(self._store.call(pq.set_state, self._store, VOLUME_KEY,
                                         str(round(event.state.volume))))
        now = self.now
        if now is None:
            return
        if event.kind == "end-file":
            self._spawn(self._advance(self._take_listened()))
        elif (event.kind == "time-pos" and event.state.duration and self._prefetched is None
              and event.state.duration - event.state.position < PREFETCH_LEAD):
            self._prefetched = (-1, now, "")  # claimed: one prefetch per track
            self._spawn(self._prefetch())

    def _count_listened(self, event: PlayerEvent) -> None:
        state = event.state
        if event.kind == "end-file" and self._counted_to is not None and state.duration:
            # Played to the end: mpv set time-pos back to 0 before telling us, so the stretch
            # after the last position it reported is added here.
            tail = state.duration - self._counted_to
            if 0 < tail <= LISTENED_STEP_MAX:
                self._listened += tail
        if event.kind in ("seek", "start-file", "end-file", "error"):
            self._last_position = self._counted_to = None  # a new starting point
        elif event.kind == "time-pos":
            position, last = state.position, self._last_position
            if (last is not None and not state.paused and not state.idle
                    and 0 < position - last <= LISTENED_STEP_MAX):
                self._listened += position - last
                self._counted_to = position
            self._last_position = position

    def _take_listened(self) -> float:
        listened, self._listened = self._listened, 0.0
        return listened

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _prefetch(self) -> None:
        """Resolve the next entry now and give mpv its URL as the next playlist entry."""
        try:
            entry = await self._neighbour(+1, manual=False)
            if entry is None:
                return
            track = await self._track_for(entry.track_urn)
            nxt, url = await self._prepare(track, entry.id)
            self._prefetched = (entry.id, nxt, url)
            self.player.load(url, append=True)
        except MinionError as exc:
            log.info("prefetch skipped: %s", exc.text)

    async def _advance(self, listened: float) -> None:
        """The current file ended: move on to the prefetched entry (mpv is already playing
        it if gapless worked) or resolve the next one now."""
        await self._finish_history(listened)
        prefetched = self._prefetched
        if prefetched and prefetched[0] >= 0:
            self.now, self._prefetched = prefetched[1], None
            await self._store.call(pq.set_state, self._store, CURRENT_KEY, str(prefetched[0]))
            return
        with contextlib.suppress(MinionError):
            if await self.next(manual=False) is None:
                self.now = None

    async def _finish_history(self, listened: float) -> None:
        # Once per play: after an end-file the next play() must not overwrite the figure.
        if self.now is not None and self.now.history_id != self._finished:
            self._finished = self.now.history_id
            await self._store.call(pq.history_listened, self._store, self.now.history_id,
                                   round(listened, 3))

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self._finish_history(self._take_listened())
            await self._store.call(pq.set_state, self._store, VOLUME_KEY,
                                   str(round(self.player.state.volume)))
            now, state = self.now, self.player.state
            stopped_at = (f"{now.queue_entry_id}:{state.position:.1f}"
                          if now is not None and now.queue_entry_id is not None
                          and not state.ended else "")
            await self._store.call(pq.set_state, self._store, POSITION_KEY, stopped_at)
        self.player.close()
        await self.proxy.aclose()


def stopped_at(stored: str, entry_id: int) -> float:
    """The seconds a POSITION_KEY value records for ``entry_id`` (0 for another entry)."""
    at, _, seconds = stored.partition(":")
    try:
        return float(seconds) if at == str(entry_id) else 0.0
    except ValueError:
        return 0.0
