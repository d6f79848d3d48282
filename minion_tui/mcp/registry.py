"""Every tool of the server: the group modules under ``minion_tui/mcp/tools/`` named in
:data:`GROUPS`, each exporting ``TOOLS``. Adding a group is one module and one line here."""

from __future__ import annotations

import importlib
from functools import cache

from minion_tui.mcp.tooling import Tool

#: The tool groups, in the order tools/list gives them (modules of minion_tui.mcp.tools).
GROUPS: tuple[str, ...] = (
    "catalog",
    "player",
    "queue",
    "tracks",
    "playlists",
    "users",
    "charts",
    "you",
    "utility",
    "social",
    "playlist_edit",
    "uploads",
    "account",
    "ratings",
    "discovery",
    "downloads",
    "analysis",
)


@cache
def tools() -> tuple[Tool, ...]:
    """Every tool, group by group; a name given twice is a mistake caught here."""
    found: list[Tool] = []
    for group in GROUPS:
        module = importlib.import_module(f"minion_tui.mcp.tools.{group}")
        found.extend(module.TOOLS)
    names = [t.name for t in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RuntimeError(f"tools declared twice: {', '.join(twice)}")
    return tuple(found)


@cache
def by_name() -> dict[str, Tool]:
    return {t.name: t for t in tools()}


def group_of(name: str) -> str:
    """The group module a tool is declared in (the manifest names it)."""
    for group in GROUPS:
        module = importlib.import_module(f"minion_tui.mcp.tools.{group}")
        if any(t.name == name for t in module.TOOLS):
            return group
    raise KeyError(name)
