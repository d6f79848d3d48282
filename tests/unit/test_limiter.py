"""The per-host request window and host pause, on a virtual clock (no real sleeping)."""

from __future__ import annotations

import pytest

from minion_tui.net.limiter import HostLimiter, LimiterDeadline


class VirtualTime:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


async def _starts_within(limiter: HostLimiter, vt: VirtualTime, host: str, window: float) -> int:
    """Acquire back to back; count how many start inside ``window`` seconds."""
    start, count = vt.now, 0
    while True:
        await limiter.gate(host).acquire()
        if vt.now - start > window:
            return count
        count += 1


@pytest.mark.parametrize("rate", [1.0, 2.5, 15.0, 40.0])
async def test_rate_holds_over_two_seconds(vt: VirtualTime, rate: float) -> None:
    limiter = HostLimiter(rate, clock=vt.clock, sleep=vt.sleep)
    count = await _starts_within(limiter, vt, "api-v2.soundcloud.com", 2.0)
    # A window's worth starts at once, the next window's a second (and the guard) later.
    assert count == 2 * int(rate)


async def test_hosts_have_separate_buckets(vt: VirtualTime) -> None:
    limiter = HostLimiter(2.0, clock=vt.clock, sleep=vt.sleep, guard=0.0)
    for host in ("api-v2.soundcloud.com", "cf-hls-media.sndcdn.com"):
        await limiter.gate(host).acquire()
        await limiter.gate(host).acquire()
    assert vt.sleeps == []
    await limiter.gate("api-v2.soundcloud.com").acquire()
    assert vt.sleeps == pytest.approx([1.0])


async def test_unlimited_when_rate_is_zero(vt: VirtualTime) -> None:
    limiter = HostLimiter(0, clock=vt.clock, sleep=vt.sleep)
    for _ in range(1000):
        await limiter.gate("h").acquire()
    assert vt.sleeps == []


async def test_pause_holds_every_request_to_the_host(vt: VirtualTime) -> None:
    limiter = HostLimiter(100.0, clock=vt.clock, sleep=vt.sleep)
    limiter.gate("h").pause(7.0, status=429)
    limiter.gate("h").pause(2.0, status=503)  # a shorter pause never shortens a longer one
    await limiter.gate("h").acquire()
    await limiter.gate("other").acquire()
    assert vt.sleeps == pytest.approx([7.0])
    assert limiter.gate("h").paused_for() == 0.0


async def test_wait_past_the_deadline_raises_without_taking_a_token(vt: VirtualTime) -> None:
    limiter = HostLimiter(1.0, clock=vt.clock, sleep=vt.sleep, guard=0.0)
    gate = limiter.gate("h")
    await gate.acquire()
    with pytest.raises(LimiterDeadline) as info:
        await gate.acquire(deadline=vt.now + 0.5)
    assert info.value.paused_status is None
    assert info.value.wait == pytest.approx(1.0)
    assert vt.sleeps == []
    await gate.acquire(deadline=vt.now + 5)  # the failed call reserved nothing
    assert vt.sleeps == pytest.approx([1.0])


async def test_pause_past_the_deadline_names_the_status(vt: VirtualTime) -> None:
    limiter = HostLimiter(10.0, clock=vt.clock, sleep=vt.sleep)
    limiter.gate("h").pause(30.0, status=429)
    with pytest.raises(LimiterDeadline) as info:
        await limiter.gate("h").acquire(deadline=vt.now + 10)
    assert info.value.paused_status == 429
    assert info.value.host == "h"
    assert vt.sleeps == []


async def _window_counts(limiter: HostLimiter, vt: VirtualTime, host: str, n: int) -> int:
    """Acquire ``n`` times back to back; the most starts found in any 1 s window."""
    starts = []
    for _ in range(n):
        await limiter.gate(host).acquire()
        starts.append(vt.now)
    return max(sum(1 for s in starts if first <= s < first + 1.0) for first in starts)


@pytest.mark.parametrize("rate", [1.0, 2.5, 15.0, 40.0])
async def test_no_one_second_window_holds_more_than_the_rate(vt: VirtualTime, rate: float
                                                             ) -> None:
    """The limit is requests per second as the server counts them: a full bucket followed by
    its refill started 2x the rate in the first second (30 for a 15/s limit)."""
    limiter = HostLimiter(rate, clock=vt.clock, sleep=vt.sleep)
    assert await _window_counts(limiter, vt, "api-v2.soundcloud.com", int(rate * 4)) <= rate


async def test_a_full_window_starts_at_once_then_waits_for_its_oldest(vt: VirtualTime) -> None:
    limiter = HostLimiter(4.0, clock=vt.clock, sleep=vt.sleep, guard=0.0)
    for _ in range(6):
        await limiter.gate("h").acquire()
    assert vt.sleeps == pytest.approx([1.0])  # the 5th waits for the 1st to leave the window


async def test_a_start_woken_late_pushes_the_next_window_back(vt: VirtualTime) -> None:
    """A waiter woken late (the event loop was busy) starts later than reserved; the start a
    window after it must wait for a window after its real start, or the server counts three
    in a second at 2/s."""
    late = [0.5]

    async def oversleep(seconds: float) -> None:
        await vt.sleep(seconds + (late.pop() if late else 0.0))

    limiter = HostLimiter(2.0, clock=vt.clock, sleep=oversleep, guard=0.0)
    starts = []
    for _ in range(6):
        await limiter.gate("h").acquire()
        starts.append(vt.now)
    assert starts[2] == pytest.approx(1001.5)  # due at 1001.0, woken half a second late
    assert max(sum(1 for s in starts if first <= s < first + 1.0) for first in starts) <= 2
