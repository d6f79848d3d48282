"""A scripted browser for sign-in tests: it GETs the authorize URL over real HTTP (the
emulator's consent page approves at once), then follows the redirect to the app's loopback
callback, as a user's browser would.

Imported, :func:`visit` is the browser of an in-process sign-in; run as a script (``$BROWSER``
for ``minion-tui auth login``) it visits ``sys.argv[1]``. ``SCRIPTED_BROWSER_LOG`` names a
file it writes what it did to (one JSON object); ``SCRIPTED_BROWSER_STATE`` replaces the
state of the redirect (a forged callback).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx


@dataclass
class Visit:
    authorize_status: int = 0
    callback_url: str = ""
    callback_status: int = 0
    callback_page: str = ""
    statuses: list[int] = field(default_factory=list)


def visit(url: str, *, forged_state: str | None = None) -> Visit:
    seen = Visit()
    with httpx.Client(timeout=20, follow_redirects=False) as client:
        answer = client.get(url)
        seen.authorize_status = answer.status_code
        location = answer.headers.get("location", "")
        if not location:
            return seen
        if forged_state is not None:
            parts = urlsplit(location)
            query = dict(parse_qsl(parts.query))
            query["state"] = forged_state
            location = urlunsplit((*parts[:3], urlencode(query), parts.fragment))
        seen.callback_url = location
        back = client.get(location)
        seen.callback_status, seen.callback_page = back.status_code, back.text
    return seen


async def visit_async(url: str, *, forged_state: str | None = None) -> Visit:
    import asyncio

    return await asyncio.to_thread(visit, url, forged_state=forged_state)


if __name__ == "__main__":
    done = visit(sys.argv[1], forged_state=os.environ.get("SCRIPTED_BROWSER_STATE"))
    log = os.environ.get("SCRIPTED_BROWSER_LOG")
    if log:
        with open(log, "w", encoding="utf-8") as out:
            json.dump(asdict(done), out)
