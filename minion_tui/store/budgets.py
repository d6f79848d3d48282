"""Counting requests against a service's published limits (docs/accounts.md §7).

A spend is one row ``(budget, owner, at)``; a budget is a rolling window: what counts is the
spends of the last ``window`` seconds. :func:`spend` checks and records in one write
transaction (``BEGIN IMMEDIATE``), so two processes of the same user never both take the
last request of a window, and the counts of every process add up. Rows past the window are
deleted as spends come in, so the table stays near the limits' sizes (15,000 rows at most for
the stream budget).

Plain functions taking the :class:`Store`; run them with ``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from minion_tui.store.store import Store


@dataclass(frozen=True, slots=True)
class Limit:
    """A published limit: ``count`` requests per ``window`` seconds."""

    budget: str
    count: int
    window: float


@dataclass(frozen=True, slots=True)
class Use:
    """Where a budget stands for one owner. ``resets_at`` (epoch seconds) is when the oldest
    counted spend leaves the window (None when nothing is counted); ``refused``: the spend
    asked for was not recorded because the budget was used up."""

    limit: Limit
    used: int
    resets_at: float | None
    refused: bool = False

    @property
    def share(self) -> float:
        return self.used / self.limit.count if self.limit.count else 1.0


def spend(store: Store, limits: Sequence[tuple[Limit, str]], now: float) -> list[Use]:
    """Record one request against every (limit, owner) in ``limits`` — or against none, when
    one of them is used up (then every returned Use is as it was, and the full ones are
    ``refused``)."""
    with store.transaction() as conn:
        uses = [_use(conn, limit, owner, now) for limit, owner in limits]
        if any(u.used >= u.limit.count for u in uses):
            return [Use(u.limit, u.used, u.resets_at, refused=u.used >= u.limit.count)
                    for u in uses]
        conn.executemany("INSERT INTO budget_spends (budget, owner, at) VALUES (?, ?, ?)",
                         [(limit.budget, owner, now) for limit, owner in limits])
        return [Use(u.limit, u.used + 1, u.resets_at if u.resets_at is not None
                    else now + u.limit.window) for u in uses]


def _use(conn: sqlite3.Connection, limit: Limit, owner: str, now: float) -> Use:
    conn.execute("DELETE FROM budget_spends WHERE budget = ? AND owner = ? AND at <= ?",
                 (limit.budget, owner, now - limit.window))
    used, oldest = conn.execute(
        "SELECT count(*), min(at) FROM budget_spends WHERE budget = ? AND owner = ?",
        (limit.budget, owner)).fetchone()
    return Use(limit, int(used), float(oldest) + limit.window if oldest is not None else None)


def usage(store: Store, limits: Sequence[tuple[Limit, str]], now: float) -> list[Use]:
    """Where each budget stands, without spending (a read: works on a read-only store)."""
    found: list[Use] = []
    with store.snapshot() as conn:
        for limit, owner in limits:
            used, oldest = conn.execute(
                "SELECT count(*), min(at) FROM budget_spends\n"
                "WHERE budget = ? AND owner = ? AND at > ?",
                (limit.budget, owner, now - limit.window)).fetchone()
            found.append(Use(limit, int(used),
                             float(oldest) + limit.window if oldest is not None else None))
    return found
