"""The signed-in user's own listings (``mylikes``), by whichever sign-in there is.

An OAuth 2.1 sign-in speaks to the official API: ``GET https://api.soundcloud.com/me/likes/
tracks`` with ``Authorization: OAuth <token>``, cursor pages by ``linked_partitioning`` and
``next_href`` (docs/soundcloud.md §5; the official API's dates are read by parse.py like
api-v2's). A refused token (401) is handed back to the account once, for a refreshed one; a
second refusal, or none to refresh, is AuthRequired saying to sign in again. A pasted
web-session token speaks to api-v2 instead: ``GET /me`` for who it is, then the tracks of
that user's ``/users/{id}/likes`` (docs/soundcloud.md §1, §1.2). With neither: AuthRequired.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from minion_tui.errors import AuthRequired, HTTPAuthError, InvalidArgument
from minion_tui.models import Page, StreamChoice, Track
from minion_tui.net.spec import Credentials
from minion_tui.providers.base import oauth_token
from minion_tui.providers.paging import limited
from minion_tui.providers.soundcloud import parse
from minion_tui.providers.soundcloud.api import MAX_PAGE_SIZE, RawPage

if TYPE_CHECKING:
    from minion_tui.providers.base import AccountAccess
    from minion_tui.providers.soundcloud.client import SoundCloud

OFFICIAL = "https://api.soundcloud.com"
LISTINGS = ("mylikes", "feed", "history", "myplaylists", "myfollowings")
#: The official API's lists of the signed-in user (docs/soundcloud.md §5), by listing.
OWN_LISTS = {"mylikes": "/me/likes/tracks", "feed": "/me/feed",
             "history": "/me/recently-played/tracks", "myplaylists": "/me/playlists",
             "myfollowings": "/me/followings"}
_TITLE, _NAME = "SoundCloud", "soundcloud"


def my_listing(client: SoundCloud, account: AccountAccess | None, listing: str, *,
               limit: int | None) -> AsyncIterator[Page[Any]]:
    if listing not in LISTINGS:
        raise InvalidArgument(f"SoundCloud has no {listing!r} listing of your account.",
                              hint=f"Use one of: {', '.join(LISTINGS)}.")
    if listing == "mylikes":
        return _likes(client, account, limit)
    return _own(client, account, listing, limit)


async def _own(client: SoundCloud, account: AccountAccess | None, listing: str,
               limit: int | None) -> AsyncIterator[Page[Any]]:
    """feed, history, myplaylists, myfollowings: the official API only (an OAuth sign-in)."""
    token = await oauth_token(account, _NAME)
    if token is None or account is None:
        raise AuthRequired(_TITLE, _NAME, why=f"your {listing} is read with an OAuth "
                           "sign-in, not a pasted session token"
                           if await client.api.user_token() else None)
    parser = {"feed": _feed_items, "history": _tracks, "myplaylists": _playlists,
              "myfollowings": _users}[listing]
    async for page in limited(_official_pages(client, account, token, limit,
                                              OWN_LISTS[listing]), parser, limit):
        yield page


async def _feed_items(items: list[Any]) -> list[Track]:
    return await _tracks([i.get("origin") for i in items if isinstance(i, dict)])


async def _playlists(items: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        try:
            found.append(parse.playlist(item))
        except parse.MalformedResponse:
            continue
    return found


async def _users(items: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        try:
            found.append(parse.user(item))
        except parse.MalformedResponse:
            continue
    return found


async def _likes(client: SoundCloud, account: AccountAccess | None,
                 limit: int | None) -> AsyncIterator[Page[Any]]:
    token = await oauth_token(account, _NAME)
    if token is not None and account is not None:
        async for page in limited(_official_pages(client, account, token, limit,
                                                  OWN_LISTS["mylikes"]), _tracks, limit):
            yield page
        return
    if await client.api.user_token() is None:
        raise AuthRequired(_TITLE, _NAME)
    try:
        me = parse.user(await client.api.get("/me"))
    except HTTPAuthError as refused:
        if refused.status != 401:
            raise
        raise AuthRequired(_TITLE, _NAME, again=True,
                           why="api-v2 refused the session token") from None
    # api-v2 likes hold liked playlists too (§1.2); "mylikes" is the liked tracks, as the
    # official API's /me/likes/tracks gives them.
    left = limit
    async for page in client.user_listing("likes", me.id):
        tracks = [t for t in page.items if isinstance(t, Track)]
        if left is not None:
            tracks = tracks[:left]
            left -= len(tracks)
        done = page.next_href is None or left == 0
        yield Page(items=tracks, next_href=None if done else page.next_href, total=page.total)
        if done:
            return


async def _tracks(items: list[Any]) -> list[Track]:
    tracks: list[Track] = []
    for item in items:
        try:
            tracks.append(parse.track(item))
        except parse.MalformedResponse:
            continue
    return tracks


async def _official_pages(client: SoundCloud, account: AccountAccess, token: str,
                          limit: int | None, path: str) -> AsyncGenerator[RawPage, None]:
    size = str(max(1, min(limit or 50, MAX_PAGE_SIZE)))
    url: str | None = f"{OFFICIAL}{path}"
    params: dict[str, str] | None = {"limit": size, "linked_partitioning": "true"}
    seen: set[str] = set()
    while url is not None:
        response = await client.http.request(
            "GET", url, params=params, credentials=_bearing(token), allow_statuses=(401,))
        if response.status_code == 401:
            token = await account.refused(_NAME, "oauth", token)
            response = await client.http.request(
                "GET", url, params=params, credentials=_bearing(token), allow_statuses=(401,))
            if response.status_code == 401:
                raise AuthRequired(_TITLE, _NAME, again=True)
        try:
            body = response.json()
        except ValueError:
            body = None
        items, next_href, total = parse.envelope(body)
        seen.add(url)
        url = next_href if next_href and next_href not in seen else None
        params = None
        yield RawPage(items, url, total)


def _bearing(token: str) -> Credentials:
    return Credentials(frozenset({OFFICIAL}), headers={"Authorization": f"OAuth {token}"})


#: The presets of streams from the official API's /tracks/{urn}/streams (not api-v2's).
OFFICIAL_PRESETS = ("official_aac_160", "official_mp3_128")


async def official_stream(client: SoundCloud, account: AccountAccess | None, urn: str, *,
                          prefer: str | None) -> StreamChoice | None:
    """A full-length stream of ``urn`` from ``GET /tracks/{urn}/streams`` with the OAuth
    sign-in (docs/soundcloud.md §5: unauthenticated calls fall back to the preview), or None
    when nobody is signed in or it names no full-length URL. AAC HLS first (the MP3 fields are
    being removed, §5), MP3 when asked for (or the only one)."""
    from urllib.parse import quote

    token = await oauth_token(account, _NAME)
    if token is None or account is None:
        return None
    url = f"{OFFICIAL}/tracks/{quote(urn, safe='')}/streams"
    response = await client.http.request("GET", url, credentials=_bearing(token),
                                         allow_statuses=(401, 403, 404))
    if response.status_code == 401:
        token = await account.refused(_NAME, "oauth", token)
        response = await client.http.request("GET", url, credentials=_bearing(token),
                                             allow_statuses=(401, 403, 404))
    if response.status_code >= 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    from minion_tui.providers.soundcloud.streams import expires_at

    found = [("hls", "aac", "official_aac_160", body.get("hls_aac_160_url"),
              "audio/mp4; codecs=\"mp4a.40.2\""),
             ("progressive", "mp3", "official_mp3_128", body.get("http_mp3_128_url"),
              "audio/mpeg")]
    if prefer == "mp3":
        found.reverse()
    elif prefer not in (None, "m4a"):
        return None
    for protocol, codec, preset, link, mime in found:
        if isinstance(link, str) and link.startswith("https://"):
            return StreamChoice(protocol=protocol, codec=codec, preset=preset, url=link,
                                mime_type=mime, expires_at=expires_at(link), track_urn=urn)
    return None
