"""Download jobs: the persisted record of each track's download, and the live controls.

A job row (store/downloads.py) outlives the process: a crash or SIGKILL leaves it 'queued' or
'running', and ``Service.resume_downloads`` runs it again from the segment journal. Pause and
cancel act on the asyncio task that runs a job in *this* process (:class:`JobControl`); the
task turns the request into the job's final state (paused keeps the journal, cancelled
removes every partial file).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

JOB_STATES = ("queued", "running", "paused", "done", "failed", "cancelled", "skipped")
#: States a crash can leave behind; resume_downloads picks these up.
UNFINISHED = ("queued", "running")
#: States retry_download accepts.
RETRYABLE = ("failed", "paused", "cancelled")


@dataclass(frozen=True)
class JobPlan:
    """What running a job again needs besides the track: where, how named, which set.
    ``playlist`` is the set's folder (its title, or "Title (2)" … when another set of that
    title has the name), ``index`` the track's place in it of ``total``, ``album`` the set's
    title and ``album_artist`` its owner."""

    directory: str
    template: str = ""
    format: str = "best"
    playlist: str = ""
    index: int = 0
    album: str = ""
    total: int = 0
    album_artist: str = ""


class JobControl:
    """The tasks running jobs in this process, so pause/cancel can reach them."""

    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[Any]] = {}
        self._requests: dict[int, str] = {}

    def attach(self, job_id: int, task: asyncio.Task[Any]) -> None:
        self._tasks[job_id] = task
        self._requests.pop(job_id, None)

    def detach(self, job_id: int, task: asyncio.Task[Any]) -> None:
        # Only this task's entry: a retry may already have attached the job's next run.
        if self._tasks.get(job_id) is task:
            del self._tasks[job_id]

    def task(self, job_id: int) -> asyncio.Task[Any] | None:
        return self._tasks.get(job_id)

    def running(self, job_id: int) -> bool:
        task = self._tasks.get(job_id)
        return task is not None and not task.done()

    def stop(self, job_id: int, state: str) -> bool:
        """Ask the job's task to stop as ``state``; False when it runs nowhere here."""
        task = self._tasks.get(job_id)
        if task is None or task.done():
            return False
        self._requests[job_id] = state
        task.cancel()
        return True

    def requested(self, job_id: int) -> str | None:
        """Why the job's task was cancelled: 'paused'/'cancelled', None for a shutdown."""
        return self._requests.pop(job_id, None)


class Meter:
    """Smoothed speed (bytes/s) and ETA for one job's progress events.

    An exponentially weighted rate over samples at least 0.25 s apart, so bursts of small
    segments do not make the figure jump; the ETA divides what is left by that rate.
    """

    ALPHA = 0.3

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self._last: tuple[float, int] | None = None
        self.speed: float | None = None

    def update(self, done: int) -> float | None:
        now = self.clock()
        if self._last is None:
            # The first event is a baseline, not a rate: before it come the playlist, the key
            # and the connection set-up, and with HLS it is often only the tiny init segment.
            # Dividing it by the time since the start said "264 B/s, 153 h left" for a mix.
            self._last = (now, done)
            return None
        last_t, last_bytes = self._last
        elapsed = now - last_t
        if elapsed >= 0.25:
            rate = (done - last_bytes) / elapsed
            self.speed = rate if self.speed is None else (
                self.ALPHA * rate + (1 - self.ALPHA) * self.speed)
            self._last = (now, done)
        return self.speed

    def eta(self, done: int, total: int | None) -> float | None:
        if total is None or not self.speed or self.speed <= 0:
            return None
        return max(0.0, (total - done) / self.speed)
