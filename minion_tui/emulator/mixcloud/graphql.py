"""app.mixcloud.com/graphql (docs/mixcloud.md §4): `cloudcastLookup`, `userLookup` and
`viewer { live { currentLiveStreams } }`, over GET `?query=` (yt-dlp) and POST JSON
`{query, variables}` (the site and other clients).

`streamInfo` URLs are base64 + XOR with the real key (§4.4, xor.py); exclusive (Select) and
restricted shows answer `streamInfo: null` with their `isExclusive` / `restrictedReason`
(§4.3); a missing show is `cloudcastLookup: null`. Tracklists are `sections`, a union of
`TrackSection` and `ChapterSection` (§2.8), empty when `canShowTracklist` is false.
Live `hlsUrl` is plain text (§5).
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from minion_tui.emulator.faults import looks_like_browser
from minion_tui.emulator.mixcloud import gql, shapes
from minion_tui.emulator.mixcloud.catalog import Comment, LiveStream, McUser, Section, Show
from minion_tui.emulator.mixcloud.on_service import OnService
from minion_tui.emulator.mixcloud.xor import obfuscate

if TYPE_CHECKING:
    from minion_tui.emulator.mixcloud.service import Mixcloud

_CLOUDFLARE = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
               "<h1>Checking if the site connection is secure</h1>"
               "<p>app.mixcloud.com needs to review the security of your connection before "
               "proceeding.</p></body></html>")


def relay_id(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def _const(value: Any) -> gql.Resolver:
    """A resolver answering `value` whatever the arguments."""
    return lambda args: value


def _count(n: int) -> gql.Node:
    return gql.Node("Count", {"totalCount": lambda a: n})


def connection(kind: str, nodes: list[Any], args: dict[str, Any]) -> gql.Node:
    """A Relay connection over `nodes`, `first` at most 100, `after` an opaque cursor."""
    first = max(0, min(int(args.get("first") or 20), 100))
    after = args.get("after")
    start = 0
    if after:
        try:
            start = int(base64.b64decode(after).decode().rsplit(":", 1)[1]) + 1
        except (ValueError, IndexError, UnicodeDecodeError):
            raise gql.GraphQLError(f"Invalid cursor {after!r}.") from None
    window = nodes[start:start + first]

    def cursor(i: int) -> str:
        return base64.b64encode(f"arrayconnection:{i}".encode()).decode()

    edges = [gql.Node(f"{kind}Edge", {"node": _const(n), "cursor": _const(cursor(start + j))})
             for j, n in enumerate(window)]
    end = cursor(start + len(window) - 1) if window else None
    info = gql.Node("PageInfo", {
        "hasNextPage": lambda a: start + len(window) < len(nodes),
        "hasPreviousPage": lambda a: start > 0, "endCursor": lambda a: end,
        "startCursor": lambda a: cursor(start) if window else None})
    return gql.Node(f"{kind}Connection", {"edges": lambda a: edges, "pageInfo": lambda a: info,
                                          "totalCount": lambda a: len(nodes)})


class Schema(OnService):
    def root(self) -> gql.Node:
        return gql.Node("Query", {
            "cloudcastLookup": self._cloudcast_lookup,
            "userLookup": self._user_lookup,
            "viewer": lambda a: self._viewer(),
        })

    def _lookup(self, args: dict[str, Any], *keys: str) -> dict[str, str]:
        lookup = args.get("lookup")
        if not isinstance(lookup, dict) or any(not isinstance(lookup.get(k), str) for k in keys):
            raise gql.GraphQLError(
                f"Argument \"lookup\" must be an object with {' and '.join(keys)} (strings).")
        return lookup

    def _cloudcast_lookup(self, args: dict[str, Any]) -> gql.Node | None:
        lookup = self._lookup(args, "username", "slug")
        show = self.catalog.show(lookup["username"], lookup["slug"])
        return self.cloudcast(show) if show else None

    def _user_lookup(self, args: dict[str, Any]) -> gql.Node | None:
        lookup = self._lookup(args, "username")
        user = self.catalog.user(lookup["username"])
        return self.user(user) if user else None

    def _viewer(self) -> gql.Node:
        live = gql.Node("LiveViewer", {"currentLiveStreams": self._current_live})
        search = gql.Node("Search", {"searchQuery": self._search_query})
        return gql.Node("Viewer", {"live": _const(live), "search": _const(search)})

    def _search_query(self, args: dict[str, Any]) -> gql.Node:
        """`viewer{search{searchQuery(term){cloudcasts(first, after){…} users(…){…}}}}`."""
        words = str(args.get("term") or "").lower().split()
        shows = sorted((s for s in self.catalog.public()
                        if words and all(w in f"{s.name} {' '.join(s.tags)} {s.owner}".lower()
                                         for w in words)), key=lambda s: (-s.plays, s.pk))
        users = sorted((u for u in self.catalog.users.values()
                        if words and all(w in f"{u.username} {u.name}".lower() for w in words)),
                       key=lambda u: u.username.lower())
        return gql.Node("SearchQuery", {
            "cloudcasts": lambda a: connection("Cloudcast", [self.cloudcast(s) for s in shows], a),
            "users": lambda a: connection("User", [self.user(u) for u in users], a)})

    def _current_live(self, args: dict[str, Any]) -> gql.Node:
        streams = list(self.catalog.live)
        tag = args.get("tag")
        if tag:
            streams = [s for s in streams if shapes.tag_slug(s.tag) == shapes.tag_slug(tag)]
        if args.get("orderBy") == "STARTED_AT":
            streams.sort(key=lambda s: -s.started)
        else:
            streams.sort(key=lambda s: -s.spectators)
        return connection("LiveStream", [self.live(s) for s in streams], args)

    def picture(self, kind: str, path: str) -> gql.Resolver:
        def resolve(args: dict[str, Any]) -> gql.Node:
            w = int(args.get("width") or 300)
            h = int(args.get("height") or w)
            return gql.Node("Picture", {
                "url": lambda a: shapes.picture_url(kind, path, w, h),
                "urlRoot": lambda a: path, "primaryColor": lambda a: "1b1b1b"})
        return resolve

    def user(self, user: McUser) -> gql.Node:
        c, low = self.catalog, user.username.lower()

        def shows(keys: list[str]) -> list[gql.Node]:
            return [self.cloudcast(s) for k in keys if (s := c.show_by_key(k)) is not None]

        live = next((s for s in c.live if s.owner.lower() == low), None)
        return gql.Node("User", {
            "id": lambda a: relay_id("User", user.pk), "username": lambda a: user.username,
            "displayName": lambda a: user.name, "url": lambda a: f"{shapes.SITE}/{user.username}/",
            "biog": lambda a: user.biog, "city": lambda a: user.city,
            "country": lambda a: user.country, "isPro": lambda a: user.is_pro,
            "isPremium": lambda a: user.is_premium,
            "picture": self.picture("profile", user.picture),
            "followers": lambda a: _count(len(c.followers.get(low, []))),
            "following": lambda a: _count(len(c.following.get(low, []))),
            "uploads": lambda a: connection("Cloudcast", shows(c.user_shows.get(low, [])), a),
            "favorites": lambda a: connection(
                "Cloudcast", shows([e.who for e in c.favorites.get(low, [])]), a),
            "listens": lambda a: connection(
                "Cloudcast", shows([e.who for e in c.listens.get(low, [])]), a),
            "liveStream": lambda a: self.live(live) if live else None,
        })

    def stream_info(self, show: Show) -> gql.Node | None:
        if show.exclusive or show.restricted:
            return None
        media = self.service.media
        return gql.Node("StreamInfo", {
            "url": lambda a: obfuscate(media.progressive_url(show)),
            "hlsUrl": lambda a: (obfuscate(media.hls_url(show))
                                 if self.service.offer_hls else None),
            "dashUrl": lambda a: (obfuscate(media.dash_url(show))
                                  if self.service.offer_hls else None),
            "uuid": lambda a: show.media_path.rsplit("/", 1)[-1],
            "hash": lambda a: show.media_path.replace("/", "")[:12]})

    def section(self, section: Section) -> gql.Node:
        start = section.start
        if section.kind == "chapter":
            return gql.Node("ChapterSection", {"chapter": lambda a: section.chapter,
                                               "startSeconds": lambda a: start}, union="Section")
        return gql.Node("TrackSection", {"artistName": lambda a: section.artist,
                                         "songName": lambda a: section.song,
                                         "startSeconds": lambda a: start}, union="Section")

    def comment(self, comment: Comment) -> gql.Node:
        author = self.catalog.user(comment.author)
        return gql.Node("Comment", {
            "id": lambda a: relay_id("Comment", comment.pk), "comment": lambda a: comment.body,
            "created": lambda a: shapes.iso(comment.at),
            "user": lambda a: self.user(author) if author else None})

    def cloudcast(self, show: Show) -> gql.Node:
        c, low, media = self.catalog, show.key.lower(), self.service.media
        owner = c.user(show.owner)
        tags = [gql.Node("CloudcastTag", {"tag": _const(gql.Node("Tag", {
            "name": _const(t), "slug": _const(shapes.tag_slug(t))}))}) for t in show.tags]
        sections = [self.section(s) for s in show.sections] if show.can_show_tracklist else []
        return gql.Node("Cloudcast", {
            "id": lambda a: relay_id("Cloudcast", show.pk), "name": lambda a: show.name,
            "slug": lambda a: show.slug, "url": lambda a: shapes.SITE + show.key,
            "description": lambda a: show.description,
            "audioLength": lambda a: show.audio_length, "plays": lambda a: show.plays,
            "publishDate": lambda a: shapes.iso(show.created),
            "isExclusive": lambda a: show.exclusive,
            "isExclusivePreviewOnly": lambda a: False,
            "isPlayable": lambda a: not (show.exclusive or show.restricted),
            "restrictedReason": lambda a: show.restricted,
            "seekRestriction": lambda a: "NONE",
            "hiddenStats": lambda a: show.hidden_stats,
            "streamInfo": lambda a: self.stream_info(show),
            "previewUrl": lambda a: media.preview_url(show),
            "waveformUrl": lambda a: media.waveform_url(show),
            "owner": lambda a: self.user(owner) if owner else None,
            "picture": self.picture("extaudio", show.picture),
            "tags": lambda a: tags,
            "favorites": lambda a: _count(len(c.favoriters.get(low, []))),
            "reposts": lambda a: _count(show.reposts),
            "comments": lambda a: connection(
                "Comment", [self.comment(m) for m in c.show_comments.get(low, [])], a),
            "featuringArtistList": lambda a: sorted({s.artist for s in show.sections
                                                     if s.kind == "track"})[:5],
            "sections": lambda a: sections,
            "canShowTracklist": lambda a: show.can_show_tracklist,
            "countryRestrictions": lambda a: None,
        })

    def live(self, stream: LiveStream) -> gql.Node:
        owner = self.catalog.user(stream.owner)
        return gql.Node("LiveStream", {
            "id": lambda a: relay_id("LiveStream", stream.pk), "name": lambda a: stream.name,
            "description": lambda a: stream.description, "streamStatus": lambda a: "LIVE",
            "startedAt": lambda a: shapes.iso(stream.started), "endedAt": lambda a: None,
            "hlsUrl": lambda a: self.service.media.live_url(stream),
            "thumbnailUrl": lambda a: shapes.picture_url(
                "live_streams", f"{stream.token[:4]}/{stream.uuid}", 640, 360),
            "currentSpectators": lambda a: stream.spectators, "plays": lambda a: 0,
            "isUnlisted": lambda a: False, "broadcastType": lambda a: "STUDIO",
            "owner": lambda a: self.user(owner) if owner else None})


class GraphQLApp:
    """The ASGI endpoint: GET ?query= or POST JSON; bot wall fault; answers as JSON."""

    def __init__(self, service: Mixcloud) -> None:
        self.service = service
        self.schema = Schema(service)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        path = request.scope["path"][len(request.scope.get("root_path", "")):]
        self.service.record("graphql", path, request.url.query)
        if path.rstrip("/") != "/graphql":
            return HTMLResponse("<h1>Not Found</h1>", status_code=404)
        if self.service.faults.active("mc-graphql-wall") and not looks_like_browser(
                request.headers.get("user-agent", "")):
            return HTMLResponse(_CLOUDFLARE, status_code=403,
                                headers={"cf-mitigated": "challenge", "server": "cloudflare"})
        variables: Any = None
        operation: str | None = None
        if request.method == "GET":
            query = request.query_params.get("query")
            if request.query_params.get("variables"):
                try:
                    variables = json.loads(request.query_params["variables"])
                except ValueError:
                    return JSONResponse({"errors": [{"message": "Variables are invalid JSON."}]},
                                        status_code=400)
        elif request.method == "POST":
            try:
                body = json.loads(await request.body())
            except ValueError:
                return JSONResponse({"errors": [{"message": "POST body sent invalid JSON."}]},
                                    status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"errors": [{"message": "Expected a JSON object."}]},
                                    status_code=400)
            query, variables = body.get("query"), body.get("variables")
            operation = body.get("operationName")
        else:
            return JSONResponse({"errors": [{"message": "GraphQL only supports GET and POST "
                                                        "requests."}]}, status_code=405)
        if not isinstance(query, str) or not query.strip():
            return JSONResponse({"errors": [{"message": "Must provide query string."}]},
                                status_code=400)
        if variables is not None and not isinstance(variables, dict):
            return JSONResponse({"errors": [{"message": "Variables must be an object."}]},
                                status_code=400)
        answer = gql.execute(query, variables, operation, self.schema.root())
        return JSONResponse(answer)
