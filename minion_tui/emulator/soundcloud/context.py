"""What every api-v2 route module works from: the shared ApiContext, id parsing and the
adapter from `(ctx, request)` functions to Starlette endpoints.

A leaf of the soundcloud/ package: api.py assembles the route modules, and they import only
this (never api.py back).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.catalog.model import Artist, Catalog, Track, TrackSet
from minion_tui.emulator.cdn.origins import Cdn
from minion_tui.emulator.social import Social
from minion_tui.emulator.soundcloud.resources import Renderer, TrackAuthorization
from minion_tui.emulator.state import EmulatorState


@dataclass
class ApiContext:
    catalog: Catalog
    render: Renderer
    state: EmulatorState
    auth: TrackAuthorization
    cdn: Cdn
    originals_secret: bytes
    social: Social
    cache: dict[str, Any] = field(default_factory=dict)  # lazily built search/chart indexes

    def track(self, raw: str, secret: str | None = None) -> Track | None:
        """A track by numeric id or URN; private tracks only with their secret token."""
        track = self.social.track(parse_id(raw, "tracks"))  # uploads, changes, deletions
        if track is None or (track.secret_token and secret != track.secret_token):
            return None
        return track

    def artist(self, raw: str) -> Artist | None:
        return self.catalog.artists.get(parse_id(raw, "users"))

    def track_set(self, raw: str) -> TrackSet | None:
        """A playlist by id or URN as it is now (made, changed or deleted through the
        official API's writes: social.py)."""
        return self.social.track_set(parse_id(raw, "playlists"))


def parse_id(raw: str, kind: str) -> int:
    """"123" or "soundcloud:<kind>:123" -> 123; anything else -> -1 (not found)."""
    raw = unquote(raw)
    prefix = f"soundcloud:{kind}:"
    if raw.startswith(prefix):
        raw = raw[len(prefix):]
    return int(raw) if raw.isdigit() else -1


def handler(ctx: ApiContext, fn: Any) -> Any:
    """A route of ``fn(ctx, request)``, rendered on a worker thread as a real API's servers
    answer requests side by side: a page of 200 likes takes ~30 ms to build, and built on
    the loop it held back the reading (and the arrival stamp, state.py) of every request
    behind it — requests sent a window apart were stamped closer (bench/discovery.py)."""
    async def endpoint(request: Request) -> Response:
        return await asyncio.to_thread(_finish, fn(ctx, request))
    return endpoint


def _finish(coroutine: Coroutine[Any, Any, Response]) -> Response:
    """Run a route that never awaits (it renders from the catalog in memory) to its end."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("an api-v2 route awaited: it cannot be rendered off the loop")
