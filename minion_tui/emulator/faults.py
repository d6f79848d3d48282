"""Fault profiles: an ASGI middleware that makes the emulator misbehave like the real service.

Profile strings are comma-separated names with optional `:key=value` parameters, e.g.
"rate-limit:n=5:window=60,slow:ms=30". What each one imitates (docs/soundcloud.md §1.7):

* rate-limit  429 + Retry-After after n media calls per window (real: ~600 / 10 min).
* flaky-lists 502 on paged list endpoints, every other request per URL (yt-dlp retries 502).
* 5xx-burst   503 on the next n requests (default 3), whatever they are.
* drop        the response body is cut in the middle (the first n responses per path,
              default 1; `prefix=/sc-hls` limits it to one origin).
* slow        `ms` of added latency per request.
* bot-wall    DataDome 403 on paged /users/{id}/... lists unless the User-Agent is a current
              browser (Chrome >= 116 or Firefox 1xx); /toptracks stays open, as reported.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULTS: dict[str, dict[str, float | str]] = {
    "rate-limit": {"n": 600, "window": 600},
    "flaky-lists": {},
    "5xx-burst": {"n": 3},
    "drop": {"n": 1, "prefix": ""},
    "slow": {"ms": 200},
    "bot-wall": {},
}

API = "/sc-api-v2"
_MEDIA_RE = re.compile(rf"^{API}/media/")
# Paged list endpoints (what flaky-lists breaks): user tabs, streams, search, charts, comments…
_LIST_RE = re.compile(
    rf"^{API}/(users/[^/]+/[a-z_]+|stream/users/[^/]+(/reposts)?|search(/[a-z_]+)?|charts"
    rf"|tracks/[^/]+/(comments|related|likers|reposters)|recent-tracks/[^/]+|stations/.+)$"
)
# DataDome guards the paged user lists; toptracks answered in the same report (§1.7).
_BOT_WALL_RE = re.compile(rf"^{API}/(users/[^/]+/(?!toptracks$)[a-z_]+|stream/users/[^/]+.*)$")
_CHROME_RE = re.compile(r"Chrome/(\d+)")


@dataclass(frozen=True)
class Fault:
    name: str
    params: dict[str, float | str] = field(default_factory=dict)

    def number(self, key: str) -> float:
        return float(self.params[key])


def parse_profile(text: str) -> tuple[Fault, ...]:
    """"rate-limit:n=5:window=60,slow:ms=30" -> Faults; a clear ValueError on anything else."""
    faults: list[Fault] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, *pairs = part.split(":")
        if name not in DEFAULTS:
            raise ValueError(f"unknown fault {name!r} in profile {text!r}; "
                             f"known: {', '.join(DEFAULTS)}")
        params = dict(DEFAULTS[name])
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key not in params:
                raise ValueError(f"fault {name!r} takes {sorted(params) or 'no parameters'}, "
                                 f"got {pair!r}")
            if isinstance(params[key], str):
                params[key] = value
            else:
                try:
                    params[key] = float(value)
                except ValueError:
                    raise ValueError(
                        f"fault {name!r}: {key} must be a number, got {value!r}"
                    ) from None
        faults.append(Fault(name, params))
    return tuple(faults)


def looks_like_browser(user_agent: str) -> bool:
    chrome = _CHROME_RE.search(user_agent)
    if chrome and int(chrome.group(1)) >= 116:
        return True
    return "Firefox/1" in user_agent


class FixedWindow:
    """The call budget of a rate-limit fault: calls are counted in windows of the fault's
    ``window`` seconds, the first from when the window was made; past its ``n`` calls a
    window is over budget. Thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.start = clock()
        self.calls = 0

    def over_budget(self, fault: Fault | None) -> float | None:
        """Count a call when ``fault`` is active: the seconds left of its window when it is
        over the fault's budget, else None."""
        if fault is None:
            return None
        with self._lock:
            now, window = self.clock(), fault.number("window")
            if now - self.start >= window:
                self.start, self.calls = now, 0
            self.calls += 1
            if self.calls > fault.number("n"):
                return window - (now - self.start)
            return None


class FaultRuntime:
    """The active profile and its counters; thread-safe (tests flip it while serving)."""

    def __init__(self, profile: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.set_profile(profile)

    def set_profile(self, profile: str) -> None:
        faults = {f.name: f for f in parse_profile(profile)}
        with self._lock:
            self.faults = faults
            self._reset()

    def reset(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self.media_window = FixedWindow(self.clock)
        self.list_hits: dict[str, int] = {}
        burst = self.faults.get("5xx-burst")
        self.burst_left = int(burst.number("n")) if burst else 0
        self.drops: dict[str, int] = {}

    def active(self, name: str) -> Fault | None:
        return self.faults.get(name)

    def take_burst(self) -> bool:
        with self._lock:
            if self.burst_left > 0:
                self.burst_left -= 1
                return True
            return False

    def media_call(self) -> float | None:
        """Counts a media call; returns the Retry-After seconds when over the limit."""
        left = self.media_window.over_budget(self.faults.get("rate-limit"))
        return None if left is None else max(1.0, left)

    def list_fails(self, key: str) -> bool:
        """flaky-lists: the 1st, 3rd, 5th… request of each URL gets a 502."""
        with self._lock:
            hits = self.list_hits.get(key, 0)
            self.list_hits[key] = hits + 1
            return hits % 2 == 0

    def take_drop(self, path: str) -> bool:
        fault = self.faults.get("drop")
        if fault is None or not path.startswith(str(fault.params["prefix"])):
            return False
        with self._lock:
            done = self.drops.get(path, 0)
            if done >= fault.number("n"):
                return False
            self.drops[path] = done + 1
            return True


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _respond(send: Callable[..., Any], status: int, body: bytes, content_type: str,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
        (b"server", b"am/2"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    """Wraps the whole app (every origin). `latency` gives the always-on extra delay."""

    def __init__(self, app: Any, runtime: FaultRuntime, latency: Callable[[], float]) -> None:
        self.app, self.runtime, self.latency = app, runtime, latency

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rt, path = self.runtime, scope["path"]
        scope["minion.arrived"] = time.monotonic()  # before the latency: the request's arrival
        slow = rt.active("slow")
        delay = self.latency() + (slow.number("ms") if slow else 0.0)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if rt.take_burst():
            await _respond(send, 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                           "text/html")
            return
        if (rt.active("bot-wall") and _BOT_WALL_RE.match(path)
                and not looks_like_browser(_headers(scope).get("user-agent", ""))):
            body = json.dumps({"url": "https://geo.captcha-delivery.com/captcha/?initialCid="
                                      "AHrlqAAAAAMA&cid=emulated&hash=EMULATED&t=fe&s=0"})
            await _respond(send, 403, body.encode(), "application/json; charset=utf-8",
                           [(b"x-datadome", b"protected"), (b"set-cookie", b"datadome=emu")])
            return
        if _MEDIA_RE.match(path):
            retry = rt.media_call()
            if retry is not None:
                await _respond(send, 429, b"{}", "application/json; charset=utf-8",
                               [(b"retry-after", str(int(retry + 0.999)).encode())])
                return
        if rt.active("flaky-lists") and _LIST_RE.match(path):
            key = path + "?" + scope.get("query_string", b"").decode("latin-1")
            if rt.list_fails(key):
                await _respond(send, 502, b"<html><body><h1>502 Bad Gateway</h1>"
                               b"<p>CloudFront could not connect to the origin.</p></body></html>",
                               "text/html")
                return
        if rt.active("drop") and rt.take_drop(path):
            await self.app(scope, receive, _cutting(send))
            return
        await self.app(scope, receive, send)


def _cutting(send: Any) -> Any:
    """A `send` that delivers half of the body, then stops: uvicorn closes the connection and
    the client sees a truncated body (httpx.RemoteProtocolError)."""
    state = {"cut": False}

    async def cut_send(message: dict[str, Any]) -> None:
        if state["cut"]:
            return
        body = message.get("body", b"")
        if message["type"] != "http.response.body" or (not body and message.get("more_body")):
            await send(message)
            return
        await send({"type": "http.response.body", "body": body[: len(body) // 2],
                    "more_body": True})
        state["cut"] = True

    return cut_send
