"""Waiting in Pilot tests for what the user would see, instead of sleeping a fixed time."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList


async def until(pilot: Pilot[None], ready: Callable[[], object], what: str,
                *, tries: int = 1200) -> None:
    """Let the app run until ``ready()`` is true (checked every 50 ms, up to ``tries`` times:
    a minute by default, which only a failing test ever waits)."""
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def listed_at_start(pilot: Pilot[None]) -> None:
    """Browse opens Trending at start: wait until it is listed, so that tracks a test puts in
    the list itself are not replaced by Trending's late pages."""
    def done() -> bool:
        status = str(pilot.app.query_one("#browse-status").render())
        return status.startswith("Trending — ") and "loading" not in status
    await until(pilot, done, "Trending listed at start")


async def open_trending(pilot: Pilot[None], *, rows: int = 1) -> TrackList:
    """Open Trending from Browse's source list as a user would (focus, highlight, enter) and
    wait for at least ``rows`` of it; the Browse track list."""
    app = pilot.app
    tracks = app.query_one("#browse-tracks", TrackList)
    sources = app.query_one("#source-list", SourceList)
    sources.focus()
    sources.highlight("trending")
    await pilot.press("enter")
    await until(pilot, lambda: len(tracks.tracks) >= rows, f"{rows} trending rows")
    return tracks
