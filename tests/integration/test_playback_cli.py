"""`minion-tui play --json --for` against the emulator with real libmpv (ao=null)."""

from __future__ import annotations

import json

import pytest

from minion_tui.cli import main
from minion_tui.emulator.server import RunningEmulator
from tests.integration.playing import played

pytestmark = pytest.mark.mpv


def test_play_json_prints_advancing_positions(
    sc_env: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = played(sc_env.examples["track_full"], capsys)
    assert code == 0
    assert len(lines) >= 2
    assert {"position", "duration", "state"} <= set(lines[0])
    positions = [line["position"] for line in lines]
    assert positions[-1] > positions[0]
    assert lines[-1]["duration"] > 10


def test_play_unplayable_track_is_a_json_error(
    sc_env: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["play", sc_env.examples["track_drm"], "--json", "--for", "1", "--ao", "null"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["error"]["message"]
