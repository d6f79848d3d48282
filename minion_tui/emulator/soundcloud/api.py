"""api-v2.soundcloud.com, served under /sc-api-v2: the core resources (resolve, tracks,
playlists, users, me) and the assembly of every api-v2 route.

Strict by design (docs/soundcloud.md §1): every call needs the current `client_id` (401
otherwise, so client-id refresh logic is exercised), unknown paths and ids answer 404 `{}`,
`/tracks?ids=` is a bare array capped at 50 ids whose order is not kept.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

from minion_tui.emulator.catalog.model import Artist, Track, TrackSet
from minion_tui.emulator.soundcloud import discovery, media_urls, search, user_lists
from minion_tui.emulator.soundcloud.context import ApiContext, parse_id
from minion_tui.emulator.soundcloud.pagination import BadRequest
from minion_tui.emulator.soundcloud.resources import api_json, bad_request, not_found
from minion_tui.emulator.soundcloud.routing import Endpoint, api_routes

MAX_IDS = 50  # /tracks?ids= over 50 ids -> 400 (NOTES-ES, §1.1)
_WEB_HOSTS = {"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}
_RESERVED = {"discover", "search", "tags", "charts", "stream", "you", "upload", "pages",
             "settings", "messages", "notifications", "people", "mobile", "terms-of-use"}
_SECRET_RE = re.compile(r"^s-[A-Za-z0-9]+$")


class ApiApp:
    """The api-v2 origin: logs each call, checks the client id, maps BadRequest to 400."""

    def __init__(self, ctx: ApiContext, routes: list[Route]) -> None:
        self.ctx = ctx
        self.router = Router(routes=routes, default=self._unknown)

    async def _unknown(self, scope: Any, receive: Any, send: Any) -> None:
        await not_found()(scope, receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        request = Request(scope)
        self.ctx.state.record_api_call(_local_path(scope), scope.get("query_string", b"").decode(),
                                       at=scope.get("minion.arrived"))
        if not self.ctx.state.client_id_valid(request.query_params.get("client_id")):
            await api_json({}, 401)(scope, receive, send)
            return
        try:
            await self.router(scope, receive, send)
        except BadRequest as problem:
            await bad_request(str(problem))(scope, receive, send)


def _local_path(scope: Any) -> str:
    """The path inside the origin (the /sc-api-v2 mount prefix removed)."""
    root = scope.get("root_path", "")
    path = scope["path"]
    return path[len(root):] if root and path.startswith(root) else path


# -- resolve -------------------------------------------------------------------------------------
def resolve_url(ctx: ApiContext, url: str) -> Track | TrackSet | Artist | None:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host == "on.soundcloud.com":
        target = ctx.catalog.short_links.get(parts.path.strip("/"))
        return resolve_url(ctx, target) if target else None
    if host not in _WEB_HOSTS or parts.scheme not in ("http", "https"):
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments or segments[0].lower() in _RESERVED:
        return None
    user = segments[0]
    if len(segments) == 1:
        return ctx.catalog.artist_by_permalink(user)
    if segments[1] == "sets":
        if len(segments) != 3:
            return None  # private sets do not exist in the catalog
        return ctx.catalog.set_by_path(user, segments[2])
    if len(segments) > 3 or (len(segments) == 3 and not _SECRET_RE.match(segments[2])):
        return None
    track = ctx.catalog.track_by_path(user, segments[1])
    secret = segments[2] if len(segments) == 3 else None
    if track is None or track.secret_token != secret:
        return None  # a private track needs its /s-… link; a public one must not have one
    return track


async def resolve(ctx: ApiContext, request: Request) -> Response:
    url = request.query_params.get("url")
    if not url:
        raise BadRequest("url is required")
    found = resolve_url(ctx, url)
    if isinstance(found, Track):
        return api_json(ctx.render.track(found, full_user=True))
    if isinstance(found, TrackSet):
        return api_json(ctx.render.playlist(found))
    if isinstance(found, Artist):
        return api_json(ctx.render.user(found))
    return not_found()


# -- single resources ----------------------------------------------------------------------------
async def track(ctx: ApiContext, request: Request) -> Response:
    found = ctx.track(request.path_params["id"], request.query_params.get("secret_token"))
    return api_json(ctx.render.track(found, full_user=True)) if found else not_found()


async def tracks_by_ids(ctx: ApiContext, request: Request) -> Response:
    raw = request.query_params.get("ids", "")
    parts = [p for p in raw.split(",") if p]
    if not parts:
        raise BadRequest("ids is required")
    if len(parts) > MAX_IDS:
        raise BadRequest(f"too many ids: {len(parts)} (at most {MAX_IDS})")
    ids = [parse_id(p, "tracks") for p in parts]
    if -1 in ids:
        raise BadRequest(f"invalid ids {raw!r}")
    found = [ctx.catalog.tracks[i] for i in dict.fromkeys(ids) if i in ctx.catalog.tracks]
    found = [t for t in found if t.listed]
    # The response order does not follow the request (§1.1): a stable scramble by id.
    found.sort(key=lambda t: (t.id * 2654435761) % 4294967296)
    return api_json([ctx.render.track(t) for t in found])


async def playlist(ctx: ApiContext, request: Request) -> Response:
    found = ctx.track_set(request.path_params["id"])
    return api_json(ctx.render.playlist(found)) if found else not_found()


async def user(ctx: ApiContext, request: Request) -> Response:
    found = ctx.artist(request.path_params["id"])
    return api_json(ctx.render.user(found)) if found else not_found()


async def me(ctx: ApiContext, request: Request) -> Response:
    user_id = ctx.state.user_for_token(request.headers.get("authorization"))
    if user_id is None or user_id not in ctx.catalog.artists:
        return api_json({}, 401)
    return api_json(ctx.render.user(ctx.catalog.artists[user_id]))


ROUTES: dict[str, Endpoint] = {
    "/resolve": resolve,
    "/tracks": tracks_by_ids,
    "/tracks/{id}": track,
    "/playlists/{id}": playlist,
    "/users/{id}": user,
    "/me": me,
}


def build_api(ctx: ApiContext) -> ApiApp:
    tables = (ROUTES, user_lists.ROUTES, search.ROUTES, discovery.ROUTES, media_urls.ROUTES)
    return ApiApp(ctx, [route for table in tables for route in api_routes(ctx, table)])
