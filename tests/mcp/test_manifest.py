"""The tool manifest (`minion-tui mcp --list --json`) matches its checked-in copies
(tests/data/mcp_manifest/<group>.json, one per group so groups change apart): a change to the
tool set is deliberate. `make mcp-manifest` regenerates them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from minion_tui.mcp.registry import GROUPS

COPIES = Path(__file__).parents[1] / "data" / "mcp_manifest"


def _minion(*argv: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("minion-tui")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]
    return subprocess.run([*command, *argv], capture_output=True, text=True, timeout=60,
                          check=False)


def test_the_listed_manifest_matches_the_checked_in_copies() -> None:
    run = _minion("mcp", "--list", "--json")
    assert run.returncode == 0, run.stderr
    listed = json.loads(run.stdout)
    assert sorted(p.stem for p in COPIES.glob("*.json")) == sorted(GROUPS)
    kept_tools, kept_left_out = [], []
    for group in GROUPS:
        kept = json.loads((COPIES / f"{group}.json").read_text(encoding="utf-8"))
        assert kept["group"] == group
        kept_tools += kept["tools"]
        kept_left_out += [{**e, "group": group} for e in kept["left_out"]]
    assert listed["tools"] == kept_tools, "the tools changed: run `make mcp-manifest`"
    assert listed["left_out"] == kept_left_out
    for entry in listed["tools"]:
        assert set(entry["annotations"]) == {"readOnlyHint", "destructiveHint",
                                             "idempotentHint", "openWorldHint"}
        assert entry["title"]


def test_the_text_manifest_names_every_tool_with_its_title() -> None:
    run = _minion("mcp", "--list")
    assert run.returncode == 0, run.stderr
    listed = json.loads(_minion("mcp", "--list", "--json").stdout)["tools"]
    lines = run.stdout.splitlines()
    assert lines[0] == f"{len(listed)} tools"
    for entry, line in zip(listed, lines[1:], strict=False):
        assert line.split()[0] == entry["name"] and entry["title"] in line
