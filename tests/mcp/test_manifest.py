"""The tool manifest matches its checked-in copies (tests/data/mcp_manifest/<group>.json), so
a change to the tool set is deliberate: `make mcp-manifest` regenerates them."""

from __future__ import annotations

import json
from pathlib import Path

from minion_tui.mcp.manifest import group_manifest
from minion_tui.mcp.registry import GROUPS

COPIES = Path(__file__).parents[1] / "data" / "mcp_manifest"


def test_each_group_matches_its_checked_in_copy() -> None:
    assert sorted(p.stem for p in COPIES.glob("*.json")) == sorted(GROUPS)
    for group in GROUPS:
        kept = json.loads((COPIES / f"{group}.json").read_text(encoding="utf-8"))
        assert group_manifest(group) == kept, f"run `make mcp-manifest` ({group} changed)"
