"""What callers get back: the two response types of :class:`~minion_tui.net.client.Http`.

:class:`Response` is an answer read whole (``request`` and the ``get_*`` helpers, and what an
:class:`~minion_tui.net.spec.AuthHook` is shown). :class:`StreamResponse` is what ``stream``
yields, its body still to read: h1.py's ``H1Response`` or, for what httpx sends,
:class:`HttpxStream`. Header names are case-insensitive in both. Failures raise net's own
exceptions (net/errors.py), reading a streamed body included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import httpx

from minion_tui.net.errors import httpx_failures


class Response:
    """An answer whose body has been read (and decoded: gzip and deflate are undone)."""

    __slots__ = ("_raw", "headers", "status_code")

    def __init__(self, raw: httpx.Response, headers: Mapping[str, str] | None = None) -> None:
        self._raw = raw
        self.status_code: int = raw.status_code
        # The headers as received (``raw``'s may describe the decoded body instead).
        self.headers: Mapping[str, str] = raw.headers if headers is None else headers

    @property
    def url(self) -> str:
        """The URL fetched last (after redirects), as mapped: ``Http.unmap`` gives the real
        one."""
        return str(self._raw.url)

    @property
    def content(self) -> bytes:
        return self._raw.content

    @property
    def text(self) -> str:
        """The body decoded by the charset of its Content-Type (UTF-8 if none)."""
        return self._raw.text

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not."""
        return self._raw.json()


class StreamResponse(Protocol):
    """A response whose body is read as it arrives; closed by ``Http.stream`` on the way out."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body, its content encoding (if any) undone."""
        ...

    def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as sent."""
        ...

    async def aread(self) -> bytes: ...

    async def aclose(self) -> None: ...


class HttpxStream:
    """A streamed httpx response whose failures, reading the body included, raise net's
    exceptions."""

    __slots__ = ("_raw", "headers", "status_code")

    def __init__(self, raw: httpx.Response) -> None:
        self._raw = raw
        self.status_code: int = raw.status_code
        self.headers: Mapping[str, str] = raw.headers

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        with httpx_failures():
            async for chunk in self._raw.aiter_bytes(chunk_size):
                yield chunk

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        with httpx_failures():
            async for chunk in self._raw.aiter_raw(chunk_size):
                yield chunk

    async def aread(self) -> bytes:
        with httpx_failures():
            return await self._raw.aread()

    async def aclose(self) -> None:
        with httpx_failures():
            await self._raw.aclose()
