"""Keeping the cyclic GC's full collections short, so that none stalls a key.

A full collection walks every object the collector tracks; in the app that is mostly what
Textual keeps for painting (every rendered ``Strip`` carries seven small caches) and the
listings' tracks. bench/playback.py saw full collections of 50-70 thousand objects take
48-67 ms of the loop during a ``j`` or an ``enter`` on a loaded machine (issue 14's budget is
50 ms per key). ``gc.freeze()`` moves everything alive into a generation the collector never
walks, and costs nothing (it joins two lists), as CPython's docs suggest for long-lived
heaps: done after the first frame and then every few seconds, a full collection only walks
what the last few seconds allocated.

Frozen objects are still freed by reference counting; only cyclic garbage among them (a
widget removed after it was frozen: a toast, a details panel's rows) waits. Once in a while
:meth:`HeapKeeper.compact` thaws everything and collects it once, so that waiting is bounded:
every ten minutes, at a moment with no key or click for a few seconds (it is one full pause,
110-130 ms in bench/playback.py's process, where ~400 unreachable objects had piled up per
second of playing).
"""

from __future__ import annotations

import gc
import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

log = logging.getLogger(__name__)

#: Seconds between freezes: what a full collection walks is at most this old.
FREEZE_EVERY = 5.0
#: Seconds between thawing and collecting everything (cyclic garbage frozen meanwhile).
COMPACT_EVERY = 600.0
#: The compaction waits for this many seconds without input (a key, a click).
QUIET_FOR = 3.0


class HeapKeeper:
    """Freezes the heap after the first frame and then every :data:`FREEZE_EVERY` seconds;
    compacts it every :data:`COMPACT_EVERY` seconds."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._compacted_at = self._clock()
        self._input_at = float("-inf")

    def start(self, app: App[Any]) -> None:
        """Freeze now (call it once the first frame is out) and keep freezing on a timer."""
        self.freeze()
        app.set_interval(FREEZE_EVERY, self.tick, name="heap-freeze")

    def freeze(self) -> None:
        gc.freeze()

    def touched(self) -> None:
        """The user pressed a key or clicked: no compaction for :data:`QUIET_FOR` seconds."""
        self._input_at = self._clock()

    def tick(self) -> None:
        """The timer: a freeze, or the compaction when it is due and the user is not busy."""
        now = self._clock()
        if now - self._compacted_at >= COMPACT_EVERY and now - self._input_at >= QUIET_FOR:
            self.compact()
        else:
            self.freeze()

    def compact(self) -> int:
        """Thaw everything, collect once (frees the cyclic garbage frozen since the last
        time), freeze what is left. One full pause every ten minutes instead of one every
        few keys. Returns what the collection found unreachable."""
        began = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self._compacted_at = self._clock()
        log.debug("heap compacted: %d unreachable, %.1f ms", found,
                  (time.perf_counter() - began) * 1000)
        return found
