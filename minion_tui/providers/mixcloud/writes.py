"""Mixcloud's write actions (docs/mixcloud.md §3, §2.9; docs/writes.md): ``POST`` adds,
``DELETE`` removes, on a show's ``/{user}/{slug}/favorite/``, ``/repost/``,
``/listen-later/`` and a user's ``/{user}/follow/``, with the trailing slash non-GET requests
need (§1.1) and the token as the ``access_token`` query parameter, sent to api.mixcloud.com
only (``Credentials``). The answer is ``{"result": {"success", "message"}}``; a success
false is InvalidArgument with its message. "An invalid access token was provided" (the user
revoked the app; Mixcloud tokens have no refresh) is AuthRequired saying to sign in again.

Uploads are ``POST /upload/`` and changes to one ``POST /upload/{user}/{slug}/edit/``, both
multipart with the fields of §3's table (the tracklist as ``sections-X-…``), checked to its
limits before anything is sent; the show is then read back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from minion_tui.errors import AuthRequired, InvalidArgument, NotFound, RateLimited
from minion_tui.net.spec import Credentials
from minion_tui.providers.base import signed_in
from minion_tui.providers.mixcloud import parse, urls
from minion_tui.providers.mixcloud.api import rate_limited

if TYPE_CHECKING:
    from minion_tui.net import Http
    from minion_tui.providers.base import AccountAccess

_TITLE, _NAME = "Mixcloud", "mixcloud"
#: The upload form's limits (docs/mixcloud.md §3 "Upload").
MAX_TAGS = 5
MAX_DESCRIPTION = 1000
#: action -> (the object's sub-path, whether it removes)
_SHOW = {"like": ("favorite", False), "unlike": ("favorite", True),
         "repost": ("repost", False), "unrepost": ("repost", True),
         "listen_later": ("listen-later", False), "unlisten_later": ("listen-later", True)}


class Writes:
    def __init__(self, http: Http, account: AccountAccess | None) -> None:
        self.http = http
        self.account = account

    async def _token(self) -> str:
        return await signed_in(self.account, _NAME, _TITLE)

    async def upload(self, fields: dict[str, Any]) -> Any:
        """``POST /upload/`` multipart (§3 "Upload"): ``mp3``, ``name``, ``picture``,
        ``description``, ``tags-X-tag`` (at most 5), ``unlisted``, the tracklist's
        ``sections-X-…``; then the new show read back by the ``key`` of the answer."""
        parts: list[Any] = [("name", fields["title"]), ("mp3", fields["audio"])]
        parts += _show_parts(fields)
        if fields.get("private"):
            parts.append(("unlisted", "1"))
        return await self._send("/upload/", parts, what="the upload")

    async def edit(self, urn: str, fields: dict[str, Any]) -> Any:
        """``POST /upload/{user}/{slug}/edit/`` (§3 "Editing uploads"): every upload field
        but ``mp3``; any tag sent replaces all the tags, any section the whole tracklist.
        Then the show read back."""
        kind, _, path = urn.partition(":")[2].partition(":")
        if not kind.startswith("cloudcast") or path.count("/") != 1:
            raise InvalidArgument(f"Only your own shows can be changed, not {urn!r}.",
                                  hint="Pass the link of a show you uploaded.")
        if fields.get("tags") is not None and not fields["tags"]:
            raise InvalidArgument("Mixcloud cannot take every tag off a show: tags sent "
                                  "replace the old ones, none sent keeps them "
                                  "(docs/mixcloud.md §3).", hint="Give the tags to keep.")
        parts: list[Any] = []
        if fields.get("title") is not None:
            parts.append(("name", fields["title"]))
        parts += _show_parts(fields)
        key = "/".join(quote(part, safe="") for part in path.strip("/").split("/"))
        return await self._send(f"/upload/{key}/edit/", parts, what=f"the show {urn}",
                                key=f"/{key}/")

    async def _send(self, path: str, parts: list[Any], *, what: str,
                    key: str | None = None) -> Any:
        from minion_tui.providers.multipart import encode

        body, kind = encode(parts)
        token = await self._token()
        response = await self.http.request(
            "POST", f"{urls.API}{path}", content=body, headers={"Content-Type": kind},
            credentials=Credentials(frozenset({urls.API}), params={"access_token": token}),
            allow_statuses=(400, 401, 403, 404), rate_limited=rate_limited)
        answer = self._checked(response)
        if response.status_code == 404:
            raise NotFound(f"Mixcloud has no {what} (404).", hint="Check the link or URN.")
        await self._refused_if(response, token)
        result = answer.get("result") if isinstance(answer, dict) else None
        if isinstance(result, dict) and result.get("success") is False:
            raise InvalidArgument(f"Mixcloud refused {what}: {result.get('message') or 'no'}.")
        named = result.get("key") if isinstance(result, dict) else None
        key = named if isinstance(named, str) and named.startswith("/") else key
        if key is None:
            raise InvalidArgument("Mixcloud took the upload but named no key for it.",
                                  hint="Look for it on your Mixcloud profile.")
        show = await self.http.request("GET", f"{urls.API}{key}")
        return parse.track(show.json())

    def _checked(self, response: Any) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    async def _refused_if(self, response: Any, token: str) -> None:
        if response.status_code < 400:
            return
        kind_, message, retry = parse.error(self._checked(response))
        if rate_limited(response):  # allowed through as a 403, so not net's to raise
            if retry is None:
                from minion_tui.net import parse_retry_after

                retry = parse_retry_after(response.headers.get("retry-after"))
            raise RateLimited(f"Mixcloud's rate limit was hit{f': {message}' if message else ''}"
                              "; nothing was changed.", retry_after=retry)
        if kind_ == "OAuthException" and self.account is not None:
            await self.account.refused(_NAME, "oauth", token)
            raise AuthRequired(_TITLE, _NAME, again=True, why=message or None)
        raise InvalidArgument(f"Mixcloud refused this: {kind_ or response.status_code}"
                              f"{f' ({message})' if message else ''}.")

    async def write(self, action: str, urn: str = "", **fields: Any) -> Any:
        if action == "upload":
            return await self.upload(fields)
        if action == "track_update":
            return await self.edit(urn, fields)
        kind, _, path = urn.partition(":")[2].partition(":")
        if action in ("follow", "unfollow"):
            if not kind.startswith("user"):
                raise InvalidArgument(f"Only users can be followed, not {urn!r}.",
                                      hint="Pass a Mixcloud profile's link.")
            sub, remove = "follow", action == "unfollow"
        elif action in _SHOW:
            if not kind.startswith("cloudcast"):
                raise InvalidArgument(f"Only shows can be {action.replace('_', ' ')}ed on "
                                      f"Mixcloud, not {urn!r}.",
                                      hint="Pass a Mixcloud show's link.")
            sub, remove = _SHOW[action]
        else:
            raise InvalidArgument(f"Mixcloud has no {action!r} write.")
        token = await self._token()
        key = "/".join(quote(part, safe="") for part in path.strip("/").split("/"))
        response = await self.http.request(
            "DELETE" if remove else "POST", f"{urls.API}/{key}/{sub}/",
            credentials=Credentials(frozenset({urls.API}), params={"access_token": token}),
            allow_statuses=(400, 401, 403, 404), rate_limited=rate_limited)
        body = self._checked(response)
        if response.status_code == 404:
            raise NotFound(f"Mixcloud has no {urn} (404).", hint="Check the link or URN.")
        await self._refused_if(response, token)  # an OAuthException: AuthRequired, no refresh
        result = body.get("result") if isinstance(body, dict) else None
        if isinstance(result, dict) and result.get("success") is False:
            raise InvalidArgument(f"Mixcloud refused this: {result.get('message') or 'no'}.")
        return None


def _show_parts(fields: dict[str, Any]) -> list[Any]:
    """The fields an upload and an edit share (§3 table), checked to its limits before
    anything is sent: ``description`` (at most 1000 characters), ``tags-X-tag`` (X 0–4),
    ``picture`` (at most 10,485,760 bytes: service/writes.py refuses a larger file on
    disk), ``sections-X-artist`` / ``-song`` / ``-chapter`` / ``-start_time`` (integer
    seconds)."""
    tags = list(fields.get("tags") or ())
    if len(tags) > MAX_TAGS:
        raise InvalidArgument(f"Mixcloud takes at most {MAX_TAGS} tags (docs/mixcloud.md §3).")
    description = fields.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidArgument(f"Mixcloud takes a description of at most {MAX_DESCRIPTION} "
                              f"characters, not {len(description)}.")
    parts: list[Any] = []
    if description:
        parts.append(("description", description))
    parts += [(f"tags-{i}-tag", tag) for i, tag in enumerate(tags)]
    if fields.get("artwork") is not None:
        parts.append(("picture", fields["artwork"]))
    for i, section in enumerate(fields.get("sections") or ()):
        if section.kind == "chapter":
            parts.append((f"sections-{i}-chapter", section.title))
        else:
            parts += [(f"sections-{i}-artist", section.artist),
                      (f"sections-{i}-song", section.title)]
        parts.append((f"sections-{i}-start_time", str((section.start_ms or 0) // 1000)))
    return parts
