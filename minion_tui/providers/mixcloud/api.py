"""Requests to Mixcloud: REST GETs on api.mixcloud.com with its error bodies and its 403 rate
limit, list pages that follow ``paging.next`` exactly as given, and GraphQL GETs.

Knows URLs, statuses and the error envelope, not the resources' shapes (parse.py does). Reads
need no credentials (docs/mixcloud.md §1.1). Every URL is a real one; the endpoint map in
``net/`` sends it to the emulator or a replay.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from minion_tui.errors import HTTPAuthError, InvalidArgument, NetworkError, NotFound
from minion_tui.providers.mixcloud import parse, urls

if TYPE_CHECKING:
    from minion_tui.net import Http, Response

log = logging.getLogger(__name__)

#: Clients cap ``limit`` at 100; the server's real maximum is not known (docs/mixcloud.md §1.4).
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_EMPTY_PAGES = 20
_REFERER = {"Referer": "https://www.mixcloud.com/"}


@dataclass(frozen=True, slots=True)
class RawPage:
    items: list[Any]
    next_href: str | None
    name: str
    total: int | None = None


def rate_limited(response: Response) -> bool:
    """Mixcloud's rate limit is a 403 whose body says ``RateLimitException``
    (docs/mixcloud.md §1.5); any other 403 is a refusal."""
    if response.status_code != 403:
        return False
    try:
        kind, _, _ = parse.error(response.json())
    except ValueError:
        return False
    return kind == "RateLimitException"


class Api:
    def __init__(self, http: Http) -> None:
        self.http = http

    async def get(self, path_or_url: str, params: Mapping[str, str] | None = None, *,
                  what: str = "") -> Any:
        """GET a REST path (``/USER/SLUG/``) or an absolute URL (a ``paging.next``) as JSON.
        A 404 is NotFound naming ``what``; an error body's message is kept."""
        url = path_or_url if "://" in path_or_url else urls.API + path_or_url
        try:
            response = await self.http.request("GET", url, params=params,
                                               allow_statuses=(400, 404, 410),
                                               rate_limited=rate_limited)
        except HTTPAuthError as exc:
            raise HTTPAuthError(
                exc.status, exc.url,
                f"Mixcloud refused access (HTTP {exc.status}) to {exc.url}: private or "
                "restricted, or its bot protection.") from exc
        body = _json(response, self.http)
        if response.status_code >= 400:
            raise _error(response.status_code, body, what or self.http.public_url(url))
        return body

    async def pages(self, path: str, params: Mapping[str, str] | None = None, *,
                    page_size: int, what: str = "") -> AsyncGenerator[RawPage, None]:
        """Every page of a list: ``limit`` on the first request, then ``paging.next`` exactly
        as given (it may be http://, docs/mixcloud.md §1.4) until it is missing, repeats, or
        too many pages in a row are empty."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        query: dict[str, str] | None = {**(params or {}), "limit": str(size)}
        url = path
        seen: set[str] = set()
        empty = 0
        while True:
            items, following, name = parse.envelope(await self.get(url, query, what=what))
            empty = 0 if items else empty + 1
            stuck = following is not None and (following in seen or empty >= MAX_EMPTY_PAGES)
            if stuck:
                log.warning("stopping the pages of %s: paging.next repeats or %d empty pages",
                            path, empty)
            yield RawPage(items, None if stuck else following, name)
            if following is None or stuck:
                return
            seen.add(following)
            url, query = following, None

    async def graphql(self, query: str, field: str, *, what: str) -> Any:
        """GET ``app.mixcloud.com/graphql?query=…`` as yt-dlp sends it (docs/mixcloud.md
        §4.1) → the ``data`` field asked for (None when the lookup found nothing). A 403 is
        most likely the bot protection (§7): said so."""
        try:
            response = await self.http.request("GET", urls.GRAPHQL, params={"query": query},
                                               headers=_REFERER, allow_statuses=(400,),
                                               rate_limited=rate_limited)
        except HTTPAuthError as exc:
            raise HTTPAuthError(
                exc.status, exc.url,
                f"Mixcloud's GraphQL endpoint refused {what} (HTTP {exc.status}): most likely "
                "its bot protection, which turns away clients that are not browsers. Set "
                "net.impersonate = \"app.mixcloud.com\" (with curl_cffi installed) to be "
                "taken for one.") from exc
        value, errors = parse.graphql_data(_json(response, self.http), field)
        if errors and value is None:
            raise GraphQLError(f"Mixcloud's GraphQL endpoint could not answer for {what}: "
                               f"{'; '.join(errors)[:300]}.",
                               hint="Mixcloud changes it often; try again later or report it.")
        return value


class GraphQLError(NetworkError):
    """The GraphQL answer carries ``errors`` and no data (a field the schema no longer has,
    say); callers may ask again with less."""


def _json(response: Response, http: Http) -> Any:
    try:
        return response.json()
    except ValueError:
        if response.status_code >= 400:
            return None
        raise NetworkError(f"{http.public_url(str(response.url))} did not return JSON "
                           f"(got {response.headers.get('content-type', 'no content type')}).",
                           hint="Mixcloud may be having trouble; try again later.") from None


def _error(status: int, body: Any, what: str) -> Exception:
    kind, message, _ = parse.error(body)
    said = f" ({message})" if message else ""
    if status in (404, 410):
        return NotFound(f"Mixcloud has no {what}{said}.",
                        hint="Check the link; it may have been deleted or made private.")
    return InvalidArgument(f"Mixcloud refused the request for {what}: "
                           f"{kind or f'HTTP {status}'}{said}.",
                           hint="Check the link or the search words.")
