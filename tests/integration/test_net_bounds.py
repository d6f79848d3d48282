"""Byte caps on what the net layer reads into memory (net/bounds.py), against a raw asyncio
server that does what a real one must not: an endless body, a Content-Length that lies either
way, a gzip bomb. Each ends in ``response_too_large`` (or the announced bytes only), never in
a read without limit."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from minion_tui.errors import ClientIdUnavailable, ResponseTooLarge
from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.soundcloud.client_id import ClientIdSource

MiB = 1 << 20
BOMB = gzip.compress(b"\0" * (64 * MiB), compresslevel=9)  # ~64 KB that inflates to 64 MiB


@dataclass
class Hostile:
    """How the server answers: ``head`` lines, then ``body`` (bytes, or a callable writing
    pieces until the client goes away). ``sent`` counts the body bytes it managed to write."""

    head: list[str]
    body: bytes | Callable[[asyncio.StreamWriter], object] = b""
    sent: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


@asynccontextmanager
async def hostile(answer: Hostile) -> AsyncIterator[str]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = "\r\n".join(["HTTP/1.1 200 OK", *answer.head]) + "\r\n\r\n"
            writer.write(head.encode())
            if isinstance(answer.body, bytes):
                writer.write(answer.body)
                answer.sent += len(answer.body)
                await writer.drain()
            else:
                piece = b"x" * 65536
                for _ in range(1024):  # up to 64 MiB, chunked: more than any cap below
                    writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    await writer.drain()
                    answer.sent += len(piece)
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


def endless() -> Hostile:
    return Hostile(["Transfer-Encoding: chunked", "Content-Type: application/json"],
                   body=lambda writer: None)


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    client = Http(HttpOptions(max_json_bytes=MiB, max_text_bytes=MiB, max_body_bytes=2 * MiB,
                              max_retries=0))
    yield client
    await client.aclose()


async def refused_over(cap: int, answer: Hostile,
                       read: Callable[[str], Awaitable[object]]) -> None:
    """``read`` of a URL answered by ``answer`` raises ResponseTooLarge naming ``cap``."""
    async with hostile(answer) as base:
        with pytest.raises(ResponseTooLarge, match=f"more than {cap:,} bytes"):
            await read(f"{base}/x")


async def test_an_endless_json_body_stops_at_the_default_json_cap() -> None:
    answer = endless()
    client = Http(HttpOptions(max_retries=0))
    try:
        async with hostile(answer) as base:
            with pytest.raises(ResponseTooLarge) as info:
                await client.get_json(f"{base}/page?client_id=secretid")
    finally:
        await client.aclose()
    assert info.value.type == "response_too_large"
    assert f"sent more than {32 * MiB:,} bytes" in info.value.text
    assert "secretid" not in info.value.text and "try again later" in info.value.text
    assert answer.sent < 64 * MiB  # it stopped reading; the server could not send it all


@pytest.mark.parametrize(("getter", "cap"), [("get_json", MiB), ("get_text", MiB),
                                              ("get_bytes", 2 * MiB)])
async def test_each_kind_has_its_cap(http: Http, getter: str, cap: int) -> None:
    await refused_over(cap, endless(), getattr(http, getter))


async def test_the_caller_can_pass_its_own_cap(http: Http) -> None:
    async with hostile(Hostile(["Content-Length: 5000"], b"a" * 5000)) as base:
        assert len(await http.get_bytes(f"{base}/a")) == 5000
        with pytest.raises(ResponseTooLarge, match="more than 4,096 bytes"):
            await http.get_bytes(f"{base}/a", max_bytes=4096)


async def test_a_post_through_httpx_is_capped_too(http: Http) -> None:
    await refused_over(2 * MiB, endless(), lambda url: http.request("POST", url, data={"a": "1"}))


async def test_an_announced_length_over_the_cap_is_refused_before_reading(http: Http) -> None:
    answer = Hostile([f"Content-Length: {10 << 30}"], b"{}")  # says 10 GiB, sends 2 bytes
    await refused_over(MiB, answer, http.get_json)


async def test_a_length_that_understates_the_body_reads_only_what_it_announced(
    http: Http
) -> None:
    answer = Hostile(["Content-Length: 2", "Content-Type: application/json"], b"{}" + b"x" * MiB)
    async with hostile(answer) as base:
        assert await http.get_json(f"{base}/x") == {}


async def test_a_gzip_bomb_is_stopped_while_it_inflates(http: Http) -> None:
    answer = Hostile([f"Content-Length: {len(BOMB)}", "Content-Encoding: gzip"], BOMB)
    await refused_over(MiB, answer, http.get_text)


async def test_a_compressed_answer_within_its_cap_decodes_and_keeps_its_headers(
    http: Http
) -> None:
    body = gzip.compress(b'{"ok": "' + b"z" * 100_000 + b'"}')
    answer = Hostile([f"Content-Length: {len(body)}", "Content-Encoding: gzip",
                      "Content-Type: application/json"], body)
    async with hostile(answer) as base:
        response = await http.request("GET", f"{base}/x")
    assert response.json() == {"ok": "z" * 100_000}
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-length"] == str(len(body))


async def test_a_capped_stream_raises_past_its_cap(http: Http) -> None:
    async with hostile(endless()) as base:
        got = 0
        with pytest.raises(ResponseTooLarge, match="more than 300,000 bytes"):
            async with http.stream("GET", f"{base}/x", max_bytes=300_000) as response:
                async for chunk in response.aiter_bytes():
                    got += len(chunk)
        assert got <= 300_000
    async with hostile(Hostile([f"Content-Length: {MiB}"], b"")) as base:
        with pytest.raises(ResponseTooLarge):
            async with http.stream("GET", f"{base}/x", max_bytes=1000):
                pass


async def test_an_endless_home_page_is_client_id_unavailable_not_a_hang(
    http: Http, tmp_path: Path
) -> None:
    async with hostile(Hostile(["Transfer-Encoding: chunked", "Content-Type: text/html"],
                               body=lambda writer: None)) as base:
        client = Http(HttpOptions(endpoints=EndpointMap.from_dict(
            {"https://soundcloud.com": base}), max_text_bytes=MiB, max_retries=0))
        try:
            with pytest.raises(ClientIdUnavailable, match=f"more than {MiB:,} bytes"):
                await ClientIdSource(client, cache_dir=tmp_path).current()
        finally:
            await client.aclose()
