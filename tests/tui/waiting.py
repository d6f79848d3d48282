"""Waiting in Pilot tests for what the user would see, instead of sleeping a fixed time."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot


async def until(pilot: Pilot[None], ready: Callable[[], object], what: str,
                *, tries: int = 1200) -> None:
    """Let the app run until ``ready()`` is true (checked every 50 ms, up to ``tries`` times:
    a minute by default, which only a failing test ever waits)."""
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")
