"""Streamed GETs over kept-alive HTTP/1.1 connections (net/h1.py), through Http.stream, against
a raw asyncio TCP server that answers each request with exactly the bytes a test scripts: what
is sent, how bodies are framed, which connection is kept, and what a broken body raises."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from minion_tui import net
from minion_tui.downloads.hls import SegmentFetcher
from minion_tui.errors import InvalidURL, MinionError, NetworkError
from minion_tui.models import StreamChoice
from minion_tui.net import Http, HttpOptions
from minion_tui.net.h1 import H1Pool

# What the server writes for a request (its head as text); None closes without answering.
Script = Callable[[str], bytes | None]


@dataclass
class RawServer:
    base: str
    connections: int = 0
    requests: list[tuple[int, str]] = field(default_factory=list)  # (connection no., head)


def ok(body: bytes, *extra: str) -> bytes:
    head = "\r\n".join(["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra])
    return f"{head}\r\n\r\n".encode() + body


@asynccontextmanager
async def raw_server(script: Script, *, close_after: bool = False,
                     delay: Callable[[str], float] = lambda head: 0.0
                     ) -> AsyncIterator[RawServer]:
    """Answers each request head with ``script(head)`` after ``delay(head)`` seconds;
    ``close_after`` closes each connection after its first answer (a server dropping idle
    keep-alive connections)."""
    state = RawServer("")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        number = state.connections
        try:
            while True:
                try:
                    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                state.requests.append((number, head))
                await asyncio.sleep(delay(head))
                answer = script(head)
                if answer is None:
                    return
                writer.write(answer)
                try:
                    await writer.drain()
                except ConnectionError:  # the client went away without reading
                    return
                if close_after:
                    return
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield state
    finally:
        server.close()


def path_of(head: str) -> str:
    return head.split(" ", 2)[1]


async def fetch(http: Http, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    async with http.stream("GET", url, headers=headers) as response:
        return response.status_code, b"".join([c async for c in response.aiter_bytes(4096)])


async def test_segments_reuse_one_connection_and_arrive_whole() -> None:
    bodies = {f"/seg/{n}": bytes([n]) * (100_000 + n) for n in range(12)}
    async with raw_server(lambda head: ok(bodies[path_of(head)])) as server:
        http = Http()
        try:
            for path, body in bodies.items():
                assert await fetch(http, server.base + path) == (200, body)
        finally:
            await http.aclose()
    assert server.connections == 1
    assert [path_of(head) for _, head in server.requests] == list(bodies)


async def test_request_head_names_the_host_the_agent_and_the_identity_encoding() -> None:
    async with raw_server(lambda head: ok(b"x")) as server:
        http = Http(HttpOptions(user_agent="minion-test/1"))
        try:
            await fetch(http, server.base + "/a/b?x=1&y=%20", {"Range": "bytes=5-",
                                                              "Accept-Encoding": "gzip"})
        finally:
            await http.aclose()
    [(_, head)] = server.requests
    lines = head.split("\r\n")
    assert lines[0] == "GET /a/b?x=1&y=%20 HTTP/1.1"
    fields = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if line)}
    port = server.base.rsplit(":", 1)[1]
    assert lines[1] == f"host: 127.0.0.1:{port}"  # Host comes first
    assert fields["user-agent"] == "minion-test/1"
    assert fields["range"] == "bytes=5-"
    assert fields["accept-encoding"] == "identity"  # media bytes exactly as sent


async def test_chunked_bodies_and_informational_responses_are_read() -> None:
    chunked = (b"HTTP/1.1 100 Continue\r\n\r\n"
               b"HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n"
               b"Content-Range: bytes 0-10/99\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    async with raw_server(lambda head: chunked) as server:
        http = Http()
        try:
            async with http.stream("GET", server.base + "/c") as response:
                assert response.status_code == 206
                assert response.headers["content-range"] == "bytes 0-10/99"
                assert await response.aread() == b"hello world"
            assert await fetch(http, server.base + "/c") == (206, b"hello world")
        finally:
            await http.aclose()
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    async with raw_server(lambda head: ok(path_of(head).encode()), close_after=True) as server:
        http = Http()
        try:
            for n in range(4):
                assert await fetch(http, f"{server.base}/{n}") == (200, f"/{n}".encode())
                await asyncio.sleep(0.01)  # the server's FIN arrives while the socket idles
        finally:
            await http.aclose()
    assert server.connections == 4
    assert [path_of(head) for _, head in server.requests] == ["/0", "/1", "/2", "/3"]


async def test_a_reused_connection_dropped_before_the_answer_is_retried_on_a_new_one() -> None:
    seen: list[str] = []

    def script(head: str) -> bytes | None:
        seen.append(path_of(head))
        # the second request on the first connection finds it closed by the server
        return None if len(seen) == 2 else ok(b"fine")

    async with raw_server(script) as server:
        http = Http()
        try:
            assert await fetch(http, server.base + "/1") == (200, b"fine")
            assert await fetch(http, server.base + "/2") == (200, b"fine")
        finally:
            await http.aclose()
    assert seen == ["/1", "/2", "/2"]
    assert server.connections == 2


async def test_a_body_cut_short_raises_and_its_connection_is_not_kept() -> None:
    answers = iter([b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 400])

    def script(head: str) -> bytes | None:
        return next(answers, ok(b"whole"))

    async with raw_server(script) as server:
        http = Http()
        try:
            # The server keeps the short body's connection open: the read times out ...
            http_short = Http(HttpOptions(timeout=0.3))
            try:
                with pytest.raises(httpx.ReadTimeout):
                    await fetch(http_short, server.base + "/short")
            finally:
                await http_short.aclose()
            assert await fetch(http, server.base + "/next") == (200, b"whole")
        finally:
            await http.aclose()
    # ... and the next request did not go down the broken connection.
    assert [n for n, _ in server.requests][-1] != server.requests[0][0]


async def test_a_body_ended_by_the_server_before_its_length_is_a_protocol_error() -> None:
    short = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 400
    async with raw_server(lambda head: short, close_after=True) as server:
        http = Http()
        try:
            with pytest.raises(httpx.RemoteProtocolError):
                await fetch(http, server.base + "/short")
        finally:
            await http.aclose()


async def test_an_unread_body_closes_its_connection_and_connection_close_is_honoured() -> None:
    """(An empty or already buffered rest of a body is read at the close instead: the
    redirect test below keeps its connection.)"""
    # 8 MB: more than any read buffers, so the body really is left unread
    answers = iter([ok(b"y" * 8_000_000), ok(b"bye", "Connection: close"), ok(b"third")])
    async with raw_server(lambda head: next(answers)) as server:
        http = Http()
        try:
            async with http.stream("GET", server.base + "/unread") as response:
                assert response.status_code == 200  # the body is left unread
            assert await fetch(http, server.base + "/close") == (200, b"bye")
            assert await fetch(http, server.base + "/third") == (200, b"third")
        finally:
            await http.aclose()
    assert [n for n, _ in server.requests] == [1, 2, 3]


async def test_redirects_are_followed_through_the_endpoint_map() -> None:
    def script(head: str) -> bytes:
        if path_of(head) == "/old":
            return b"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"
        return ok(b"moved here")

    async with raw_server(script) as server:
        http = Http()
        try:
            assert await fetch(http, server.base + "/old") == (200, b"moved here")
        finally:
            await http.aclose()
    assert [path_of(h) for _, h in server.requests] == ["/old", "/new"]
    assert server.connections == 1


async def _refused_port() -> int:
    """A loopback port nothing listens on any more."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return port


async def test_connect_failures_raise_httpx_connect_error() -> None:
    port = await _refused_port()
    http = Http()
    try:
        with pytest.raises(httpx.ConnectError):
            await fetch(http, f"http://127.0.0.1:{port}/gone")
    finally:
        await http.aclose()


async def test_a_proxy_in_the_environment_sends_the_request_through_httpx(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with raw_server(lambda head: ok(b"via proxy")) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        http = Http()
        try:
            # a host nothing listens on: only a proxy can answer
            assert await fetch(http, "http://media.invalid/seg/1") == (200, b"via proxy")
        finally:
            await http.aclose()
    [(_, head)] = proxy.requests
    assert head.startswith("GET http://media.invalid/seg/1 HTTP/1.1")  # a proxy's request form


async def test_a_cookie_an_answer_sets_goes_out_with_later_requests_over_either_path() -> None:
    # One jar, as when httpx sent everything: a GET here stores it, the next GET and a POST
    # (which httpx sends) carry it.
    def script(head: str) -> bytes:
        if path_of(head) == "/login":
            return ok(b"hi", "Set-Cookie: csrftoken=abc123; Path=/")
        return ok(b"ok")

    async with raw_server(script) as server:
        http = Http()
        try:
            await http.get_bytes(server.base + "/login")
            await http.get_bytes(server.base + "/me")
            await http.request("POST", server.base + "/graphql", json={"q": 1})
        finally:
            await http.aclose()
    cookies = [next((line for line in head.split("\r\n") if line.lower().startswith("cookie:")),
                    "") for _, head in server.requests]
    assert cookies[0] == ""
    assert cookies[1].lower() == "cookie: csrftoken=abc123"
    assert cookies[2].lower() == "cookie: csrftoken=abc123"


async def test_urls_only_httpx_can_send_as_given_go_through_httpx() -> None:
    # A raw non-ASCII path must be percent-encoded, and user:password@ becomes basic auth:
    # httpx does both, so those requests go its way and arrive as httpx sends them.
    async with raw_server(lambda head: ok(b"x")) as server:
        http = Http()
        try:
            await fetch(http, server.base.replace("//", "//user:pw@") + "/música.mp3")
        finally:
            await http.aclose()
    [(_, head)] = server.requests
    assert head.startswith("GET /m%C3%BAsica.mp3 HTTP/1.1")
    assert "authorization: basic dxnlcjpwdw==" in head.lower()


def _self_signed(folder: Path) -> Path:
    """A certificate (and its key, in the same PEM) for the name "localhost" only."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = folder / "localhost.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return pem


async def test_https_verifies_the_certificate_for_the_host_name(tmp_path: Path) -> None:
    pem = _self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(pem)
    trusting = ssl.create_default_context(cafile=str(pem))  # as httpx's context would

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(ok(b"over TLS"))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    pool = H1Pool(lambda: trusting)
    try:
        response = await pool.get(f"https://localhost:{port}/x", {}, 5.0)
        assert response.status_code == 200 and await response.aread() == b"over TLS"
        await response.aclose()
        # The same server under a name its certificate does not carry: refused.
        with pytest.raises(httpx.ConnectError, match="certificate"):
            await pool.get(f"https://127.0.0.1:{port}/x", {}, 5.0)
    finally:
        await pool.aclose()
        server.close()


async def test_reading_a_playlist_opens_the_segments_connections_meanwhile(
        tmp_path: Path) -> None:
    # While the playlist is on the way (200 ms here), the connections its segments will use
    # are opened (their TCP and TLS handshakes then cost the first segments nothing); the
    # segments go over exactly those.
    playlist = ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n"
                + "".join(f"#EXTINF:1.0,\ns{n}.mp3\n" for n in range(12))
                + "#EXT-X-ENDLIST\n")
    accepted_by_answer: list[int] = []

    def script(head: str) -> bytes:
        if path_of(head) == "/pl.m3u8":
            accepted_by_answer.append(server.connections)
            return ok(playlist.encode())
        return ok(b"\xff\xfb" + path_of(head).encode() * 100)

    async def refresh(choice: StreamChoice) -> StreamChoice:
        raise AssertionError("no URL expires here")

    async with raw_server(script, delay=lambda head: 0.2 if "m3u8" in head else 0.0
                          ) as server:
        http = Http()
        try:
            choice = StreamChoice("hls", "mp3", "", server.base + "/pl.m3u8", track_urn="t")
            fetcher = SegmentFetcher(http, choice, tmp_path / "journal", concurrency=4,
                                     refresh=refresh)
            await fetcher.playlist()
            files = await fetcher.fetch_all()
        finally:
            await http.aclose()
    assert accepted_by_answer == [4]  # the playlist's connection and three more, opened early
    assert server.connections == 4
    assert len(files) == 12 and all(path.stat().st_size > 100 for path in files)


async def test_api_answers_may_come_compressed_and_are_decoded() -> None:
    # request() accepts gzip and deflate (API JSON is worth compressing) and httpx's decoders
    # undo them; a body that does not decompress is a failed attempt, retried, then reported.
    import gzip
    import zlib

    payload = b'{"collection": [1, 2, 3], "title": "\\u00e9t\\u00e9"}'
    answers = {"/gz": ok(gzip.compress(payload), "Content-Encoding: gzip",
                         "Content-Type: application/json"),
               "/df": ok(zlib.compress(payload), "Content-Encoding: deflate",
                         "Content-Type: application/json"),
               "/bad": ok(b"not gzip at all", "Content-Encoding: gzip")}
    async with raw_server(lambda head: answers[path_of(head)]) as server:
        http = Http(HttpOptions(max_retries=1, backoff_base=0.01))
        try:
            assert await http.get_json(server.base + "/gz") == {"collection": [1, 2, 3],
                                                                 "title": "été"}
            assert (await http.get_json(server.base + "/df"))["collection"] == [1, 2, 3]
            with pytest.raises(MinionError, match="dropped mid-transfer"):
                await http.get_bytes(server.base + "/bad")
        finally:
            await http.aclose()
    asked = next(head for _, head in server.requests if path_of(head) == "/gz").lower()
    assert "accept-encoding: gzip, deflate" in asked


# -- failures raise net's own types, on either path ------------------------------------------

# A URL as given goes over h1.py; with credentials in it, only httpx can send it.
PATHS = {"h1": lambda base: base, "httpx": lambda base: base.replace("//", "//user:pw@")}


def _nets_own(error: BaseException, kind: type[net.NetError]) -> None:
    """``error`` is net's ``kind``, not an httpx exception that merely shares its name."""
    assert isinstance(error, kind)
    assert type(error).__module__ == "minion_tui.net.errors"


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_refused_connection_raises_nets_connect_error(path: str) -> None:
    port = await _refused_port()
    http = Http()
    try:
        with pytest.raises(net.TransportError) as info:
            await fetch(http, PATHS[path](f"http://127.0.0.1:{port}") + "/gone")
    finally:
        await http.aclose()
    _nets_own(info.value, net.ConnectError)


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_body_cut_short_raises_nets_remote_protocol_error_while_it_is_read(
        path: str) -> None:
    short = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 400
    async with raw_server(lambda head: short, close_after=True) as server:
        http = Http()
        try:
            async with http.stream("GET", PATHS[path](server.base) + "/short") as response:
                assert response.status_code == 200  # the head arrived whole
                with pytest.raises(net.TransportError) as info:
                    async for _ in response.aiter_bytes():
                        pass
        finally:
            await http.aclose()
    _nets_own(info.value, net.RemoteProtocolError)


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_server_that_never_answers_raises_nets_read_timeout(path: str) -> None:
    async with raw_server(lambda head: b"", delay=lambda head: 5.0) as server:
        http = Http(HttpOptions(timeout=0.2))
        try:
            with pytest.raises(net.TransportError) as info:
                await fetch(http, PATHS[path](server.base) + "/stall")
        finally:
            await http.aclose()
    _nets_own(info.value, net.ReadTimeout)


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_header_http_cannot_carry_raises_nets_local_protocol_error(path: str) -> None:
    async with raw_server(lambda head: ok(b"x")) as server:
        http = Http()
        try:
            with pytest.raises(net.TransportError) as info:
                await fetch(http, PATHS[path](server.base) + "/x", {"X-Bad": "a\nb"})
        finally:
            await http.aclose()
    _nets_own(info.value, net.LocalProtocolError)
    assert server.requests == []  # nothing was sent


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_a_port_that_is_no_number_is_refused_as_an_invalid_url(path: str) -> None:
    # Refused before anything is sent, on both paths: the app's invalid_url, not a traceback.
    http = Http()
    try:
        with pytest.raises(InvalidURL, match="does not parse") as info:
            await fetch(http, PATHS[path]("http://127.0.0.1:http") + "/x")
    finally:
        await http.aclose()
    assert info.value.type == "invalid_url" and "pw" not in info.value.text
    assert http.stats.requests == 0


@pytest.mark.parametrize("method", ["GET", "POST"])  # GET over h1.py, POST through httpx
async def test_request_turns_a_transport_failure_into_the_apps_network_error(
        method: str) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    http = Http(HttpOptions(max_retries=1, backoff_base=0.01))
    try:
        with pytest.raises(MinionError) as info:
            await http.request(method, f"http://127.0.0.1:{port}/gone")
    finally:
        await http.aclose()
    assert type(info.value) is NetworkError
    assert info.value.to_json()["error"]["type"] == "network"
    assert info.value.exit_code == 1
    assert "could not connect" in info.value.text
