"""The outbox: remote actions (a like, an unlike) waiting to be sent, durable and in order
(docs/accounts.md §8).

An action is queued with an idempotency key made when it is queued (a random UUID), and is
sent under that key however many times it is tried. Sending goes oldest first: an item is
*claimed* (``attempts`` + 1, committed) before it is sent, and marked ``done`` after the
service accepted it. Killed between the two, the item is still pending and is sent again
under the same key, and the service (which keeps an action per key, or — SoundCloud's likes —
is idempotent by nature: a liked track liked again stays liked once) does it once. An action
queued while the same action is the last one waiting on that target is that one (nothing is
doubled locally either); like, unlike, like stays three items, in order.

Plain functions taking the :class:`Store`; run them with ``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from minion_tui.store.records import utc_now
from minion_tui.store.store import Store

PENDING, DONE, FAILED = "pending", "done", "failed"
_COLUMNS = ("id, provider, action, target, idempotency_key, state, created_at, attempts, "
            "last_error, done_at")


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    provider: str
    action: str
    target: str
    idempotency_key: str
    state: str
    created_at: str
    attempts: int
    last_error: str | None
    done_at: str | None


def enqueue(store: Store, provider: str, action: str, target: str) -> OutboxItem:
    """Queue ``action`` on ``target``; the pending identical one when there is one."""
    with store.transaction(durable=True) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE provider = ? AND target = ?\n"
            "AND state = 'pending' ORDER BY id DESC LIMIT 1",
            (provider, target)).fetchone()
        if row is None or row[2] != action:
            cur = conn.execute(
                "INSERT INTO outbox (provider, action, target, idempotency_key, created_at)\n"
                "VALUES (?, ?, ?, ?, ?)",
                (provider, action, target, str(uuid.uuid4()), utc_now()))
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",
                               (cur.lastrowid,)).fetchone()
    return OutboxItem(*row)


def next_pending(store: Store, after: int = 0) -> OutboxItem | None:
    """The oldest pending item with an id above ``after``."""
    with store.snapshot() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND id > ?\n"
                           "ORDER BY id LIMIT 1", (after,)).fetchone()
    return OutboxItem(*row) if row else None


def claim(store: Store, item_id: int) -> None:
    """Count an attempt before it is made (so a kill mid-send still shows it)."""
    with store.transaction(durable=True) as conn:
        conn.execute("UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?\n"
                     "WHERE id = ?", (utc_now(), item_id))


def finish(store: Store, item_id: int, *, error: str | None = None,
           failed: bool = False) -> None:
    """The attempt's outcome: done (``error`` None), still pending with ``error`` (to retry),
    or ``failed`` for good (the service refuses it for a reason retrying cannot change)."""
    with store.transaction(durable=True) as conn:
        if error is None:
            conn.execute("UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL\n"
                         "WHERE id = ?", (utc_now(), item_id))
        else:
            conn.execute("UPDATE outbox SET state = ?, last_error = ? WHERE id = ?",
                         (FAILED if failed else PENDING, error[:500], item_id))


def items(store: Store, *, state: str | None = None) -> list[OutboxItem]:
    """Every item (of ``state``), oldest first."""
    with store.snapshot() as conn:
        if state is None:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY id").fetchall()
        else:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY id",
                                (state,)).fetchall()
    return [OutboxItem(*r) for r in rows]
