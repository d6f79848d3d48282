"""api.mixcloud.com's write actions (docs/mixcloud.md §3, §2.9), with their state in the
catalog of this emulator (each Mixcloud emulator builds its own), so the public lists show
them: a favourite is in ``/{user}/favorites/`` and the show's ``/favorites/``, a follow in
``/{user}/following/`` and the other's ``/followers/``.

* ``POST`` (adds) / ``DELETE`` (removes) ``/{user}/{slug}/favorite/``, ``/repost/``,
  ``/listen-later/`` and ``/{user}/follow/``; a ``POST`` with the form field
  ``method=delete`` removes too. The trailing slash is required (§1.1: non-GET requests
  need it); the token is the ``access_token`` query parameter (§3).
* The answer: ``{"result": {"success": true, "message": "…"}}`` (§2.9; the texts are the
  emulator's, the real ones are not known).
* ``POST /upload/`` and ``POST /upload/{user}/{slug}/edit/`` (§3 "Upload", "Editing
  uploads"): the show with its tags, picture (kept: the thumbnailer serves its bytes) and
  tracklist (``sections``, read back through GraphQL and the old REST shape).
* No token: 400 ``OAuthException`` "An access_token is required…"; a token not issued (or
  revoked): "An invalid access token was provided." (§1.1, §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minion_tui.emulator.mixcloud.catalog import Event, Section

if TYPE_CHECKING:
    from minion_tui.emulator.mixcloud.service import Mixcloud

SHOW_ACTIONS = ("favorite", "repost", "listen-later")


class WriteError(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


class McWrites:
    def __init__(self, service: Mixcloud) -> None:
        self.service = service
        #: user -> show keys, newest first (reposts and listen-later have no public list).
        self.reposts: dict[str, list[Event]] = {}
        self.listen_later: dict[str, list[Event]] = {}
        self._clock = 0

    def _now(self) -> int:
        from minion_tui.emulator.mixcloud.catalog import MC_NOW

        self._clock += 1
        return MC_NOW + self._clock

    def _me(self, token: str | None) -> str:
        if not token:
            raise WriteError(400, "OAuthException",
                             "An access_token is required to access this resource.")
        me = self.service.oauth.user_of(token)
        if me is None:
            raise WriteError(400, "OAuthException", "An invalid access token was provided.")
        return me.lower()

    def upload(self, form: dict[str, Any], *, token: str | None) -> dict[str, object]:
        """``POST /upload/`` (§3 "Upload"): ``mp3`` and ``name`` required, ``picture``,
        ``description`` (≤ 1000), ``tags-X-tag`` (X 0–4), ``unlisted``,
        ``sections-X-artist|song|chapter|start_time``. The new show is first in the user's
        ``/cloudcasts/``; the answer is §2.9's guess, ``{"result": {"success", "message",
        "key"}}``."""
        import dataclasses

        me = self._me(token)
        c = self.service.catalog
        user = c.user(me)
        audio, name = form.get("mp3"), form.get("name")
        if not isinstance(audio, tuple) or not audio[1]:
            raise WriteError(400, "UploadException", "mp3 is required.")
        if not isinstance(name, str) or not name.strip():
            raise WriteError(400, "UploadException", "name is required.")
        changes = self._show_fields(form)
        from minion_tui.emulator.mixcloud.catalog import _slugify

        template = c.public()[0]
        slug = _slugify(name) or "upload"
        while c.show(user.username if user else me, slug) is not None:
            slug += "-2"
        now = self._now()
        fresh: dict[str, Any] = {
            "pk": template.pk + 10_000_000 + self._clock,
            "owner": user.username if user else me, "slug": slug, "name": name.strip(),
            "description": "", "created": now, "updated": now, "tags": (), "plays": 0,
            "reposts": 0, "sections": (), "exclusive": False, "restricted": None,
            "can_show_tracklist": True}
        made = dataclasses.replace(template, **{**fresh, **changes})
        c.shows[made.key.lower()] = made
        c.user_shows[me] = [made.key, *c.user_shows.get(me, [])]
        c.newest = [made, *c.newest]
        return {"result": {"success": True, "message": f"Uploaded {made.name}",
                           "key": made.key}}

    def edit(self, owner: str, slug: str, form: dict[str, Any], *,
             token: str | None) -> dict[str, object]:
        """``POST /upload/{user}/{slug}/edit/`` (§3 "Editing uploads"): every upload field
        but ``mp3``, plus ``publish`` / ``unpublish``; any tag sent replaces all the tags,
        any section the whole tracklist; only the uploader may."""
        import dataclasses

        me = self._me(token)
        c = self.service.catalog
        show = c.show(owner, slug)
        if show is None:
            raise WriteError(404, "NotFoundException", "Cloudcast not found")
        if show.owner.lower() != me:
            raise WriteError(403, "PermissionException", "You can only edit your own uploads.")
        if "mp3" in form:
            raise WriteError(400, "UploadException", "mp3 cannot be changed by an edit.")
        changes = self._show_fields(form)
        name = form.get("name")
        if name is not None:
            if not isinstance(name, str) or not name.strip():
                raise WriteError(400, "UploadException", "name cannot be empty.")
            changes["name"] = name.strip()
        made = dataclasses.replace(show, updated=self._now(), **changes)
        c.shows[made.key.lower()] = made
        c.newest = [made if s.key == made.key else s for s in c.newest]
        return {"result": {"success": True, "message": f"Updated {made.name}",
                           "key": made.key}}

    def _show_fields(self, form: dict[str, Any]) -> dict[str, Any]:
        """The fields an upload and an edit share, checked to §3's limits: what changes."""
        changes: dict[str, Any] = {}
        description = form.get("description")
        if description is not None:
            if not isinstance(description, str) or len(description) > 1000:
                raise WriteError(400, "UploadException", "description: at most 1000 characters.")
            changes["description"] = description
        tags = _indexed(form, "tags", ("tag",))
        if tags is not None:
            if len(tags) > 5 or any(i > 4 for i in tags):
                raise WriteError(400, "UploadException",
                                 "At most 5 tags (tags-0-tag…tags-4-tag).")
            changes["tags"] = tuple(str(tags[i]["tag"]) for i in sorted(tags))
        picture = form.get("picture")
        if picture is not None:
            if not isinstance(picture, tuple) or not picture[1] \
                    or len(picture[1]) > 10_485_760:
                raise WriteError(400, "UploadException", "picture: a file of at most 10 MB.")
            changes["picture"] = self.service.keep_picture(picture[1])
        sections = _indexed(form, "sections", ("artist", "song", "chapter", "start_time"))
        if sections is not None:
            changes["sections"] = tuple(_section(i, sections[i]) for i in sorted(sections))
        return changes

    def act(self, parts: list[str], *, token: str | None, remove: bool) -> dict[str, object]:
        me = self._me(token)
        c = self.service.catalog
        if len(parts) == 2 and parts[1] == "follow":
            other = c.user(parts[0])
            if other is None:
                raise WriteError(404, "NotFoundException", "User not found")
            low = other.username.lower()
            _toggle(c.following, me, low, remove, self._now)
            _toggle(c.followers, low, me, remove, self._now)
            verb = "Unfollowed" if remove else "Now following"
            return _result(f"{verb} {other.username}")
        if len(parts) == 3 and parts[2] in SHOW_ACTIONS:
            show = c.show(parts[0], parts[1])
            if show is None:
                raise WriteError(404, "NotFoundException", "Cloudcast not found")
            key = show.key.lower()
            if parts[2] == "favorite":
                _toggle(c.favorites, me, show.key, remove, self._now)
                _toggle(c.favoriters, key, me, remove, self._now)
            elif parts[2] == "repost":
                _toggle(self.reposts, me, show.key, remove, self._now)
            else:
                _toggle(self.listen_later, me, show.key, remove, self._now)
            word = {"favorite": "favorites", "repost": "reposts",
                    "listen-later": "listen later"}[parts[2]]
            return _result(f"{'Removed' if remove else 'Added'} {show.name!r} "
                           f"{'from' if remove else 'to'} your {word}")
        raise WriteError(404, "NotFoundException", "Resource not found")


def _toggle(graph: dict[str, list[Event]], owner: str, who: str, remove: bool,
            now: object) -> None:
    """Copy on write: a handler holding the old list keeps a consistent one."""
    kept = [e for e in graph.get(owner, []) if e.who.lower() != who.lower()]
    if not remove:
        kept.insert(0, Event(who, now()))  # type: ignore[operator]
    graph[owner] = kept


def _result(message: str) -> dict[str, object]:
    return {"result": {"success": True, "message": message}}


def _indexed(form: dict[str, Any], prefix: str, names: tuple[str, ...]
             ) -> dict[int, dict[str, Any]] | None:
    """``{prefix}-X-{name}`` fields by X (None when there are none); a field of that prefix
    with another shape is refused."""
    found: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        if not key.startswith(f"{prefix}-"):
            continue
        index, _, name = key[len(prefix) + 1:].partition("-")
        if not (index.isascii() and index.isdigit()) or name not in names \
                or not isinstance(value, str):
            raise WriteError(400, "UploadException", f"Unknown field {key[:60]!r}.")
        found.setdefault(int(index), {})[name] = value
    return found or None


def _section(index: int, fields: dict[str, Any]) -> Section:
    """One ``sections-X-…`` group: a chapter, or a track (artist and song); ``start_time`` an
    integer number of seconds (§3)."""
    start = fields.get("start_time")
    if start is not None and not (start.isascii() and start.isdigit()):
        raise WriteError(400, "UploadException",
                         f"sections-{index}-start_time must be an integer number of seconds.")
    when = int(start) if start is not None else None
    if fields.get("chapter"):
        if fields.get("artist") or fields.get("song"):
            raise WriteError(400, "UploadException",
                             f"sections-{index}: a chapter or a track, not both.")
        return Section("chapter", when, chapter=str(fields["chapter"]))
    if not fields.get("artist") or not fields.get("song"):
        raise WriteError(400, "UploadException",
                         f"sections-{index}: a track needs its artist and song.")
    return Section("track", when, artist=str(fields["artist"]), song=str(fields["song"]))
