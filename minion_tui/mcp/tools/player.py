"""The player: what plays, and (later in this module) play, pause, seek, next, volume."""

from __future__ import annotations

from typing import Any

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.outputs import PlayerStatus
from minion_tui.mcp.tooling import LOCAL_READ, NoArgs, tool


def render_status(s: dict[str, Any]) -> str:
    if s["track"] is None:
        return f"{s['state']}: nothing loaded (repeat {s['repeat']})"
    at = f" at {s['position']:.0f}/{(s['duration'] or 0):.0f} s" if s["position"] else ""
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


TOOLS = (now_playing,)
