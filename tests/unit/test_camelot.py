"""Key names and the Camelot wheel (analysis/camelot.py, docs/analysis.md §5)."""

from __future__ import annotations

import pytest

from minion_tui.analysis.camelot import (
    camelot,
    from_camelot,
    key_name,
    neighbours,
    parse_key,
    wheel_distance,
)
from minion_tui.service import same_key

WHEEL = {  # docs/analysis.md §5, as DJ software prints it
    "1B": "B major", "1A": "G# minor", "2B": "F# major", "2A": "D# minor",
    "3B": "C# major", "3A": "A# minor", "4B": "G# major", "4A": "F minor",
    "5B": "D# major", "5A": "C minor", "6B": "A# major", "6A": "G minor",
    "7B": "F major", "7A": "D minor", "8B": "C major", "8A": "A minor",
    "9B": "G major", "9A": "E minor", "10B": "D major", "10A": "B minor",
    "11B": "A major", "11A": "F# minor", "12B": "E major", "12A": "C# minor",
}


@pytest.mark.parametrize(("code", "name"), sorted(WHEEL.items()))
def test_every_key_has_its_camelot_code_and_back(code: str, name: str) -> None:
    tonic, minor = parse_key(name) or (-1, False)
    assert key_name(tonic, minor) == name
    assert camelot(tonic, minor) == code
    assert from_camelot(code) == (tonic, minor)


@pytest.mark.parametrize(("text", "expected"), [
    ("Am", (9, True)), ("A min", (9, True)), ("Bb major", (10, False)), ("Db", (1, False)),
    ("F#m", (6, True)), ("Ebm", (3, True)), ("8A", (9, True)), ("12b", (4, False)),
    ("C", (0, False)), ("", None), ("   ", None), ("H minor", None), ("13A", None),
    ("A minor please", None),
])
def test_keys_as_services_and_tags_spell_them(text: str, expected: object) -> None:
    assert parse_key(text) == expected


def test_wheel_distance_and_neighbours() -> None:
    assert wheel_distance("8A", "8A") == 0
    assert wheel_distance("8A", "9A") == wheel_distance("8A", "7A") == 1
    assert wheel_distance("12A", "1A") == 1
    assert wheel_distance("8A", "8B") == 0.5
    assert wheel_distance("8A", "2A") == 6
    assert wheel_distance("8A", "9B") == 2
    assert wheel_distance("8A", "") == 7
    assert neighbours("8A") == ("8A", "9A", "7A", "8B")
    assert neighbours("1B") == ("1B", "2B", "12B", "1A")
    assert neighbours("x") == ()


def test_our_key_and_the_service_s_spelling_compare() -> None:
    assert same_key("A minor", "Am") and same_key("A# major", "Bb")
    assert not same_key("A minor", "C major") and not same_key("A minor", "")
