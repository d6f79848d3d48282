"""api-v2 search (docs/soundcloud.md §1.3): /search, /search/{tracks,users,playlists,
playlists_without_albums,albums}, /search/queries.

`q` is mandatory (400 without); `q=*` matches everything (the "popular in genre" idiom with
`filter.genre_or_tag`). Filter values outside the documented sets are a 400. Pages use a numeric
`offset` plus `query_urn`; the envelope adds `total_results`, and the last page has NO
`next_href` key at all (as recorded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.catalog.model import BLOCKED, SNIP, Artist, Track, TrackSet
from minion_tui.emulator.soundcloud.context import ApiContext
from minion_tui.emulator.soundcloud.pagination import (
    BadRequest,
    local_path,
    numeric_page,
    page_href,
    read_limit,
)
from minion_tui.emulator.soundcloud.resources import api_json
from minion_tui.emulator.soundcloud.routing import Endpoint

DEFAULT_LIMIT = 10
_DURATIONS = {"short": (0, 120_000), "medium": (120_000, 600_000),
              "long": (600_000, 1_800_000), "epic": (1_800_000, 10**12)}
_CREATED = {"last_hour": 3600, "last_day": 86400, "last_week": 7 * 86400,
            "last_month": 30 * 86400, "last_year": 365 * 86400}
_LICENSES = ("to_share", "to_use_commercially", "to_modify_commercially")
_ACCESS = {"playable", "preview", "blocked"}


def _query(request: Request) -> str:
    q = request.query_params.get("q")
    if q is None or not q.strip():
        raise BadRequest("q is required")
    return q.strip().lower()


def _license_ok(license_name: str, wanted: str) -> bool:
    if license_name == "all-rights-reserved":
        return False
    if license_name == "no-rights-reserved" or wanted == "to_share":
        return True
    if "-nc" in license_name:
        return False
    return wanted == "to_use_commercially" or "-nd" not in license_name


def _access(track: Track) -> str:
    if track.availability == BLOCKED:
        return "blocked"
    return "preview" if track.availability == SNIP else "playable"


def track_filter(ctx: ApiContext, params: Any) -> Callable[[Track], bool]:
    """One predicate from every `filter.*` / `access` parameter (400 on unknown values)."""
    checks: list[Callable[[Track], bool]] = []
    genre_or_tag = params.get("filter.genre_or_tag")
    if genre_or_tag:  # a case-insensitive literal: "drum & bass" matches, "drum-and-bass" not
        wanted = genre_or_tag.strip().lower()
        checks.append(lambda t: t.genre.lower() == wanted or wanted in t.tags)
    duration = params.get("filter.duration")
    if duration:
        if duration not in _DURATIONS:
            raise BadRequest(f"invalid filter.duration {duration!r}")
        low, high = _DURATIONS[duration]
        checks.append(lambda t: low <= t.duration_ms < high)
    created = params.get("filter.created_at")
    if created:
        if created not in _CREATED:
            raise BadRequest(f"invalid filter.created_at {created!r}")
        since = ctx.catalog.now - _CREATED[created]
        checks.append(lambda t: t.created_at >= since)
    license_filter = params.get("filter.license")
    if license_filter:
        if license_filter not in _LICENSES:
            raise BadRequest(f"invalid filter.license {license_filter!r}")
        checks.append(lambda t: _license_ok(t.license, license_filter))
    access = params.get("access")
    if access:
        allowed = set(access.split(","))
        if not allowed <= _ACCESS:
            raise BadRequest(f"invalid access {access!r}")
        checks.append(lambda t: _access(t) in allowed)
    return lambda t: all(check(t) for check in checks)


def _texts(ctx: ApiContext) -> dict[int, tuple[str, str]]:
    """track id -> (title, everything else), lowercased; built once per server."""
    cached = ctx.cache.get("search_texts")
    if cached is None:
        c = ctx.catalog
        cached = ctx.cache["search_texts"] = {
            t.id: (t.title.lower(),
                   " ".join((c.artists[t.user_id].username, t.genre, *t.tags)).lower())
            for t in c.listed_tracks()
        }
    return cached  # type: ignore[no-any-return]


def _score(q: str, title: str, rest: str) -> int:
    """0 = no match; higher = better (every word must appear somewhere)."""
    if q == "*":
        return 1
    words = q.split()
    if not all(w in title or w in rest for w in words):
        return 0
    return 1 + (2 if q in title else 0) + sum(w in title for w in words)


def matching_tracks(ctx: ApiContext, request: Request, q: str) -> list[tuple[int, Track]]:
    keep = track_filter(ctx, request.query_params)
    texts, c = _texts(ctx), ctx.catalog
    scored = []
    for track in c.listed_tracks():
        title, rest = texts[track.id]
        score = _score(q, title, rest)
        if score and keep(track):
            scored.append((score, track))
    sort = request.query_params.get("sort")
    if sort == "popular":
        scored.sort(key=lambda st: (-st[1].playback_count, st[1].id))
    elif sort == "recent":
        scored.sort(key=lambda st: (-st[1].created_at, st[1].id))
    else:
        scored.sort(key=lambda st: (-st[0], -st[1].playback_count, st[1].id))
    return scored


def matching_users(ctx: ApiContext, request: Request, q: str) -> list[tuple[int, Artist]]:
    place = (request.query_params.get("filter.place") or "").strip().lower()
    scored = []
    for artist in ctx.catalog.artists.values():
        name = f"{artist.username} {artist.first_name} {artist.last_name}".lower()
        score = _score(q, name, f"{artist.city} {artist.genre}".lower())
        if score and (not place or artist.city.lower() == place):
            scored.append((score, artist))
    scored.sort(key=lambda sa: (-sa[0], -len(ctx.catalog.followers.get(sa[1].id, ())), sa[1].id))
    return scored


def matching_sets(ctx: ApiContext, request: Request, q: str,
                  albums: bool | None) -> list[tuple[int, TrackSet]]:
    genre_or_tag = (request.query_params.get("filter.genre_or_tag") or "").strip().lower()
    c, scored = ctx.catalog, []
    for s in c.sets.values():
        if albums is not None and s.is_album != albums:
            continue
        rest = " ".join((c.artists[s.user_id].username, s.genre, *s.tags)).lower()
        score = _score(q, s.title.lower(), rest)
        if score and (not genre_or_tag or genre_or_tag == s.genre.lower()
                      or genre_or_tag in s.tags):
            scored.append((score, s))
    scored.sort(key=lambda ss: (-ss[0], -ss[1].likes_count, ss[1].id))
    return scored


def _query_urn(request: Request) -> str:
    raw = local_path(request) + "?" + "&".join(
        f"{k}={v}" for k, v in sorted(request.query_params.multi_items())
        if k not in ("client_id", "offset", "limit", "query_urn", "app_version", "app_locale"))
    return f"soundcloud:search:{hashlib.md5(raw.encode()).hexdigest()}"


def _respond(ctx: ApiContext, request: Request, found: list[tuple[int, Any]]) -> Response:
    page, nxt = numeric_page(found, request.query_params, default_limit=DEFAULT_LIMIT)
    render = ctx.render
    items = []
    for _, item in page:
        if isinstance(item, Track):
            items.append(render.track(item))
        elif isinstance(item, TrackSet):
            items.append(render.playlist(item))
        else:
            items.append(render.user(item))
    urn = _query_urn(request)
    body: dict[str, Any] = {"collection": items, "total_results": len(found)}
    href = page_href(request, nxt, DEFAULT_LIMIT, query_urn=urn)
    if href:
        body["next_href"] = href
    body["query_urn"] = urn
    return api_json(body)


async def search_tracks(ctx: ApiContext, request: Request) -> Response:
    return _respond(ctx, request, matching_tracks(ctx, request, _query(request)))


async def search_users(ctx: ApiContext, request: Request) -> Response:
    return _respond(ctx, request, matching_users(ctx, request, _query(request)))


async def search_playlists(ctx: ApiContext, request: Request) -> Response:
    albums = {"albums": True, "playlists_without_albums": False}.get(
        local_path(request).rsplit("/", 1)[-1])
    return _respond(ctx, request, matching_sets(ctx, request, _query(request), albums))


async def search_all(ctx: ApiContext, request: Request) -> Response:
    q = _query(request)
    found: list[tuple[int, Any]] = [
        *matching_users(ctx, request, q)[:20], *matching_sets(ctx, request, q, None)[:20],
        *matching_tracks(ctx, request, q)]
    found.sort(key=lambda pair: -pair[0])  # stable: users, then sets, then tracks per score
    return _respond(ctx, request, found)


async def queries(ctx: ApiContext, request: Request) -> Response:
    """Autocomplete: `{collection:[{output, query}]}` (NPREC)."""
    q = _query(request)
    limit = read_limit(request.query_params, 10)
    seen: dict[str, str] = {}
    c = ctx.catalog
    candidates = [a.username for a in c.artists.values()]
    candidates += [t.title for t in c.listed_tracks()[:3000]]
    candidates += sorted(c.tag_index)
    for text in candidates:
        low = text.lower()
        if any(word.startswith(q) for word in low.split()) or low.startswith(q):
            seen.setdefault(low, text)
        if len(seen) >= limit:
            break
    items = [{"output": text, "query": low} for low, text in seen.items()]
    return api_json({"collection": items, "next_href": None, "query_urn": _query_urn(request)})


ROUTES: dict[str, Endpoint] = {
    "/search": search_all,
    "/search/tracks": search_tracks,
    "/search/users": search_users,
    "/search/playlists": search_playlists,
    "/search/playlists_without_albums": search_playlists,
    "/search/albums": search_playlists,
    "/search/queries": queries,
}
