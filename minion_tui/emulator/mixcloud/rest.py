"""api.mixcloud.com (docs/mixcloud.md §1–§2): users, cloudcasts, their lists, search, popular,
new, tags; `metadata=1`; date or offset paging; the 301 for a GET without its trailing slash;
JSONP; `{"error": {...}}` bodies; the 403 `RateLimitException`.

Answers are JSON served as `text/javascript`, like the real API. Lists answer
`{data, paging, name}` (§2.6); a dated list pages by date unless the first request sent
`offset=0` (§1.4). Undated lists (popular, hot, search, similar, playlists) page by offset.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.mixcloud import shapes
from minion_tui.emulator.mixcloud.catalog import TAGS, Show
from minion_tui.emulator.mixcloud.on_service import OnService

if TYPE_CHECKING:
    pass

JSON_TYPE = "text/javascript; charset=utf-8"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100  # what clients cap at; the real maximum is unknown (§1.4)
_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$")
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]*$")


class ApiError(Exception):
    def __init__(self, status: int, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.extra = status, kind, message, extra


def not_found(what: str) -> ApiError:
    # The real 404 type is undocumented; NotFoundException is the notes' guess (§1.5).
    return ApiError(404, "NotFoundException", f"The requested {what} could not be found.")


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None,
           callback: str | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    if callback:
        text = f"{callback}({text});"
    return Response(text, status_code=status, media_type=JSON_TYPE, headers=headers)


def error_body(problem: ApiError) -> dict[str, Any]:
    return {"error": {"type": problem.kind, "message": problem.message, **problem.extra}}


@dataclass(frozen=True)
class Entry:
    """One list row: how to render it and its date (None in undated lists)."""

    render: Callable[[], dict[str, Any]]
    at: int | None


def _parse_when(text: str, name: str) -> int:
    if text.isdigit():
        return int(text)
    match = _DATE.match(text.strip())
    if match is None:
        raise ApiError(400, "InvalidParameterException",
                       f"{name} must be a Unix time or 'YYYY-MM-DD HH:MM:SS', got {text!r}.")
    return calendar.timegm((*(int(g) for g in match.groups()), 0, 0, 0))


def _link_date(when: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))


def _int(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, "InvalidParameterException",
                       f"{name} must be an integer, got {text!r}.") from None
    if value < 0:
        raise ApiError(400, "InvalidParameterException", f"{name} must not be negative.")
    return value


class Rest(OnService):
    """The api.mixcloud.com ASGI app (mounted at /mc-api and, for http:// links, /mc-api-http)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        form: dict[str, Any] = {}
        if request.method in ("POST", "DELETE"):
            raw = await request.body()
            kind = request.headers.get("content-type", "")
            if raw and kind.startswith("multipart/form-data"):
                from minion_tui.emulator.forms import parse_multipart

                form = parse_multipart(kind, raw) or {}
            elif raw:
                form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        response = self.handle(request, form)
        await response(scope, receive, send)

    # ---- dispatch ----------------------------------------------------------------------------

    def handle(self, request: Request, form: dict[str, Any] | None = None) -> Response:
        path = _route_path(request)
        self.service.record("api", path, request.url.query)
        params = dict(parse_qsl(request.url.query, keep_blank_values=True))
        callback = params.get("callback")
        if callback is not None and not _CALLBACK.match(callback):
            callback = None
        retry = self.service.faults.api_call()
        if retry is not None:
            problem = ApiError(403, "RateLimitException",
                               f"You have hit your rate limit. Retry after {retry} seconds.",
                               retry_after=retry)
            return answer(error_body(problem), 403, {"retry-after": str(retry)}, callback)
        if request.method in ("GET", "HEAD") and not path.endswith("/"):
            query = f"?{request.url.query}" if request.url.query else ""
            location = f"{self.service.api_origin(request)}{path}/{query}"
            return Response(b"", status_code=301, headers={"location": location})
        if request.method in ("POST", "DELETE"):
            return self.write(request, path, params, form or {})
        try:
            if request.method not in ("GET", "HEAD"):
                raise ApiError(405, "MethodNotAllowedException",
                               "Only GET is supported by this emulator.")
            parts = [p for p in path.split("/") if p]
            if parts and parts[0].lower() == "me":
                return self.me(parts[1:], params, request)
            body = self.route(parts, params, request)
        except ApiError as problem:
            return answer(error_body(problem), problem.status, callback=callback)
        return answer(body, callback=callback)

    def write(self, request: Request, path: str, params: dict[str, str],
              form: dict[str, Any]) -> Response:
        """POST / DELETE on favorite, repost, listen-later, follow (writes.py)."""
        from minion_tui.emulator.mixcloud.writes import WriteError

        if not path.endswith("/"):  # §1.1: non-GET requests need the trailing slash
            problem = ApiError(404, "NotFoundException", "Not found (no trailing slash).")
            return answer(error_body(problem), 404)
        parts = [p for p in path.split("/") if p]
        remove = request.method == "DELETE" or form.get("method") == "delete"
        token = params.get("access_token") or form.get("access_token")
        try:
            if parts == ["upload"] and request.method == "POST":
                body = self.service.writes.upload(form, token=token if isinstance(token, str)
                                                  else None)
            elif len(parts) == 4 and parts[0] == "upload" and parts[3] == "edit" \
                    and request.method == "POST":
                body = self.service.writes.edit(parts[1], parts[2], form,
                                                token=token if isinstance(token, str)
                                                else None)
            else:
                body = self.service.writes.act(parts, token=token if isinstance(token, str)
                                               else None, remove=remove)
        except WriteError as refused:
            problem = ApiError(refused.status, refused.kind, refused.message)
            return answer(error_body(problem), problem.status)
        return answer(body)

    def route(self, parts: list[str], params: dict[str, str], request: Request) -> Any:
        metadata = params.get("metadata") == "1"
        if not parts:
            raise not_found("resource")
        head = parts[0].lower()
        if head == "search" and len(parts) == 1:
            return self.search(params, request)
        if head == "popular" and len(parts) <= 2:
            hot = len(parts) == 2 and parts[1] == "hot"
            if len(parts) == 2 and not hot:
                raise not_found("resource")
            return self.popular(params, request, hot=hot)
        if head == "new" and len(parts) == 1:
            shows = self.catalog.public()
            return self.page(request, params, [self._show_entry(s, s.created) for s in shows],
                             "New Cloudcasts", dated=True)
        if head in ("discover", "genres") and len(parts) in (2, 3):
            return self.tag(head, parts[1], parts[2] if len(parts) == 3 else None, params,
                            request, metadata)
        user = self.catalog.user(parts[0])
        if user is None:
            raise not_found("user")
        if len(parts) == 1:
            return shapes.user_full(self.catalog, user, metadata)
        if len(parts) == 2 and parts[1] in shapes.USER_CONNECTIONS:
            return self.user_list(user.username, parts[1], params, request)
        if len(parts) == 4 and parts[1] == "playlists" and parts[3] == "cloudcasts":
            return self.playlist(user.username, parts[2], params, request)
        show = self.catalog.show(user.username, parts[1])
        if show is None:
            raise not_found("cloudcast")
        if len(parts) == 2:
            return shapes.show_full(self.catalog, show, metadata,
                                    old_sections=self.service.old_rest_sections)
        if len(parts) == 3 and parts[2] in shapes.SHOW_CONNECTIONS:
            return self.show_list(show, parts[2], params, request)
        raise not_found("resource")

    # ---- resources ---------------------------------------------------------------------------

    def me(self, rest: list[str], params: dict[str, str], request: Request) -> Response:
        """``/me/…`` → a 302 to the signed-in user's own path (as emillon's mock models it,
        §1.1), for a valid ``access_token``; the token is not carried into the Location."""
        token = params.get("access_token")
        if not token:
            raise ApiError(400, "OAuthException",
                           "An access_token is required to access this resource.")
        user = self.service.oauth.user_of(token)
        if user is None:
            raise ApiError(400, "OAuthException", "An invalid access token was provided.")
        kept = urlencode([(k, v) for k, v in params.items() if k != "access_token"])
        path = "/".join([user, *rest])
        location = f"{self.service.api_origin(request)}/{path}/" + (f"?{kept}" if kept else "")
        return Response(b"", status_code=302, headers={"location": location})

    def _show_entry(self, show: Show, at: int | None) -> Entry:
        return Entry(lambda: shapes.show_item(self.catalog, show), at)

    def _user_entry(self, username: str, at: int | None) -> Entry:
        user = self.catalog.user(username)
        assert user is not None
        return Entry(lambda: shapes.user_item(user), at)

    def user_list(self, username: str, kind: str, params: dict[str, str],
                  request: Request) -> Any:
        c, low = self.catalog, username.lower()
        name = {"cloudcasts": "Cloudcasts", "favorites": "Favorites", "followers": "Followers",
                "following": "Following", "listens": "Listens", "comments": "Comments",
                "feed": "Feed", "playlists": "Playlists"}[kind]
        user = c.user(username)
        assert user is not None
        title = f"{user.name}'s {name}"
        if kind == "cloudcasts":
            shows = [s for k in c.user_shows.get(low, []) if (s := c.show_by_key(k))]
            entries = [self._show_entry(s, s.created) for s in shows]
        elif kind in ("favorites", "listens"):
            events = (c.favorites if kind == "favorites" else c.listens).get(low, [])
            entries = [self._show_entry(s, e.at) for e in events
                       if (s := c.show_by_key(e.who)) is not None]
        elif kind in ("followers", "following"):
            events = (c.followers if kind == "followers" else c.following).get(low, [])
            entries = [self._user_entry(e.who, e.at) for e in events]
        elif kind == "comments":
            entries = [Entry(functools.partial(shapes.comment_item, c, m), m.at)
                       for m in c.user_comments.get(low, [])]
        elif kind == "feed":
            followed = {e.who.lower() for e in c.following.get(low, [])}
            shows = [s for s in c.public() if s.owner.lower() in followed]
            entries = [self._show_entry(s, s.created) for s in shows]
        else:
            entries = [Entry(functools.partial(shapes.playlist_item, c, p), None)
                       for p in c.playlists.get(low, [])]
            return self.page(request, params, entries, title, dated=False)
        return self.page(request, params, entries, title, dated=True)

    def playlist(self, username: str, slug: str, params: dict[str, str],
                 request: Request) -> Any:
        found = next((p for p in self.catalog.playlists.get(username.lower(), [])
                      if p.slug == slug.lower()), None)
        if found is None:
            raise not_found("playlist")
        shows = [s for k in found.shows if (s := self.catalog.show_by_key(k)) is not None]
        return self.page(request, params, [self._show_entry(s, None) for s in shows],
                         found.name, dated=False)

    def show_list(self, show: Show, kind: str, params: dict[str, str], request: Request) -> Any:
        c, low = self.catalog, show.key.lower()
        if kind in ("favorites", "listeners"):
            events = (c.favoriters if kind == "favorites" else c.listeners).get(low, [])
            entries = [self._user_entry(e.who, e.at) for e in events]
            return self.page(request, params, entries, f"{show.name} {kind.title()}",
                             dated=True)
        if kind == "comments":
            entries = [Entry(functools.partial(shapes.comment_item, c, m), m.at)
                       for m in c.show_comments.get(low, [])]
            return self.page(request, params, entries, f"Comments on {show.name}", dated=True)
        mine = set(show.tags)
        similar = sorted((s for s in c.public() if s is not show and mine & set(s.tags)),
                         key=lambda s: (-len(mine & set(s.tags)), -s.plays, s.pk))
        return self.page(request, params, [self._show_entry(s, None) for s in similar[:60]],
                         f"Similar to {show.name}", dated=False)

    def popular(self, params: dict[str, str], request: Request, *, hot: bool) -> Any:
        shows = self.catalog.public()
        if hot:  # plays per day of age: new shows with plays rise
            ranked = sorted(shows, key=lambda s: (-s.plays / max(1.0, (shapes_now() - s.created)
                                                                  / 86400), s.pk))
            name = "Hot Cloudcasts"
        else:
            ranked = sorted(shows, key=lambda s: (-s.plays, s.pk))
            name = "Popular Cloudcasts"
        return self.page(request, params, [self._show_entry(s, None) for s in ranked], name,
                         dated=False)

    def tag(self, prefix: str, slug: str, kind: str | None, params: dict[str, str],
            request: Request, metadata: bool) -> Any:
        tag_part, _, city = slug.lower().partition("city:")
        tag_part = tag_part.rstrip("+")
        names = {shapes.tag_slug(n): n for n, _ in TAGS}
        if tag_part and tag_part not in names:
            raise not_found("tag")
        if not tag_part and not city:
            raise not_found("tag")
        tag_name = names.get(tag_part, "")
        shows = [s for s in self.catalog.public()
                 if (not tag_name or tag_name in s.tags)
                 and (not city or self._city_of(s) == city)]
        label = (f"{tag_name} shows" if tag_name else "Shows") + (
            f" in {city.replace('-', ' ').title()}" if city else "")
        key = f"/{prefix}/{slug}/"
        if kind is None:
            body: dict[str, Any] = {"key": key, "url": shapes.SITE + key, "name": label,
                                    "type": "tag"}
            if metadata:
                body["metadata"] = shapes.connections(key, ("popular", "latest"))
            return body
        if kind == "popular":
            ranked = sorted(shows, key=lambda s: (-s.plays, s.pk))
            return self.page(request, params, [self._show_entry(s, None) for s in ranked],
                             f"Popular {label}", dated=False)
        if kind == "latest":
            return self.page(request, params, [self._show_entry(s, s.created) for s in shows],
                             f"Latest {label}", dated=True)
        raise not_found("resource")

    def _city_of(self, show: Show) -> str:
        owner = self.catalog.user(show.owner)
        return shapes.tag_slug(owner.city) if owner else ""

    def search(self, params: dict[str, str], request: Request) -> Any:
        query = params.get("q", "").strip().lower()
        kind = params.get("type", "cloudcast")
        if not query:
            raise ApiError(400, "InvalidParameterException", "q is required.")
        words = query.split()
        if kind == "cloudcast":
            hits: Sequence[Entry] = [
                self._show_entry(s, None) for s in sorted(
                    (s for s in self.catalog.public()
                     if all(w in f"{s.name} {' '.join(s.tags)} {s.owner}".lower()
                            for w in words)), key=lambda s: (-s.plays, s.pk))]
        elif kind == "user":
            users = sorted((u for u in self.catalog.users.values()
                            if all(w in f"{u.username} {u.name}".lower() for w in words)),
                           key=lambda u: u.username.lower())
            hits = [self._user_entry(u.username, None) for u in users]
        elif kind == "tag":
            hits = [Entry(functools.partial(shapes.tag_item, n), None)
                    for n, _ in TAGS if all(w in n.lower() for w in words)]
        else:
            raise ApiError(400, "InvalidParameterException",
                           f"type must be cloudcast, user or tag, got {kind!r}.")
        return self.page(request, params, list(hits), f"Search results for {query}",
                         dated=False)

    # ---- paging (§1.4) -----------------------------------------------------------------------

    def page(self, request: Request, params: dict[str, str], entries: list[Entry], name: str,
             *, dated: bool) -> dict[str, Any]:
        limit = min(_int(params, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
        offset = _int(params, "offset", 0)
        by_date = dated and "offset" not in params
        until = _parse_when(params["until"], "until") if params.get("until") else None
        since = _parse_when(params["since"], "since") if params.get("since") else None
        rows = entries
        if dated and until is not None:
            rows = [e for e in rows if e.at is not None and e.at < until]
        if dated and since is not None:
            newer = [e for e in rows if e.at is not None and e.at > since]
            rows = newer[-limit:] if by_date else newer  # the page just before `since`
        chosen = rows[offset:offset + limit]
        paging: dict[str, str] = {}
        base = {k: v for k, v in params.items()
                if k not in ("offset", "until", "since", "limit", "callback")}
        base["limit"] = str(limit)
        if by_date:
            oldest = chosen[-1].at if chosen else None
            newest = chosen[0].at if chosen else None
            if oldest is not None and any(e.at is not None and e.at < oldest for e in entries):
                paging["next"] = self._link(request, base, until=_link_date(oldest))
            if newest is not None and any(e.at is not None and e.at > newest for e in entries):
                paging["previous"] = self._link(request, base, since=_link_date(newest))
        else:
            if offset + limit < len(rows):
                paging["next"] = self._link(request, base, offset=str(offset + limit))
            if offset > 0:
                paging["previous"] = self._link(request, base,
                                                offset=str(max(0, offset - limit)))
        return {"data": [e.render() for e in chosen], "paging": paging, "name": name}

    def _link(self, request: Request, base: dict[str, str], **extra: str) -> str:
        query = urlencode(sorted({**base, **extra}.items()))
        return f"{self.service.paging_origin(request)}{_route_path(request)}?{query}"


def shapes_now() -> int:
    from minion_tui.emulator.mixcloud.catalog import MC_NOW

    return MC_NOW


def _route_path(request: Request) -> str:
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path
