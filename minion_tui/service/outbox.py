"""``service.outbox``: remote actions (likes, unlikes) kept in the database until the service
has them, sent in the order they were made, each under its own idempotency key
(docs/accounts.md §8; the table: store/outbox.py).

The sender is pluggable: ``register(provider, action, sender)`` says how an action is sent
(the write actions' like method, for ``sync_likes``), or ``drain(sender)`` is given one.
A sender is an async function of the :class:`~minion_tui.store.outbox.OutboxItem` (its
``target`` URN and ``idempotency_key``) that returns once the service accepted it, and raises
a MinionError otherwise.

Draining sends the oldest pending item first. A failure that may pass — offline, a timeout,
a 5xx, rate limited, a sign-in needed — leaves the item pending with its error and stops the
drain there, so a later item never overtakes it (order kept); the next drain tries it again.
A refusal retrying cannot change (the track is gone: 404, a 4xx) marks it ``failed`` and the
drain goes on. Nothing is dropped: a failed item stays listed with its error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minion_tui.errors import (
    AuthError,
    HTTPStatusError,
    InvalidArgument,
    MinionError,
    NetworkError,
    RateLimited,
    StoreError,
)

if TYPE_CHECKING:
    from minion_tui.service.core import Core
    from minion_tui.store.outbox import OutboxItem

log = logging.getLogger(__name__)

ACTIONS = ("like", "unlike")
Sender = Callable[["OutboxItem"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Drained:
    """What one drain did: items ``sent`` and ``failed`` for good, items still ``pending``
    after it, and why it stopped early (the error text), if it did."""

    sent: int
    failed: int
    pending: int
    stopped: str | None = None


class Outbox:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._senders: dict[tuple[str, str], Sender] = {}
        self._draining: asyncio.Task[None] | None = None
        self._again = False
        core.on_close(self.settle)

    def kick(self) -> None:
        """Drain in the background, on the running loop: now, or once the drain under way
        ends when one is (a rating made while it sends is not left behind). What cannot be
        sent stays pending for the next kick: the next rating, the next start of the app."""
        if self._draining is not None and not self._draining.done():
            self._again = True
            return
        self._draining = asyncio.get_running_loop().create_task(self._drain_in_background())

    async def settle(self) -> None:
        """Wait for the background drain, if one runs (the service's close: a command that
        rated a track ends after its like was sent, or kept for later)."""
        while self._draining is not None and not self._draining.done():
            await asyncio.shield(self._draining)

    async def _drain_in_background(self) -> None:
        while True:
            self._again = False
            try:
                done = await self.drain()
            except MinionError as exc:  # the store: the items wait in it for the next kick
                log.warning("the outbox could not be sent: %s", exc.text)
                return
            if done.stopped:
                log.info("outbox: %d sent, %d pending (%s)", done.sent, done.pending,
                         done.stopped)
            if not self._again:
                return

    def register(self, provider: str, action: str, sender: Sender) -> None:
        """Send ``action`` items of ``provider`` with ``sender`` when :meth:`drain` is given
        none."""
        self._senders[(provider, _action(action))] = sender

    async def enqueue(self, action: str, target: str) -> OutboxItem:
        """Queue ``action`` ("like", "unlike") on the track URN ``target`` (checked without a
        request); the item that is already the last one waiting for it, when it is the same
        action."""
        from minion_tui.providers.registry import provider_of_urn
        from minion_tui.store import outbox

        action = _action(action)
        if not isinstance(target, str) or not target.strip():
            raise InvalidArgument("No track was given to queue.",
                                  hint="Pass a track URN, e.g. soundcloud:tracks:123.")
        urn = self._core.checked_urn(target)
        provider = provider_of_urn(urn)
        store = await self._core.db()
        return await store.call(outbox.enqueue, store, provider, action, urn)

    async def items(self, state: str | None = None) -> list[OutboxItem]:
        """Every queued item (of ``state``: "pending", "done", "failed"), oldest first."""
        from minion_tui.store import outbox

        if state not in (None, outbox.PENDING, outbox.DONE, outbox.FAILED):
            raise InvalidArgument(f"No outbox state {state!r}.",
                                  hint="Use pending, done or failed.")
        store = await self._core.db()
        return await store.call(outbox.items, store, state=state)

    async def drain(self, sender: Sender | None = None) -> Drained:
        """Send the pending items, oldest first, until one fails for a reason that may pass
        (it stays pending, and so do the ones after it) or none is left."""
        from minion_tui.store import outbox

        store = await self._core.db()
        sent = failed = 0
        stopped: str | None = None
        after = 0
        while True:
            item = await store.call(outbox.next_pending, store, after)
            if item is None:
                break
            send = sender or self._senders.get((item.provider, item.action))
            if send is None:
                stopped = f"nothing sends {item.provider} {item.action}s yet"
                break
            await store.call(outbox.claim, store, item.id)
            try:
                await send(item)
            except MinionError as exc:
                if _passing(exc):
                    await store.call(outbox.finish, store, item.id, error=exc.text)
                    stopped = exc.text
                    break
                await store.call(outbox.finish, store, item.id, error=exc.text, failed=True)
                failed += 1
                after = item.id
                continue
            await store.call(outbox.finish, store, item.id)
            sent += 1
            after = item.id
        pending = len(await store.call(outbox.items, store, state=outbox.PENDING))
        return Drained(sent, failed, pending, stopped)


def _action(action: str) -> str:
    if action not in ACTIONS:
        raise InvalidArgument(f"No remote action {action!r} can be queued.",
                              hint=f"Use one of: {', '.join(ACTIONS)}.")
    return action


def _passing(exc: MinionError) -> bool:
    """Whether trying again later may succeed."""
    if isinstance(exc, HTTPStatusError):
        status = getattr(exc, "status", None)
        return not (isinstance(status, int) and 400 <= status < 500 and status not in (408,
                                                                                      429))
    return isinstance(exc, NetworkError | RateLimited | AuthError | StoreError)
