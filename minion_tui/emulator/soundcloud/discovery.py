"""api-v2 discovery endpoints (docs/soundcloud.md §1.4): charts, related tracks, track
stations, recent tracks of a tag, comments, likers and reposters.

Charts are as reworked in 2025/2026: only `kind=trending` with `genre=soundcloud:genres:
all-music` answers; any other kind or genre, or a `region`, is 404 `{}` (NPREC, NOTES-ES).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.catalog.model import Activity, Track, tag_slug
from minion_tui.emulator.soundcloud.context import ApiContext
from minion_tui.emulator.soundcloud.pagination import (
    BadRequest,
    Entry,
    collection,
    cursor_page,
    local_path,
    numeric_page,
    page_href,
)
from minion_tui.emulator.soundcloud.resources import API_ORIGIN, api_json, iso, not_found
from minion_tui.emulator.soundcloud.routing import Endpoint

TRENDING_GENRE = "soundcloud:genres:all-music"
CHART_SIZE = 200
STATION_SIZE = 50  # "always 50 partial tracks, no next_href" (NOTES-ES)
_CHART_PARAMS = {"kind", "genre", "limit", "offset", "linked_partitioning", "client_id",
                 "app_version", "app_locale", "query_urn"}
_COMMENT_SORTS = ("newest", "oldest", "track-timestamp")


def _trending(ctx: ApiContext) -> list[tuple[float, Track]]:
    cached = ctx.cache.get("trending")
    if cached is None:
        now = ctx.catalog.now
        scored = [((t.playback_count + 30 * t.likes_count) / ((now - t.created_at) / 86400 + 3),
                   t) for t in ctx.catalog.listed_tracks()[:1500]]
        scored.sort(key=lambda st: (-st[0], st[1].id))
        cached = ctx.cache["trending"] = scored[:CHART_SIZE]
    return cached  # type: ignore[no-any-return]


async def charts(ctx: ApiContext, request: Request) -> Response:
    params = request.query_params
    if (params.get("kind") != "trending" or params.get("genre") != TRENDING_GENRE
            or set(params.keys()) - _CHART_PARAMS):
        return not_found()
    page, nxt = numeric_page(_trending(ctx), params, default_limit=20)
    urn = "soundcloud:charts:trending:all-music"
    return api_json({
        "genre": TRENDING_GENRE, "kind": "trending",
        "last_updated": iso(ctx.catalog.now - 3 * 3600),
        "collection": [{"track": ctx.render.track(t), "score": round(s, 3)} for s, t in page],
        "query_urn": urn, "next_href": page_href(request, nxt, 20, query_urn=urn),
    })


def related_to(ctx: ApiContext, track: Track, size: int = 100) -> list[Track]:
    """Same genre first, nearest tempo, then the neighbours in popularity."""
    pool = [t for t in ctx.catalog.listed_tracks() if t.id != track.id]
    pool.sort(key=lambda t: (t.genre != track.genre or not t.genre, abs(t.bpm - track.bpm),
                             -t.playback_count, t.id))
    return pool[:size]


async def related(ctx: ApiContext, request: Request) -> Response:
    track = ctx.track(request.path_params["id"], request.query_params.get("secret_token"))
    if track is None:
        return not_found()
    page, nxt = numeric_page(related_to(ctx, track), request.query_params, default_limit=10)
    return api_json(collection([ctx.render.track(t) for t in page],
                               page_href(request, nxt, 10),
                               f"soundcloud:similar:{track.id}", variant="sim_sounds_v3"))


async def station(ctx: ApiContext, request: Request) -> Response:
    station_urn = unquote(request.path_params["station"])
    prefix = "soundcloud:track-stations:"
    if not station_urn.startswith(prefix):
        return not_found()
    track = ctx.track(station_urn[len(prefix):])
    if track is None:
        return not_found()
    tracks = [track, *related_to(ctx, track, STATION_SIZE - 1)]
    return api_json(collection([ctx.render.track(t) for t in tracks], None,
                               f"soundcloud:system-playlists:track-stations:{track.id}"))


async def recent_tracks(ctx: ApiContext, request: Request) -> Response:
    tag = unquote(request.path_params["tag"])
    ids = ctx.catalog.tag_index.get(tag_slug(tag), [])
    c = ctx.catalog
    entries = [Entry(c.tracks[t].created_at, t, t) for t in ids]
    items, cursor = cursor_page(entries, request.query_params, name="tag-tracks",
                                default_limit=20)
    return api_json(collection([ctx.render.track(c.tracks[t]) for t in items],
                               page_href(request, cursor, 20), None))


async def comments(ctx: ApiContext, request: Request) -> Response:
    track = ctx.track(request.path_params["id"], request.query_params.get("secret_token"))
    if track is None:
        return not_found()
    params = request.query_params
    sort = params.get("sort") or "newest"
    if sort not in _COMMENT_SORTS:
        raise BadRequest(f"invalid sort {sort!r}")
    found = ctx.social.comments_of(track.id, ctx.catalog.comments(track))
    if sort == "oldest":
        found.reverse()
    elif sort == "track-timestamp":
        found.sort(key=lambda c: (c.timestamp_ms is None, c.timestamp_ms or 0, c.id))
    page, nxt = numeric_page(found, params, default_limit=20)
    href = None
    if nxt is not None:  # comment pages are the one next_href that keeps client_id (§1.5)
        pairs = dict(params.multi_items())
        pairs.update(offset=str(nxt), limit=str(params.get("limit") or 20))
        href = f"{API_ORIGIN}{local_path(request)}?{urlencode(pairs)}"
    return api_json(collection([ctx.render.comment(c) for c in page], href))


def _reverse(ctx: ApiContext, name: str, graph: dict[int, list[Activity]]) -> dict[int, list]:
    cached = ctx.cache.get(name)
    if cached is None:
        cached = {}
        for edges in graph.values():
            for edge in edges:
                if edge.kind == "track":
                    cached.setdefault(edge.target_id, []).append(edge)
        for edges in cached.values():
            edges.sort(key=lambda a: (a.created_at, a.actor_id), reverse=True)
        ctx.cache[name] = cached
    return cached  # type: ignore[no-any-return]


async def likers(ctx: ApiContext, request: Request) -> Response:
    track = ctx.track(request.path_params["id"], request.query_params.get("secret_token"))
    if track is None:
        return not_found()
    tab = local_path(request).rsplit("/", 1)[-1]
    graph = ctx.social.likes if tab == "likers" else ctx.social.reposts
    edges: list[Any] = _reverse(ctx, f"{tab}:{ctx.social.version}", graph).get(track.id, [])
    page, nxt = numeric_page(edges, request.query_params, default_limit=50)
    return api_json(collection([ctx.render.user(ctx.catalog.artists[e.actor_id]) for e in page],
                               page_href(request, nxt, 50)))


ROUTES: dict[str, Endpoint] = {
    "/charts": charts,
    "/tracks/{id}/related": related,
    "/tracks/{id}/comments": comments,
    "/tracks/{id}/likers": likers,
    "/tracks/{id}/reposters": likers,
    "/stations/{station}/tracks": station,
    "/recent-tracks/{tag}": recent_tracks,
}
