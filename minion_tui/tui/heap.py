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
:meth:`HeapKeeper.compact` thaws everything and collects it once, so that waiting is bounded.
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


class HeapKeeper:
    """Freezes the heap after the first frame and then every :data:`FREEZE_EVERY` seconds;
    compacts it every :data:`COMPACT_EVERY` seconds."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._compacted_at = self._clock()

    def start(self, app: App[Any]) -> None:
        """Freeze now (call it once the first frame is out) and keep freezing on a timer."""
        self.freeze()
        app.set_interval(FREEZE_EVERY, self.tick, name="heap-freeze")

    def freeze(self) -> None:
        gc.freeze()

    def tick(self) -> None:
        """The timer: a freeze, or the compaction when it is due."""
        if self._clock() - self._compacted_at >= COMPACT_EVERY:
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
