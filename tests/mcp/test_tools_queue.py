"""The queue tools over a real MCP session."""

from __future__ import annotations

from mcp.client.session import ClientSession

from tests.mcp.harness import call

CALLED = {"queue_list"}


async def test_queue_list_in_a_fresh_demo_is_an_empty_last_page(mcp: ClientSession) -> None:
    assert await call(mcp, "queue_list") == {"items": [], "next_cursor": None}
