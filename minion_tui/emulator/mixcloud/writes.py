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
* No token: 400 ``OAuthException`` "An access_token is required…"; a token not issued (or
  revoked): "An invalid access token was provided." (§1.1, §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minion_tui.emulator.mixcloud.catalog import Event

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
        description = form.get("description") or ""
        if not isinstance(description, str) or len(description) > 1000:
            raise WriteError(400, "UploadException", "description: at most 1000 characters.")
        if any((k.startswith("tags-") and not k[5:6].isdigit()) or k[5:6] > "4"
               for k in form if k.startswith("tags-")):
            raise WriteError(400, "UploadException", "At most 5 tags (tags-0-tag…tags-4-tag).")
        tags = tuple(str(form[f"tags-{i}-tag"]) for i in range(5) if f"tags-{i}-tag" in form)
        picture = form.get("picture")
        if picture is not None and (not isinstance(picture, tuple)
                                    or len(picture[1]) > 10_485_760):
            raise WriteError(400, "UploadException", "picture: a file of at most 10 MB.")
        from minion_tui.emulator.mixcloud.catalog import _slugify

        template = c.public()[0]
        slug = _slugify(name) or "upload"
        while c.show(user.username if user else me, slug) is not None:
            slug += "-2"
        now = self._now()
        made = dataclasses.replace(
            template, pk=template.pk + 10_000_000 + self._clock,
            owner=user.username if user else me, slug=slug, name=name.strip(),
            description=description, created=now, updated=now, tags=tags, plays=0,
            reposts=0, sections=(), exclusive=False, restricted=None)
        c.shows[made.key.lower()] = made
        c.user_shows[me] = [made.key, *c.user_shows.get(me, [])]
        c.newest = [made, *c.newest]
        return {"result": {"success": True, "message": f"Uploaded {made.name}",
                           "key": made.key}}

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
