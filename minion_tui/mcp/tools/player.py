"""The player: what plays, play, pause, resume, toggle, seek, next, previous, volume. Playback
is this machine's (libmpv): without it these tools fail with player_unavailable and say what
to install; now_playing works regardless."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.outputs import PlayerStatus
from minion_tui.mcp.tooling import LOCAL_CHANGE, LOCAL_READ, LOCAL_SET, Hints, NoArgs, arg, tool
from minion_tui.mcp.uris import NOW_PLAYING, QUEUE

#: Plays a track fetched from a service: requests (a stream), not idempotent (history).
PLAYING = Hints(read_only=False, destructive=False, idempotent=False, open_world=True)

_CHANGES = (NOW_PLAYING,)


def render_status(s: dict[str, Any]) -> str:
    if s["track"] is None:
        return f"{s['state']}: nothing loaded (repeat {s['repeat']})"
    at = (f" at {s['position']:.0f}/{(s['duration'] or 0):.0f} s"
          if s["position"] is not None else "")
    return f"{s['state']}{at}: {render.track_line(s['track'])}"


async def status(ctx: ToolContext) -> PlayerStatus:
    """The player's status now (nothing is started for it)."""
    player = ctx.service.player
    now, state = player.now_playing()
    repeat = await player.repeat_mode()
    if state is None:
        return PlayerStatus(state="idle", track=None, position=None, duration=None,
                            volume=None, muted=False, queue_entry_id=None, repeat=repeat)
    return PlayerStatus(
        state=state.state, track=now.track if now else None,
        position=round(state.position, 3) if now else None, duration=state.duration,
        volume=state.volume, muted=state.muted,
        queue_entry_id=now.queue_entry_id if now else None, repeat=repeat)


@tool(title="Now playing", output=PlayerStatus, hints=LOCAL_READ, render=render_status)
async def now_playing(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """What the player is doing: the track loaded, playing or paused, the position and
    length in seconds, the volume and the repeat mode. Reads local state only: no request,
    call it as often as needed (or subscribe to minion://now-playing)."""
    return await status(ctx)


@dataclass(frozen=True, slots=True)
class Play:
    target: str | None = arg(
        "The track to play now: its URL or URN (from search_tracks, resolve_url…). Leave "
        "it out to play the queue (from entry_id, or its first entry).", default=None,
        nonblank=True)
    entry_id: int | None = arg("Play the queue from this entry (an id from queue_list).",
                               default=None, minimum=1)
    start: float = arg("Where to start, in seconds.", default=0.0, minimum=0,
                       maximum=86_400)


@tool(title="Play", output=PlayerStatus, hints=PLAYING, render=render_status,
      changes=(NOW_PLAYING, QUEUE))
async def play(ctx: ToolContext, args: Play) -> PlayerStatus:
    """Play a track now on this machine's speakers (its URL or URN), or the queue from an
    entry. The track is added to the play history. Costs one or two requests (the track
    if not known yet, its stream: SoundCloud counts streams against its rate limit)."""
    player = ctx.service.player
    if args.target is not None and args.entry_id is not None:
        raise InvalidArgument("play takes a target or an entry_id, not both.",
                              hint="Pass target to play a track now, entry_id to play the "
                              "queue from an entry.")
    if args.target is not None:
        await player.play(args.target, start=args.start)
    else:
        entries = await player.queue()
        if args.entry_id is not None and args.entry_id not in {e.id for e in entries}:
            raise InvalidArgument(f"The queue has no entry {args.entry_id}.",
                                  hint="queue_list gives the entries' ids.")
        if not entries:
            raise InvalidArgument("The queue is empty: there is nothing to play.",
                                  hint="Pass a target, or add tracks with queue_add first.")
        if await player.play_queue(args.entry_id) is None:
            raise InvalidArgument("No track of the queue from there on can be played.",
                                  hint="now_playing and the queue's tracks' availability "
                                  "say why; play another track.")
    return await status(ctx)


@tool(title="Pause", output=PlayerStatus, hints=LOCAL_SET, render=render_status,
      changes=_CHANGES)
async def pause(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """Pause playback (nothing happens when already paused or idle). Local, no request."""
    await ctx.service.player.pause()
    return dataclasses.replace(await status(ctx), state=_paused(ctx, "paused"))


@tool(title="Resume", output=PlayerStatus, hints=LOCAL_SET, render=render_status,
      changes=_CHANGES)
async def resume(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """Resume paused playback. Local, no request (use play to start something)."""
    await ctx.service.player.resume()
    return dataclasses.replace(await status(ctx), state=_paused(ctx, "playing"))


@tool(title="Play or pause", output=PlayerStatus, hints=LOCAL_CHANGE, render=render_status,
      changes=(NOW_PLAYING, QUEUE))
async def toggle_pause(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """Pause if playing, play if paused; before anything played in this session, resume the
    queue where the last session stopped. Local (a stream request when it resumes)."""
    await ctx.service.player.toggle_pause()
    return await status(ctx)


def _paused(ctx: ToolContext, wanted: str) -> str:
    """The state a pause or resume leads to, as mpv applies it at once (its own report of
    the change comes a moment later)."""
    now, state = ctx.service.player.now_playing()
    if state is None or now is None or state.state in ("idle", "ended"):
        return state.state if state is not None else "idle"
    return wanted


@dataclass(frozen=True, slots=True)
class Seek:
    seconds: float = arg("The position to go to, in seconds from the start (or, with "
                         "relative, how far to move: negative goes back).",
                         minimum=-86_400, maximum=86_400)
    relative: bool = arg("Move by seconds from the current position instead.",
                         default=False)


@tool(title="Seek", output=PlayerStatus, hints=LOCAL_SET, render=render_status,
      changes=_CHANGES)
async def seek(ctx: ToolContext, args: Seek) -> PlayerStatus:
    """Move the playback position of the track playing. Local, no request (mpv may read
    more of the stream)."""
    if args.seconds < 0 and not args.relative:
        raise InvalidArgument("seek: 'seconds' must be 0 or more unless relative is true.")
    await ctx.service.player.seek(args.seconds, relative=args.relative)
    return await status(ctx)


@tool(title="Next track", output=PlayerStatus, hints=PLAYING, render=render_status,
      changes=(NOW_PLAYING, QUEUE))
async def next_track(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """Play the next entry of the queue (unplayable ones are skipped). One or two requests
    (the stream)."""
    await ctx.service.player.next_track()
    return await status(ctx)


@tool(title="Previous track", output=PlayerStatus, hints=PLAYING, render=render_status,
      changes=(NOW_PLAYING, QUEUE))
async def previous_track(ctx: ToolContext, args: NoArgs) -> PlayerStatus:
    """Play the previous entry of the queue. One or two requests (the stream)."""
    await ctx.service.player.previous_track()
    return await status(ctx)


@dataclass(frozen=True, slots=True)
class Volume:
    volume: float = arg("The volume, 0 (silent) to 100 (full).", minimum=0, maximum=100)


@tool(title="Set the volume", output=PlayerStatus, hints=LOCAL_SET, render=render_status,
      changes=_CHANGES)
async def set_volume(ctx: ToolContext, args: Volume) -> PlayerStatus:
    """Set the player's volume (kept for the next session). Local, no request."""
    await ctx.service.player.set_volume(args.volume)
    return dataclasses.replace(await status(ctx), volume=float(args.volume))


TOOLS = (now_playing, play, pause, resume, toggle_pause, seek, next_track, previous_track,
         set_volume)
