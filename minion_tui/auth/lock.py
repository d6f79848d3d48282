"""One process at a time spends a refresh token: a lock file held with ``flock``.

SoundCloud's refresh tokens work once (docs/soundcloud.md §5), and a refresh token spent
twice ends the grant (OAuth 2.1 §4.3.1; the emulator does so too): two processes refreshing
at the same moment would sign the user out. Whoever holds the lock re-reads the stored grant
first and finds the other's fresh token there. The lock is taken on a worker thread, so the
event loop never blocks on it; where ``fcntl`` does not exist (Windows) only the process's
own lock applies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from minion_tui import config

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The process's own lock per file, per event loop (an asyncio.Lock belongs to one loop).
_LOCAL: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


@contextlib.asynccontextmanager
async def held(path: Path) -> AsyncIterator[None]:
    mine = _LOCAL.setdefault(asyncio.get_running_loop(), {})
    local = mine.setdefault(str(path), asyncio.Lock())
    async with local:
        config.private_dirs(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                await asyncio.shield(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
