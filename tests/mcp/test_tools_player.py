"""The player tools over a real MCP session, playing the emulator's audio to mpv's null
output."""

from __future__ import annotations

import asyncio
from typing import Any

import mcp_types as types
import pytest
from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.harness import call, call_error, connect

CALLED = {"now_playing", "play", "pause", "resume", "toggle_pause", "seek", "next_track",
          "previous_track", "set_volume"}


async def test_now_playing_in_a_fresh_demo_is_idle_and_valid(mcp: ClientSession) -> None:
    status = await call(mcp, "now_playing")
    assert status["state"] == "idle" and status["track"] is None
    assert status["repeat"] == "off" and status["volume"] is None


async def test_play_without_anything_to_play_says_what_to_do(mcp: ClientSession) -> None:
    empty = await call_error(mcp, "play")
    assert empty["type"] == "invalid_argument" and "queue_add" in empty["message"]
    both = await call_error(mcp, "play", {"target": "soundcloud:tracks:1", "entry_id": 1})
    assert "not both" in both["message"]
    bad = await call_error(mcp, "seek", {"seconds": -5})
    assert bad["type"] == "invalid_argument"
    loud = await call_error(mcp, "set_volume", {"volume": 101})
    assert "at most 100" in loud["message"]


async def _until(mcp: ClientSession, check: Any) -> dict[str, Any]:
    for _ in range(200):
        status = await call(mcp, "now_playing")
        if check(status):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"the player never got there: {status}")


@pytest.mark.mpv
@pytest.mark.filterwarnings("ignore:resources/subscribe is removed")
async def test_play_pause_resume_seek_volume_next_previous(mcp_service: Service) -> None:
    updated: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updated.append(str(message.params.uri))

    async with connect(mcp_service, message_handler=on_message) as mcp:
        await mcp.subscribe_resource("minion://now-playing")
        tracks = (await call(mcp, "search_tracks", {"query": "rain", "limit": 3}))["items"]
        await call(mcp, "queue_add", {"targets": [t["urn"] for t in tracks]})
        playing = await call(mcp, "play")
        assert playing["track"]["urn"] == tracks[0]["urn"]
        await _until(mcp, lambda s: s["state"] == "playing" and s["duration"]
                     and (s["position"] or 0) > 0.2)
        assert (await call(mcp, "pause"))["state"] == "paused"
        await _until(mcp, lambda s: s["state"] == "paused")
        assert (await call(mcp, "resume"))["state"] == "playing"
        await call(mcp, "toggle_pause")
        await _until(mcp, lambda s: s["state"] == "paused")
        await call(mcp, "toggle_pause")
        await _until(mcp, lambda s: s["state"] == "playing")
        await call(mcp, "seek", {"seconds": 30})
        await _until(mcp, lambda s: (s["position"] or 0) >= 29)
        assert (await call(mcp, "set_volume", {"volume": 40}))["volume"] == 40
        await _until(mcp, lambda s: s["volume"] == 40)
        nxt = await call(mcp, "next_track")
        assert nxt["track"]["urn"] == tracks[1]["urn"]
        back = await call(mcp, "previous_track")
        assert back["track"]["urn"] == tracks[0]["urn"]
        direct = await call(mcp, "play", {"target": tracks[2]["url"], "start": 5})
        assert direct["track"]["urn"] == tracks[2]["urn"]
        for _ in range(100):
            if "minion://now-playing" in updated:
                break
            await asyncio.sleep(0.05)
        assert "minion://now-playing" in updated
