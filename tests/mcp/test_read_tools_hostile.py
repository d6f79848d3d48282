"""Hostile arguments to every tool of the reading groups (tracks, playlists, users, charts,
you, utility), through the real MCP session: each is a tool error of a CLI error type (never
the catch-all ``error`` of an unexpected exception), or for validate_url a result saying
what is wrong; search words may also find nothing."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from minion_tui.mcp.registry import tools

GROUPS = {"tracks", "playlists", "users", "charts", "you", "utility"}

HOSTILE = ["", "   ", "\x00\x01\x1b[31m", "x" * 70_000, "https://", "soundcloud:tracks:",
           "https://soundcloud.com/\u202e/evil", "mixcloud:", "../../etc/passwd",
           "https://soundcloud.com:99999/a/b", "https://[::1/a"]

EXPECTED = {"invalid_argument", "invalid_url", "not_found", "auth_required"}


def _ours() -> list[Any]:
    from minion_tui.mcp.registry import group_of

    return [t for t in tools() if group_of(t.name) in GROUPS]


def _string_params(tool: Any) -> list[str]:
    schema = tool.input_schema
    return [name for name in schema.get("required", ())
            if schema["properties"][name].get("type") == "string"
            and "enum" not in schema["properties"][name]]


async def test_hostile_strings_are_clear_tool_errors(mcp: ClientSession) -> None:
    checked = 0
    for tool in _ours():
        for name in _string_params(tool):
            for bad in HOSTILE:
                result = await mcp.call_tool(tool.name, {name: bad})
                content = result.structured_content or {}
                if tool.name == "validate_url" and not result.is_error:
                    assert content["valid"] is False and content["message"], (bad, content)
                    continue
                if not result.is_error:  # words to search for: any text is a search
                    assert name in {"query", "genre"}, (tool.name, bad, content)
                    continue
                error = content["error"]
                assert error["type"] in EXPECTED, (tool.name, bad, error)
                assert "Traceback" not in error["message"]
                checked += 1
    assert checked > 200


async def test_wrong_types_and_unknown_arguments_are_invalid_arguments(
        mcp: ClientSession) -> None:
    for tool in _ours():
        for args in ({"limit": "ten"}, {"nonsense": 1}, {"cursor": 5}):
            result = await mcp.call_tool(tool.name, args)
            assert result.is_error, (tool.name, args)
            error = (result.structured_content or {})["error"]
            assert error["type"] == "invalid_argument", (tool.name, args, error)
