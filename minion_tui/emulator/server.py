"""One loopback HTTP server for every emulated origin, each under its own path prefix.

`run_in_thread()` is what tests and `--demo` use (free port, uvicorn in a background thread);
`serve()` blocks (the CLI); `run_cli()` is `minion-tui emulator [--port 8750] [--seed N]
[--faults PROFILE] [--host H]` and prints `MINION_ENDPOINTS=<map>` as its first line.
URLs inside responses always use the real origins: clients map them with MINION_ENDPOINTS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from minion_tui.emulator.catalog.build import build_catalog
from minion_tui.emulator.catalog.model import Catalog
from minion_tui.emulator.cdn.origins import Cdn
from minion_tui.emulator.faults import FaultMiddleware, parse_profile
from minion_tui.emulator.media.audio import AudioSpec
from minion_tui.emulator.mixcloud.service import ORIGINS as MIXCLOUD_ORIGINS
from minion_tui.emulator.mixcloud.service import Mixcloud, split_profile
from minion_tui.emulator.mixcloud.service import parse_profile as parse_mixcloud_profile
from minion_tui.emulator.oauth import App, OAuthServer
from minion_tui.emulator.social import Social
from minion_tui.emulator.soundcloud.api import build_api
from minion_tui.emulator.soundcloud.context import ApiContext
from minion_tui.emulator.soundcloud.official import (
    DEMO_APP_ID,
    DEMO_APP_SECRET,
    DEMO_REDIRECTS,
    Official,
)
from minion_tui.emulator.soundcloud.resources import Renderer, TrackAuthorization
from minion_tui.emulator.soundcloud.web import Web
from minion_tui.emulator.state import EmulatorState

ORIGINS: dict[str, str] = {  # real origin -> path prefix on the emulator
    "https://soundcloud.com": "/sc-web",
    "https://on.soundcloud.com": "/sc-on",
    "https://a-v2.sndcdn.com": "/sc-assets",
    "https://api-v2.soundcloud.com": "/sc-api-v2",
    "https://api.soundcloud.com": "/sc-api",  # the official API (soundcloud/official.py)
    "https://secure.soundcloud.com": "/sc-secure",  # its OAuth 2.1 server
    "https://playback.media-streaming.soundcloud.cloud": "/sc-aac",
    "https://cf-hls-media.sndcdn.com": "/sc-hls",
    "https://cf-hls-opus-media.sndcdn.com": "/sc-opus",  # legacy Opus (cdn/opus_hls.py)
    "https://cf-media.sndcdn.com": "/sc-media",
    "https://cf-preview-media.sndcdn.com": "/sc-preview",
    "https://i1.sndcdn.com": "/sc-img",
    "https://wave.sndcdn.com": "/sc-wave",
    **MIXCLOUD_ORIGINS,  # api/app/www/thumbnailer/stream*/audio*/audiocdn*/live-* (mixcloud/)
}
DEFAULT_PORT = 8750


class _QuietCuts(logging.Filter):
    """The `drop` fault cuts bodies on purpose; uvicorn would log each one as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("minion-tui")) / "emulator"


def endpoints_for(base_url: str) -> dict[str, str]:
    return {origin: base_url + prefix for origin, prefix in ORIGINS.items()}


def endpoints_env(endpoints: dict[str, str]) -> str:
    return ",".join(f"{origin}={local}" for origin, local in endpoints.items())


@dataclass
class EmulatorApp:
    app: Any
    state: EmulatorState
    catalog: Catalog
    cdn: Cdn
    social: Social
    mixcloud: Mixcloud
    oauth: OAuthServer


def build_app(*, seed: int = 1, faults: str = "", cache_dir: Path | None = None,
              latency_ms: float = 0, rotate_seconds: float | None = None,
              clock: Callable[[], float] = time.time) -> EmulatorApp:
    faults, mc_faults = split_profile(faults)
    catalog = build_catalog(seed)
    big_user = catalog.artist_by_permalink(catalog.examples["user"].rsplit("/", 1)[-1])
    state = EmulatorState(seed=seed, faults=faults, latency_ms=latency_ms,
                          rotate_seconds=rotate_seconds,
                          me_user_id=big_user.id if big_user else 0, clock=clock)

    def lookup(key: str) -> AudioSpec | None:
        track = catalog.track_by_media_key(key)
        if track is None:
            return None
        return AudioSpec(seed=track.seed, duration_ms=track.duration_ms, style=track.style)

    secret = hashlib.sha256(f"minion-emulator-secret:{seed}".encode()).digest()
    cdn = Cdn(cache_dir=cache_dir or default_cache_dir(), lookup=lookup, secret=secret,
              clock=clock)
    auth = TrackAuthorization(secret, clock)
    social = Social(catalog)
    ctx = ApiContext(catalog=catalog, render=Renderer(catalog, cdn, auth, social), state=state,
                     auth=auth, cdn=cdn, originals_secret=secret, social=social)
    web = Web(catalog, state)
    mixcloud = Mixcloud(seed=seed, cache_dir=cache_dir or default_cache_dir(), secret=secret,
                        faults=mc_faults, clock=clock)
    oauth = OAuthServer("soundcloud", secret, user=str(big_user.id if big_user else 0), pkce=True,
                        expires=True, clock=clock)
    oauth.register(App(DEMO_APP_ID, DEMO_APP_SECRET, DEMO_REDIRECTS))
    state.official_user = oauth.user_of
    routes = [Mount("/sc-api-v2", app=build_api(ctx)), *Official(ctx, oauth).mounts(),
              *web.mounts(), *cdn.mounts(), *mixcloud.mounts()]
    app = FaultMiddleware(Starlette(routes=routes), state.faults, lambda: state.latency_ms)
    return EmulatorApp(app, state, catalog, cdn, social, mixcloud, oauth)


class RunningEmulator:
    """A live emulator on a loopback port; `stop()` (or leaving the `with`) shuts it down."""

    def __init__(self, built: EmulatorApp, server: uvicorn.Server, thread: threading.Thread,
                 sock: socket.socket) -> None:
        host, port = sock.getsockname()[:2]
        self.port: int = port
        self.url = f"http://{host}:{port}"
        self.endpoints = endpoints_for(self.url)
        self.endpoints_env = endpoints_env(self.endpoints)
        self.examples = {**built.catalog.examples, **built.mixcloud.examples}
        self.state = built.state
        self.catalog = built.catalog
        self.cdn = built.cdn
        #: Likes and reposts of this emulator (tests like, un-like, repost: social.py).
        self.social = built.social
        #: The Mixcloud side: catalog, faults, throttle counters, live clock (mixcloud/).
        self.mixcloud = built.mixcloud
        #: SoundCloud's OAuth 2.1 server (secure.soundcloud.com); Mixcloud's is
        #: ``mixcloud.oauth`` (emulator/oauth.py: advance, revoke, what it issued).
        self.oauth = built.oauth
        self._server, self._thread, self._sock = server, thread, sock

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _quiet_uvicorn() -> None:
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCuts) for f in error_log.filters):
        error_log.addFilter(_QuietCuts())


def run_in_thread(*, seed: int = 1, faults: str = "", port: int = 0,
                  cache_dir: Path | None = None, latency_ms: float = 0,
                  rotate_seconds: float | None = None,
                  host: str = "127.0.0.1") -> RunningEmulator:
    """Starts the emulator in a daemon thread and returns once it accepts connections."""
    built = build_app(seed=seed, faults=faults, cache_dir=cache_dir, latency_ms=latency_ms,
                      rotate_seconds=rotate_seconds)
    sock = _bind(host, port)
    # log_config=None: in-process (tests, the TUI's --demo) we must not touch logging config.
    config = uvicorn.Config(built.app, log_config=None, log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=2, server_header=False)
    _quiet_uvicorn()
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"minion-emulator-{sock.getsockname()[1]}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the emulator did not start; see the uvicorn log above")
        time.sleep(0.005)
    return RunningEmulator(built, server, thread, sock)


def serve(port: int = DEFAULT_PORT, seed: int = 1, faults: str = "", host: str = "127.0.0.1",
          *, cache_dir: Path | None = None, latency_ms: float = 0,
          rotate_seconds: float | None = None,
          on_ready: Callable[[dict[str, str], dict[str, str]], None] | None = None) -> None:
    """Serves until interrupted. `on_ready(endpoints, examples)` runs once the port is bound."""
    built = build_app(seed=seed, faults=faults, cache_dir=cache_dir, latency_ms=latency_ms,
                      rotate_seconds=rotate_seconds)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if on_ready is not None:
        on_ready(endpoints_for(f"http://{shown}:{bound_port}"),
                 {**built.catalog.examples, **built.mixcloud.examples})
    _quiet_uvicorn()
    config = uvicorn.Config(built.app, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return port


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="minion-tui emulator",
        description="Serve the offline SoundCloud emulator. The first line printed is "
        "MINION_ENDPOINTS=<map>; export it to point any minion-tui command at the emulator.")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1, help="catalog seed (default 1)")
    parser.add_argument("--faults", default="",
                        help='fault profile, e.g. "rate-limit:n=5:window=60,slow:ms=30"; '
                        'Mixcloud faults start with mc- (mc-rate-limit, mc-graphql-wall)')
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help=f"audio cache (default {default_cache_dir()})")
    parser.add_argument("--rotate-seconds", type=float, default=None,
                        help="rotate the client id on this schedule")
    args = parser.parse_args(argv)
    try:
        sc_faults, mc_faults = split_profile(args.faults)
        parse_profile(sc_faults)
        parse_mixcloud_profile(mc_faults)
    except ValueError as problem:
        print(f"minion-tui emulator: {problem}", file=sys.stderr)
        return 2

    def announce(endpoints: dict[str, str], examples: dict[str, str]) -> None:
        print(f"MINION_ENDPOINTS={endpoints_env(endpoints)}", flush=True)
        print(f"MINION_EXAMPLES={json.dumps(examples)}", flush=True)
        print(f"emulator serving seed {args.seed} on {endpoints['https://soundcloud.com']}"
              " (Ctrl-C stops it)", file=sys.stderr, flush=True)

    try:
        serve(args.port, args.seed, args.faults, args.host, cache_dir=args.cache_dir,
              rotate_seconds=args.rotate_seconds, on_ready=announce)
    except OSError as problem:
        print(f"minion-tui emulator: cannot listen on {args.host}:{args.port}: {problem}. "
              "Pick another --port (0 = any free port).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
