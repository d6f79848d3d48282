"""The tool manifest (``minion-tui mcp --list [--json]``): every tool with its title, its
annotations and its inputs, group by group, and what each group leaves out and why (a group
module's ``LEFT_OUT``: pairs of a capability and the reason the services offer no API for
it).

A checked-in copy per group (``tests/data/mcp_manifest/<group>.json``) is compared with it by
a test, so a change to the tool set is deliberate: ``make mcp-manifest`` (``python -m
minion_tui.mcp.manifest --write DIR``) regenerates the copies.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from minion_tui.mcp.registry import GROUPS
from minion_tui.mcp.tooling import Tool


def tool_entry(tool: Tool, group: str) -> dict[str, Any]:
    schema = tool.input_schema
    return {
        "name": tool.name,
        "title": tool.title,
        "group": group,
        "annotations": tool.hints.to_json(),
        "inputs": list(schema["properties"]),
        "required": list(schema.get("required", ())),
        "lists": set(schema["properties"]) >= {"cursor", "limit"},
    }


def group_manifest(group: str) -> dict[str, Any]:
    module = importlib.import_module(f"minion_tui.mcp.tools.{group}")
    return {
        "group": group,
        "tools": [tool_entry(t, group) for t in module.TOOLS],
        "left_out": [{"capability": what, "why": why}
                     for what, why in getattr(module, "LEFT_OUT", ())],
    }


def manifest() -> dict[str, Any]:
    groups = [group_manifest(g) for g in GROUPS]
    return {
        "tools": [t for g in groups for t in g["tools"]],
        "left_out": [{**entry, "group": g["group"]} for g in groups for entry in g["left_out"]],
    }


def render_text(found: dict[str, Any]) -> str:
    """One line per tool: name, title and the hints that are true; then what is left out."""
    lines = [f"{len(found['tools'])} tools"]
    for t in found["tools"]:
        hints = t["annotations"]
        flags = ",".join(k.removesuffix("Hint") for k, v in hints.items() if v) or "-"
        lines.append(f"{t['name']:<28} {t['title']:<34} [{flags}]")
    for entry in found["left_out"]:
        lines.append(f"left out: {entry['capability']} — {entry['why']}")
    return "\n".join(lines)


def write(directory: Path) -> None:
    """The checked-in copies: one file per group, so groups change apart."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        if stale.stem not in GROUPS:
            stale.unlink()
    for group in GROUPS:
        text = json.dumps(group_manifest(group), indent=2, ensure_ascii=False) + "\n"
        (directory / f"{group}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
        write(Path(sys.argv[2]))
    else:
        print(json.dumps(manifest(), indent=2, ensure_ascii=False))
