"""The player tools over a real MCP session."""

from __future__ import annotations

from mcp.client.session import ClientSession

from tests.mcp.harness import call

CALLED = {"now_playing"}


async def test_now_playing_in_a_fresh_demo_is_idle_and_valid(mcp: ClientSession) -> None:
    status = await call(mcp, "now_playing")
    assert status["state"] == "idle" and status["track"] is None
    assert status["repeat"] == "off"
