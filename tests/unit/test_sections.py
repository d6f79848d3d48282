"""The tracklist lines an upload takes (service/sections.py): times, tracks and chapters, the
order, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minion_tui.errors import InvalidArgument
from minion_tui.models import Section
from minion_tui.service.sections import MAX_SECTIONS, parse_section, parse_sections


@pytest.mark.parametrize(("line", "expected"), [
    ("0:00 Intro", Section("chapter", 0, "", "Intro")),
    ("1:30 Alice Coltrane - Journey", Section("track", 90_000, "Alice Coltrane", "Journey")),
    ("  75:05   A - B - C  ", Section("track", 4_505_000, "A", "B - C")),
    ("1:02:03 Sun Ra - Space", Section("track", 3_723_000, "Sun Ra", "Space")),
    ("12:00 Second hour", Section("chapter", 720_000, "", "Second hour")),
    ("0:10 AC-DC - Thunder", Section("track", 10_000, "AC-DC", "Thunder")),
])
def test_a_line_is_a_track_or_a_chapter(line: str, expected: Section) -> None:
    assert parse_section(line) == expected


@pytest.mark.parametrize(("line", "said"), [
    ("Artist - Song", "does not start with its time"),
    ("1:5 A - B", "does not start with its time"),
    ("1:60 A - B", "does not start with its time"),
    ("1:75:00 A - B", "minutes past 59"),
    ("1:00", "no name"),
    ("1:00 - Song", "no artist"),
    ("1:00 Artist -", "no song"),
    ("1:00 A\x07 - B", "control characters"),
    ("1:00 " + "x" * 201, "too long"),
])
def test_a_bad_line_says_what_is_wrong(line: str, said: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        parse_section(line)
    assert said in refused.value.message


def test_times_must_increase_and_blank_lines_are_skipped() -> None:
    assert [s.start_ms for s in parse_sections(["0:00 A - B", "", "  ", "0:01 C"])] == \
        [0, 1000]
    with pytest.raises(InvalidArgument) as refused:
        parse_sections(["2:30 A - B", "1:00 C - D"])
    assert refused.value.message == "Section 2 starts at 1:00, not after section 1 (2:30)."
    with pytest.raises(InvalidArgument):
        parse_sections(["1:00 A - B", "1:00 C - D"])
    with pytest.raises(InvalidArgument) as many:
        parse_sections([f"{i // 60}:{i % 60:02d} A - B" for i in range(MAX_SECTIONS + 1)])
    assert f"At most {MAX_SECTIONS}" in many.value.message


@given(st.text(max_size=300))
def test_any_line_is_a_section_or_invalid_argument(line: str) -> None:
    try:
        section = parse_section(line)
    except InvalidArgument:
        return
    assert section.kind in ("track", "chapter") and (section.start_ms or 0) >= 0
    assert all(c.isprintable() for c in section.artist + section.title)
