"""The shared httpx.AsyncClient and streamed-GET pool (h1.py): one of each per event loop, which
in the app means one per process.

Why per loop and not a plain module global: an AsyncClient's connection pool holds sockets
and locks bound to the event loop that opened them, and using it from another loop fails
("attached to a different loop", "Event loop is closed"). The app runs a single loop, so every
:class:`~minion_tui.net.client.Http` in it shares one client and one connection pool; pytest
runs a loop per test and each gets its own. The registry is keyed weakly by the loop, so a loop
that is gone takes its entry with it. Each Http instance leases the client; the last one to
release it (``Http.aclose()``) closes it, so closing one Http never breaks another.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import httpx

from minion_tui.net import tls
from minion_tui.net.endpoints import redact_url
from minion_tui.net.h1 import H1Pool

# ~32 sockets is plenty for API calls plus a few parallel HLS segment fetches; keeping 20 alive
# avoids a TLS handshake per segment (docs/downloads.md §1.7).
LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=20, keepalive_expiry=30.0)


@dataclass
class _Pool:
    # One cookie jar for both: a cookie an answer sets goes out with the next request, over
    # either (httpx's own behaviour when it sent everything).
    cookies: CookieJar = field(default_factory=CookieJar)
    h1: H1Pool = field(init=False)
    # Created on first use: what h1.py carries (GETs without a proxy) never needs it, and
    # creating it imports httpcore and anyio (≈ 20 ms of a download's start).
    client: httpx.AsyncClient | None = None
    users: weakref.WeakSet[object] = field(default_factory=weakref.WeakSet)

    def __post_init__(self) -> None:
        self.h1 = H1Pool(tls.context, self.cookies)


def _redacted(record: logging.LogRecord) -> bool:
    """httpx logs every request's URL at INFO (``HTTP Request: GET https://…``), which with
    --debug lands in the log file: the client id and CDN signatures are taken out of it."""
    if isinstance(record.args, tuple):
        record.args = tuple(redact_url(str(arg)) if isinstance(arg, httpx.URL) else arg
                            for arg in record.args)
    return True


logging.getLogger("httpx").addFilter(_redacted)

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()


def _new_client(cookies: CookieJar) -> httpx.AsyncClient:
    # Redirects are followed by Http itself so the endpoint map applies to Location too;
    # timeouts and the User-Agent are set per request from each Http's options.
    # The same verification as httpx's default, built ahead on a thread (net/tls.py).
    return httpx.AsyncClient(limits=LIMITS, follow_redirects=False, http2=False,
                             verify=tls.context(), cookies=cookies)


def _pool(user: object) -> _Pool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = _Pool()
    pool.users.add(user)
    return pool


def lease(user: object) -> httpx.AsyncClient:
    """The running loop's shared client (created on first use), registered to ``user``."""
    pool = _pool(user)
    if pool.client is None or pool.client.is_closed:
        pool.client = _new_client(pool.cookies)
    return pool.client


def lease_h1(user: object) -> H1Pool:
    """The running loop's pool of kept-alive HTTP/1.1 connections (h1.py), registered to
    ``user`` like the client: :func:`release` closes both."""
    return _pool(user).h1


async def release(user: object) -> None:
    """Drop ``user``'s lease on the running loop's client; close it when nobody holds one."""
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        return
    pool.users.discard(user)
    if not pool.users:
        del _pools[loop]
        await pool.h1.aclose()
        if pool.client is not None:
            await pool.client.aclose()
