"""A sign-in from start to end: PKCE and state made, the loopback callback listening, the
browser sent to the authorize URL (or the URL printed), the one callback awaited, the code
exchanged, the user looked up.

The URL the browser opens goes through the endpoint map like every URL the app touches, so
against the emulator the browser reaches the emulated consent page. Where no browser opens,
the URL is announced on a line of its own, and a redirect URL pasted on standard input is
taken instead of the callback (a browser on another machine cannot reach this one's
127.0.0.1; RFC 8252 §7.3; docs/accounts.md §1.3).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from minion_tui.auth.flows import Flow
from minion_tui.auth.grant import Grant
from minion_tui.auth.loopback import Callback, challenge, new_state, new_verifier

#: How long a sign-in waits for the browser.
WAIT = 300.0

Opener = Callable[[str], Awaitable[bool]]
Announce = Callable[[str, bool], None]


async def sign_in(flow: Flow, *, map_url: Callable[[str], str], open_browser: Opener | None,
                  announce: Announce, pasted: AsyncIterator[str] | None = None,
                  wait: float = WAIT) -> Grant:
    """The grant of a completed sign-in, with its user; AuthError when it fails."""
    verifier, state = new_verifier(), new_state()
    callback = await Callback(state, title=flow.title).start()
    reader: asyncio.Task[None] | None = None
    try:
        url = map_url(flow.authorize_url(redirect_uri=callback.redirect_uri, state=state,
                                         challenge=challenge(verifier)))
        opened = await open_browser(url) if open_browser is not None else False
        announce(url, opened)
        if pasted is not None:
            reader = asyncio.create_task(_read_pasted(pasted, callback))
        query = await callback.wait(wait)
    finally:
        await callback.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
    grant = await flow.exchange(query["code"], redirect_uri=callback.redirect_uri,
                                verifier=verifier)
    return grant.with_user(await flow.whoami(grant))


async def _read_pasted(lines: AsyncIterator[str], callback: Callback) -> None:
    async for line in lines:
        if callback.paste(line):
            return
