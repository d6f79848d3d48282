"""The optional browser-impersonating transport: requests to the hosts named in
``net.impersonate`` go through curl_cffi with a browser's TLS fingerprint, as yt-dlp has
reached Mixcloud's GraphQL since 2026-02 (docs/mixcloud.md §4.1, §7: plain clients get 403
from its bot protection). Off by default; curl_cffi is never required: asked for without it
installed, the request fails saying how to install it.

Still behind Http: the endpoint map, the rate limit, retries, redirects (followed by Http,
not by curl_cffi, so each hop is mapped) and the body cap all apply as for httpx.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import httpx

from minion_tui.errors import NetworkError, ResponseTooLarge
from minion_tui.net.errors import TransportError
from minion_tui.net.response import Response

#: The browser curl_cffi imitates (its newest Chrome).
BROWSER = "chrome"
_DROPPED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def available() -> bool:
    try:
        importlib.import_module("curl_cffi.requests")
    except ImportError:
        return False
    return True


async def send(method: str, url: str, headers: Mapping[str, str], data: Any, json_body: Any,
               seconds: float, max_bytes: int, shown: str) -> Response:
    """One attempt through curl_cffi, of at most ``seconds``; transport failures raise net's
    TransportError (so they are retried like httpx's), an answer past ``max_bytes``
    ResponseTooLarge."""
    try:
        requests = importlib.import_module("curl_cffi.requests")
    except ImportError:
        raise NetworkError(
            f"{shown} is set to go through browser impersonation (net.impersonate), but "
            "curl_cffi is not installed.",
            hint="Install it (pip install curl_cffi) or remove the host from net.impersonate."
        ) from None
    try:
        async with requests.AsyncSession(impersonate=BROWSER) as session:
            answer = await session.request(method, url, headers=dict(headers), data=data,
                                           json=json_body, timeout=seconds,
                                           allow_redirects=False)
    except Exception as exc:  # curl_cffi's RequestsError and its kin: a transport failure
        raise TransportError(f"browser-impersonating request failed: {exc}") from exc
    body = bytes(answer.content or b"")
    if len(body) > max_bytes:
        raise ResponseTooLarge(f"{shown} sent more than {max_bytes:,} bytes.",
                               hint="The service may be having trouble; try again later.")
    pairs = [(k, v) for k, v in answer.headers.items() if k.lower() not in _DROPPED]
    raw = httpx.Response(int(answer.status_code), headers=pairs, content=body,
                         request=httpx.Request(method, url))
    return Response(raw, httpx.Headers(pairs))

