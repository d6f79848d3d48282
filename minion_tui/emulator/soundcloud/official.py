"""SoundCloud's OAuth 2.1 origin (secure.soundcloud.com) and the few official-API reads a
signed-in client makes (api.soundcloud.com), as docs/soundcloud.md §5 describes them.

* ``GET /authorize`` — the consent page, approving at once (``emulator/oauth.py``).
* ``POST /oauth/token`` — form-encoded: ``authorization_code`` (PKCE S256), ``refresh_token``
  (single-use), ``client_credentials`` (Basic auth, capped per hour); errors as
  ``{"code": 400, "message": "invalid_grant", …}``.
* the writes and the user's own lists: official_writes.py.
* ``POST /sign-out`` — revokes the grant of the token it is sent with.
* ``GET /me``, ``GET /me/likes/tracks`` (cursor pages, ``linked_partitioning``), and
  ``GET /tracks/{urn}`` with ``Authorization: OAuth <token>`` only (query tokens are
  deprecated, §5); dates in the official API's ``2019/01/15 15:40:49 +0000`` form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from minion_tui.emulator import apps
from minion_tui.emulator.oauth import OAuthError, OAuthServer, parse_basic, read_form
from minion_tui.emulator.soundcloud import official_writes
from minion_tui.emulator.soundcloud.context import ApiContext, parse_id
from minion_tui.emulator.soundcloud.official_writes import error as _error
from minion_tui.emulator.soundcloud.resources import api_json

API = "https://api.soundcloud.com"
#: The app ``--demo`` signs in with (a confidential app: it has a secret, and PKCE too).
DEMO_APP_ID, DEMO_APP_SECRET, DEMO_REDIRECTS = (
    apps.SOUNDCLOUD_APP_ID, apps.SOUNDCLOUD_APP_SECRET, apps.REDIRECTS)
_DATES = ("created_at", "last_modified", "release_date", "display_date")
MAX_LIMIT = 200


def official_date(iso: Any) -> Any:
    """``2019-01-15T15:40:49Z`` → ``2019/01/15 15:40:49 +0000`` (the official API's form)."""
    if not isinstance(iso, str) or len(iso) < 19:
        return iso
    return f"{iso[0:4]}/{iso[5:7]}/{iso[8:10]} {iso[11:19]} +0000"


class Official:
    def __init__(self, ctx: ApiContext, server: OAuthServer) -> None:
        self.ctx = ctx
        self.server = server

    def mounts(self) -> list[Mount]:
        return [
            Mount("/sc-secure", routes=[Route("/authorize", self.authorize),
                                        Route("/oauth/token", self.token, methods=["POST"])]),
            Mount("/sc-api", routes=[Route("/me", self.me),
                                     Route("/sign-out", self.sign_out, methods=["POST"]),
                                     Route("/me/likes/tracks", self.likes),
                                     Route("/tracks/{urn}", self.track),
                                     *official_writes.routes(self)]),
        ]

    # -- secure.soundcloud.com ----------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        try:
            location = self.server.authorize(dict(request.query_params))
        except OAuthError as refused:
            where = refused.location()
            if where is not None:
                return RedirectResponse(where, status_code=302)
            return HTMLResponse(f"<h1>Cannot connect this app</h1><p>{refused.error}: "
                                f"{refused.description}</p>", status_code=refused.status)
        return RedirectResponse(location, status_code=302)

    async def token(self, request: Request) -> Response:
        form = await read_form(request)
        try:
            answer = self.server.token(form, parse_basic(request.headers.get("authorization")))
        except OAuthError as refused:
            return _error(refused.status, refused.error)
        return api_json(answer)

    # -- api.soundcloud.com --------------------------------------------------------------------
    def _user(self, request: Request, *, client: bool = False) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return None
        return self.server.user_of(header[len("OAuth "):].strip(), client=client)

    async def sign_out(self, request: Request) -> Response:
        """``POST /sign-out`` (§5 "sign out"), with the user's token: its grant is revoked,
        so the access token and its refresh token are refused from then on. The notes give
        no answer body: ``{}`` with 200."""
        header = request.headers.get("authorization", "")
        token = header[len("OAuth "):].strip() if header.startswith("OAuth ") else ""
        if not token or self.server.user_of(token) is None:
            return _error(401, "Unauthorized")
        self.server.revoke(token)
        return api_json({})

    async def me(self, request: Request) -> Response:
        user = self._user(request)
        artist = self.ctx.catalog.artists.get(int(user)) if user and user.isdigit() else None
        if artist is None:
            return _error(401, "Unauthorized")
        return api_json(self._dated(self.ctx.render.user(artist)))

    async def likes(self, request: Request) -> Response:
        user = self._user(request)
        if not user or not user.isdigit():
            return _error(401, "Unauthorized")
        try:
            limit = int(request.query_params.get("limit", "50"))
        except ValueError:
            return _error(400, "limit must be a number")
        limit = max(1, min(limit, MAX_LIMIT))
        cursor = request.query_params.get("cursor", "")
        likes = [a for a in self.ctx.social.likes.get(int(user), []) if a.kind == "track"]
        start = 0
        if cursor:
            start = next((i + 1 for i, a in enumerate(likes)
                          if f"{a.created_at}-{a.target_id}" == cursor), len(likes))
        chunk = likes[start:start + limit]
        tracks = [self.ctx.catalog.tracks.get(a.target_id) for a in chunk]
        body: dict[str, Any] = {
            "collection": [self._dated(self.ctx.render.track(t)) for t in tracks if t],
            "next_href": None,
        }
        if start + limit < len(likes) and chunk:
            last = chunk[-1]
            query = urlencode({"limit": limit, "linked_partitioning": "true",
                               "cursor": f"{last.created_at}-{last.target_id}"})
            body["next_href"] = f"{API}/me/likes/tracks?{query}"
        return api_json(body)

    async def track(self, request: Request) -> Response:
        if self._user(request, client=True) is None:
            return _error(401, "Unauthorized")
        found = self.ctx.social.track(parse_id(request.path_params["urn"], "tracks"))
        if found is None or not found.listed:
            return api_json({}, 404)
        return api_json(self._dated(self.ctx.render.track(found)))

    @staticmethod
    def _dated(item: dict[str, Any]) -> dict[str, Any]:
        return {k: official_date(v) if k in _DATES else v for k, v in item.items()}

