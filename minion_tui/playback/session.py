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
from dataclasses import dataclass

from minion_tui.errors import MinionError
from minion_tui.models import Availability, StreamChoice, Track
from minion_tui.playback.player import Player, PlayerEvent
from minion_tui.playback.stream_proxy import StreamProxy
from minion_tui.store import play_queue as pq
from minion_tui.store.store import Store

log = logging.getLogger(__name__)

#: Resolve the next track's stream this many seconds before the current one ends.
PREFETCH_LEAD = 15.0


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
        player.listen(self._on_event)

    def on_toast(self, listener: Callable[[Toast], None]) -> None:
        self._toasts.append(listener)

    def _toast(self, text: str) -> None:
        log.info("%s", text)
        for listener in self._toasts:
            listener(Toast(text))

    # -- playing ---------------------------------------------------------------------------

    async def _prepare(self, track: Track, entry_id: int | None) -> tuple[NowPlaying, str]:
        if track.availability in (Availability.DRM, Availability.BLOCKED):
            raise MinionError(f"Skipped {track.title}: it is {track.availability.value} "
                              "and cannot be played here.")
        choice = await self._stream_for(track)
        history_id = await self._store.call(pq.history_start, self._store, track.urn,
                                            preview=choice.preview)
        return NowPlaying(track, choice, history_id, entry_id), self.proxy.add(choice)

    async def play(self, track: Track, *, start: float = 0.0,
                   entry_id: int | None = None) -> NowPlaying:
        await self._finish_history()
        now, url = await self._prepare(track, entry_id)
        self.now, self._prefetched = now, None
        self.player.load(url, start=start)
        if now.choice.preview:
            self._toast(f"{track.title}: a 30 s preview (the full track needs Go+).")
        if entry_id is not None:
            await self._store.call(pq.set_state, self._store, "queue.current", str(entry_id))
        return now

    async def play_entry(self, entry: pq.QueueEntry) -> NowPlaying | None:
        """Play a queue entry; unplayable tracks are skipped with a toast saying why."""
        entries = await self._store.call(pq.queue_entries, self._store)
        ids = [e.id for e in entries]
        index = ids.index(entry.id) if entry.id in ids else 0
        for candidate in entries[index:]:
            try:
                track = await self._track_for(candidate.track_urn)
                return await self.play(track, entry_id=candidate.id)
            except MinionError as exc:
                self._toast(exc.text)
        return None

    async def next(self, *, manual: bool = True) -> NowPlaying | None:
        entry = await self._neighbour(+1, manual=manual)
        if entry is None:
            return None
        return await self.play_entry(entry)

    async def previous(self) -> NowPlaying | None:
        entry = await self._neighbour(-1, manual=True)
        return await self.play_entry(entry) if entry else None

    async def _neighbour(self, step: int, *, manual: bool) -> pq.QueueEntry | None:
        entries = await self._store.call(pq.queue_entries, self._store)
        if not entries:
            return None
        repeat = await self._store.call(pq.get_state, self._store, "queue.repeat", "off")
        current = self.now.queue_entry_id if self.now else None
        ids = [e.id for e in entries]
        if current not in ids:
            return entries[0]
        if repeat == "one" and not manual:
            return entries[ids.index(current)]
        index = ids.index(current) + step
        if 0 <= index < len(entries):
            return entries[index]
        return entries[index % len(entries)] if repeat == "all" else None

    # -- events ----------------------------------------------------------------------------

    def _on_event(self, event: PlayerEvent) -> None:
        now = self.now
        if now is None:
            return
        if event.kind == "end-file":
            self._spawn(self._advance())
        elif (event.kind == "time-pos" and event.state.duration and self._prefetched is None
              and event.state.duration - event.state.position < PREFETCH_LEAD):
            self._prefetched = (-1, now, "")  # claimed: one prefetch per track
            self._spawn(self._prefetch())

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

    async def _advance(self) -> None:
        """The current file ended: move on to the prefetched entry (mpv is already playing
        it if gapless worked) or resolve the next one now."""
        await self._finish_history()
        prefetched = self._prefetched
        if prefetched and prefetched[0] >= 0:
            self.now, self._prefetched = prefetched[1], None
            await self._store.call(pq.set_state, self._store, "queue.current",
                                   str(prefetched[0]))
            return
        with contextlib.suppress(MinionError):
            if await self.next(manual=False) is None:
                self.now = None

    async def _finish_history(self) -> None:
        if self.now is not None:
            await self._store.call(pq.history_listened, self._store, self.now.history_id,
                                   self.player.state.position)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self._finish_history()
        self.player.close()
        await self.proxy.aclose()
