"""The play queue: list, add, remove, move, clear, shuffle, repeat. The queue is kept in the
database across restarts; every tool here is local (queue_add resolves what it is given)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.outputs import PlayerStatus, QueueItem
from minion_tui.mcp.tooling import (
    LOCAL_CHANGE,
    LOCAL_DESTROY,
    LOCAL_READ,
    LOCAL_SET,
    Hints,
    Listing,
    NoArgs,
    arg,
    tool,
)
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT
from minion_tui.mcp.tools.player import render_status, status
from minion_tui.mcp.uris import QUEUE
from minion_tui.models import Playlist, Track
from minion_tui.models.json_form import JsonModel

#: queue_add resolves links it is given (requests), and adds each time it is called.
ADDING = Hints(read_only=False, destructive=False, idempotent=False, open_world=True)


@dataclass(frozen=True, slots=True)
class QueueChange(JsonModel):
    """The queue after a change: ``length`` entries in all; ``entries`` the ones the change
    is about (those added, the one moved; none after a removal or a clear)."""

    length: int
    entries: Sequence[QueueItem]


def queue_line(q: dict[str, Any]) -> str:
    mark = "▶ " if q["current"] else ""
    track = render.track_line(q["track"]) if q["track"] else q["track_urn"]
    return f"{mark}#{q['id']} {track}"


def render_change(c: dict[str, Any]) -> str:
    lines = [f"queue: {c['length']} entries"]
    lines += [queue_line(e) for e in c["entries"]]
    return "\n".join(lines)


async def items(ctx: ToolContext) -> list[QueueItem]:
    """The queue as the tools give it."""
    player = ctx.service.player
    current = await player.queue_current()
    return [QueueItem(id=e.id, position=e.position, origin=e.origin, current=e.id == current,
                      track_urn=e.track_urn, track=t)
            for e, t in await player.queue_tracks()]


async def _change(ctx: ToolContext, ids: Sequence[int]) -> QueueChange:
    found = await items(ctx)
    wanted = set(ids)
    return QueueChange(length=len(found), entries=[i for i in found if i.id in wanted])


async def _entry(ctx: ToolContext, entry_id: int) -> None:
    ids = {e.id for e in await ctx.service.player.queue()}
    if entry_id not in ids:
        raise InvalidArgument(f"The queue has no entry {entry_id}.",
                              hint="queue_list gives the entries' ids.")


@dataclass(frozen=True, slots=True)
class QueueList:
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="List the queue", output=Listing[QueueItem], hints=LOCAL_READ,
      render=lambda r: render.listing(r, queue_line))
async def queue_list(ctx: ToolContext, args: QueueList) -> Listing[QueueItem]:
    """The play queue in order: each entry's id (for queue_remove, queue_move, play), its
    track, and which one is playing. Reads local state only, no request; the queue is kept
    across restarts. Page through a long queue with next_cursor."""
    async def whole() -> AsyncIterator[list[QueueItem]]:  # read when no cursor is given
        yield await items(ctx)

    return await ctx.page(args.cursor, args.limit, whole)


@dataclass(frozen=True, slots=True)
class Played(JsonModel):
    """One play of the listening history: when it started (UTC, ISO 8601), how many seconds
    were listened, whether it was only a preview, and the track (null when it is no longer
    stored; ``track_urn`` still names it)."""

    id: int
    track_urn: str
    started_at: str
    seconds_listened: float
    preview: bool
    track: Track | None


#: The history a list asks for at most: the store keeps every play, the tool pages them.
HISTORY_MOST = 1000


@dataclass(frozen=True, slots=True)
class HistoryList:
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


def played_line(p: dict[str, Any]) -> str:
    track = render.track_line(p["track"]) if p["track"] else p["track_urn"]
    return f"{p['started_at']} {round(p['seconds_listened'])} s {track}"


@tool(title="Listening history", output=Listing[Played], hints=LOCAL_READ,
      render=lambda r: render.listing(r, played_line))
async def play_history(ctx: ToolContext, args: HistoryList) -> Listing[Played]:
    """What was played here, newest first (the last 1000 plays): when, for how long, and
    the track — to recall something heard, or to play it again with play / queue_add by its
    track_urn. Ratings are my_ratings; the service-side history of a signed-in account is
    my_history. Reads local state only, no request."""
    async def whole() -> AsyncIterator[list[Played]]:  # read when no cursor is given
        rows = await ctx.service.player.history_tracks(HISTORY_MOST)
        yield [Played(id=e.id, track_urn=e.track_urn, started_at=e.started_at,
                      seconds_listened=e.seconds_listened, preview=e.preview, track=t)
               for e, t in rows]

    return await ctx.page(args.cursor, args.limit, whole)


@dataclass(frozen=True, slots=True)
class QueueAdd:
    targets: tuple[str, ...] = arg(
        "The tracks to add: URLs or URNs (from search_tracks, resolve_url…); a playlist's "
        "URL or URN adds all its tracks.")
    next: bool = arg("Add them right after the track playing instead of after what was "
                     "queued before.", default=False)


@tool(title="Add to the queue", output=QueueChange, hints=ADDING, render=render_change,
      changes=(QUEUE,))
async def queue_add(ctx: ToolContext, args: QueueAdd) -> QueueChange:
    """Add tracks (or every track of a playlist) to the play queue, after what was queued
    before or (next) right after the track playing. Reports progress per target resolved
    and can be cancelled: nothing is added unless all resolve. One request per target not
    seen before (a playlist's tracks in batches of 50)."""
    tracks: list[Track] = []
    for done, target in enumerate(args.targets, 1):
        found = await ctx.service.catalog.resolve(target)
        if isinstance(found, Playlist):
            tracks += found.tracks
        elif isinstance(found, Track):
            tracks.append(found)
        else:
            raise InvalidArgument(f"{target} is a {found.kind}: only tracks and playlists "
                                  "can be queued.", hint="Pass its tracks' URNs instead.")
        await ctx.progress(done, len(args.targets), f"resolved {done} of {len(args.targets)}")
    if not tracks:
        raise InvalidArgument("Nothing to add: the playlists given have no tracks.")
    added = await ctx.service.player.queue_add(tracks, next=args.next)
    return await _change(ctx, [e.id for e in added])


@dataclass(frozen=True, slots=True)
class QueueEntry:
    entry_id: int = arg("The entry's id, from queue_list.", minimum=1)


@tool(title="Remove from the queue", output=QueueChange, hints=LOCAL_DESTROY,
      render=render_change, changes=(QUEUE,),
      confirm=lambda args: f"Remove entry {args.entry_id} from the play queue?")
async def queue_remove(ctx: ToolContext, args: QueueEntry) -> QueueChange:
    """Remove one entry from the play queue (the track stays in the library). Destructive:
    the user is asked first. Local, no request."""
    await _entry(ctx, args.entry_id)
    await ctx.service.player.queue_remove(args.entry_id)
    return await _change(ctx, [])


@dataclass(frozen=True, slots=True)
class QueueMove:
    entry_id: int = arg("The entry's id, from queue_list.", minimum=1)
    by: int = arg("How many places to move it: negative moves it up (earlier), positive "
                  "down.", minimum=-10_000, maximum=10_000)


@tool(title="Move in the queue", output=QueueChange, hints=LOCAL_CHANGE, render=render_change,
      changes=(QUEUE,))
async def queue_move(ctx: ToolContext, args: QueueMove) -> QueueChange:
    """Move one queue entry up (by < 0) or down (by > 0); it stops at either end. Local,
    no request."""
    await _entry(ctx, args.entry_id)
    if args.by != 0:
        await ctx.service.player.queue_move(args.entry_id, args.by)
    return await _change(ctx, [args.entry_id])


@tool(title="Clear the queue", output=QueueChange, hints=LOCAL_DESTROY, render=render_change,
      changes=(QUEUE,), confirm=lambda args: "Remove every entry of the play queue?")
async def queue_clear(ctx: ToolContext, args: NoArgs) -> QueueChange:
    """Remove every entry of the play queue (the track playing plays on). Destructive: the
    user is asked first. Local, no request."""
    await ctx.service.player.queue_clear()
    return await _change(ctx, [])


@tool(title="Shuffle the queue", output=QueueChange, hints=LOCAL_CHANGE, render=render_change,
      changes=(QUEUE,))
async def queue_shuffle(ctx: ToolContext, args: NoArgs) -> QueueChange:
    """Shuffle the entries after the one playing (it and those before stay put). The old
    order is not kept. Local, no request."""
    await ctx.service.player.queue_shuffle()
    return await _change(ctx, [])


@dataclass(frozen=True, slots=True)
class Repeat:
    mode: Literal["off", "one", "all"] = arg(
        "off: stop at the end of the queue; one: repeat the track playing; all: start the "
        "queue over at its end.")


@tool(title="Set repeat", output=PlayerStatus, hints=LOCAL_SET, render=render_status)
async def queue_repeat(ctx: ToolContext, args: Repeat) -> PlayerStatus:
    """Set the queue's repeat mode (kept across restarts). Local, no request."""
    await ctx.service.player.set_repeat(args.mode)
    return await status(ctx)


TOOLS = (queue_list, play_history, queue_add, queue_remove, queue_move, queue_clear, queue_shuffle,
         queue_repeat)
