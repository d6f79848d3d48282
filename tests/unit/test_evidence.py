"""The details panel's evidence line (tui/evidence.py): who liked or reposted a track, and the
age of the newest such evidence in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from minion_tui.models import SurfacedBy
from minion_tui.tui.evidence import age_words, evidence_line

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("at", "words"), [
    (ago(minutes=5), "today"),
    (ago(hours=11), "today"),              # 01:00 the same day
    (ago(hours=13), "yesterday"),          # 23:00 the day before: a calendar day
    (ago(days=1, hours=11), "yesterday"),
    (ago(days=2), "2 days ago"),
    (ago(days=3), "3 days ago"),
    (ago(days=6), "6 days ago"),
    (ago(days=7), "1 week ago"),
    (ago(days=14), "2 weeks ago"),
    (ago(days=29), "4 weeks ago"),
    (ago(days=30), "1 month ago"),
    (ago(days=95), "3 months ago"),
    (ago(days=365), "1 year ago"),
    (ago(days=800), "2 years ago"),
    ("2026-03-16T09:00:00Z", "today"),    # a clock ahead of ours
    ("2026-03-12T12:00:00.000Z", "3 days ago"),
])
def test_age_words(at: str, words: str) -> None:
    assert age_words(at, NOW) == words


def test_age_words_counts_days_in_the_local_time_zone() -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))  # 21:00 on the 15th there
    assert age_words("2026-03-14T16:00:00Z", tokyo) == "today"  # 01:00 on the 15th in Tokyo
    assert age_words("2026-03-14T16:00:00Z", NOW) == "yesterday"


def row(action: str, label: str, at: str, source: str = "s") -> SurfacedBy:
    return SurfacedBy(label, source, action, "soundcloud:users:1", at)


def test_likes_then_reposts_with_the_newest_evidence_age() -> None:
    rows = [row("repost", "Reposts of Cleo", ago(days=3)),
            row("like", "Likes of Ana", ago(days=4)),
            row("search", "Search: house", ago(hours=1)),  # not evidence: no age from it
            row("like", "Likes of Bo", ago(days=20))]
    assert evidence_line(rows, NOW) == "liked by Ana, Bo · reposted by Cleo · 3 days ago"


def test_many_likers_are_cut_after_three() -> None:
    rows = [row("like", f"Likes of {n}", ago(days=i)) for i, n in enumerate("ABCDE")]
    assert evidence_line(rows, NOW) == "liked by A, B, C and 2 more · today"


def test_a_name_liked_twice_is_named_once() -> None:
    rows = [row("like", "Likes of Ana", ago(days=1)), row("like", "Likes of Ana", ago(days=9))]
    assert evidence_line(rows, NOW) == "liked by Ana · yesterday"


def test_no_like_or_repost_says_nothing() -> None:
    assert evidence_line([row("chart", "Trending", ago(days=1))], NOW) == ""
    assert evidence_line([], NOW) == ""
