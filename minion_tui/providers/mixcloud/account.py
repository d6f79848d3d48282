"""The signed-in user's own listings (``mylikes``: their favourites) on Mixcloud.

``GET https://api.mixcloud.com/me/?access_token=…`` names the user the token belongs to (it
redirects to the user's own path, docs/mixcloud.md §1.1); their favourites are then the
public ``/{user}/favorites/`` pages, asked without the token, so no paging link ever carries
it. A token Mixcloud calls invalid ("An invalid access token was provided", §3: the user
revoked the app) is AuthRequired saying to sign in again: Mixcloud tokens have no refresh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from minion_tui.errors import AuthRequired, InvalidArgument
from minion_tui.models import Page
from minion_tui.net.spec import Credentials
from minion_tui.providers.base import oauth_token
from minion_tui.providers.mixcloud import parse, urls
from minion_tui.providers.mixcloud.api import rate_limited

if TYPE_CHECKING:
    from minion_tui.providers.base import AccountAccess
    from minion_tui.providers.mixcloud.client import Mixcloud

LISTINGS = ("mylikes",)
_TITLE, _NAME = "Mixcloud", "mixcloud"


def my_listing(client: Mixcloud, account: AccountAccess | None, listing: str, *,
               limit: int | None) -> AsyncIterator[Page[Any]]:
    if listing not in LISTINGS:
        raise InvalidArgument(f"Mixcloud has no {listing!r} listing of your account.",
                              hint=f"Use one of: {', '.join(LISTINGS)}.")
    return _favorites(client, account, limit)


async def _favorites(client: Mixcloud, account: AccountAccess | None,
                     limit: int | None) -> AsyncIterator[Page[Any]]:
    token = await oauth_token(account, _NAME)
    if token is None or account is None:  # (the second: for the refusal below)
        raise AuthRequired(_TITLE, _NAME)
    http = client.api.http
    response = await http.request(
        "GET", f"{urls.API}/me/",
        credentials=Credentials(frozenset({urls.API}), params={"access_token": token}),
        allow_statuses=(400, 401, 403), rate_limited=rate_limited)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        kind, message, _ = parse.error(body)
        if kind != "OAuthException":  # not about the token (a bot wall, say): keep it
            raise InvalidArgument(f"Mixcloud refused /me/: {kind or response.status_code}"
                                  f"{f' ({message})' if message else ''}.",
                                  hint="Try again later.")
        await account.refused(_NAME, "oauth", token)  # no refresh: AuthRequired
        raise AuthRequired(_TITLE, _NAME, again=True, why=message or None)
    me = parse.user(body)
    async for page in client.user_listing("likes", me.id, limit=limit):
        yield page
