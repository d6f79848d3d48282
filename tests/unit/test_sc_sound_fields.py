"""SoundCloud's own bpm and key_signature are kept beside what we measure (service data,
docs/analysis.md §7): parsed when present, None when null, zero or mistyped."""

from __future__ import annotations

from typing import Any

import pytest

from minion_tui.providers.soundcloud.parse import track

BASE: dict[str, Any] = {"id": 5, "kind": "track", "title": "T", "duration": 1000,
                        "user": {"id": 2, "username": "a"}}


@pytest.mark.parametrize(("bpm", "key", "expected"), [
    (126, "Am", (126.0, "Am")),
    (127.95, " F# minor ", (128.0, "F# minor")),
    (None, None, (None, None)),
    (0, "", (None, None)),
    ("128", 7, (None, None)),
    (True, ["Am"], (None, None)),
    (-5, "x" * 500, (None, "x" * 40)),
])
def test_the_service_s_tempo_and_key(bpm: object, key: object, expected: object) -> None:
    parsed = track({**BASE, "bpm": bpm, "key_signature": key})
    assert (parsed.service_bpm, parsed.service_key) == expected
    assert parsed.bpm is None and parsed.key is None and parsed.camelot is None
    assert parsed.to_json()["service_bpm"] == expected[0]  # type: ignore[index]
