"""Progressive downloads in several ranges: unknown totals, throttled answers, refused URLs."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from minion_tui.downloads.progressive import MAX_RENEWALS, fetch_progressive
from minion_tui.errors import DownloadError
from minion_tui.models import StreamChoice
from minion_tui.net import Http, HttpOptions
from tests.integration.local_server import QuietHandler, serving_with

BODY = os.urandom(300_000)
RANGE = 64 * 1024  # the test's range size: 300 KB takes five ranges


@dataclass
class Origin:
    unknown_total: bool = False  # "Content-Range: bytes a-b/*"
    cap: int | None = None  # at most this many bytes per answer (Mixcloud-style throttling)
    refuse: bool = False  # 403 for every request
    ranges: list[str] = field(default_factory=list)


@contextmanager
def serving(origin: Origin) -> Iterator[str]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            asked = self.headers.get("Range", "")
            origin.ranges.append(asked)
            if origin.refuse:
                return self.answer(403, b"", {})
            wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", asked)
            assert wanted, asked
            start, size = int(wanted.group(1)), len(BODY)
            if start >= size:
                total = "*" if origin.unknown_total else str(size)
                return self.answer(416, b"", {"Content-Range": f"bytes */{total}"})
            end = min(int(wanted.group(2) or size - 1), size - 1)
            if origin.cap:
                end = min(end, start + origin.cap - 1)
            total = "*" if origin.unknown_total else str(size)
            self.answer(206, BODY[start:end + 1],
                         {"Content-Range": f"bytes {start}-{end}/{total}", "ETag": '"v1"'})

    with serving_with(Handler) as base:
        yield f"{base}/mix.m4a"


def renewals(renewed: list[str] | None) -> Callable[[StreamChoice], Awaitable[StreamChoice]]:
    """A download's refresh callback that appends each URL renewed to ``renewed`` (the same
    choice back); with None, a renewal fails the test."""
    async def refresh(choice: StreamChoice) -> StreamChoice:
        if renewed is None:
            raise AssertionError("nothing expires here")
        renewed.append(choice.url)
        return choice

    return refresh


@asynccontextmanager
async def fetching_from(origin: Origin) -> AsyncIterator[tuple[Http, str]]:
    """Our Http (no rate limit) and the URL of ``origin`` served locally."""
    http = Http(HttpOptions(rate_limit=0))
    try:
        with serving(origin) as url:
            yield http, url
    finally:
        await http.aclose()


async def _fetch(origin: Origin, part: Path, renewed: list[str] | None = None) -> int:
    async with fetching_from(origin) as (http, url):
        choice = StreamChoice("progressive", "aac", "test", url, track_urn="test:1")
        return await fetch_progressive(http, choice, part, refresh=renewals(renewed),
                                       range_size=RANGE)


@pytest.mark.parametrize("cap", [None, 50_000], ids=["full-ranges", "throttled"])
async def test_unknown_total_keeps_fetching_ranges_until_416(tmp_path: Path,
                                                             cap: int | None) -> None:
    origin = Origin(unknown_total=True, cap=cap)
    part = tmp_path / "mix.m4a.part"
    assert await _fetch(origin, part) == len(BODY)
    assert part.read_bytes() == BODY
    step = cap or RANGE
    starts = [int(r.split("=")[1].split("-")[0]) for r in origin.ranges]
    # Every range asked where the last one ended, and one more that answered 416.
    assert starts == [*range(0, len(BODY), step), len(BODY)]


async def test_known_total_throttled_answers_are_stitched(tmp_path: Path) -> None:
    origin = Origin(cap=40_000)
    part = tmp_path / "mix.m4a.part"
    assert await _fetch(origin, part) == len(BODY)
    assert part.read_bytes() == BODY
    assert len(origin.ranges) == -(-len(BODY) // 40_000)  # no extra request past the total


async def test_a_resumed_unknown_total_download_continues(tmp_path: Path) -> None:
    part = tmp_path / "mix.m4a.part"
    part.write_bytes(BODY[:100_000])
    origin = Origin(unknown_total=True)
    assert await _fetch(origin, part) == len(BODY)
    assert part.read_bytes() == BODY
    assert origin.ranges[0] == f"bytes=100000-{100_000 + RANGE - 1}"


async def test_refused_again_after_renewal_gives_up(tmp_path: Path) -> None:
    origin = Origin(refuse=True)
    renewed: list[str] = []
    with pytest.raises(DownloadError) as failed:
        await _fetch(origin, tmp_path / "mix.m4a.part", renewed)
    assert len(renewed) == MAX_RENEWALS
    assert len(origin.ranges) == MAX_RENEWALS + 1
    assert "kept refusing the download (HTTP 403)" in failed.value.text


async def test_the_choices_range_cap_wins_when_smaller(tmp_path: Path) -> None:
    """A provider that throttles long requests (Mixcloud, 5 MiB) caps every range asked."""
    origin = Origin()
    part = tmp_path / "mix.m4a.part"
    http = Http(HttpOptions(rate_limit=0))
    try:
        with serving(origin) as url:
            choice = StreamChoice("progressive", "aac", "test", url, track_urn="test:1",
                                  max_range_bytes=100_000)
            total = await fetch_progressive(http, choice, part, refresh=_no_refresh)
    finally:
        await http.aclose()
    assert total == len(BODY) and part.read_bytes() == BODY
    assert origin.ranges == ["bytes=0-99999", "bytes=100000-199999", "bytes=200000-299999"]


async def _no_refresh(choice: StreamChoice) -> StreamChoice:
    raise AssertionError("nothing expires here")
