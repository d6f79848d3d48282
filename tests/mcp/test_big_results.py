"""A 200-item tool result (the case bench/mcp.py times) over a real MCP session: the
structuredContent the client gets is exactly the service's JSON form of the same items, and
the text beside it is the capped rendering (25 lines, then how many more)."""

from __future__ import annotations

from mcp.client.session import ClientSession

from minion_tui.mcp.context import Cursors, ToolContext
from minion_tui.mcp.outputs import Listing
from minion_tui.mcp.registry import by_name
from minion_tui.mcp.render import SHOWN
from minion_tui.mcp.tooling import structured
from minion_tui.mcp.tools import queue
from minion_tui.service import Service
from tests.mcp.harness import call


async def test_a_200_item_queue_list_is_the_services_json_form_exactly(
        mcp: ClientSession, mcp_service: Service) -> None:
    found = await call(mcp, "search_tracks", {"query": "a", "limit": 200})
    assert len(found["items"]) == 200
    await mcp_service.player.queue_add([t["urn"] for t in found["items"]])
    result = await mcp.call_tool("queue_list", {"limit": 200})
    assert not result.is_error
    direct = await queue.items(ToolContext(mcp_service, Cursors(), "test"))
    expected = Listing(items=direct, next_cursor=None).to_json()
    assert result.structured_content == expected
    assert [e["track"]["urn"] for e in expected["items"]] == [t["urn"] for t in found["items"]]
    text = result.content[0]
    assert text.type == "text"
    lines = text.text.split("\n")
    assert len(lines) == SHOWN + 1
    assert lines[-1] == f"… and {200 - SHOWN} more in the structured content"
    assert lines[0].endswith(found["items"][0]["urn"])
    # and it validates against the tool's output schema (call checks it)
    assert await call(mcp, "queue_list", {"limit": 200}) == expected


async def test_a_200_item_search_lists_every_track_in_its_json_form(
        mcp: ClientSession, mcp_service: Service) -> None:
    page = await call(mcp, "search_tracks", {"query": "a", "limit": 200})
    assert len(page["items"]) == 200
    assert len({t["urn"] for t in page["items"]}) == 200
    tool = by_name()["search_tracks"]
    args, _ = tool.parse({"query": "a", "limit": 200})
    direct = await tool.handler(ToolContext(mcp_service, Cursors(), tool.name), args)
    expected = structured(direct)
    assert page["items"] == expected["items"]  # the cursor is a fresh opaque token each time
    assert isinstance(page["next_cursor"], str) and isinstance(expected["next_cursor"], str)
