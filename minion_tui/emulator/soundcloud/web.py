"""soundcloud.com (the page a client scrapes its client_id from), its JS assets on
a-v2.sndcdn.com, and on.soundcloud.com short links (docs/soundcloud.md §4, §1.1).

The page carries ~10 `<script crossorigin src=…/assets/<n>-<8hex>.js>` tags (one with the
attributes the other way round), `window.__sc_version` and `window.__sc_hydration` with the
apiClient id. Asset 53 holds the id in its config form `client_id:"…"`, ~30 KB in, i.e. inside
the 50,000 bytes NewPipe fetches with a Range request; `0-*.js` does not hold it (the old
soundcloud.py assumption that broke in 2026-01). Rotating the id changes the asset hashes and
the version; old assets stay on the CDN with the old, now rejected, id.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from minion_tui.emulator.catalog.model import Catalog
from minion_tui.emulator.state import EmulatorState, make_client_id

ASSET_ORIGIN = "https://a-v2.sndcdn.com"
ASSET_NUMBERS = (0, 2, 3, 8, 12, 25, 41, 47, 53, 49)
CONFIG_ASSET = 53
BASE_VERSION = 1771407416
_ASSET_RE = re.compile(r"^(\d+)-([0-9a-f]{8})\.js$")
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Web:
    def __init__(self, catalog: Catalog, state: EmulatorState) -> None:
        self.catalog, self.state = catalog, state
        self._bodies: dict[tuple[int, int], bytes] = {}

    # -- assets --------------------------------------------------------------------------------
    def asset_hash(self, number: int, generation: int) -> str:
        raw = f"{self.state.seed}:{number}:{generation}".encode()
        return hashlib.sha1(raw).hexdigest()[:8]

    def asset_urls(self, generation: int) -> list[str]:
        return [f"{ASSET_ORIGIN}/assets/{n}-{self.asset_hash(n, generation)}.js"
                for n in ASSET_NUMBERS]

    def asset_body(self, number: int, generation: int) -> bytes:
        rng = random.Random(f"{self.state.seed}:{number}:{generation}")
        chunk = ("(self.webpackChunk_soundcloud_web=self.webpackChunk_soundcloud_web||[])"
                 f".push([[{number}],{{")
        parts = [chunk]
        size = 60_000 if number == CONFIG_ASSET else rng.randint(2_000, 12_000)
        insert_at = 30_000 if number == CONFIG_ASSET else None
        written = len(chunk)
        while written < size:
            if insert_at is not None and written >= insert_at:
                client_id = make_client_id(self.state.seed, generation)
                line = (f'{rng.randint(10000, 99999)}:function(e,t,n){{"use strict";n.d(t,'
                        f'{{default:function(){{return o}}}});var o={{env:"production",'
                        f'api_host:"https://api-v2.soundcloud.com",client_application_id:46941,'
                        f'client_id:"{client_id}",client_is_expiring:!1,public_api_host:'
                        f'"https://api.soundcloud.com"}}}},\n')
                insert_at = None
            else:
                name = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9)))
                module, dep = rng.randint(10000, 99999), rng.randint(1, 9999)
                line = (f"{module}:function(e,t,n){{var r=n({dep})"
                        f",i=n.n(r);t.{name}=function(e){{return i()(e,\"{name}\")}}}},\n")
            parts.append(line)
            written += len(line)
        parts.append("}]);\n")
        return "".join(parts).encode()

    async def asset(self, request: Request) -> Response:
        self.state.record_web_page(f"assets/{request.path_params['name']}")
        match = _ASSET_RE.match(request.path_params["name"])
        if match is None:
            return PlainTextResponse("Not Found", 404)
        number, digest = int(match.group(1)), match.group(2)
        _, latest = self.state.current()
        generation = next((g for g in range(latest, -1, -1)
                           if number in ASSET_NUMBERS and self.asset_hash(number, g) == digest),
                          None)
        if generation is None:
            return PlainTextResponse("Not Found", 404)
        body = self._bodies.get((number, generation))
        if body is None:
            body = self._bodies[(number, generation)] = self.asset_body(number, generation)
        return ranged(request, body,
                      "application/javascript; charset=utf-8")

    # -- pages ---------------------------------------------------------------------------------
    def page(self) -> str:
        client_id, generation = self.state.current()
        scripts = []
        for n, url in enumerate(self.asset_urls(generation)):
            # Attribute order varies on the real page (§4.1).
            scripts.append(f'<script src="{url}" crossorigin></script>' if n == 4
                           else f'<script crossorigin src="{url}"></script>')
        hydration = [
            {"hydratable": "anonymousId", "data": f"{self.state.seed}-{generation}-emulated"},
            {"hydratable": "features", "data": {"features": ["v2_use_onetrust_tcf"]}},
            {"hydratable": "geoip", "data": {"country_code": "DE", "country_name": "Germany",
                                             "region": "BE", "city": "Berlin"}},
            {"hydratable": "privacySettings", "data": {"allows_messages_from_unfollowed_users":
                                                       False}},
            {"hydratable": "apiClient", "data": {"id": client_id, "isExpiring": False}},
        ]
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="en" class="no-js"><head><meta charset="utf-8">',
            "<title>SoundCloud - Hear the world’s sounds</title>",
            '<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" '
            'data-domain-script="7e9f5d6b-emulated" async></script>',
            '<script src="https://dwt.soundcloud.com/tags.js" async></script>',
            '<link rel="stylesheet" href="https://a-v2.sndcdn.com/assets/css/app-6e2f8c5a.css">',
            "</head><body>",
            '<div id="app"><noscript>JavaScript is disabled in your browser.</noscript></div>',
            f'<script>window.__sc_version="{BASE_VERSION + generation * 3600}"</script>',
            f"<script>window.__sc_hydration = {json.dumps(hydration, separators=(',', ':'))};"
            "</script>",
            *scripts,
            "</body></html>",
        ])

    def _exists(self, path: str) -> bool:
        segments = [unquote(s) for s in path.split("/") if s]
        if not segments:
            return True
        c = self.catalog
        if len(segments) == 1:
            return c.artist_by_permalink(segments[0]) is not None
        if segments[1] == "sets" and len(segments) == 3:
            return c.set_by_path(segments[0], segments[2]) is not None
        track = c.track_by_path(segments[0], segments[1])
        if track is None or len(segments) > 3:
            return False
        return track.secret_token == (segments[2] if len(segments) == 3 else None)

    async def home(self, request: Request) -> Response:
        path = request.path_params.get("path", "")
        self.state.record_web_page(path)
        if path.startswith("tags/") and len(path.split("/")) == 2:
            return HTMLResponse(self.page())
        if not self._exists(path):
            return HTMLResponse("<!DOCTYPE html><html><body><h1>We can’t find that user."
                                "</h1></body></html>", 404)
        return HTMLResponse(self.page())

    async def short_link(self, request: Request) -> Response:
        target = self.catalog.short_links.get(request.path_params["code"])
        if target is None:
            return HTMLResponse("<html><body>Not found</body></html>", 404)
        return RedirectResponse(target, status_code=302)

    def mounts(self) -> list[Mount | Route]:
        return [
            Route("/sc-web", self.home),
            Mount("/sc-web", routes=[Route("/", self.home), Route("/{path:path}", self.home)]),
            Mount("/sc-on", routes=[Route("/{code}", self.short_link)]),
            Mount("/sc-assets", routes=[Route("/assets/{name}", self.asset,
                                              methods=["GET", "HEAD"])]),
        ]


def ranged(request: Request, body: bytes, content_type: str) -> Response:
    """200, or 206 / 416 for a single `Range: bytes=…` (NewPipe reads assets that way)."""
    headers: dict[str, Any] = {"accept-ranges": "bytes", "cache-control": "max-age=31536000"}
    header = request.headers.get("range")
    if not header:
        return Response(body, 200, headers=headers, media_type=content_type)
    match = _RANGE_RE.match(header.strip())
    size = len(body)
    if match is None or match.groups() == ("", ""):
        return Response(b"", 416, headers={**headers, "content-range": f"bytes */{size}"})
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(size - 1, int(last) if last else size - 1)
    if start >= size or start > end:
        return Response(b"", 416, headers={**headers, "content-range": f"bytes */{size}"})
    headers["content-range"] = f"bytes {start}-{end}/{size}"
    return Response(body[start:end + 1], 206, headers=headers, media_type=content_type)
