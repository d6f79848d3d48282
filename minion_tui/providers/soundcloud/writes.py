"""SoundCloud's write actions, through the official API with the OAuth sign-in
(docs/soundcloud.md §5; docs/writes.md lists each endpoint as this relies on it).

Every request carries ``Authorization: OAuth <token>`` to api.soundcloud.com only. A refused
token (401) is handed back to the account once for a refreshed one; a second refusal, or no
sign-in, is AuthRequired. 404 is NotFound, 422 InvalidArgument (the following limit, a body
the API refused), 403 InvalidArgument (not yours to change, comments turned off), 429
RateLimited (net/ raises it). Ids in paths are URNs (numeric ids are deprecated, §5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from minion_tui.errors import AuthRequired, InvalidArgument, NotFound
from minion_tui.net.spec import Credentials
from minion_tui.providers.base import signed_in
from minion_tui.providers.soundcloud import parse

if TYPE_CHECKING:
    from minion_tui.net import Http
    from minion_tui.providers.base import AccountAccess

OFFICIAL = "https://api.soundcloud.com"
_TITLE, _NAME = "SoundCloud", "soundcloud"
ACTIONS = ("like", "unlike", "repost", "unrepost", "follow", "unfollow", "playlist_create",
           "playlist_get", "playlist_update", "playlist_delete", "comment")


class Writes:
    def __init__(self, http: Http, account: AccountAccess | None) -> None:
        self.http = http
        self.account = account

    async def _token(self) -> str:
        return await signed_in(self.account, _NAME, _TITLE)

    async def call(self, method: str, path: str, *, body: Any = None,
                   params: dict[str, str] | None = None, what: str = "",
                   parts: list[Any] | None = None) -> Any:
        """One official-API request with the sign-in; the JSON answer (None when empty).
        ``parts``: a multipart body instead of JSON (an upload)."""
        token = await self._token()
        url = path if path.startswith("https://") else f"{OFFICIAL}{path}"
        allowed = (401, 403, 404, 422)
        content, headers = None, None
        if parts is not None:
            from minion_tui.providers.multipart import encode

            content, kind = encode(parts)
            headers = {"Content-Type": kind}
        response = await self.http.request(method, url, json=body, params=params,
                                           credentials=_bearing(token), content=content,
                                           headers=headers, allow_statuses=allowed)
        if response.status_code == 401:
            assert self.account is not None
            token = await self.account.refused(_NAME, "oauth", token)
            response = await self.http.request(method, url, json=body, params=params,
                                               credentials=_bearing(token), content=content,
                                               headers=headers, allow_statuses=allowed)
            if response.status_code == 401:
                raise AuthRequired(_TITLE, _NAME, again=True)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            answer = None
        status = response.status_code
        if status == 404:
            raise NotFound(f"SoundCloud has no {what or 'such resource'} (404).",
                           hint="Check the link or URN.")
        if status in (403, 422):
            said = _message(answer)
            raise InvalidArgument(f"SoundCloud refused this ({status}"
                                  f"{f': {said}' if said else ''}).",
                                  hint="It may not be yours to change, or past a limit.")
        return answer

    # -- the actions -----------------------------------------------------------------------
    async def write(self, action: str, urn: str = "", **fields: Any) -> Any:
        kind = urn.split(":")[1] if urn.count(":") == 2 else ""
        path_urn = quote(urn, safe="")
        if action in ("like", "unlike", "repost", "unrepost"):
            if kind not in ("tracks", "playlists"):
                raise InvalidArgument(f"Only tracks and playlists can be {action}d, not "
                                      f"{urn!r}.", hint="Pass a track or playlist link.")
            graph = "likes" if action.endswith("like") else "reposts"
            method = "DELETE" if action.startswith("un") else "POST"
            await self.call(method, f"/{graph}/{kind}/{path_urn}", what=f"{kind[:-1]} {urn}")
            return None
        if action in ("follow", "unfollow"):
            if kind != "users":
                raise InvalidArgument(f"Only users can be followed, not {urn!r}.",
                                      hint="Pass a user's link.")
            method = "PUT" if action == "follow" else "DELETE"
            await self.call(method, f"/me/followings/{path_urn}", what=f"user {urn}")
            return None
        if action == "playlist_create":
            made = await self.call("POST", "/playlists", body={"playlist": _fields(fields)})
            return parse.playlist(made)
        if action == "playlist_get":
            data = await self.call("GET", f"/playlists/{path_urn}", what=f"playlist {urn}")
            return parse.playlist(data), [f"soundcloud:tracks:{i}"
                                          for i in parse.playlist_track_ids(data)]
        if action == "playlist_update":
            changed = await self.call("PUT", f"/playlists/{path_urn}",
                                      body={"playlist": _fields(fields)},
                                      what=f"playlist {urn}")
            return parse.playlist(changed)
        if action == "playlist_delete":
            await self.call("DELETE", f"/playlists/{path_urn}", what=f"playlist {urn}")
            return None
        if action == "comment":
            made = await self.call("POST", f"/tracks/{path_urn}/comments",
                                   body={"comment": {"body": fields["body"],
                                                     "timestamp": fields["timestamp"]}},
                                   what=f"track {urn}")
            return parse.comment(made)
        if action in ("upload", "track_update"):
            parts = _track_parts(fields)
            if action == "upload":
                return parse.track(await self.call("POST", "/tracks", parts=parts))
            return parse.track(await self.call("PUT", f"/tracks/{path_urn}", parts=parts,
                                               what=f"track {urn}"))
        if action == "track_delete":
            await self.call("DELETE", f"/tracks/{path_urn}", what=f"track {urn}")
            return None
        if action == "sign_out":
            # SC §5 "sign out": POST /sign-out, with the token (the header, as every
            # official-API request carries it); every token of the grant stops working.
            await self.call("POST", "/sign-out", what="sign-out endpoint")
            return None
        raise InvalidArgument(f"SoundCloud has no {action!r} write.")


def _track_parts(fields: dict[str, Any]) -> list[Any]:
    """``track[...]`` multipart fields of an upload or an update (the official API's form
    names: title, tag_list, description, sharing, asset_data, artwork_data)."""
    parts: list[Any] = []
    for key, name in (("title", "title"), ("tags", "tag_list"),
                      ("description", "description")):
        if fields.get(key) is not None:
            value = fields[key]
            if key == "tags":
                value = " ".join(f'"{t}"' if " " in t else t for t in value)
            parts.append((f"track[{name}]", value))
    if fields.get("private") is not None:
        parts.append(("track[sharing]", "private" if fields["private"] else "public"))
    for key, name in (("audio", "asset_data"), ("artwork", "artwork_data")):
        if fields.get(key) is not None:
            parts.append((f"track[{name}]", fields[key]))
    return parts


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in fields:
        out["title"] = fields["title"]
    if "private" in fields:
        out["sharing"] = "private" if fields["private"] else "public"
    if "tracks" in fields:
        out["tracks"] = [{"urn": u} for u in fields["tracks"]]
    return out


def _message(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:200]
    return ""


def _bearing(token: str) -> Credentials:
    return Credentials(frozenset({OFFICIAL}), headers={"Authorization": f"OAuth {token}"})
