"""Discovery from the TUI: following an artist (`f`), syncing what the followed artists liked
and reposted (ctrl+r) with its progress, and radio (`R`) that tops itself up as it plays.

The app holds one :class:`DiscoveryControl` beside its PlayerControl and DownloadControl. It
knows the app only as a Textual App (workers, toasts, the sub-title that shows the sync's
progress) and goes through the service façade for everything: ``service.discovery`` for
follow / unfollow / sources / sync, ``service.inbox.radio`` (the CLI's ``radio``) and the
player's queue.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App

from minion_tui.models import FollowedSource, SyncEvent, SyncSummary, Track
from minion_tui.tui.messages import DiscoverySynced
from minion_tui.tui.wording import counted

if TYPE_CHECKING:
    from minion_tui.models import PlayerEvent
    from minion_tui.service import Service

log = logging.getLogger(__name__)

#: Source kinds that follow a user (their target is the user's URN).
USER_KINDS = ("user_likes", "user_reposts", "user_tracks")
#: Tracks a radio starts with, and how many each top-up asks for.
RADIO_SIZE = 30
TOP_UP_SIZE = 20
#: The radio tops itself up once this many entries (or fewer) are left after the one playing.
TOP_UP_WHEN_LEFT = 2


@dataclass(frozen=True)
class FollowTarget:
    """Who `f` acts on: a user's URN (or URL, when the URN is not known) and their name."""

    target: str
    name: str


def followed_users(sources: list[FollowedSource]) -> dict[str, str]:
    """User URN → name of every followed user (one entry for their likes and reposts)."""
    found: dict[str, str] = {}
    for source in sources:
        if source.kind in USER_KINDS:
            found.setdefault(source.target, source.title.partition(" of ")[2] or source.target)
    return found


@dataclass
class _Radio:
    """The radio playing: its seed, and every track it queued or found queued (none is
    queued twice, and the seed track is never queued: it was playing when the radio began)."""

    seed: str
    name: str
    queued: set[str] = field(default_factory=set)
    exhausted: bool = False


class DiscoveryControl:
    """What the follow, sync and radio keys do; one per app."""

    #: Tracks a radio starts with (tests make it short, to reach the top-up quickly).
    radio_size = RADIO_SIZE

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service
        self.following: dict[str, str] = {}
        """User URN → name of the users followed (read at start, kept up to date here)."""
        self.sync_status = ""
        """The sync's progress ("Syncing 3 of 12 sources…"), "" when none runs."""
        self._syncing = False
        self._radio: _Radio | None = None
        self._listening = False
        self._topping_up = False

    # -- following -----------------------------------------------------------------------

    def load(self) -> None:
        """Read who is followed (a worker: the store may be opening)."""
        self.app.run_worker(self._load(), group="discovery", exit_on_error=False,
                            description="Reading the followed artists")

    async def _load(self) -> None:
        self.following = followed_users(await self.service.discovery.sources())
        self._changed()

    def follows(self, urn: str | None) -> bool:
        return bool(urn) and urn in self.following

    def toggle(self, who: FollowTarget) -> None:
        """Follow ``who``, or stop following them if they are followed (`f`)."""
        self.app.run_worker(self._toggle(who), group="discovery-follow", exit_on_error=False,
                            description=f"Following {who.name}")

    def set_following(self, who: FollowTarget, follow: bool) -> None:
        """Follow or unfollow, whichever is asked (the palette's entries)."""
        work = self._follow(who) if follow else self._unfollow(who)
        self.app.run_worker(work, group="discovery-follow", exit_on_error=False,
                            description=("Following " if follow else "Unfollowing ") + who.name)

    async def _toggle(self, who: FollowTarget) -> None:
        if "://" in who.target:  # a profile URL (a source's): the follows are by URN
            who = FollowTarget((await self.service.catalog.resolve(who.target)).urn, who.name)
        if who.target in self.following:
            await self._unfollow(who)
        else:
            await self._follow(who)

    async def _follow(self, who: FollowTarget) -> None:
        added = await self.service.discovery.follow([who.target])
        self.following.update(followed_users(added))
        kinds = " and ".join(s.title.partition(" ")[0].lower() for s in added
                             if s.kind in USER_KINDS) or "listings"
        self.app.notify(f"Following {who.name}: their {kinds} come in with the next sync "
                        "(ctrl+r).", title="Following", timeout=5)
        self._changed()

    async def _unfollow(self, who: FollowTarget) -> None:
        await self.service.discovery.unfollow(who.target)
        self.following.pop(who.target, None)
        self.app.notify(f"Stopped following {who.name}; the tracks they surfaced stay.",
                        title="Unfollowed", timeout=5)
        self._changed()

    def _changed(self) -> None:
        """The details panels say "following" / "f follow" for the highlighted artist."""
        from minion_tui.tui.widgets.details import refresh_details

        if self.app.screen_stack:
            refresh_details(self.app.screen_stack[0])

    # -- sync --------------------------------------------------------------------------------

    def sync(self) -> None:
        """Sync every followed source in a worker (ctrl+r); only one at a time."""
        if self._syncing:
            self.app.notify(f"A sync is already running — {self.sync_status or 'starting'}",
                            title="Sync", severity="warning", timeout=4)
            return
        self._syncing = True
        self._show_status("Syncing followed sources…")
        self.app.run_worker(self._sync(), group="discovery-sync", exit_on_error=False,
                            description="Syncing followed artists")

    async def _sync(self) -> None:
        try:
            summary = await self.service.discovery.sync(self._on_event)
        finally:
            self._syncing = False
            self._show_status("")
        self.app.notify(summary_text(summary), title="Synced",
                        severity="warning" if summary.failed else "information", timeout=8)
        self.following = followed_users(await self.service.discovery.sources())
        self._changed()
        # The panes (Browse's Inbox) read what the sync brought; by type name, so this
        # module imports no pane.
        for pane in self.app.screen_stack[0].query("Pane") if self.app.screen_stack else []:
            pane.post_message(DiscoverySynced(summary))

    def _on_event(self, event: SyncEvent) -> None:
        """Each page merged: the status says how many sources are done."""
        if not self._syncing or not event.total:
            return
        text = f"Syncing {event.done} of {counted(event.total, 'source')}…"
        if self.app._thread_id == threading.get_ident():
            self._show_status(text)
        else:
            self.app.call_from_thread(self._show_status, text)

    def _show_status(self, text: str) -> None:
        self.sync_status = text
        base = "demo" if self.service.demo else ""
        self.app.sub_title = " · ".join(t for t in (base, text) if t)

    # -- radio -------------------------------------------------------------------------------

    def radio(self, seed: str, name: str) -> None:
        """Build a radio from a track or an artist (URL or URN) and play it (`R`)."""
        # The function, not a coroutine: an exclusive worker replaced before it starts would
        # leave that coroutine never awaited.
        self.app.run_worker(partial(self._start_radio, seed, name),  # type: ignore[arg-type]
                            group="radio", exclusive=True,
                            exit_on_error=False, description=f"Radio from {name}")

    async def _start_radio(self, seed: str, name: str) -> None:
        self.app.notify(f"Building a radio from {name}…", title="Radio", timeout=3)
        entries = await self.service.inbox.radio(seed, size=self.radio_size)
        if not entries:
            self.app.notify(f"Nothing to play from {name}: no related tracks, station or "
                            "likes are known for it yet.", title="Radio", severity="warning",
                            timeout=6)
            return
        tracks = [e.track for e in entries]
        self._radio = _Radio(seed, name, {seed, *(t.urn for t in tracks)})
        # The radio becomes what plays, as a list played with enter does (ncspot and
        # spotify-player replace the context with the radio's tracks).
        player_control = getattr(self.app, "player_control", None)
        if player_control is not None:
            player_control.play_in(tracks, tracks[0])
        self._listen()
        self.app.notify(f"Radio from {name}: {counted(len(tracks), 'track')}, more as it "
                        "plays.", title="Radio", timeout=5)

    def _listen(self) -> None:
        """Once the player exists: every new track checks whether the radio needs more."""
        if self._listening:
            return
        self.app.run_worker(self._subscribe(), group="radio-listen", exit_on_error=False,
                            description="Following the radio")

    async def _subscribe(self) -> None:
        await self.service.player.start()
        if not self._listening:
            self._listening = True
            self.service.player.listen(self._on_player_event)

    def _on_player_event(self, event: PlayerEvent) -> None:
        if event.kind == "start-file" and self._radio is not None and not self._topping_up:
            self._topping_up = True
            self.app.run_worker(self._top_up(), group="radio-top-up", exit_on_error=False,
                                description="Topping up the radio")

    async def _top_up(self) -> None:
        """Near the end of the queue, while a radio track plays: more radio tracks at the
        end, none queued before and none marked not interested."""
        try:
            await self._top_up_now()
        finally:
            self._topping_up = False

    async def _top_up_now(self) -> None:
        radio = self._radio
        player = self.service.player
        if radio is None or radio.exhausted:
            return
        entries = await player.queue()
        current = await player.queue_current()
        ids = [e.id for e in entries]
        if current not in ids:
            return
        at = ids.index(current)
        if entries[at].track_urn not in radio.queued:
            return  # something else plays now: the radio is over
        if len(entries) - at - 1 > TOP_UP_WHEN_LEFT:
            return
        radio.queued.update(e.track_urn for e in entries)  # queued by hand: not again either
        fresh = await self._more(radio, entries[at].track_urn)
        if not fresh:
            radio.exhausted = True
            self.app.notify(f"The radio from {radio.name} has nothing more to add.",
                            title="Radio", timeout=5)
            return
        radio.queued.update(t.urn for t in fresh)
        await player.queue_append(fresh)
        reload = getattr(self.app, "_reload_queue", None)
        if reload is not None:
            reload()

    async def _more(self, radio: _Radio, playing: str) -> list[Track]:
        """Tracks not queued by this radio yet: grown from the track playing, then from the
        seed with a longer list."""
        for seed, size in ((playing, TOP_UP_SIZE),
                           (radio.seed, len(radio.queued) + TOP_UP_SIZE)):
            entries = await self.service.inbox.radio(seed, size=size)
            fresh = [e.track for e in entries if e.track.urn not in radio.queued]
            if fresh:
                return list({t.urn: t for t in fresh}.values())[:TOP_UP_SIZE]
        return []


def summary_text(summary: SyncSummary) -> str:
    """"12 new tracks from 3 sources" (of how many were synced, and what failed)."""
    text = (f"{counted(summary.new_tracks, 'new track')} from "
            f"{counted(summary.sources_updated, 'source')} "
            f"({summary.sources} synced)")
    if summary.failed:
        text += f"; {summary.failed} failed, the log says why"
    if not summary.sources:
        text = "Nothing followed yet: press f on an artist (or a track) to follow them."
    return text
