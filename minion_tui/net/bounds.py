"""Byte caps on what is read into memory: every answer ``Http.request`` reads whole, and any
streamed one a caller asks to cap.

A server may send an endless body, announce less (or more) than it sends, or compress a
gigabyte of zeros into a megabyte. So the cap is counted on what actually arrives, before and
after decoding: an announced Content-Length above it is refused before anything is read, the
raw body is read only up to it, and the decoded body is produced in small slices (a 4 KiB
slice of deflate inflates to at most ~4 MiB) and counted as it comes. What exceeds the cap is
:class:`~minion_tui.errors.ResponseTooLarge`, never a MemoryError or a read without end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx

from minion_tui.errors import ResponseTooLarge
from minion_tui.net.errors import httpx_failures
from minion_tui.net.response import StreamResponse

#: Raw bytes handed to the decoders at a time.
SLICE = 4096
_HINT = ("The server (or the endpoint map) is sending something other than what was asked; "
         "try again later.")


def too_large(shown_url: str, cap: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"{shown_url} sent more than {cap:,} bytes, the most the app reads of such an answer; "
        "it stopped reading there.", hint=_HINT)


def refuse_announced(headers: Mapping[str, str], cap: int, shown_url: str) -> None:
    """Raise at once when the answer announces more than ``cap`` bytes."""
    announced = headers.get("content-length", "")
    if announced.isdigit() and int(announced) > cap:
        raise too_large(shown_url, cap)


async def read_capped(pieces: AsyncIterator[bytes], cap: int, shown_url: str) -> bytes:
    """The whole of ``pieces`` if it comes to at most ``cap`` bytes."""
    got: list[bytes] = []
    size = 0
    async for piece in pieces:
        size += len(piece)
        if size > cap:
            raise too_large(shown_url, cap)
        got.append(piece)
    return b"".join(got)


class _Slices(httpx.AsyncByteStream):
    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._raw), SLICE):
            yield self._raw[start:start + SLICE]


async def decoded_capped(status: int, headers: httpx.Headers, raw: bytes,
                         request: httpx.Request, cap: int, shown_url: str) -> httpx.Response:
    """An httpx response holding ``raw`` with its Content-Encoding undone, if that comes to
    at most ``cap`` bytes. Its headers lose Content-Encoding and Content-Length (they
    describe ``raw``); the caller shows the original ones."""
    if headers.get("content-encoding", "identity").strip().lower() in ("", "identity"):
        # Nothing to inflate (media through the stream proxy, most API answers): ``raw`` is
        # the body, already within the cap.
        return httpx.Response(status, headers=_plain(headers), content=raw, request=request)
    encoded = httpx.Response(status, headers=headers, stream=_Slices(raw), request=request)
    got: list[bytes] = []
    size = 0
    with httpx_failures():  # DecodingError for a broken gzip body, as from httpx
        async for chunk in encoded.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_large(shown_url, cap)
            got.append(chunk)
    return httpx.Response(status, headers=_plain(headers), content=b"".join(got),
                          request=request)


def _plain(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length")]


class CappedStream:
    """A :class:`StreamResponse` whose body raises ResponseTooLarge past ``cap`` bytes."""

    def __init__(self, inner: StreamResponse, cap: int, shown_url: str) -> None:
        self._inner = inner
        self._cap = cap
        self._shown = shown_url
        self._size = 0
        refuse_announced(inner.headers, cap, shown_url)

    @property
    def status_code(self) -> int:
        return self._inner.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._inner.headers

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in self._inner.aiter_bytes(chunk_size):
            yield self._counted(chunk)

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in self._inner.aiter_raw(chunk_size):
            yield self._counted(chunk)

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def aclose(self) -> None:
        await self._inner.aclose()

    def _counted(self, chunk: bytes) -> bytes:
        self._size += len(chunk)
        if self._size > self._cap:
            raise too_large(self._shown, self._cap)
        return chunk
