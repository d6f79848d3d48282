"""api-v2 requests: the client id on every call, the OAuth header when signed in, the
401/403 refresh hook, the media endpoint with rate-limit rotation, and collection pagination.

The client id and the token are handed to the net layer as :class:`~minion_tui.net.Credentials`
for api-v2's origin only: absolute URLs taken from answers (``next_href``, transcoding URLs,
docs/soundcloud.md §1.5, §3) are requested as given, and get them only when they are on
api-v2 — one pointing at any other host is asked without them.

Knows URLs and statuses, not shapes: JSON goes to ``parse`` untouched.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from minion_tui.errors import AuthError, ClientIdUnavailable, HTTPAuthError
from minion_tui.net.spec import Credentials
from minion_tui.providers.soundcloud import parse
from minion_tui.providers.soundcloud.client_id import ENV_VAR, ClientIdSource

if TYPE_CHECKING:
    from minion_tui.net import Http, RequestSpec, Response
    from minion_tui.providers.base import BudgetGate

log = logging.getLogger(__name__)

API = "https://api-v2.soundcloud.com"
#: The only origins the client id and the OAuth token are ever sent to.
API_ORIGINS = frozenset({API})
# "the maximum limit for a linked partitioning query is 200" (docs/soundcloud.md §1.5)
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Empty pages with a next_href occur (docs/soundcloud.md §1.5); never loop forever.
MAX_EMPTY_PAGES = 50


@dataclass(frozen=True, slots=True)
class RawPage:
    items: list[Any]
    next_href: str | None
    total: int | None


@dataclass(frozen=True, slots=True)
class MediaAnswer:
    """The media endpoint's answer: 200 with JSON, or 404 (dead/legacy/abr transcoding)."""

    status: int
    body: Any


class Api:
    def __init__(self, http: Http, ids: ClientIdSource, *, oauth_token: str | None = None,
                 session: Callable[[], Awaitable[str | None]] | None = None,
                 budget: BudgetGate | None = None) -> None:
        self.http = http
        self.ids = ids
        #: SoundCloud's stream budget (docs/accounts.md §7): every request to a transcoding
        #: URL — the one place a stream is resolved — is counted here before it is made.
        self.budget = budget
        self._token = oauth_token
        #: The web-session token pasted with ``auth token soundcloud`` (service.accounts),
        #: asked per request when no token is configured (docs/soundcloud.md §1).
        self._session = session

    async def user_token(self) -> str | None:
        """The api-v2 user token: the configured one, else the pasted session's."""
        if self._token or self._session is None:
            return self._token
        return await self._session()

    def _credentials(self, client_id: str, token: str | None = None) -> Credentials:
        token = token or self._token
        headers = {"Authorization": f"OAuth {token}"} if token else {}
        return Credentials(API_ORIGINS, params={"client_id": client_id}, headers=headers)

    async def _refresh_client_id(
        self, response: Response, spec: RequestSpec
    ) -> RequestSpec | None:
        """AuthHook: a 401/403 most likely means a stale client id (docs/soundcloud.md §1.7):
        re-scrape once and retry once, like yt-dlp's ``_call_api``."""
        credentials = spec.credentials
        stale = credentials.params.get("client_id") if credentials else None
        if not stale or credentials is None or not credentials.go_to(self.http.unmap(
                response.url)):
            return None  # not refused by api-v2 (a redirect's target): not the id's fault
        fresh = await self.ids.refresh(stale)
        if fresh is None:
            return None
        fixed = dataclasses.replace(credentials, params={**credentials.params,
                                                         "client_id": fresh})
        return dataclasses.replace(spec, credentials=fixed)

    async def get(self, path_or_url: str, params: Mapping[str, str] | None = None, *,
                  token: str | None = None) -> Any:
        """GET an api-v2 path (or an absolute api-v2 URL such as a ``next_href``) as JSON,
        with ``token`` as the user's (default :meth:`user_token`)."""
        url = urljoin(API + "/", path_or_url.lstrip("/")) if "://" not in path_or_url \
            else path_or_url
        token = token or await self.user_token()
        cid = await self.ids.current()
        credentials = self._credentials(cid, token)
        try:
            answer = await self.http.get_json(url, params=params, credentials=credentials,
                                              auth_hook=self._refresh_client_id)
        except HTTPAuthError as exc:
            raise self._explain(exc, signed_in=bool(token)) from exc
        self.ids.succeeded(self.ids.active or cid)  # the refresh hook may have replaced it
        return answer

    async def media(self, url: str, params: Mapping[str, str]) -> MediaAnswer:
        """Ask a transcoding URL for its signed CDN URL. A 429 rotates to another pooled id
        first (docs/soundcloud.md §1.7: ~600 media calls / 10 min per id); with no spare id the
        net layer's own Retry-After handling takes over and may raise RateLimited."""
        cid = await self.ids.current()
        for attempt in range(2):
            response = await self._media_once(url, params, cid, allow_429=True)
            if response.status_code != 429:
                return _answer(response)
            retry_after = _retry_after(response)
            spare = await self.ids.rotate(cid, retry_after)
            if spare is None or attempt:
                break
            cid = spare
        response = await self._media_once(url, params, await self.ids.current(),
                                          allow_429=False)
        return _answer(response)

    async def _media_once(
        self, url: str, params: Mapping[str, str], client_id: str, *, allow_429: bool
    ) -> Response:
        if self.budget is not None:
            await self.budget.spend("soundcloud", "streams")
        try:
            response = await self.http.request(
                "GET", url, params=params,
                credentials=self._credentials(client_id, await self.user_token()),
                auth_hook=self._refresh_client_id,
                allow_statuses=(404, 429) if allow_429 else (404,),
            )
        except HTTPAuthError as exc:
            raise self._explain(exc) from exc
        self.ids.succeeded(self.ids.active or client_id)
        return response

    async def pages(
        self, path: str, params: Mapping[str, str] | None = None, *, page_size: int,
        start: str | None = None,
    ) -> AsyncGenerator[RawPage, None]:
        """Every page of a collection: asks ``limit``+``linked_partitioning=1`` once, then
        follows ``next_href`` as given, re-adding the client id it lacks (docs/soundcloud.md
        §1.5), through empty pages, until ``next_href`` is absent/null or repeats. ``start``
        goes on from a ``next_href`` an earlier walk stopped at (cursors are keyset by time,
        §1.5, so one stays valid)."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        query: dict[str, str] = {**(params or {}), "limit": str(size), "linked_partitioning": "1"}
        url = path
        if start:
            url, query = start, {}
        seen: set[str] = set()
        empty_run = 0
        while True:
            items, next_href, total = parse.envelope(await self.get(url, query))
            if next_href and "://" not in next_href:
                next_href = urljoin(API + "/", next_href.lstrip("/"))
            empty_run = 0 if items else empty_run + 1
            stuck = next_href in seen or empty_run >= MAX_EMPTY_PAGES
            if next_href and stuck:
                log.warning("stopping pagination of %s: next_href repeats or %d empty pages",
                            path, empty_run)
            yield RawPage(items, None if stuck else next_href, total)
            if not next_href or stuck:
                return
            seen.add(next_href)
            url, query = next_href, {}

    def _explain(self, exc: HTTPAuthError, *, signed_in: bool | None = None) -> AuthError:
        where = exc.url.split("?", 1)[0]
        signed_in = bool(self._token) if signed_in is None else signed_in
        if exc.status == 401 and not signed_in:
            return ClientIdUnavailable(
                f"SoundCloud rejected the client id for {where}; fetched a fresh one and "
                "retried — still 401.",
                hint=f"Check your network or set {ENV_VAR}.",
            )
        who = "your sign-in token" if signed_in else "the client id"
        return HTTPAuthError(
            exc.status, exc.url,
            f"SoundCloud refused access (HTTP {exc.status}) to {where} even after refreshing "
            f"{who}. Private or restricted content, or SoundCloud's bot protection.",
        )


def _answer(response: Response) -> MediaAnswer:
    if response.status_code == 404:
        return MediaAnswer(404, None)
    try:
        body = response.json()
    except ValueError:
        body = None
    return MediaAnswer(response.status_code, body)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
