"""minion_tui.net against a real local HTTP server: retries, deadlines, auth hooks, the endpoint
map on redirects and on URLs found inside responses, the shared client, and the rate limit.

The server is a tiny scripted HTTP/1.1 server on raw asyncio sockets, so it can do what a
framework will not: lie about Content-Length and hang up mid-body, or never answer at all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from minion_tui.errors import HTTPAuthError, HTTPStatusError, NetworkError, NotFound, RateLimited
from minion_tui.models import WaitNotice
from minion_tui.net import (
    BROWSER_USER_AGENT,
    Credentials,
    EndpointMap,
    Http,
    HttpOptions,
    RequestSpec,
)

API = "https://api-v2.soundcloud.com"
WEB = "https://soundcloud.com"
CDN = "https://cf-media.sndcdn.com"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # send this many body bytes (announcing all), then hang up
    stall: bool = False  # read the request, never answer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Route = list[Reply] | Callable[[Received], Reply]


class ScriptedServer:
    """Replies per path from a script: a list is played in order (the last reply repeats),
    a callable decides from the request. Logs every request and counts TCP connections."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Received] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def route(
        self, path: str, *replies: Reply, handler: Callable[[Received], Reply] | None = None
    ) -> None:
        self.routes[path] = handler if handler is not None else list(replies)

    def hits(self, path: str) -> list[Received]:
        return [r for r in self.log if r.path == path]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _pick(self, received: Received) -> Reply:
        route = self.routes.get(received.path)
        if route is None:
            return Reply(404, b"no such route")
        if callable(route):
            return route(received)
        return route.pop(0) if len(route) > 1 else route[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                line, *header_lines = head.decode("latin-1").split("\r\n")
                method, target, _ = line.split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (h.partition(":") for h in header_lines if h)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                parts = urlsplit(target)
                received = Received(method, parts.path, dict(parse_qsl(parts.query)), headers, body)
                self.log.append(received)
                reply = self._pick(received)
                if reply.stall:
                    await asyncio.Event().wait()
                out = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(reply.body)}"]
                out += [f"{k}: {v}" for k, v in reply.headers.items()]
                sent = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + sent)
                await writer.drain()
                if reply.cut_after is not None:
                    return  # hang up mid-body: the client must see an incomplete message
        finally:
            writer.close()
            self._tasks.discard(task)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def make_http() -> AsyncIterator[Callable[..., Http]]:
    made: list[Http] = []

    def make(on_wait: Callable[[WaitNotice], None] | None = None, **options: object) -> Http:
        options.setdefault("backoff_base", 0.01)
        options.setdefault("backoff_cap", 0.05)
        http = Http(HttpOptions(**options), on_wait=on_wait)  # type: ignore[arg-type]
        made.append(http)
        return http

    yield make
    for http in made:
        await http.aclose()


def mapped(server: ScriptedServer) -> EndpointMap:
    return EndpointMap.from_dict(
        {API: f"{server.url}/sc-api-v2", WEB: f"{server.url}/sc-web", CDN: f"{server.url}/cdn"}
    )


# -- retries ---------------------------------------------------------------------------------


async def test_429_with_short_retry_after_then_200_is_not_announced(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/me", Reply(429, headers={"Retry-After": "1"}), Reply(200, b"{}"))
    notices: list[WaitNotice] = []
    http = make_http(notices.append, endpoints=mapped(server), long_wait_notice=3.0)
    assert await http.get_json(f"{API}/me") == {}
    assert len(server.hits("/sc-api-v2/me")) == 2
    assert notices == []
    assert http.stats.retries == 1


async def test_long_retry_after_is_clamped_and_announced_before_waiting(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/me", Reply(429, headers={"Retry-After": "100"}), Reply(200, b"[]"))
    notices: list[WaitNotice] = []

    def on_wait(notice: WaitNotice) -> None:
        notices.append(notice)
        # Announced BEFORE the wait: the retry has not been sent yet.
        assert len(server.hits("/sc-api-v2/me")) == 1

    http = make_http(on_wait, endpoints=mapped(server), retry_after_cap=0.2, long_wait_notice=0.1)
    assert await http.get_json(f"{API}/me") == []
    assert notices == [WaitNotice("api-v2.soundcloud.com", 0.2, "rate limited (HTTP 429)")]


async def test_429_pauses_the_whole_host(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/a", Reply(429, headers={"Retry-After": "30"}))
    server.route("/sc-api-v2/b", Reply(200, b"b"))
    server.route("/sc-web/c", Reply(200, b"c"))
    http = make_http(endpoints=mapped(server), deadline=2.0, retry_after_cap=30)
    with pytest.raises(RateLimited) as first:
        await http.get_text(f"{API}/a")
    assert first.value.retry_after == 30.0
    # Another request to the paused host does not even reach the server...
    with pytest.raises(RateLimited) as second:
        await http.get_text(f"{API}/b")
    assert second.value.retry_after is not None and second.value.retry_after > 25
    assert server.hits("/sc-api-v2/b") == []
    # ...while other hosts are not held back.
    assert await http.get_text(f"{WEB}/c") == "c"
    assert len(server.hits("/sc-api-v2/a")) == 1


async def test_429_that_never_ends_raises_rate_limited(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/x", Reply(429, headers={"Retry-After": "0"}))
    http = make_http(endpoints=mapped(server), max_retries=2)
    with pytest.raises(RateLimited) as info:
        await http.get_json(f"{API}/x")
    assert len(server.hits("/sc-api-v2/x")) == 3
    assert "gave up after 3 attempt(s)" in info.value.text
    assert info.value.retry_after == 0.0


async def test_503_burst_then_200(server: ScriptedServer, make_http: Callable[..., Http]) -> None:
    server.route("/sc-api-v2/t", Reply(503), Reply(503), Reply(503), Reply(200, b'{"id": 1}'))
    http = make_http(endpoints=mapped(server))
    assert await http.get_json(f"{API}/t") == {"id": 1}
    assert len(server.hits("/sc-api-v2/t")) == 4
    assert http.stats.requests == 4
    assert http.stats.retries == 3
    assert http.stats.by_host == {"api-v2.soundcloud.com": 4}


async def test_503_until_retries_run_out(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/t", Reply(503))
    http = make_http(endpoints=mapped(server), max_retries=3)
    with pytest.raises(HTTPStatusError) as info:
        await http.get_json(f"{API}/t", params={"client_id": "sekrit"})
    assert info.value.status == 503
    assert len(server.hits("/sc-api-v2/t")) == 4
    assert "server error (HTTP 503)" in info.value.text
    assert "gave up after 4 attempt(s)" in info.value.text
    assert f"{API}/t" in info.value.text and "sekrit" not in info.value.text


async def test_connection_dropped_mid_body_retries_the_whole_request(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    audio = bytes(range(256)) * 40
    server.route("/cdn/a.mp3", Reply(200, audio, cut_after=100), Reply(200, audio))
    http = make_http(endpoints=mapped(server))
    assert await http.get_bytes(f"{CDN}/a.mp3") == audio
    assert len(server.hits("/cdn/a.mp3")) == 2
    assert http.stats.retries == 1


async def test_body_cut_every_time_names_the_failure(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/cdn/a.mp3", Reply(200, b"x" * 1000, cut_after=10))
    http = make_http(endpoints=mapped(server), max_retries=1)
    with pytest.raises(NetworkError) as info:
        await http.get_bytes(f"{CDN}/a.mp3", params={"Signature": "abc", "Policy": "p"})
    assert len(server.hits("/cdn/a.mp3")) == 2
    assert "connection dropped mid-transfer" in info.value.text
    assert f"{CDN}/a.mp3" in info.value.text
    assert "abc" not in info.value.text and "Policy" not in info.value.text


async def test_404_never_retries(server: ScriptedServer, make_http: Callable[..., Http]) -> None:
    server.route("/sc-api-v2/tracks/9", Reply(404, b"{}"))
    http = make_http(endpoints=mapped(server))
    with pytest.raises(NotFound) as info:
        await http.get_json(f"{API}/tracks/9", params={"client_id": "sekrit"})
    assert len(server.hits("/sc-api-v2/tracks/9")) == 1
    assert f"{API}/tracks/9" in info.value.text and "sekrit" not in info.value.text
    assert http.stats.retries == 0


async def test_allowed_status_is_returned_as_is(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/x", Reply(503, b"busy"))
    http = make_http(endpoints=mapped(server))
    response = await http.request("GET", f"{API}/x", allow_statuses={503})
    assert (response.status_code, response.content) == (503, b"busy")
    assert len(server.hits("/sc-api-v2/x")) == 1


async def test_post_is_not_retried_after_a_5xx(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/likes", Reply(503))
    http = make_http(endpoints=mapped(server))
    with pytest.raises(HTTPStatusError):
        await http.request("POST", f"{API}/likes", data={"urn": "soundcloud:tracks:1"})
    hits = server.hits("/sc-api-v2/likes")
    assert [(h.method, h.body) for h in hits] == [("POST", b"urn=soundcloud%3Atracks%3A1")]


async def test_connection_refused_gives_up_with_advice(make_http: Callable[..., Http]) -> None:
    # A port that was free a moment ago and has nobody listening.
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    http = make_http(
        endpoints=EndpointMap.from_dict({API: f"http://127.0.0.1:{port}"}), max_retries=2
    )
    with pytest.raises(NetworkError) as info:
        await http.get_json(f"{API}/me")
    assert http.stats.requests == 3
    assert "could not connect" in info.value.text
    assert "gave up after 3 attempt(s)" in info.value.text
    assert "Check your network" in info.value.text


# -- deadline --------------------------------------------------------------------------------


async def test_deadline_cuts_a_stalled_server(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/slow", Reply(stall=True))
    http = make_http(endpoints=mapped(server), deadline=0.3, timeout=30.0)
    with pytest.raises(NetworkError) as info:
        await http.get_json(f"{API}/slow")
    assert not isinstance(info.value, HTTPStatusError)
    assert "gave up after 1 attempt(s)" in info.value.text
    assert "deadline" in info.value.text
    assert f"{API}/slow" in info.value.text


async def test_deadline_stops_a_retry_loop(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/busy", Reply(503, headers={"Retry-After": "5"}))
    http = make_http(endpoints=mapped(server), deadline=1.0, max_retries=50)
    with pytest.raises(NetworkError) as info:
        await http.get_json(f"{API}/busy")
    # The server asked for 5 s, more than the deadline allows: give up at once, do not sleep.
    assert len(server.hits("/sc-api-v2/busy")) == 1
    assert "would pass the 1 s deadline" in info.value.text


# -- auth hook -------------------------------------------------------------------------------


def _needs_fresh_client_id(received: Received) -> Reply:
    if received.query.get("client_id") == "fresh":
        return Reply(200, b'{"ok": true}')
    return Reply(401, b'{"error": "bad client id"}')


async def test_401_hook_swaps_the_client_id_and_retries_once(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/me", handler=_needs_fresh_client_id)
    calls: list[tuple[int, RequestSpec]] = []

    async def refresh(response: httpx.Response, spec: RequestSpec) -> RequestSpec | None:
        calls.append((response.status_code, spec))
        return dataclasses.replace(spec, params={**(spec.params or {}), "client_id": "fresh"})

    http = make_http(endpoints=mapped(server))
    got = await http.get_json(f"{API}/me", params={"client_id": "stale"}, auth_hook=refresh)
    assert got == {"ok": True}
    assert [h.query["client_id"] for h in server.hits("/sc-api-v2/me")] == ["stale", "fresh"]
    assert [(status, spec.url) for status, spec in calls] == [(401, f"{API}/me")]


async def test_401_hook_that_gives_up_raises_auth_error(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/me", handler=_needs_fresh_client_id)

    async def give_up(response: httpx.Response, spec: RequestSpec) -> RequestSpec | None:
        return None

    http = make_http(endpoints=mapped(server))
    with pytest.raises(HTTPAuthError) as info:
        await http.get_json(f"{API}/me", params={"client_id": "stale"}, auth_hook=give_up)
    assert info.value.status == 401
    assert info.value.url == f"{API}/me"
    assert len(server.hits("/sc-api-v2/me")) == 1


async def test_auth_hook_is_called_only_once(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/cdn/x.mp3", Reply(403, b"expired"))
    calls: list[str] = []

    async def resign(response: httpx.Response, spec: RequestSpec) -> RequestSpec | None:
        calls.append(spec.url)
        return dataclasses.replace(spec, params={"Signature": f"new{len(calls)}"})

    http = make_http(endpoints=mapped(server))
    with pytest.raises(HTTPAuthError) as info:
        await http.get_bytes(f"{CDN}/x.mp3", params={"Signature": "old"}, auth_hook=resign)
    assert info.value.status == 403
    assert len(calls) == 1
    assert [h.query["Signature"] for h in server.hits("/cdn/x.mp3")] == ["old", "new1"]
    assert "new1" not in info.value.text


# -- the endpoint map on the wire ------------------------------------------------------------


async def test_redirect_location_goes_through_the_map(make_http: Callable[..., Http]) -> None:
    a, b = ScriptedServer(), ScriptedServer()
    await a.start()
    await b.start()
    try:
        a.route("/sc-api-v2/stream", Reply(302, b"", {"Location": f"{CDN}/t.mp3?Signature=s"}))
        b.route("/cdn/t.mp3", Reply(200, b"ID3audio"))
        emap = EndpointMap.from_dict({API: f"{a.url}/sc-api-v2", CDN: f"{b.url}/cdn"})
        http = make_http(endpoints=emap)
        response = await http.request("GET", f"{API}/stream", headers={"Authorization": "OAuth t"})
        assert response.content == b"ID3audio"
        # The token went to the API, not to the CDN host the redirect led to.
        assert a.log[0].headers["authorization"] == "OAuth t"
        assert "authorization" not in b.log[0].headers
        assert [(h.path, h.query) for h in b.log] == [("/cdn/t.mp3", {"Signature": "s"})]
        assert str(response.url) == f"{b.url}/cdn/t.mp3?Signature=s"
        assert http.unmap(str(response.url)) == f"{CDN}/t.mp3?Signature=s"
        assert http.stats.by_host == {"api-v2.soundcloud.com": 1, "cf-media.sndcdn.com": 1}
    finally:
        await a.stop()
        await b.stop()


async def test_credentials_go_to_their_origins_on_every_hop_and_nowhere_else(
    make_http: Callable[..., Http]
) -> None:
    a, b = ScriptedServer(), ScriptedServer()
    await a.start()
    await b.start()
    try:
        # api-v2 -> api-v2 (kept) -> the CDN (dropped) -> back to api-v2 (added again)
        a.route("/sc-api-v2/one", Reply(302, b"", {"Location": f"{API}/two"}))
        a.route("/sc-api-v2/two", Reply(302, b"", {"Location": f"{CDN}/three"}))
        b.route("/cdn/three", Reply(302, b"", {"Location": f"{API}/four"}))
        a.route("/sc-api-v2/four", Reply(200, b"done"))
        emap = EndpointMap.from_dict({API: f"{a.url}/sc-api-v2", CDN: f"{b.url}/cdn"})
        http = make_http(endpoints=emap)
        creds = Credentials(frozenset({API}), params={"client_id": "cid"},
                            headers={"Authorization": "OAuth tok"})
        response = await http.request("GET", f"{API}/one", params={"q": "x"},
                                      credentials=creds)
        assert response.content == b"done"
        assert [(h.path, h.query, h.headers.get("authorization")) for h in a.log] == [
            ("/sc-api-v2/one", {"q": "x", "client_id": "cid"}, "OAuth tok"),
            ("/sc-api-v2/two", {"client_id": "cid"}, "OAuth tok"),
            ("/sc-api-v2/four", {"client_id": "cid"}, "OAuth tok"),
        ]
        assert [(h.path, h.query, h.headers.get("authorization")) for h in b.log] == [
            ("/cdn/three", {}, None)]
        # A URL of another host, given directly: asked without them.
        await http.request("GET", f"{CDN}/three", credentials=creds, follow_redirects=False)
        assert (b.log[-1].query, b.log[-1].headers.get("authorization")) == ({}, None)
        assert "tok" not in repr(creds) and "cid" not in repr(creds)
    finally:
        await a.stop()
        await b.stop()


async def test_a_redirect_from_https_to_http_of_the_same_host_drops_the_token(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    # Two logical origins of one host, told apart by scheme: the hop to http:// is another
    # origin, so neither the caller's Authorization nor the credentials go along.
    plain = "http://api-v2.soundcloud.com"
    server.route("/sc-api-v2/me", Reply(302, b"", {"Location": f"{plain}/me"}))
    server.route("/plain/me", Reply(200, b"{}"))
    emap = EndpointMap.from_dict({API: f"{server.url}/sc-api-v2", plain: f"{server.url}/plain"})
    http = make_http(endpoints=emap)
    creds = Credentials(frozenset({API}), params={"client_id": "cid"})
    await http.request("GET", f"{API}/me", headers={"Authorization": "OAuth t"},
                       credentials=creds)
    first, second = server.hits("/sc-api-v2/me")[0], server.hits("/plain/me")[0]
    assert (first.query, first.headers.get("authorization")) == ({"client_id": "cid"},
                                                                 "OAuth t")
    assert (second.query, second.headers.get("authorization")) == ({}, None)


async def test_httpx_request_log_lines_carry_no_client_id(
    server: ScriptedServer, make_http: Callable[..., Http], caplog: pytest.LogCaptureFixture
) -> None:
    # A POST goes through httpx, which logs each request's URL at INFO (--debug's log file).
    server.route("/sc-api-v2/me", Reply(200, b"{}"))
    http = make_http(endpoints=mapped(server))
    creds = Credentials(frozenset({API}), params={"client_id": "c1d" * 10})
    with caplog.at_level("INFO", logger="httpx"):
        await http.request("POST", f"{API}/me", params={"a": "1"}, credentials=creds)
    assert server.hits("/sc-api-v2/me")[0].query == {"a": "1", "client_id": "c1d" * 10}
    assert "HTTP Request: POST" in caplog.text and "/sc-api-v2/me?a=1" in caplog.text
    assert "c1d" not in caplog.text


async def test_relative_redirect_and_no_follow(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-web/old", Reply(301, b"", {"Location": "/sc-web/new"}))
    server.route("/sc-web/new", Reply(200, b"<html>new</html>"))
    http = make_http(endpoints=mapped(server))
    assert await http.get_text(f"{WEB}/old", headers={"Cookie": "sc=1"}) == "<html>new</html>"
    # Same host: the relative Location is resolved against the mapped URL, headers kept.
    assert server.hits("/sc-web/new")[0].headers["cookie"] == "sc=1"
    response = await http.request("GET", f"{WEB}/old", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/sc-web/new"


async def test_next_href_found_in_a_response_reaches_the_local_server(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    def page(received: Received) -> Reply:
        offset = int(received.query.get("offset", "0"))
        next_href = f"{API}/search/tracks?q=dub&offset={offset + 2}" if offset < 4 else None
        body = {"collection": [offset, offset + 1], "next_href": next_href}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    server.route("/sc-api-v2/search/tracks", handler=page)
    http = make_http(endpoints=mapped(server))
    items: list[int] = []
    url: str | None = f"{API}/search/tracks?q=dub"
    while url:
        data = await http.get_json(url)
        items += data["collection"]
        url = data["next_href"]
    assert items == [0, 1, 2, 3, 4, 5]
    assert [h.query for h in server.hits("/sc-api-v2/search/tracks")] == [
        {"q": "dub"},
        {"q": "dub", "offset": "2"},
        {"q": "dub", "offset": "4"},
    ]


async def test_non_json_body_names_the_url(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route(
        "/sc-api-v2/me", Reply(200, b"<html>captcha</html>", {"Content-Type": "text/html"})
    )
    http = make_http(endpoints=mapped(server))
    with pytest.raises(NetworkError) as info:
        await http.get_json(f"{API}/me", params={"client_id": "sekrit"})
    assert f"{API}/me did not return JSON (got text/html" in info.value.text
    assert "sekrit" not in info.value.text


async def test_stream_is_mapped_one_attempt_and_does_not_raise(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/cdn/busy.mp3", Reply(503, b"busy"))
    server.route("/cdn/moved.mp3", Reply(302, b"", {"Location": f"{CDN}/t.mp3"}))
    server.route("/cdn/t.mp3", Reply(200, b"0123456789"))
    http = make_http(endpoints=mapped(server))
    async with http.stream("GET", f"{CDN}/busy.mp3") as response:
        assert response.status_code == 503
    assert len(server.hits("/cdn/busy.mp3")) == 1
    async with http.stream("GET", f"{CDN}/moved.mp3", headers={"Range": "bytes=2-"}) as response:
        chunks = [chunk async for chunk in response.aiter_bytes()]
    assert b"".join(chunks) == b"0123456789"
    assert server.hits("/cdn/t.mp3")[0].headers["range"] == "bytes=2-"


async def test_sends_a_browser_user_agent(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-web/", Reply(200, b"<html></html>"))
    http = make_http(endpoints=mapped(server))
    await http.get_text(f"{WEB}/")
    await http.get_text(f"{WEB}/", headers={"user-agent": "custom/1"})
    agents = [h.headers["user-agent"] for h in server.hits("/sc-web/")]
    assert agents == [BROWSER_USER_AGENT, "custom/1"]
    assert "Chrome/" in BROWSER_USER_AGENT and "python-httpx" not in BROWSER_USER_AGENT


async def test_http_instances_share_one_client_and_connection(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    server.route("/sc-api-v2/x", Reply(200, b"{}"))
    one, two = make_http(endpoints=mapped(server)), make_http(endpoints=mapped(server))
    await one.get_json(f"{API}/x")
    await two.get_json(f"{API}/x")
    await one.get_json(f"{API}/x")
    assert server.connections == 1  # kept alive and reused across Http instances
    await one.aclose()
    assert await two.get_json(f"{API}/x") == {}  # closing one Http does not break the other
    assert server.connections == 1
    assert len(server.hits("/sc-api-v2/x")) == 4


# -- the rate limit, measured ----------------------------------------------------------------


async def test_rate_limit_holds_over_two_seconds_per_host(
    server: ScriptedServer, make_http: Callable[..., Http]
) -> None:
    rate = 10.0
    server.route("/sc-api-v2/ping", Reply(200, b"{}"))
    server.route("/sc-web/ping", Reply(200, b"<p>"))
    http = make_http(endpoints=mapped(server), rate_limit=rate)
    done = {"api": 0, "web": 0}

    async def hammer(name: str, url: str) -> None:
        await http.get_bytes(url)
        done[name] += 1

    tasks = [asyncio.create_task(hammer("api", f"{API}/ping")) for _ in range(80)]
    tasks += [asyncio.create_task(hammer("web", f"{WEB}/ping")) for _ in range(80)]
    await asyncio.sleep(2.0)
    snapshot = dict(done)
    sent = {"api": len(server.hits("/sc-api-v2/ping")), "web": len(server.hits("/sc-web/ping"))}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    ceiling = int(rate * 2 + max(1.0, rate))  # 2 s of refill plus one full bucket
    for host in ("api", "web"):
        assert snapshot[host] <= sent[host] <= ceiling
        assert snapshot[host] >= rate  # each host got its own bucket and made real progress
