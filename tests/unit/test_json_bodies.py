"""JSON written through orjson (the store's raw track objects, the emulator's pages), with the
standard library behind it for what orjson refuses. Reading stays with the standard library:
orjson turns integers past 64 bits into floats without a word."""

from __future__ import annotations

import json

from minion_tui.store import rows


def test_stored_json_is_compact_utf8() -> None:
    assert rows._encode({"a": [1, "é", None]}) == '{"a":[1,"é",null]}'


def test_integers_past_64_bits_are_stored_exactly() -> None:
    big = {"id": 2 ** 70, "title": "x"}
    assert json.loads(rows._encode(big)) == big


def test_nan_is_stored_as_null_so_the_row_stays_valid_json() -> None:
    assert rows._encode({"bpm": float("nan")}) == '{"bpm":null}'
