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

from typing import TYPE_CHECKING

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

    def act(self, parts: list[str], *, token: str | None, remove: bool) -> dict[str, object]:
        if not token:
            raise WriteError(400, "OAuthException",
                             "An access_token is required to access this resource.")
        me = self.service.oauth.user_of(token)
        if me is None:
            raise WriteError(400, "OAuthException", "An invalid access token was provided.")
        c = self.service.catalog
        me = me.lower()
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
