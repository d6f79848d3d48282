"""Hostile servers: answers the real services would never send (or send on a bad day), served
by tests/integration/local_server.py behind the endpoint map, against the real ``minion-tui``
process. Each case asserts the exact error type, that stderr has no ``Traceback``, and for
downloads that no final file is wrong or missing.

The API cases map ``https://api-v2.soundcloud.com`` to a hostile server (a client id is set,
so no page is scraped); the download cases give ``download`` a direct ``.m3u8`` URL on one.
Retries and timeouts are short (config.toml) so a storm or a drip ends in seconds.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.adversarial.conftest import (
    Cli,
    assert_failed_events,
    assert_json_error,
    assert_no_traceback,
)
from tests.integration.local_server import QuietHandler, serving_with

TOKEN = "secret-oauth-token"
CLIENT_ID = "hostile-test-client-id"
#: Short attempts, few retries: a storm or a drip fails in seconds, not minutes.
FAST_NET = b"[net]\ntimeout = 1\ndeadline = 6\nmax_retries = 1\nretry_after_cap = 1\n"


@dataclass
class Seen:
    """A request a hostile server received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Reply = Callable[[QuietHandler], None]


@dataclass
class Hostile:
    """A server answering each path by a function of the handler; it records every request."""

    routes: dict[str, Reply] = field(default_factory=dict)
    fallback: Reply | None = None
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def serve(self) -> Iterator[str]:
        hostile = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with hostile.lock:
                    hostile.seen.append(Seen(parts.path, parse_qs(parts.query),
                                             {k.lower(): v for k, v in self.headers.items()}))
                reply = hostile.routes.get(parts.path, hostile.fallback)
                if reply is None:
                    self.answer(404, b"not here", {"Content-Type": "text/plain"})
                    return
                try:
                    reply(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: what a drip or an endless body is for

        with serving_with(Handler) as base:
            yield base


# -- replies ---------------------------------------------------------------------------------


def body(status: int, data: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> Reply:
    return lambda h: h.answer(status, data, {"Content-Type": content_type, **(headers or {})})


def truncated(data: bytes, content_type: str = "application/json") -> Reply:
    """Content-Length says all of ``data``; half of it comes, then the connection closes."""
    def reply(h: QuietHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True

    return reply


def drip(first: bytes = b'{"collection": [', every: float = 0.4, seconds: float = 30) -> Reply:
    """Headers at once, then one byte every ``every`` seconds: each read is in time, the
    whole never is."""
    def reply(h: QuietHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(10_000_000))
        h.end_headers()
        h.wfile.write(first)
        h.wfile.flush()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(every)
            h.wfile.write(b" ")
            h.wfile.flush()

    return reply


def endless(chunk: int = 64 * 1024, pause: float = 0.005, seconds: float = 30) -> Reply:
    """A JSON array that never ends (no Content-Length, the connection stays open), paced so
    a client without a bound fills memory over seconds rather than at once."""
    def reply(h: QuietHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        h.wfile.write(b"[")
        piece = b"0," * (chunk // 2)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            h.wfile.write(piece)
            time.sleep(pause)

    return reply


def redirect(location: Callable[[], str]) -> Reply:
    return lambda h: h.answer(302, b"", {"Location": location()})


@pytest.fixture
def hostile_config(isolated_env: Path) -> Path:
    path = isolated_env / "config" / "minion-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(FAST_NET)
    return path


def api_env(base: str, **extra: str) -> dict[str, str]:
    return {"MINION_ENDPOINTS": f"https://api-v2.soundcloud.com={base}",
            "SOUNDCLOUD_CLIENT_ID": CLIENT_ID, **extra}


TRACK_JSON = {"kind": "track", "id": 101, "urn": "soundcloud:tracks:101", "title": "Hostile",
              "permalink_url": "https://soundcloud.com/someone/hostile", "duration": 60000,
              "user": {"kind": "user", "id": 7, "username": "someone",
                       "permalink_url": "https://soundcloud.com/someone"}}
HTML = b"<!doctype html><html><body><h1>We'll be right back</h1></body></html>"

API_CASES = {
    "truncated-json": (truncated(json.dumps(TRACK_JSON).encode()), "network"),
    "garbage-json": (body(200, b'{"kind": "track", "id": 1,,, \xff\xfe'), "network"),
    "html-for-json": (body(200, HTML, "text/html; charset=utf-8"), "network"),
    "json-not-an-object": (body(200, b'"just a string"'), "network"),
    "500-storm": (body(500, b"<h1>500</h1>", "text/html"), "network"),
    "429-storm": (body(429, b"{}", headers={"Retry-After": "1"}), "rate_limited"),
    "slow-drip": (drip(), "network"),
    "endless-body": (endless(), "response_too_large"),
}


@pytest.mark.parametrize("case", list(API_CASES), ids=list(API_CASES))
def test_hostile_api_answer(case: str, cli: Cli, hostile_config: Path) -> None:
    reply, error_type = API_CASES[case]
    server = Hostile(fallback=reply)
    with server.serve() as base:
        run = cli("resolve", "https://soundcloud.com/someone/hostile", "--json",
                  env=api_env(base), timeout=90)
    assert_json_error(run, (error_type,))
    assert any(s.path == "/resolve" for s in server.seen)  # it was the server that failed


def test_redirect_loop_is_a_network_error(cli: Cli, hostile_config: Path) -> None:
    server = Hostile()
    with server.serve() as base:
        server.fallback = redirect(lambda: base + "/resolve?again=1")
        run = cli("resolve", "https://soundcloud.com/someone/hostile", "--json",
                  env=api_env(base), timeout=90)
    assert_json_error(run, ("network",))
    assert 1 < len(server.seen) < 100  # followed a few, then gave up


def _no_credentials(seen: list[Seen]) -> None:
    for request in seen:
        assert "authorization" not in request.headers, request
        assert "client_id" not in request.query, request
        assert TOKEN not in json.dumps(request.__dict__) and CLIENT_ID not in json.dumps(
            request.__dict__), request


def test_next_href_to_another_host_gets_no_credentials(cli: Cli, hostile_config: Path) -> None:
    second = {**TRACK_JSON, "id": 102, "urn": "soundcloud:tracks:102", "title": "Elsewhere"}
    other = Hostile(fallback=body(200, json.dumps({"collection": [second],
                                                   "next_href": None}).encode()))
    with other.serve() as elsewhere:
        page = {"collection": [TRACK_JSON],
                "next_href": elsewhere + "/search/tracks?q=x&offset=1&limit=1"}
        api = Hostile(fallback=body(200, json.dumps(page).encode()))
        with api.serve() as base:
            run = cli("search", "x", "--limit", "2", "--json",
                      env=api_env(base, SOUNDCLOUD_ACCESS_TOKEN=TOKEN), timeout=90)
    assert_no_traceback(run)
    # Both pages were read, the second from the other host, without the credentials.
    assert run.code == 0, run.describe()
    assert [(t["kind"], t["urn"], t["title"]) for t in json.loads(run.stdout)] == [
        ("track", "soundcloud:tracks:101", "Hostile"),
        ("track", "soundcloud:tracks:102", "Elsewhere")]
    # The API itself got both (so this test can see them), the other host neither.
    assert api.seen and api.seen[0].query.get("client_id") == [CLIENT_ID]
    assert api.seen[0].headers.get("authorization") == f"OAuth {TOKEN}"
    _no_credentials(other.seen)
    assert TOKEN not in run.stdout + run.stderr


def test_redirect_to_another_host_gets_no_credentials(cli: Cli, hostile_config: Path) -> None:
    other = Hostile(fallback=body(200, json.dumps(TRACK_JSON).encode()))
    with other.serve() as elsewhere:
        api = Hostile(fallback=redirect(lambda: elsewhere + "/resolve?url=x"))
        with api.serve() as base:
            run = cli("resolve", "https://soundcloud.com/someone/hostile", "--json",
                      env=api_env(base, SOUNDCLOUD_ACCESS_TOKEN=TOKEN), timeout=90)
    assert_no_traceback(run)
    # The redirect is followed (to the track the other host answers) without the credentials.
    assert run.code == 0, run.describe()
    resolved = json.loads(run.stdout)
    assert (resolved["kind"], resolved["urn"], resolved["title"]) == (
        "track", "soundcloud:tracks:101", "Hostile")
    assert api.seen and api.seen[0].headers.get("authorization") == f"OAuth {TOKEN}"
    _no_credentials(other.seen)


# -- playlists and media ---------------------------------------------------------------------

#: A valid MPEG-1 Layer III frame (128 kb/s, 44.1 kHz: 417 bytes); ``fill`` tells streams apart.
def mp3_frames(count: int, fill: int) -> bytes:
    return (b"\xff\xfb\x90\x64" + bytes([fill]) * 413) * count


def media_playlist(names: list[str], seconds: float = 2.0) -> bytes:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(seconds) + 1}",
             "#EXT-X-MEDIA-SEQUENCE:0"]
    for name in names:
        lines += [f"#EXTINF:{seconds:.3f},", name]
    return ("\n".join([*lines, "#EXT-X-ENDLIST"]) + "\n").encode()


def big_playlist(count: int) -> bytes:
    head = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n"
    return head + b"".join(b"#EXTINF:2.000,\nseg%d.mp3\n" % i for i in range(count)) \
        + b"#EXT-X-ENDLIST\n"


M3U8 = "application/vnd.apple.mpegurl"


def finals(folder: Path) -> list[str]:
    """Every name in ``folder`` and below (empty when it does not exist)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() \
        else []


PLAYLIST_CASES: dict[str, tuple[dict[str, Reply], str]] = {
    "empty": ({"/x/index.m3u8": body(200, b"#EXTM3U\n", M3U8)}, "invalid_playlist"),
    "endlist-no-segments": ({"/x/index.m3u8": body(
        200, b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n", M3U8)}, "invalid_playlist"),
    "garbage": ({"/x/index.m3u8": body(200, bytes(range(256)) * 16, M3U8)},
                "invalid_playlist"),
    "html": ({"/x/index.m3u8": body(200, HTML, "text/html")}, "invalid_playlist"),
    "truncated-playlist": ({"/x/index.m3u8": truncated(
        media_playlist([f"s{i}.mp3" for i in range(50)]), M3U8)}, "network"),
    "segments-not-audio": ({"/x/index.m3u8": body(200, media_playlist(["a.ts", "b.ts"]), M3U8),
                            "/x/a.ts": body(200, os.urandom(4000), "video/mp2t"),
                            "/x/b.ts": body(200, os.urandom(4000), "video/mp2t")},
                           "invalid_media"),
    "truncated-segment": ({"/x/index.m3u8": body(200, media_playlist(["a.mp3"]), M3U8),
                           "/x/a.mp3": truncated(mp3_frames(40, 0), "audio/mpeg")},
                          "download"),  # the segment fetch gave up: the download failed
}


@pytest.mark.parametrize("case", list(PLAYLIST_CASES), ids=list(PLAYLIST_CASES))
def test_hostile_playlist(case: str, cli: Cli, hostile_config: Path, tmp_path: Path) -> None:
    routes, error_type = PLAYLIST_CASES[case]
    out = tmp_path / "out"
    with Hostile(routes=routes).serve() as base:
        run = cli("download", base + "/x/index.m3u8", "--json", f"--dir={out}", timeout=90)
    assert_failed_events(run, (error_type,))
    left = finals(out)
    if error_type == "download":
        # A transfer that broke keeps its journal to resume from (the message says to run it
        # again), but no final file.
        left = [n for n in left if not (n.startswith(".") or n.endswith(".part"))]
    assert left == []  # no final file, and no journal of a download that cannot resume


def test_a_million_segment_playlist_is_refused_before_anything_is_queued(
    cli: Cli, hostile_config: Path, tmp_path: Path,
) -> None:
    server = Hostile(routes={"/x/index.m3u8": body(200, big_playlist(1_000_000), M3U8)},
                     fallback=body(404, b"no", "text/plain"))
    out = tmp_path / "out"
    with server.serve() as base:
        run = cli("download", base + "/x/index.m3u8", "--json", f"--dir={out}", timeout=180)
    assert_failed_events(run, ("playlist_too_large",))
    assert [s.path for s in server.seen] == ["/x/index.m3u8"]  # no segment was asked for
    assert finals(out) == []


def test_a_journal_left_by_another_source_is_not_reused(cli: Cli, hostile_config: Path,
                                                        tmp_path: Path) -> None:
    """``…/q/index.m3u8`` fails half-way and keeps its journal; ``…/other/index.m3u8`` (the
    same file name, index.mp3) must then be exactly the second stream, not a splice."""
    names = [f"s{i}.mp3" for i in range(6)]
    routes: dict[str, Reply] = {
        "/q/index.m3u8": body(200, media_playlist(names), M3U8),
        "/other/index.m3u8": body(200, media_playlist(names), M3U8),
    }
    for i, name in enumerate(names):
        if i != 4:  # the first stream's fifth segment is gone: it fails half-way
            routes[f"/q/{name}"] = body(200, mp3_frames(20, 0x00), "audio/mpeg")
        routes[f"/other/{name}"] = body(200, mp3_frames(20, 0x11 + i), "audio/mpeg")
    with Hostile(routes=routes).serve() as base:
        clean = cli("download", base + "/other/index.m3u8", "--json",
                    f"--dir={tmp_path / 'clean'}", env={"XDG_DATA_HOME": str(tmp_path / "d2")})
        assert clean.code == 0, clean.describe()
        [reference] = (tmp_path / "clean").glob("index.*")

        folder = tmp_path / "shared"
        first = cli("download", base + "/q/index.m3u8", "--json", f"--dir={folder}")
        assert first.code == 1, first.describe()
        assert [(e["type"], e["reason"]) for e in first.lines() if e.get("event") == "failed"
                ] == [("download", "Segment 4 answered HTTP 404.")], first.describe()
        second = cli("download", base + "/other/index.m3u8", "--json", f"--dir={folder}")
    assert second.code == 0, second.describe()
    assert_no_traceback(second)
    done = [e for e in second.lines() if e.get("event") == "done"]
    assert len(done) == 1, second.describe()
    got = Path(done[0]["path"])
    assert got.name == reference.name
    assert got.read_bytes() == reference.read_bytes()
