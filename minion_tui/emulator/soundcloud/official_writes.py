"""The official API's writes and the signed-in user's own lists (api.soundcloud.com), as
docs/soundcloud.md §5 lists them, with their state in social.py so the reads show them —
api-v2's public lists included (a like is in ``/users/{id}/likes``, a playlist in
``/users/{id}/playlists``, a follow in ``/users/{id}/followings``, a comment in
``/tracks/{id}/comments``).

* ``POST`` / ``DELETE /likes/tracks/{urn}``, ``/likes/playlists/{urn}`` → 200 (the spec uses
  POST, not PUT);
* ``POST`` (201) / ``DELETE /reposts/tracks/{urn}``, ``/reposts/playlists/{urn}``;
* ``PUT`` (201 new, 200 already) / ``DELETE /me/followings/{user_urn}``; 422 at the limit;
* ``POST /playlists`` body ``{"playlist": {"title", "description", "sharing", "tracks":
  [{"urn"}]}}`` → 201; ``GET`` / ``PUT`` (the same body, fields given replace) / ``DELETE
  /playlists/{urn}`` (the owner's only: 403 for others);
* ``POST /tracks/{urn}/comments`` body ``{"comment": {"body", "timestamp"}}`` → 201;
* ``GET /me/playlists``, ``/me/followings``, ``/me/feed`` (what the followed users uploaded
  and reposted), ``/me/recently-played/tracks`` (what ``/tracks/{urn}/streams`` gave this
  user), cursor-paged like ``/me/likes/tracks``.

Every one needs ``Authorization: OAuth <user token>`` (401 otherwise); ids are URNs or
numbers (numeric ids are deprecated, §5, and still answered); an unknown resource is 404.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from minion_tui.emulator.catalog.model import TrackSet
from minion_tui.emulator.soundcloud.context import parse_id
from minion_tui.emulator.soundcloud.resources import api_json

API = "https://api.soundcloud.com"
MAX_TITLE = 300
MAX_BODY = 10_000
MAX_TRACKS = 500


def error(status: int, message: str) -> Response:
    word = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
    return api_json({"code": status, "message": message,
                     "link": "https://developers.soundcloud.com/docs/api/explorer/open-api",
                     "status": f"{status} - {word.get(status, 'Error')}",
                     "errors": [{"error_message": message}], "error": message}, status)


def routes(official: Any) -> list[Route]:
    """``official``: the Official app of official.py (its ``ctx``, ``_user``, ``_dated``)."""
    w = _Writes(official)
    return [
        Route("/likes/{kind:str}/{urn}", w.like, methods=["POST", "DELETE"]),
        Route("/reposts/{kind:str}/{urn}", w.repost, methods=["POST", "DELETE"]),
        Route("/me/followings/{urn}", w.follow, methods=["PUT", "DELETE"]),
        Route("/me/followings", w.my_followings),
        Route("/me/playlists", w.my_playlists),
        Route("/me/feed", w.my_feed),
        Route("/me/recently-played/tracks", w.my_played),
        Route("/playlists", w.create_playlist, methods=["POST"]),
        Route("/playlists/{urn}", w.playlist, methods=["GET", "PUT", "DELETE"]),
        Route("/tracks/{urn}/comments", w.comment, methods=["POST"]),
        Route("/tracks/{urn}/streams", w.streams),
        Route("/tracks", w.upload, methods=["POST"]),
        Route("/tracks/{urn}", w.change_track, methods=["PUT", "DELETE"]),
        Route("/me/tracks", w.my_tracks),
    ]


class _Writes:
    def __init__(self, official: Any) -> None:
        self.o = official
        self.ctx = official.ctx

    # -- helpers ---------------------------------------------------------------------------
    def _me(self, request: Request) -> int | None:
        user = self.o._user(request)
        return int(user) if user and user.isdigit() else None

    def _error(self, status: int, message: str) -> Response:
        return error(status, message)

    async def _body(self, request: Request) -> dict[str, Any] | None:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def _page(self, request: Request, items: Sequence[tuple[str, dict[str, Any]]],
              path: str) -> Response:
        """A cursor page of (cursor key, rendered item), newest first."""
        try:
            limit = max(1, min(int(request.query_params.get("limit", "50")), 200))
        except ValueError:
            return self._error(400, "limit must be a number")
        cursor = request.query_params.get("cursor", "")
        start = 0
        if cursor:
            start = next((i + 1 for i, (key, _) in enumerate(items) if key == cursor),
                         len(items))
        chunk = items[start:start + limit]
        body: dict[str, Any] = {"collection": [item for _, item in chunk], "next_href": None}
        if start + limit < len(items) and chunk:
            query = urlencode({"limit": limit, "linked_partitioning": "true",
                               "cursor": chunk[-1][0]})
            body["next_href"] = f"{API}{path}?{query}"
        return api_json(body)

    def _track(self, raw: str) -> Any:
        found = self.ctx.social.track(parse_id(raw, "tracks"))
        return found if found is not None and found.listed else None

    # -- likes, reposts, follows -----------------------------------------------------------
    async def like(self, request: Request) -> Response:
        return await self._mark(request, "likes")

    async def repost(self, request: Request) -> Response:
        return await self._mark(request, "reposts")

    async def _mark(self, request: Request, graph: str) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        kind = request.path_params["kind"]
        raw = request.path_params["urn"]
        social = self.ctx.social
        if kind == "tracks":
            target_id, what = parse_id(raw, "tracks"), "track"
            exists = self._track(raw) is not None
        elif kind == "playlists":
            target_id, what = parse_id(raw, "playlists"), "playlist"
            exists = social.track_set(target_id) is not None
        else:
            return api_json({}, 404)
        if not exists:
            return api_json({}, 404)
        if request.method == "DELETE":
            drop = social.unlike if graph == "likes" else social.unrepost
            drop(me, target_id, kind=what)
            return api_json({"status": "200 - OK"}, 200)
        add = social.like if graph == "likes" else social.repost
        add(me, target_id, kind=what)
        return api_json({"status": "201 - Created" if graph == "reposts" else "200 - OK"},
                        201 if graph == "reposts" else 200)

    async def follow(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        other = self.ctx.catalog.artists.get(parse_id(request.path_params["urn"], "users"))
        if other is None:
            return api_json({}, 404)
        social = self.ctx.social
        if request.method == "DELETE":
            social.unfollow(me, other.id)
            return api_json({"status": "200 - OK"}, 200)
        already = any(a.target_id == other.id for a in social.followings.get(me, []))
        if not social.follow(me, other.id):
            return self._error(422, "You have reached the following limit.")
        return api_json(self.o._dated(self.ctx.render.user(other)), 200 if already else 201)

    # -- the signed-in user's lists ---------------------------------------------------------
    async def my_followings(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        c = self.ctx.catalog
        items = [(f"{a.created_at}-{a.target_id}",
                  self.o._dated(self.ctx.render.user(c.artists[a.target_id])))
                 for a in self.ctx.social.followings.get(me, []) if a.target_id in c.artists]
        return self._page(request, items, "/me/followings")

    async def my_playlists(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        social = self.ctx.social
        items = [(str(s), self._rendered_set(found, with_tracks=False))
                 for s in social.set_ids(me) if (found := social.track_set(s)) is not None]
        return self._page(request, items, "/me/playlists")

    async def my_feed(self, request: Request) -> Response:
        """What the users followed uploaded or reposted, newest first (activities with
        ``type`` "track" or "track-repost" and ``origin`` the track)."""
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        c, social = self.ctx.catalog, self.ctx.social
        events: list[tuple[int, int, str, int]] = []
        for followed in social.followings.get(me, [])[:200]:
            owner = followed.target_id
            for t in c.user_tracks.get(owner, [])[:20]:
                if c.tracks[t].listed:
                    events.append((c.tracks[t].created_at, t, "track", owner))
            for a in social.reposts.get(owner, [])[:20]:
                if a.kind == "track" and a.target_id in c.tracks:
                    events.append((a.created_at, a.target_id, "track-repost", owner))
        events.sort(reverse=True)
        items = [(f"{at}-{tid}-{owner}",
                  {"type": kind, "created_at": _official(at),
                   "origin": self.o._dated(self.ctx.render.track(c.tracks[tid]))})
                 for at, tid, kind, owner in events]
        return self._page(request, items, "/me/feed")

    async def my_played(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        c = self.ctx.catalog
        items = [(f"{a.created_at}-{a.target_id}",
                  self.o._dated(self.ctx.render.track(c.tracks[a.target_id])))
                 for a in self.ctx.social.played.get(me, []) if a.target_id in c.tracks]
        return self._page(request, items, "/me/recently-played/tracks")

    # -- playlists -------------------------------------------------------------------------
    def _rendered_set(self, found: TrackSet, *, with_tracks: bool = True) -> dict[str, Any]:
        return self.o._dated(self.ctx.render.playlist(found, with_tracks=with_tracks))

    def _fields(self, body: dict[str, Any] | None, *, new: bool
                ) -> tuple[dict[str, Any], str | None]:
        """The playlist body's fields checked: (changes, problem)."""
        if body is None or not isinstance(body.get("playlist"), dict):
            return {}, 'the body must be JSON {"playlist": {...}}'
        given = body["playlist"]
        changes: dict[str, Any] = {}
        if "title" in given or new:
            title = given.get("title")
            if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
                return {}, "title must be a non-empty string"
            changes["title"] = title.strip()
        if "description" in given:
            text = given["description"]
            if text is not None and (not isinstance(text, str) or len(text) > MAX_BODY):
                return {}, "description must be a string"
            changes["description"] = text
        if "sharing" in given:
            if given["sharing"] not in ("public", "private"):
                return {}, "sharing must be public or private"
            changes["sharing"] = given["sharing"]
        if "tracks" in given:
            tracks = given["tracks"]
            if not isinstance(tracks, list) or len(tracks) > MAX_TRACKS:
                return {}, "tracks must be a list of {\"urn\": …}"
            ids: list[int] = []
            for item in tracks:
                raw = item.get("urn", item.get("id")) if isinstance(item, dict) else None
                found = self._track(str(raw)) if raw is not None else None
                if found is None:
                    return {}, f"no such track: {raw!r}"
                ids.append(found.id)
            changes["track_ids"] = tuple(ids)
        return changes, None

    async def create_playlist(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        changes, problem = self._fields(await self._body(request), new=True)
        if problem is not None:
            return self._error(422, problem)
        from minion_tui.emulator.catalog.model import slugify

        now = self.ctx.social.stamp()
        made = TrackSet(
            id=0, user_id=me, title=changes["title"],
            permalink=slugify(changes["title"]) or "playlist", is_album=False,
            set_type="", track_ids=changes.get("track_ids", ()), created_at=now, genre="",
            tags=(), artwork_key=None, label_name=None, license="all-rights-reserved",
            likes_count=0, reposts_count=0, description=changes.get("description"))
        kept = self.ctx.social.put_set(made, private=changes.get("sharing") == "private")
        return api_json(self._rendered_set(kept), 201)

    async def playlist(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        social = self.ctx.social
        found = social.track_set(parse_id(request.path_params["urn"], "playlists"))
        if found is None or (found.id in social.private_sets and found.user_id != me):
            return api_json({}, 404)
        if request.method == "GET":
            return api_json(self._rendered_set(found))
        if found.user_id != me:
            return self._error(403, "Forbidden")
        if request.method == "DELETE":
            social.delete_set(found.id)
            return api_json({"status": "200 - OK"}, 200)
        changes, problem = self._fields(await self._body(request), new=False)
        if problem is not None:
            return self._error(422, problem)
        sharing = changes.pop("sharing", None)
        import dataclasses

        kept = social.put_set(dataclasses.replace(found, **changes),
                              private=None if sharing is None else sharing == "private")
        return api_json(self._rendered_set(kept))

    # -- uploads ---------------------------------------------------------------------------
    async def _form(self, request: Request) -> dict[str, Any] | None:
        """A multipart/form-data body: name → text, or (filename, bytes) for a file."""
        from minion_tui.emulator.forms import parse_multipart

        return parse_multipart(request.headers.get("content-type", ""), await request.body())

    def _track_changes(self, form: dict[str, Any], *, new: bool) -> tuple[dict[str, Any],
                                                                            str | None]:
        changes: dict[str, Any] = {}
        title = form.get("track[title]")
        if new or title is not None:
            if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
                return {}, "track[title] must be a non-empty string"
            changes["title"] = title.strip()
        if isinstance(form.get("track[tag_list]"), str):
            import shlex

            try:
                changes["tags"] = tuple(shlex.split(form["track[tag_list]"]))
            except ValueError:
                return {}, "track[tag_list] is malformed"
        if isinstance(form.get("track[description]"), str):
            changes["description"] = form["track[description]"]
        sharing = form.get("track[sharing]")
        if sharing is not None:
            if sharing not in ("public", "private"):
                return {}, "track[sharing] must be public or private"
            changes["listed"] = sharing == "public"
        art = form.get("track[artwork_data]")
        if art is not None:
            if not isinstance(art, tuple) or not art[1].startswith((b"\xff\xd8", b"\x89PNG")):
                return {}, "track[artwork_data] must be a JPEG or PNG file"
            import hashlib

            changes["artwork_key"] = hashlib.sha1(art[1]).hexdigest()[:12]
        audio = form.get("track[asset_data]")
        if new and (not isinstance(audio, tuple) or not audio[1]):
            return {}, "track[asset_data] must be the audio file"
        return changes, None

    async def upload(self, request: Request) -> Response:
        """``POST /tracks``, multipart ``track[title]``, ``track[asset_data]``,
        ``track[tag_list]``, ``track[description]``, ``track[sharing]``,
        ``track[artwork_data]`` → 201, the track (playable at once: the emulator serves a
        catalog track's audio for it)."""
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        form = await self._form(request)
        if form is None:
            return self._error(422, "the body must be multipart/form-data")
        changes, problem = self._track_changes(form, new=True)
        if problem is not None:
            return self._error(422, problem)
        import dataclasses

        from minion_tui.emulator.catalog.model import slugify

        template = self.ctx.catalog.listed_tracks()[0]
        listed = changes.pop("listed", True)
        made = dataclasses.replace(
            template, id=0, user_id=me, permalink=slugify(changes["title"]) or "track",
            created_at=self.ctx.social.stamp(), last_modified=self.ctx.social.stamp(),
            genre="", tags=changes.pop("tags", ()), artwork_key=changes.pop("artwork_key", None),
            description=changes.pop("description", None), listed=listed,
            secret_token=None if listed else "s-upload", playback_count=0, likes_count=0,
            reposts_count=0, comment_count=0, download_count=0, downloadable=False,
            label_name=None, album_title=None, isrc=None, **changes)
        kept = self.ctx.social.put_track(made)
        return api_json(self.o._dated(self.ctx.render.track(kept)), 201)

    async def change_track(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        found = self.ctx.social.track(parse_id(request.path_params["urn"], "tracks"))
        if found is None:
            return api_json({}, 404)
        if found.user_id != me:
            return self._error(403, "Forbidden")
        if request.method == "DELETE":
            self.ctx.social.delete_track(found.id)
            return api_json({"status": "200 - OK"}, 200)
        form = await self._form(request)
        if form is None:
            return self._error(422, "the body must be multipart/form-data")
        changes, problem = self._track_changes(form, new=False)
        if problem is not None:
            return self._error(422, problem)
        if "listed" in changes:
            changes["secret_token"] = None if changes["listed"] else "s-upload"
        import dataclasses

        kept = self.ctx.social.put_track(dataclasses.replace(
            found, last_modified=self.ctx.social.stamp(), **changes))
        return api_json(self.o._dated(self.ctx.render.track(kept)))

    async def my_tracks(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        social = self.ctx.social
        items = [(str(t), self.o._dated(self.ctx.render.track(found)))
                 for t in social.track_ids(me) if (found := social.track(t)) is not None]
        return self._page(request, items, "/me/tracks")

    # -- streams ----------------------------------------------------------------------------
    async def streams(self, request: Request) -> Response:
        """``GET /tracks/{urn}/streams`` (SC §5): full-length URLs for a signed-in user
        (``http_mp3_128_url``, ``hls_mp3_128_url``, ``hls_aac_160_url``; a Go+ preview track
        included: "full-length playback via the official API now needs proper
        authentication", soundcloud/api#510), ``preview_mp3_128_url`` only for a
        client-credentials token; the user's play history records the track."""
        if self.o._user(request, client=True) is None:
            return self._error(401, "Unauthorized")
        me = self._me(request)
        track = self._track(request.path_params["urn"])
        if track is None or track.policy == "BLOCK":
            return api_json({}, 404)
        from minion_tui.emulator.soundcloud.media_urls import expires_at

        cdn = self.ctx.cdn
        body: dict[str, Any] = {"preview_mp3_128_url": cdn.signed_url(
            "mp3_preview", track.media_key, expires_at=expires_at(self.ctx, track, True))}
        if me is not None:
            until = expires_at(self.ctx, track, False)
            body.update(
                http_mp3_128_url=cdn.signed_url("mp3_progressive", track.media_key,
                                                expires_at=until),
                hls_mp3_128_url=cdn.signed_url("mp3_hls", track.media_key, expires_at=until),
                hls_aac_160_url=cdn.signed_url("aac_hls", track.media_key, expires_at=until))
            self.ctx.social.played_now(me, track.id)
        return api_json(body)

    # -- comments --------------------------------------------------------------------------
    async def comment(self, request: Request) -> Response:
        me = self._me(request)
        if me is None:
            return self._error(401, "Unauthorized")
        track = self._track(request.path_params["urn"])
        if track is None:
            return api_json({}, 404)
        body = await self._body(request)
        given = body.get("comment") if body is not None else None
        if not isinstance(given, dict):
            return self._error(422, 'the body must be JSON {"comment": {"body", "timestamp"}}')
        text, at = given.get("body"), given.get("timestamp")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_BODY:
            return self._error(422, "body must be a non-empty string")
        if at is not None and (not isinstance(at, int) or isinstance(at, bool)
                               or not 0 <= at <= track.duration_ms):
            return self._error(422, "timestamp must be milliseconds within the track")
        if not track.commentable:
            return self._error(403, "Comments are disabled on this track.")
        made = self.ctx.social.comment(me, track.id, text, at)
        rendered = self.ctx.render.comment(made)
        return api_json(self.o._dated(rendered), 201)


def _official(epoch: int) -> str:
    import time

    return time.strftime("%Y/%m/%d %H:%M:%S +0000", time.gmtime(epoch))

