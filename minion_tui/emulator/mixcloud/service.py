"""The Mixcloud side of the emulator: its origins, its lazily built catalog, its faults and the
knobs tests turn (`RunningEmulator.mixcloud`).

Faults are `mc-` names in the same `--faults` profile string as SoundCloud's (server.py
splits them off):

* mc-rate-limit:n=N:window=W  the (N+1)-th REST call within W seconds and every later one
                              answer 403 `RateLimitException` with `Retry-After` (§1.5).
* mc-graphql-wall             GraphQL answers Cloudflare's 403 HTML page unless the
                              User-Agent is a current browser (§7 item 1).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from minion_tui.emulator.faults import Fault, FixedWindow
from minion_tui.emulator.mixcloud import catalog as catalog_module
from minion_tui.emulator.mixcloud.catalog import EXAMPLES, McCatalog
from minion_tui.emulator.mixcloud.graphql import GraphQLApp
from minion_tui.emulator.mixcloud.media import (
    AUDIO_HOSTS,
    LIVE_HOST,
    PREVIEW_HOST,
    STREAM_HOSTS,
    Media,
)
from minion_tui.emulator.mixcloud.oauth import (
    DEMO_APP_ID,
    DEMO_APP_SECRET,
    DEMO_REDIRECTS,
    SIGNED_IN,
    oauth_routes,
)
from minion_tui.emulator.mixcloud.rest import Rest
from minion_tui.emulator.oauth import App, OAuthServer

API_ORIGIN = "https://api.mixcloud.com"
ORIGINS: dict[str, str] = {  # real origin -> path prefix on the emulator
    API_ORIGIN: "/mc-api",
    "http://api.mixcloud.com": "/mc-api-http",  # paging links may be http:// (docs/mixcloud.md)
    "https://app.mixcloud.com": "/mc-app",
    "https://www.mixcloud.com": "/mc-web",
    "https://thumbnailer.mixcloud.com": "/mc-img",
    **{f"https://stream{n}.mixcloud.com": f"/mc-stream{n}" for n in STREAM_HOSTS},
    **{f"https://audio{n}.mixcloud.com": f"/mc-audio{n}" for n in AUDIO_HOSTS},
    f"https://audiocdn{PREVIEW_HOST}.mixcloud.com": f"/mc-audiocdn{PREVIEW_HOST}",
    f"https://{LIVE_HOST}.mixcloud.com": "/mc-live",
}
FAULTS: dict[str, dict[str, float]] = {"mc-rate-limit": {"n": 100, "window": 60},
                                       "mc-graphql-wall": {}}


def split_profile(text: str) -> tuple[str, str]:
    """"slow:ms=5,mc-rate-limit:n=3" -> ("slow:ms=5", "mc-rate-limit:n=3")."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return (",".join(p for p in parts if not p.startswith("mc-")),
            ",".join(p for p in parts if p.startswith("mc-")))


def parse_profile(text: str) -> dict[str, Fault]:
    faults: dict[str, Fault] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, *pairs = part.split(":")
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} in profile {text!r}; "
                             f"known Mixcloud faults: {', '.join(FAULTS)}")
        params: dict[str, float | str] = dict(FAULTS[name])
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key not in params:
                raise ValueError(f"fault {name!r} takes {sorted(params) or 'no parameters'}, "
                                 f"got {pair!r}")
            try:
                params[key] = float(value)
            except ValueError:
                raise ValueError(f"fault {name!r}: {key} must be a number, got {value!r}") \
                    from None
        faults[name] = Fault(name, params)
    return faults


class McFaults:
    def __init__(self, profile: str, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.set_profile(profile)

    def set_profile(self, profile: str) -> None:
        faults = parse_profile(profile)
        with self._lock:
            self.faults = faults
            self.window = FixedWindow(self.clock)

    def active(self, name: str) -> Fault | None:
        return self.faults.get(name)

    def api_call(self) -> int | None:
        """Counts a REST call; the Retry-After seconds once over the budget, else None."""
        left = self.window.over_budget(self.faults.get("mc-rate-limit"))
        return None if left is None else max(1, int(left + 0.999))


class Mixcloud:
    """Everything Mixcloud the emulator serves; built cheaply, the catalog on first use."""

    def __init__(self, *, seed: int, cache_dir: Path, secret: bytes, faults: str = "",
                 clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self.cache_dir = Path(cache_dir)
        self.secret = secret
        #: The clock of live streams (tests replace it to move live playlists along).
        self.clock = clock
        self.faults = McFaults(faults, time.monotonic)
        #: Bytes/s after the first 5 MiB of a long progressive response (media.py); 0 counts
        #: the throttled bytes without slowing them (tests measure bytes, never time).
        self.throttle_rate = 256 * 1024
        #: Serve the 2015 REST `sections` shape instead of today's empty list (§2.8).
        self.old_rest_sections = False
        #: False answers streamInfo with hlsUrl and dashUrl null, as for the shows the real
        #: site serves progressively only (tests of the progressive path, docs/mixcloud.md §4).
        self.offer_hls = True
        #: "https" or "http": the scheme of REST paging links.
        self.paging_scheme = "https"
        self.examples = dict(EXAMPLES)
        self._lock = threading.Lock()
        self._catalog: McCatalog | None = None
        self.throttled_responses = 0
        self.throttled_bytes = 0
        self.calls: list[tuple[str, str]] = []  # (origin kind, path?query) of API/GraphQL calls
        self.media = Media(self)
        from minion_tui.emulator.mixcloud.writes import McWrites

        #: Reposts and listen-later of this emulator; favourites and follows live in the
        #: catalog's lists (writes.py).
        self.writes = McWrites(self)
        #: www.mixcloud.com's OAuth server (§3): who signs in, the tokens it gave.
        self.oauth = OAuthServer("mixcloud", secret, user=SIGNED_IN, pkce=False,
                                 expires=False, clock=clock)
        self.oauth.register(App(DEMO_APP_ID, DEMO_APP_SECRET, DEMO_REDIRECTS))
        #: Pictures sent with uploads (writes.py), by their thumbnailer path: served as sent
        #: at every size (the real thumbnailer resizes; the bytes are what a test compares).
        self.uploaded_pictures: dict[str, bytes] = {}

    def keep_picture(self, data: bytes) -> str:
        """Keep an uploaded picture; the thumbnailer path (``a/b/c/d/<id>``) it is at."""
        import hashlib

        digest = hashlib.sha256(data).hexdigest()[:32]
        path = f"{digest[0:2]}/{digest[2:4]}/{digest[4:6]}/{digest[6:8]}/{digest}"
        with self._lock:
            self.uploaded_pictures[path] = data
        return path

    @property
    def catalog(self) -> McCatalog:
        found = self._catalog
        if found is None:
            with self._lock:
                if self._catalog is None:
                    self._catalog = catalog_module.build(self.seed)
                found = self._catalog
        return found

    def set_faults(self, profile: str) -> None:
        self.faults.set_profile(profile)

    def record(self, kind: str, path: str, query: str) -> None:
        with self._lock:
            self.calls.append((kind, f"{path}?{query}" if query else path))

    def count_throttled_response(self) -> None:
        with self._lock:
            self.throttled_responses += 1

    def count_throttled_bytes(self, n: int) -> None:
        with self._lock:
            self.throttled_bytes += n

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.throttled_responses = self.throttled_bytes = 0
        self.faults.set_profile(",".join(
            f.name + "".join(f":{k}={v}" for k, v in f.params.items())
            for f in self.faults.faults.values()))

    def api_origin(self, request: Request) -> str:
        """The real origin this request came to (https, or http on the /mc-api-http mount)."""
        if request.scope.get("root_path", "").endswith("/mc-api-http"):
            return "http://api.mixcloud.com"
        return API_ORIGIN

    def paging_origin(self, request: Request) -> str:
        return f"{self.paging_scheme}://api.mixcloud.com"

    def mounts(self) -> list[Mount]:
        rest = Rest(self)
        return [
            Mount("/mc-api", app=rest),
            Mount("/mc-api-http", app=rest),
            Mount("/mc-app", app=GraphQLApp(self)),
            Mount("/mc-web", routes=[*oauth_routes(self.oauth),
                                     Route("/{path:path}", self._site)]),
            *self.media.mounts(),
        ]

    async def _site(self, request: Request) -> Response:
        """www.mixcloud.com: the old GraphQL address is gone (§4.1); pages are a stub."""
        path = request.path_params["path"]
        if path.rstrip("/") == "graphql":
            return HTMLResponse("<h1>Page not found</h1>", status_code=404)
        return HTMLResponse(f"<html><head><title>Mixcloud</title></head><body>"
                            f"<div id=\"root\" data-path=\"/{path}\"></div></body></html>")
