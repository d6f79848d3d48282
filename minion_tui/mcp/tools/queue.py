"""The play queue: list (and later in this module) add, remove, move, clear, shuffle,
repeat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.outputs import QueueItem
from minion_tui.mcp.tooling import LOCAL_READ, Listing, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT


def queue_line(q: dict[str, Any]) -> str:
    mark = "▶ " if q["current"] else ""
    track = render.track_line(q["track"]) if q["track"] else q["track_urn"]
    return f"{mark}#{q['id']} {track}"


async def items(ctx: ToolContext) -> list[QueueItem]:
    """The queue as the tools give it."""
    player = ctx.service.player
    current = await player.queue_current()
    return [QueueItem(id=e.id, position=e.position, origin=e.origin, current=e.id == current,
                      track_urn=e.track_urn, track=t)
            for e, t in await player.queue_tracks()]


@dataclass(frozen=True, slots=True)
class QueueList:
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="List the queue", output=Listing[QueueItem], hints=LOCAL_READ,
      render=lambda r: render.listing(r, queue_line))
async def queue_list(ctx: ToolContext, args: QueueList) -> Listing[QueueItem]:
    """The play queue in order: each entry's id (for queue_remove, queue_move), its track,
    and which one is playing. Reads local state only, no request; the queue is kept across
    restarts. Page through a long queue with next_cursor."""
    async def whole() -> AsyncIterator[list[QueueItem]]:  # read when no cursor is given
        yield await items(ctx)

    return await ctx.page(args.cursor, args.limit, whole)


TOOLS = (queue_list,)
