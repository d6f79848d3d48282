"""Progressive (non-HLS) responses for a virtual file: Range, If-Range, HEAD, 416.

Bodies stream from a chunk iterator, so a 2-hour MP3 (≈115 MB) is never held in memory.
Only single ranges are honoured; a multi-range request gets the whole file (200), which
RFC 9110 §14.2 allows.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class VirtualFile:
    size: int
    chunks: Callable[[int, int], Iterator[bytes]]  # bytes [start, end)
    content_type: str
    etag: str  # strong, quoted
    last_modified: str  # IMF-fixdate
    extra_headers: tuple[tuple[str, str], ...] = ()


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) inclusive; None = ignore the header (serve 200); "unsatisfiable" = 416."""
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None  # malformed or multi-range: ignoring Range is always allowed
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _if_range_allows(request: Request, file: VirtualFile) -> bool:
    validator = request.headers.get("if-range")
    if validator is None:
        return True
    validator = validator.strip()
    if validator.startswith(('"', "W/")):
        return validator == file.etag  # If-Range needs a strong match
    return validator == file.last_modified


def respond(request: Request, file: VirtualFile) -> Response:
    headers = {
        "accept-ranges": "bytes",
        "etag": file.etag,
        "last-modified": file.last_modified,
        "content-type": file.content_type,
        **dict(file.extra_headers),
    }
    span: tuple[int, int] | str | None = None
    range_header = request.headers.get("range")
    if range_header is not None and _if_range_allows(request, file):
        span = parse_range(range_header, file.size)
    if span == "unsatisfiable":
        headers["content-range"] = f"bytes */{file.size}"
        headers["content-length"] = "0"
        return Response(b"", status_code=416, headers=headers)
    if isinstance(span, tuple):
        first, last = span
        status = 206
        headers["content-range"] = f"bytes {first}-{last}/{file.size}"
    else:
        first, last, status = 0, file.size - 1, 200
    headers["content-length"] = str(last - first + 1)
    if request.method == "HEAD":
        return Response(b"", status_code=status, headers=headers)
    return StreamingResponse(file.chunks(first, last + 1), status_code=status, headers=headers)


def validators(tag: str, seed: int) -> tuple[str, str]:
    """A stable ETag (from ``tag``) and Last-Modified (from ``seed``) for generated media, so
    conditional and If-Range requests behave as against a real object store."""
    etag = '"' + hashlib.sha1(tag.encode()).hexdigest() + '"'
    modified = email.utils.formatdate(1_500_000_000 + seed % 100_000_000, usegmt=True)
    return etag, modified


def respond_bytes(request: Request, body: bytes, content_type: str, etag: str,
                  modified: str) -> Response:
    """:func:`respond` for a body already in memory (a segment, an init section)."""

    def chunks(start: int, end: int) -> Iterator[bytes]:
        yield body[start:end]

    return respond(request, VirtualFile(len(body), chunks, content_type, etag, modified))
