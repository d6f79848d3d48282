"""What a tool's handler is given: :class:`ToolContext` — the service, progress, confirmation
and the cursors of list tools (:class:`Cursors`).

Cursors are opaque: a list tool's ``next_cursor`` is a random token (``secrets``, 128 bits)
naming the listing's state kept here, in the server process: the live iterator over the
service's pages (whose next-page URLs carry client ids and never leave the process) and the
items read past the page given. A token is good once (the next page gets a new one), for
:data:`CURSOR_TTL` seconds, for the tool that made it; the oldest are forgotten past
:data:`MAX_CURSORS`.

Cancellation needs nothing of a handler: ``notifications/cancelled`` cancels the task running
it, so the service call it awaits is cancelled where it is (a request, a store call).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from minion_tui.errors import InvalidArgument, MinionError
from minion_tui.mcp.tooling import Listing

if TYPE_CHECKING:
    from minion_tui.service import Service

T = TypeVar("T")

#: Seconds a cursor stays good after it was made or last used.
CURSOR_TTL = 1800.0
#: Listings kept open at once (each holds one page of items at most).
MAX_CURSORS = 256


class ConfirmationRequired(InvalidArgument):
    """A destructive tool called without the user's agreement: nothing was changed."""


@dataclass(eq=False)
class _Open:
    tool: str
    pages: AsyncIterator[Any]
    buffer: list[Any]
    convert: Callable[[Any], Any]
    used: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Cursors:
    """The open listings of one server, keyed by opaque tokens."""

    def __init__(self, *, ttl: float = CURSOR_TTL, size: int = MAX_CURSORS) -> None:
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self._ttl = ttl
        self._size = size

    async def page(self, tool: str, cursor: str | None, limit: int,
                   start: Callable[[], AsyncIterable[Any]],
                   convert: Callable[[Any], T] = lambda item: item) -> Listing[T]:
        """The next ``limit`` items of a listing: a new one (``cursor`` None: ``start()``
        gives its pages — the service's ``Page`` objects or plain sequences) or the one
        ``cursor`` names. ``convert`` turns an item into what the page lists."""
        if cursor is None:
            entry = _Open(tool, aiter(start()), [], convert, time.monotonic())
        else:
            entry = self._take(tool, cursor)
        async with entry.lock:
            items = entry.buffer[:limit]
            del entry.buffer[:limit]
            ended = False
            while len(items) < limit:
                try:
                    page = await anext(entry.pages)
                except StopAsyncIteration:
                    ended = True
                    break
                got = list(getattr(page, "items", page))
                room = limit - len(items)
                items += got[:room]
                entry.buffer += got[room:]
            if not ended and not entry.buffer:
                ended = await self._at_end(entry)
            # Each page gets a new token and the one passed is spent: a cursor used twice
            # is refused, never silently answered with a later page.
            if cursor is not None:
                self._open.pop(cursor, None)
            token = None
            if not ended:
                token = secrets.token_urlsafe(16)
                entry.used = time.monotonic()
                self._keep(token, entry)
        if ended:
            await _close(entry.pages)
        return Listing(items=[entry.convert(i) for i in items], next_cursor=token)

    async def _at_end(self, entry: _Open) -> bool:
        """Whether the listing has nothing after what was read: reads the next page into the
        buffer (so a last page says null, not a cursor to an empty page)."""
        while True:
            try:
                page = await anext(entry.pages)
            except StopAsyncIteration:
                return True
            got = list(getattr(page, "items", page))
            if got:
                entry.buffer += got
                return False

    def _take(self, tool: str, cursor: str) -> _Open:
        self._expire()
        entry = self._open.get(cursor)
        if entry is None:
            raise InvalidArgument(
                "This cursor is unknown, used already or expired (each is good once, for "
                f"{CURSOR_TTL / 60:.0f} minutes, in this server process).",
                hint="Call the tool again without 'cursor' to start the listing over.")
        if entry.tool != tool:
            raise InvalidArgument(
                f"This cursor belongs to {entry.tool}, not to {tool}.",
                hint=f"Pass it back to {entry.tool}, or call {tool} without 'cursor'.")
        return entry

    def _keep(self, token: str, entry: _Open) -> None:
        self._open[token] = entry
        self._open.move_to_end(token)
        while len(self._open) > self._size:
            _, old = self._open.popitem(last=False)
            _close_soon(old.pages)

    def _expire(self) -> None:
        now = time.monotonic()
        for token, entry in list(self._open.items()):
            if now - entry.used > self._ttl and not entry.lock.locked():
                del self._open[token]
                _close_soon(entry.pages)

    async def aclose(self) -> None:
        open_, self._open = list(self._open.values()), OrderedDict()
        for entry in open_:
            await _close(entry.pages)


async def _close(pages: AsyncIterator[Any]) -> None:
    closer = getattr(pages, "aclose", None)
    if closer is not None:
        try:
            await closer()
        except (MinionError, RuntimeError):  # closing a listing never fails a call
            pass


def _close_soon(pages: AsyncIterator[Any]) -> None:
    try:
        asyncio.get_running_loop().create_task(_close(pages))
    except RuntimeError:
        pass


async def pages_of(items: Sequence[T]) -> AsyncIterator[Sequence[T]]:
    """A list already in hand as the pages :meth:`Cursors.page` reads (one page)."""
    yield items


class ToolContext:
    """What a handler may use: ``service``, ``cursors`` (list tools), :meth:`progress`
    (long work) and, for the framework, the confirmation of destructive tools."""

    def __init__(self, service: Service, cursors: Cursors, tool: str, *,
                 progress: Callable[[float, float | None, str | None], Any] | None = None,
                 ask: Callable[[str], Any] | None = None) -> None:
        self.service = service
        self.cursors = cursors
        self.tool = tool
        self._progress = progress
        self._ask = ask

    async def progress(self, done: float, total: float | None = None,
                       message: str | None = None) -> None:
        """Report progress (``notifications/progress`` with the request's progressToken;
        nothing when the client gave none)."""
        if self._progress is not None:
            await self._progress(done, total, message)

    async def page(self, cursor: str | None, limit: int,
                   start: Callable[[], AsyncIterable[Any]],
                   convert: Callable[[Any], T] = lambda item: item) -> Listing[T]:
        """This tool's page of a listing (see :meth:`Cursors.page`)."""
        return await self.cursors.page(self.tool, cursor, limit, start, convert)

    async def confirm(self, question: str, *, confirmed: bool) -> None:
        """Go on only with the user's agreement: asked through elicitation when the client
        offers it (then ``confirm: true`` from the model is not enough: the user answers),
        else ``confirmed`` (the call passed ``confirm: true``); otherwise
        ConfirmationRequired, and nothing is changed."""
        if self._ask is None and confirmed:
            return
        if self._ask is not None:
            answer = await self._ask(question)
            if answer is True:
                return
            raise ConfirmationRequired(
                f"The user did not agree to: {question} Nothing was changed.",
                hint="Ask them what they want instead.")
        raise ConfirmationRequired(
            f"{self.tool} needs the user's confirmation: {question} Nothing was changed.",
            hint="Ask the user; if they agree, call it again with confirm: true.")
