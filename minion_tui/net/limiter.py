"""Per-host request windows, plus a host-wide pause for Retry-After.

A host allows ``rate`` requests per second as the server counts them: at most
``n = max(1, floor(rate))`` requests start in any window of ``max(1, n / rate)`` seconds (so
a 15/s limit is 15 starts in any second, and 0.5/s one start every 2 s). The first ``n``
start at once — the burst a page and its artwork need — and the next one waits until the
oldest of them leaves the window. A token bucket (its first version) let a full bucket
*and* a second of refill through in the first second: 30 requests where the server counts
15 (``bench/discovery.py`` measured it at the emulator).

The window is widened by ``guard`` (45 ms): a request is counted by the server when it
arrives, which is when it leaves here plus the event loop's stall at that moment and the
server's own; the guard keeps a late first request and an on-time sixteenth apart by a full
second. At 30 ms the emulator still saw 16 in one second of a 400-request sync on a busy
2-core machine (bench/discovery.py); at 45 ms, 15 — for 1.5 % more time at the limit.

A waiter *reserves* its start up front, so concurrent callers queue in arrival order
instead of waking together and stampeding.

A start is taken as late as the client can: on the connection, right before the request's
bytes are written (h1.py ``before_write``; before httpx sends, for what h1.py does not
carry), so a connect that took long, or a resend on a fresh connection, never lets the
requests behind it arrive closer together than the window (bench/discovery.py saw 18 in a
second at a limit of 15 while the start was taken before the connect).

A 429 (or a 503 with Retry-After) pauses the whole host: every request to it waits, not
only the one that was refused (docs/downloads.md §4.1 — "pause the whole pool,
don't let 8 workers each sleep-and-retry").

The clock and sleep are injectable so the unit tests can run on virtual time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class LimiterDeadline(Exception):
    """Waiting for a token (or for a host pause to end) would overrun the caller's deadline."""

    def __init__(self, host: str, wait: float, paused_status: int | None) -> None:
        self.host = host
        self.wait = wait
        # The HTTP status that paused the host (429, 503), or None when it is the rate itself.
        self.paused_status = paused_status
        super().__init__(f"{host}: would wait {wait:.1f} s")


@dataclass
class _Pause:
    until: float = 0.0
    status: int | None = None


#: Seconds added to each window (see the module docstring).
GUARD = 0.045
#: Starts remembered past a window's worth: callers that may still be waiting behind them.
_KEPT = 256


class HostGate:
    """The request window and the pause of one host."""

    def __init__(self, host: str, rate: float, *, clock: Clock, sleep: Sleep,
                 guard: float = GUARD) -> None:
        self.host = host
        self.rate = rate
        #: Requests that may start at once (and in any window).
        self.burst = float(max(1, math.floor(rate))) if rate > 0 and not math.isinf(rate) \
            else max(1.0, rate)
        self.window = max(1.0, self.burst / rate) + guard if rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        # The latest starts as [number, time] (reserved, then the time it really started),
        # oldest first; kept beyond `burst` for the callers still waiting behind them.
        self._starts: deque[list[float]] = deque(maxlen=int(self.burst) + _KEPT)
        self._seq = 0
        self._pause = _Pause()

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0 or math.isinf(self.rate)

    def pause(self, seconds: float, *, status: int | None = None) -> None:
        """Hold every request to this host for ``seconds`` (never shortens a longer pause)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._pause.until:
            self._pause = _Pause(until, status)

    def paused_for(self) -> float:
        return max(0.0, self._pause.until - self._clock())

    async def acquire(self, *, deadline: float | None = None) -> None:
        """Wait for the host's pause to end and for a start in the window. ``deadline`` is on
        this gate's clock; if the wait would overrun it, raise LimiterDeadline without
        reserving anything."""
        await self._wait_out_pause(deadline)
        if self.unlimited:
            return
        now = self._clock()
        earlier = self._started(self._seq - int(self.burst))
        start = now if earlier is None else max(now, earlier + self.window)
        if deadline is not None and start > deadline:
            raise LimiterDeadline(self.host, start - now, None)
        mine: list[float] = [self._seq, start]  # reserve now, so later callers queue behind us
        self._seq += 1
        self._starts.append(mine)
        while True:
            wait = mine[1] - self._clock()
            if wait > 0:
                await self._sleep(wait)
            # Woken late (the loop was busy)? Then this start is later than reserved, and so
            # may be the one a window before ours: measure from when it really started.
            now = self._clock()
            earlier = self._started(int(mine[0]) - int(self.burst))
            if earlier is None or earlier + self.window <= now + 1e-9:
                mine[1] = now
                break
            mine[1] = earlier + self.window
        # A 429 may have arrived while we waited for our turn; honour it too.
        await self._wait_out_pause(deadline)

    def _started(self, seq: int) -> float | None:
        """When start number ``seq`` started (or is reserved to); None: long enough ago."""
        if seq < 0 or not self._starts or seq < self._starts[0][0]:
            return None
        return self._starts[seq - int(self._starts[0][0])][1]

    async def _wait_out_pause(self, deadline: float | None) -> None:
        while (left := self.paused_for()) > 0:
            if deadline is not None and self._clock() + left > deadline:
                raise LimiterDeadline(self.host, left, self._pause.status)
            await self._sleep(left)


class HostLimiter:
    """One :class:`HostGate` per host, created on first use. ``rate <= 0`` means unlimited.
    ``rate_for`` (host -> rate) overrides ``rate`` per host, e.g. a higher budget for media
    CDNs than for APIs (:class:`minion_tui.net.hosts.RatePolicy`)."""

    def __init__(
        self,
        rate: float,
        *,
        rate_for: Callable[[str], float] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        guard: float = GUARD,
    ) -> None:
        self.rate = rate
        self._guard = guard
        self._rate_for = rate_for
        self._clock = clock
        self._sleep = sleep
        self._gates: dict[str, HostGate] = {}

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            rate = self.rate if self._rate_for is None else self._rate_for(host)
            gate = self._gates[host] = HostGate(host, rate, clock=self._clock, sleep=self._sleep,
                                                 guard=self._guard)
        return gate

    def now(self) -> float:
        return self._clock()
