"""The user tabs of api-v2 (docs/soundcloud.md §1.2): tracks, toptracks, albums, playlists,
likes, followings, followers, and the reposts / all streams under /stream/users/{id}.

Cursor-paged (tracks, likes, followings, followers, streams) or offset-paged (toptracks, albums,
playlists) as §1.5 describes; see pagination.py.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.soundcloud.context import ApiContext
from minion_tui.emulator.soundcloud.pagination import (
    Entry,
    collection,
    cursor_page,
    numeric_page,
    page_href,
)
from minion_tui.emulator.soundcloud.resources import api_json, iso, not_found
from minion_tui.emulator.soundcloud.routing import Endpoint

DEFAULT_LIMIT = 50


def _page(request: Request, rendered: list[Any], cursor: int | str | None,
          limit: int = DEFAULT_LIMIT) -> Response:
    """A page of a user's list: ``rendered`` and the link to the next page from ``cursor``
    (none at the end)."""
    return api_json(collection(rendered, page_href(request, cursor, limit)))


async def user_tracks(ctx: ApiContext, request: Request) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    social = ctx.social  # the catalog's uploads, and those made or deleted here
    found = {t: track for t in social.track_ids(artist.id)
             if (track := social.track(t)) is not None}
    entries = [Entry(track.created_at, t, t, track.listed) for t, track in found.items()]
    items, cursor = cursor_page(entries, request.query_params, name="tracks",
                                default_limit=DEFAULT_LIMIT)
    rendered = [ctx.render.track(found[t]) for t in items]
    return _page(request, rendered, cursor)


async def toptracks(ctx: ApiContext, request: Request) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    c = ctx.catalog
    ranked = sorted((c.tracks[t] for t in c.user_tracks.get(artist.id, []) if c.tracks[t].listed),
                    key=lambda t: (-t.playback_count, t.id))
    page, nxt = numeric_page(ranked, request.query_params, default_limit=10)
    return _page(request, [ctx.render.track(t) for t in page], nxt, 10)


def _sets(ctx: ApiContext, request: Request, albums: bool | None) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    # Private playlists are the owner's alone (the official API's /me/playlists shows them).
    sets = [found for s in ctx.social.set_ids(artist.id)
            if (found := ctx.social.track_set(s)) is not None
            and s not in ctx.social.private_sets]
    chosen = [s for s in sets if albums is None or s.is_album == albums]
    page, nxt = numeric_page(chosen, request.query_params, default_limit=10)
    return _page(request, [ctx.render.playlist(s) for s in page], nxt, 10)


async def albums(ctx: ApiContext, request: Request) -> Response:
    return _sets(ctx, request, True)


async def playlists_without_albums(ctx: ApiContext, request: Request) -> Response:
    return _sets(ctx, request, False)


async def playlists(ctx: ApiContext, request: Request) -> Response:
    return _sets(ctx, request, None)


async def likes(ctx: ApiContext, request: Request) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    c, render = ctx.catalog, ctx.render
    # A like of a track made private since is cut into the page and then left out, as the
    # service does, so likes pages can be empty and still link on (docs/soundcloud.md §1.5).
    entries = [Entry(a.created_at, a.target_id, a,
                     a.kind != "track" or c.tracks[a.target_id].listed, owner=artist.id)
               for a in ctx.social.likes.get(artist.id, [])]
    items, cursor = cursor_page(entries, request.query_params, name="user-track-likes",
                                default_limit=DEFAULT_LIMIT, like_style=True)
    rendered = []
    for like in items:
        body: dict[str, Any] = {"created_at": iso(like.created_at), "kind": "like"}
        if like.kind == "track":
            body["track"] = render.track(c.tracks[like.target_id])
        else:
            liked = ctx.social.track_set(like.target_id)
            if liked is None:
                continue
            body["playlist"] = render.playlist(liked, with_tracks=False)
        rendered.append(body)
    return _page(request, rendered, cursor)


async def follows(ctx: ApiContext, request: Request) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    tab = request.url.path.rsplit("/", 1)[-1]
    graph = ctx.social.followings if tab == "followings" else ctx.catalog.followers
    entries = [Entry(a.created_at, a.target_id, a) for a in graph.get(artist.id, [])]
    items, cursor = cursor_page(entries, request.query_params, name=tab,
                                default_limit=DEFAULT_LIMIT)
    rendered = [ctx.render.user(ctx.catalog.artists[a.target_id]) for a in items]
    return _page(request, rendered, cursor)


def _stream_item(ctx: ApiContext, owner: int, at: int, kind: str, target: int,
                 repost: bool) -> dict[str, Any]:
    c, render = ctx.catalog, ctx.render
    artist = c.artists[owner]
    digest = hashlib.md5(f"{owner}:{kind}:{target}:{at}".encode()).digest()
    item: dict[str, Any] = {
        "created_at": iso(at), "type": f"{kind}-repost" if repost else kind,
        "user": render.mini_user(artist), "uuid": str(uuid.UUID(bytes=digest, version=4)),
        "caption": None,
    }
    urn = f"soundcloud:{kind}s:{target}"
    if repost:
        item["reposted"] = {"target_urn": urn, "user_urn": f"soundcloud:users:{owner}",
                            "caption": None}
    if kind == "track":
        item["track"] = render.track(c.tracks[target])
    else:
        found = ctx.social.track_set(target)
        item["playlist"] = (render.playlist(found) if found is not None
                            else {"id": target, "kind": "playlist"})
    return item


async def stream(ctx: ApiContext, request: Request) -> Response:
    artist = ctx.artist(request.path_params["id"])
    if artist is None:
        return not_found()
    c = ctx.catalog
    reposts_only = request.url.path.endswith("/reposts")
    entries: list[Entry[tuple[int, str, int, bool]]] = [
        Entry(a.created_at, a.target_id, (a.created_at, a.kind, a.target_id, True))
        for a in ctx.social.reposts.get(artist.id, [])
    ]
    if not reposts_only:
        entries += [Entry(c.tracks[t].created_at, t, (c.tracks[t].created_at, "track", t, False),
                          c.tracks[t].listed) for t in c.user_tracks.get(artist.id, [])]
        entries += [Entry(found.created_at, s, (found.created_at, "playlist", s, False))
                    for s in ctx.social.set_ids(artist.id)
                    if (found := ctx.social.track_set(s)) is not None
                    and s not in ctx.social.private_sets]
        entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    name = "reposts" if reposts_only else "stream"
    items, cursor = cursor_page(entries, request.query_params, name=name,
                                default_limit=DEFAULT_LIMIT)
    rendered = [_stream_item(ctx, artist.id, at, kind, target, repost)
                for at, kind, target, repost in items]
    return _page(request, rendered, cursor)


ROUTES: dict[str, Endpoint] = {
    "/users/{id}/tracks": user_tracks,
    "/users/{id}/toptracks": toptracks,
    "/users/{id}/albums": albums,
    "/users/{id}/playlists": playlists,
    "/users/{id}/playlists_without_albums": playlists_without_albums,
    "/users/{id}/likes": likes,
    "/users/{id}/followings": follows,
    "/users/{id}/followers": follows,
    "/stream/users/{id}/reposts": stream,
    "/stream/users/{id}": stream,
}
