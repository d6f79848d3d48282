"""Per-host token buckets, plus a host-wide pause for Retry-After.

A bucket holds at most ``burst`` tokens and refills at ``rate`` tokens/s; each request takes
one. Over any window of T seconds at most ``burst + rate * T`` requests start. A waiter
*reserves* its token up front (the level may go negative), so concurrent callers queue in
arrival order instead of waking together and stampeding.

A 429 (or a 503 with Retry-After) pauses the whole host: every request to it waits, not
only the one that was refused (docs/downloads.md §4.1 — "pause the whole pool,
don't let 8 workers each sleep-and-retry").

The clock and sleep are injectable so the unit tests can run on virtual time.
"""

from __future__ import annotations

import asyncio
import math
import time
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


class HostGate:
    """The token bucket and the pause of one host."""

    def __init__(self, host: str, rate: float, *, clock: Clock, sleep: Sleep) -> None:
        self.host = host
        self.rate = rate
        self.burst = max(1.0, rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
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
        """Wait for the host's pause to end and for a token. ``deadline`` is on this gate's
        clock; if the wait would overrun it, raise LimiterDeadline without taking a token."""
        await self._wait_out_pause(deadline)
        if self.unlimited:
            return
        now = self._clock()
        self._refill(now)
        wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
        if deadline is not None and now + wait > deadline:
            raise LimiterDeadline(self.host, wait, None)
        self._tokens -= 1  # reserve now, so later callers queue behind us
        if wait > 0:
            await self._sleep(wait)
        # A 429 may have arrived while we waited for the token; honour it too.
        await self._wait_out_pause(deadline)

    async def _wait_out_pause(self, deadline: float | None) -> None:
        while (left := self.paused_for()) > 0:
            if deadline is not None and self._clock() + left > deadline:
                raise LimiterDeadline(self.host, left, self._pause.status)
            await self._sleep(left)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)


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
    ) -> None:
        self.rate = rate
        self._rate_for = rate_for
        self._clock = clock
        self._sleep = sleep
        self._gates: dict[str, HostGate] = {}

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            rate = self.rate if self._rate_for is None else self._rate_for(host)
            gate = self._gates[host] = HostGate(host, rate, clock=self._clock, sleep=self._sleep)
        return gate

    def now(self) -> float:
        return self._clock()
