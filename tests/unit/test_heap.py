"""tui/heap.py: the heap is frozen out of the collector's sight, and cyclic garbage frozen
meanwhile is still freed by the compaction (issue 14: no GC pause stalls a key)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from minion_tui.tui.heap import COMPACT_EVERY, FREEZE_EVERY, QUIET_FOR, HeapKeeper


class Node:
    """An object in a reference cycle: only the cyclic GC can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_tick_moves_what_is_alive_where_full_collections_do_not_walk() -> None:
    now = [0.0]
    keeper = HeapKeeper(clock=lambda: now[0])
    alive = [{"row": i} for i in range(2000)]
    walked = len(gc.get_objects())
    now[0] += FREEZE_EVERY
    keeper.tick()
    assert gc.get_freeze_count() >= len(alive)
    assert len(gc.get_objects()) <= walked - len(alive)


def _frozen_garbage() -> tuple[list[float], HeapKeeper, weakref.ref[Node]]:
    """A keeper on a clock the test moves (``now[0]``), and a reference to a cycle that became
    garbage just after the keeper froze the heap."""
    now = [0.0]
    keeper = HeapKeeper(clock=lambda: now[0])
    node = Node()
    gone = weakref.ref(node)
    keeper.freeze()
    del node
    return now, keeper, gone


def test_cyclic_garbage_frozen_meanwhile_is_freed_when_the_compaction_is_due() -> None:
    now, keeper, gone = _frozen_garbage()
    gc.collect()
    assert gone() is not None  # frozen: the collector does not see the cycle
    now[0] += FREEZE_EVERY
    keeper.tick()  # a freeze, the compaction is not due yet
    assert gone() is not None
    now[0] += COMPACT_EVERY
    keeper.tick()
    assert gone() is None
    assert gc.get_freeze_count() > 0  # what is still alive is frozen again


def test_the_compaction_waits_for_a_moment_without_keys() -> None:
    now, keeper, gone = _frozen_garbage()
    now[0] += COMPACT_EVERY
    keeper.touched()  # a key just now: the full pause would stall it
    keeper.tick()
    assert gone() is not None
    now[0] += QUIET_FOR
    keeper.tick()
    assert gone() is None
