"""`minion-tui play --json` run in-process, for the playback tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from minion_tui.cli import main


def played(target: str, capsys: pytest.CaptureFixture[str],
           seconds: str = "2.5") -> tuple[int, list[dict[str, Any]]]:
    """`play TARGET --json --for SECONDS --ao null`: the exit code and the JSON lines printed."""
    code = main(["play", target, "--json", "--for", seconds, "--ao", "null"])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]
