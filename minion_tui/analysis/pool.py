"""The worker processes the analysis runs in: CPU-bound numpy and PyAV work never shares the
UI's interpreter (the GIL), and several files are measured at once, up to the core count.

Only a path (or a temporary file's path) goes to a worker and a dict of a few hundred bytes
comes back, so the parent's share of a batch is the pickling of those: the event loop stays
free (bench/analysis.py measures its lateness during a batch of 50). Workers run at a lower
priority (nice 10): with every core measuring, the UI's process still gets a core the moment
it wakes (without it the loop was 150 ms late at worst during a batch on 2 cores).

Workers come from the ``forkserver`` start method on Linux (the server imports numpy and PyAV
once; each worker is a fork of it, with none of the parent's threads), ``spawn`` elsewhere.
Starting either needs multiprocessing's resource tracker, which is handed the parent's
``sys.stderr.fileno()``: inside Textual ``sys.stderr`` is the app's print capture and its
fileno() is -1, which fails as "bad value(s) in fds_to_keep". While the pool starts its
helpers, ``sys.stderr`` is the real stderr (or /dev/null when there is none).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from minion_tui.errors import MinionError

T = TypeVar("T")

_START_LOCK = threading.Lock()


def _usable(stream: Any) -> bool:
    try:
        return stream is not None and stream.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        return False


@contextlib.contextmanager
def real_stderr() -> Iterator[None]:
    """``sys.stderr`` with a real file descriptor for the duration (see the module's note)."""
    if _usable(sys.stderr):
        yield
        return
    saved = sys.stderr
    devnull = None
    if _usable(sys.__stderr__):
        sys.stderr = sys.__stderr__
    else:
        devnull = open(os.devnull, "w")
        sys.stderr = devnull
    try:
        yield
    finally:
        sys.stderr = saved
        if devnull is not None:
            devnull.close()


def _context() -> Any:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["minion_tui.analysis.measure"])
        return ctx
    return multiprocessing.get_context("spawn")


#: The workers' niceness: with every core busy measuring, the process the user is looking at
#: (the TUI's event loop) must still get a core the moment it wakes.
WORKER_NICENESS = 10


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)


def worker_count(configured: int) -> int:
    """``configured`` workers, or one per core the process may use when 0."""
    if configured > 0:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class AnalysisPool:
    """A process pool started on first use; :meth:`run` awaits one call in a worker."""

    def __init__(self, workers: int) -> None:
        self.workers = worker_count(workers)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with _START_LOCK:
            if self._executor is None:
                with real_stderr():
                    from multiprocessing import resource_tracker

                    resource_tracker.ensure_running()
                    self._executor = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                                         initializer=_lower_priority)
            return self._executor

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process. A worker that died (killed, out of memory)
        costs that call a MinionError and a fresh pool for the next."""
        loop = asyncio.get_running_loop()
        pool = self._pool()
        try:
            with real_stderr():  # a submit may start a worker, and with it the tracker
                future = loop.run_in_executor(pool, fn, *args)
            return await future
        except BrokenProcessPool as exc:
            with _START_LOCK:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise MinionError("The analysis worker process stopped unexpectedly.",
                              hint="Try again; if it keeps happening, lower "
                              "analysis.workers or analysis.max_seconds.") from exc

    def close(self) -> None:
        with _START_LOCK:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
