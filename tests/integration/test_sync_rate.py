"""The per-host rate limit as the server sees it: a discovery sync of several artists (their
sources walked at once, pages of 200) against the emulator with a limit configured never
puts more than the limit's requests into the emulator's log within the window.

The emulator stamps each request as it arrives; a correct limiter starts the (N+1)th request
at least 1 s + guard after the first of any N, so arrivals are that far apart give or take
what the loop or the emulator lagged. The test counts in a 0.5 s window, so half a second of
lag (a loaded machine) still cannot make a correct limiter fail it, while a limiter that lets
a burst through (the slot taken before a connect, a retry let out of turn) puts 2N there."""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from pathlib import Path

from minion_tui import config
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service

LIMIT = 5.0  # requests per second
WINDOW = 0.5


def most_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


async def test_a_sync_never_sends_more_than_the_limit_within_the_window(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    settings = config.load_settings()
    settings = dataclasses.replace(settings, net=dataclasses.replace(settings.net,
                                                                     rate_limit=LIMIT))
    social = emulator.social
    artists = sorted(emulator.catalog.artists, key=lambda a: (-len(social.likes.get(a, [])), a))
    svc = Service.open(settings=settings, endpoints=emulator.endpoints, data_dir=tmp_path)
    try:
        await svc.discovery.follow([f"soundcloud:users:{a}" for a in artists[:8]])
        emulator.state.reset_counters()
        summary = await svc.discovery.sync()
    finally:
        await svc.aclose()
    times = list(emulator.state.api_times)
    assert len(times) == summary.requests >= 3 * LIMIT  # enough to fill several windows
    assert most_in_window(times, WINDOW) <= LIMIT
    # and it is the limiter that spaces them: every run of LIMIT + 1 spans most of a second
    ordered = sorted(times)
    assert min(b - a for a, b in zip(ordered, ordered[int(LIMIT):], strict=False)) > WINDOW
