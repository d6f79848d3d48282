"""The server's resources, all ``application/json`` text:

* ``minion://now-playing`` — the player's status (the now_playing tool's result);
* ``minion://queue`` — the whole play queue (``{items, next_cursor: null}``);
* ``minion://inbox`` — the first 50 tracks of the ranked inbox, with their evidence;
* ``minion://downloads`` — the latest 200 download jobs;
* templates ``minion://<provider>/track/{urn}`` (``user``, ``playlist``) for every provider:
  one resource by its URN as the tools return it (percent-encoded).

Subscribers (``resources/subscribe``) get ``notifications/resources/updated`` when one
changes: now-playing on every player change but the position's ticks (read it for the
position), the queue after the queue tools and when another track starts, downloads on their
events, the inbox after a sync and after tools that declare they change it (``changes=`` of
:func:`~minion_tui.mcp.tooling.tool`). Notices of one resource are sent at most twice a
second; changes made by another process (the TUI) are not seen.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from minion_tui.errors import MinionError
from minion_tui.mcp.uris import DOWNLOADS, INBOX, NOW_PLAYING, QUEUE

if TYPE_CHECKING:
    from mcp.server.session import ServerSession

    from minion_tui.mcp.context import ToolContext
    from minion_tui.service import Service

log = logging.getLogger(__name__)

MIME = "application/json"
#: Seconds between two notices of one resource.
SPACING = 0.5
KINDS = ("track", "user", "playlist")

_STATIC = {
    NOW_PLAYING: ("Now playing", "The player's status: the track loaded, playing or paused, "
                  "position and length (seconds), volume, repeat mode."),
    QUEUE: ("Play queue", "The whole play queue in order, each entry with its track; "
            "`current` marks the one playing."),
    INBOX: ("Inbox", "The first 50 tracks of the ranked inbox (what followed artists "
            "surfaced, unrated), best first, each with why it is there."),
    DOWNLOADS: ("Downloads", "The latest 200 download jobs, newest first: state, progress, "
                "file."),
}


class NotFoundResource(MinionError):
    type = "not_found"


class Resources:
    """Reading the resources and telling subscribers of changes."""

    def __init__(self, service: Service, context: Callable[[], ToolContext]) -> None:
        self._service = service
        self._context = context
        self._subscribers: dict[str, set[ServerSession]] = {}
        self._pending: set[str] = set()
        self._last: dict[str, float] = {}
        self._flushing: asyncio.TimerHandle | None = None
        self._watching = False
        self._sending: set[asyncio.Task[None]] = set()

    # -- listing and reading -----------------------------------------------------------------
    def listing(self) -> dict[str, Any]:
        return {"resources": [{"uri": uri, "name": uri.removeprefix("minion://"),
                               "title": title, "description": text, "mimeType": MIME}
                              for uri, (title, text) in _STATIC.items()]}

    def templates(self) -> dict[str, Any]:
        from minion_tui.service import provider_names, provider_title

        found = []
        for provider in provider_names():
            for kind in KINDS:
                found.append({
                    "uriTemplate": f"minion://{provider}/{kind}/{{urn}}",
                    "name": f"{provider}-{kind}",
                    "title": f"{provider_title(provider)} {kind}",
                    "description": f"One {provider_title(provider)} {kind} by its URN as the "
                    "tools return it (percent-encoded), e.g. from search_tracks or "
                    "resolve_url.",
                    "mimeType": MIME})
        return {"resourceTemplates": found}

    async def read(self, uri: str) -> dict[str, Any]:
        document = await self._document(uri)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return {"contents": [{"uri": uri, "mimeType": MIME, "text": text}]}

    async def _document(self, uri: str) -> Any:
        from minion_tui.mcp.tools import player, queue

        if uri == NOW_PLAYING:
            return (await player.status(self._context())).to_json()
        if uri == QUEUE:
            items = await queue.items(self._context())
            return {"items": [i.to_json() for i in items], "next_cursor": None}
        if uri == INBOX:
            entries = await self._service.inbox.list(limit=50)
            return {"items": [e.to_json() for e in entries], "next_cursor": None}
        if uri == DOWNLOADS:
            jobs = await self._service.downloads.jobs(limit=200)
            return {"items": [j.to_json() for j in jobs], "next_cursor": None}
        return await self._templated(uri)

    async def _templated(self, uri: str) -> Any:
        from minion_tui.service import provider_names

        rest = uri.removeprefix("minion://")
        provider, _, rest = rest.partition("/")
        kind, _, urn = rest.partition("/")
        urn = unquote(urn)
        if uri == rest or provider not in provider_names() or kind not in KINDS or not urn:
            raise NotFoundResource(f"No resource {uri[:200]!r}.",
                                   hint="resources/list and resources/templates/list name "
                                   "the resources this server has.")
        if not urn.startswith(f"{provider}:"):
            raise NotFoundResource(f"{urn[:200]!r} is not a {provider} URN.",
                                   hint=f"Use the urn a tool returned ({provider}:…).")
        found = await self._service.catalog.resolve(urn)
        if found.kind != kind:
            raise NotFoundResource(f"{urn[:200]} is a {found.kind}, not a {kind}.",
                                   hint=f"Read minion://{provider}/{found.kind}/… instead.")
        return found.to_json()

    # -- subscriptions -----------------------------------------------------------------------
    def known(self, uri: str) -> bool:
        return uri in _STATIC or uri.startswith(tuple(f"minion://{p}/" for p in _providers()))

    def subscribe(self, uri: str, session: ServerSession) -> None:
        self._subscribers.setdefault(uri, set()).add(session)
        self._watch()

    def unsubscribe(self, uri: str, session: ServerSession) -> None:
        self._subscribers.get(uri, set()).discard(session)

    def changed(self, uri: str) -> None:
        """``uri`` changed: its subscribers are told (soon, at most every SPACING s)."""
        if not self._subscribers.get(uri):
            return
        self._pending.add(uri)
        if self._flushing is None:
            loop = asyncio.get_running_loop()
            wait = max(0.0, max((self._last.get(u, 0.0) + SPACING - loop.time()
                                 for u in self._pending), default=0.0))
            self._flushing = loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._flushing = None
        loop = asyncio.get_running_loop()
        due, self._pending = self._pending, set()
        for uri in due:
            self._last[uri] = loop.time()
            for session in list(self._subscribers.get(uri, ())):
                task = loop.create_task(self._send(uri, session))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _send(self, uri: str, session: ServerSession) -> None:
        try:
            await session.send_resource_updated(uri)
        except Exception as exc:  # the client went away: forget its subscriptions
            log.info("resource notice for %s not sent: %s", uri, exc)
            for sessions in self._subscribers.values():
                sessions.discard(session)

    def _watch(self) -> None:
        """Follow the service's events from the first subscription on."""
        if self._watching:
            return
        self._watching = True
        service = self._service

        def follow_player() -> None:
            service.player.listen(self._player_event)

        service.player.on_started(follow_player)
        service.downloads.on_event(lambda _event: self.changed(DOWNLOADS))
        service.discovery.on_synced(lambda _summary: self.changed(INBOX))

    def _player_event(self, event: Any) -> None:
        if event.kind == "time-pos":
            return
        self.changed(NOW_PLAYING)
        if event.kind == "start-file":
            self.changed(QUEUE)  # the current entry moved


def _providers() -> tuple[str, ...]:
    from minion_tui.service import provider_names

    return provider_names()

