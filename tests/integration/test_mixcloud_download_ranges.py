"""Parallel ranges (downloads/ranges.py) against a local origin: a guessed size too small or
too large, throttled answers, a resume from the range journal, a refused URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minion_tui.downloads.progressive import MAX_RENEWALS
from minion_tui.downloads.range_journal import JOURNAL, RangeJournal
from minion_tui.downloads.ranges import RangeFetcher
from minion_tui.errors import DownloadError
from minion_tui.models import StreamChoice
from tests.integration.test_download_ranges import (
    BODY,
    RANGE,
    Origin,
    fetching_from,
    renewals,
)


async def _fetch(origin: Origin, folder: Path, *, hint: int | None,
                 renewed: list[str] | None = None) -> tuple[int, RangeFetcher]:
    async with fetching_from(origin) as (http, url):
        choice = StreamChoice("progressive", "aac", "m4a_64k", url, track_urn="test:1",
                              max_range_bytes=RANGE)
        fetcher = RangeFetcher(http, choice, folder / "mix.m4a.part", folder / "work",
                               refresh=renewals(renewed), concurrency=4, hint=hint)
        return await fetcher.run(), fetcher


def _starts(origin: Origin) -> list[int]:
    return sorted(int(r.split("=")[1].split("-")[0]) for r in origin.ranges)


@pytest.mark.parametrize("hint", [50_000, 2 * len(BODY), None],
                         ids=["guess-short", "guess-long", "no-guess"])
async def test_whatever_the_guess_the_file_is_whole(tmp_path: Path, hint: int | None) -> None:
    origin = Origin()
    size, fetcher = await _fetch(origin, tmp_path, hint=hint)
    assert size == len(BODY)
    assert (tmp_path / "mix.m4a.part").read_bytes() == BODY
    assert fetcher.fetched == len(BODY)
    journal = RangeJournal.load(tmp_path / "work" / JOURNAL)
    assert journal.total == len(BODY) and journal.done == [(0, len(BODY))]
    # Every range of the file asked once; past the end only what the first wave guessed.
    inside = [s for s in _starts(origin) if s < len(BODY)]
    assert inside == list(range(0, len(BODY), RANGE))


async def test_throttled_answers_are_continued_where_they_stopped(tmp_path: Path) -> None:
    origin = Origin(cap=40_000)
    size, _ = await _fetch(origin, tmp_path, hint=len(BODY))
    assert size == len(BODY)
    assert (tmp_path / "mix.m4a.part").read_bytes() == BODY
    assert len(set(_starts(origin))) == len(origin.ranges)  # no byte asked for twice


async def test_resume_asks_only_for_the_gaps(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    part = tmp_path / "mix.m4a.part"
    part.write_bytes(BODY[:RANGE] + bytes(RANGE) + BODY[2 * RANGE:3 * RANGE])
    (work / JOURNAL).write_text(json.dumps({
        "total": len(BODY), "validator": '"v1"', "moov_end": 0, "room": 0,
        "done": [[0, RANGE], [2 * RANGE, 3 * RANGE]]}))
    origin = Origin()
    size, fetcher = await _fetch(origin, tmp_path, hint=None)
    assert size == len(BODY)
    assert part.read_bytes() == BODY
    assert _starts(origin) == [RANGE, *range(3 * RANGE, len(BODY), RANGE)]
    assert fetcher.fetched == len(BODY) - 2 * RANGE


async def test_refused_again_after_renewal_gives_up(tmp_path: Path) -> None:
    renewed: list[str] = []
    with pytest.raises(DownloadError) as failed:
        await _fetch(Origin(refuse=True), tmp_path, hint=len(BODY), renewed=renewed)
    assert len(renewed) == MAX_RENEWALS
    assert "kept refusing the download (HTTP 403)" in failed.value.text
