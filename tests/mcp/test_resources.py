"""The resources over a real MCP session: listed, read as application/json, templates for
every provider, errors for unknown URIs."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from mcp.client.session import ClientSession
from mcp.shared.exceptions import MCPError

from minion_tui.service import provider_names
from tests.mcp.harness import call


async def _json(mcp: ClientSession, uri: str) -> object:
    read = await mcp.read_resource(uri)
    content = read.contents[0]
    assert content.mime_type == "application/json" and str(content.uri) == uri
    return json.loads(content.text)  # type: ignore[union-attr]


async def test_the_four_resources_read_as_json_in_a_fresh_demo(mcp: ClientSession) -> None:
    listed = {str(r.uri): r for r in (await mcp.list_resources()).resources}
    assert set(listed) == {"minion://now-playing", "minion://queue", "minion://inbox",
                           "minion://downloads"}
    assert all(r.mime_type == "application/json" and r.description for r in listed.values())
    status = await _json(mcp, "minion://now-playing")
    assert isinstance(status, dict) and status["state"] == "idle"
    for uri in ("minion://queue", "minion://inbox", "minion://downloads"):
        assert await _json(mcp, uri) == {"items": [], "next_cursor": None}


async def test_templates_read_a_track_or_a_user_by_urn(mcp: ClientSession) -> None:
    templates = [t.uri_template for t in (await mcp.list_resource_templates())
                 .resource_templates]
    assert templates == [f"minion://{p}/{k}/{{urn}}" for p in provider_names()
                         for k in ("track", "user", "playlist")]
    track = (await call(mcp, "search_tracks", {"query": "rain", "limit": 1}))["items"][0]
    read = await _json(mcp, f"minion://soundcloud/track/{quote(track['urn'], safe='')}")
    assert isinstance(read, dict) and read["urn"] == track["urn"] and read["kind"] == "track"
    with pytest.raises(MCPError) as wrong_kind:
        await mcp.read_resource(f"minion://soundcloud/user/{quote(track['urn'], safe='')}")
    assert wrong_kind.value.code == -32002
    mix = (await call(mcp, "search_tracks", {"query": "house", "limit": 1,
                                             "provider": "mixcloud"}))["items"][0]
    shown = await _json(mcp, f"minion://mixcloud/track/{quote(mix['urn'], safe='')}")
    assert isinstance(shown, dict) and shown["urn"] == mix["urn"]


@pytest.mark.filterwarnings("ignore:resources/subscribe is removed")
async def test_unknown_resources_are_json_rpc_errors(mcp: ClientSession) -> None:
    for uri in ("minion://nothing", "minion://bandcamp/track/x",
                "minion://soundcloud/track/mixcloud%3Acloudcasts%3Aa%2Fb"):
        with pytest.raises(MCPError) as caught:
            await mcp.read_resource(uri)
        assert caught.value.code == -32002, uri
    with pytest.raises(MCPError):
        await mcp.subscribe_resource("minion://nothing")
