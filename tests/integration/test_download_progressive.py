"""Progressive downloads: Range resume validated by Content-Range, If-Range, 416 and length."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.models import StreamChoice
from minion_tui.net import Http, HttpOptions
from tests.integration.local_server import QuietHandler, serving_with

BODY = os.urandom(300_000)


@dataclass
class Origin:
    body: bytes = BODY
    etag: str = '"v1"'
    ignore_range: bool = False
    seen: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def serving(origin: Origin) -> Iterator[str]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            origin.seen.append(headers)
            body, size = origin.body, len(origin.body)
            wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", headers.get("range", ""))
            if_range = headers.get("if-range")
            if wanted and not origin.ignore_range and (if_range in (None, origin.etag)):
                start = int(wanted.group(1))
                end = min(int(wanted.group(2) or size - 1), size - 1)
                if start >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                body = body[start:end + 1]
            else:
                self.send_response(200)
            self.send_header("ETag", origin.etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving_with(Handler) as base:
        yield f"{base}/track.mp3"


async def _fetch(url: str, part: Path) -> int:
    async def refresh(choice: StreamChoice) -> StreamChoice:
        raise AssertionError("nothing expires here")

    http = Http(HttpOptions(rate_limit=0))
    try:
        choice = StreamChoice("progressive", "mp3", "test", url, track_urn="test:1")
        return await fetch_progressive(http, choice, part, refresh=refresh)
    finally:
        await http.aclose()


def _partial(tmp_path: Path, data: bytes, validator: str | None = None) -> Path:
    part = tmp_path / "raw"
    part.write_bytes(data)
    if validator is not None:
        part.with_name("raw.validator").write_text(validator)
    return part


async def test_resume_asks_for_the_rest_only(tmp_path: Path) -> None:
    origin = Origin()
    part = _partial(tmp_path, BODY[:100_000], '"v1"')
    with serving(origin) as url:
        assert await _fetch(url, part) == len(BODY)
    assert part.read_bytes() == BODY
    assert origin.seen[0]["range"].startswith("bytes=100000-")
    assert origin.seen[0]["if-range"] == '"v1"'


async def test_changed_file_restarts_instead_of_splicing(tmp_path: Path) -> None:
    origin = Origin(etag='"v2"')  # the file changed since the partial was written
    part = _partial(tmp_path, b"\0" * 100_000, '"v1"')
    with serving(origin) as url:
        await _fetch(url, part)
    assert part.read_bytes() == BODY


async def test_ignored_range_restarts(tmp_path: Path) -> None:
    origin = Origin(ignore_range=True)
    part = _partial(tmp_path, b"\0" * 100_000)
    with serving(origin) as url:
        await _fetch(url, part)
    assert part.read_bytes() == BODY


@pytest.mark.parametrize("kept", [BODY, BODY + b"junk"], ids=["complete", "longer"])
async def test_416_means_done_only_when_the_sizes_agree(tmp_path: Path, kept: bytes) -> None:
    origin = Origin()
    part = _partial(tmp_path, kept)
    with serving(origin) as url:
        assert await _fetch(url, part) == len(BODY)
    assert part.read_bytes() == BODY
    assert origin.seen[0]["range"].startswith(f"bytes={len(kept)}-")
