"""The queue tools over a real MCP session: every change checked by reading the queue back;
confirmation (confirm: true, elicitation accepted or declined, neither); progress and
cancellation of queue_add; the minion://queue resource's update notice."""

from __future__ import annotations

import asyncio
from typing import Any

import mcp_types as types
import pytest
from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.harness import call, call_error, connect, page_all

CALLED = {"queue_list", "play_history", "queue_add", "queue_remove", "queue_move", "queue_clear",
          "queue_shuffle", "queue_repeat"}


async def _tracks(mcp: ClientSession, n: int, query: str = "rain") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await call(mcp, "search_tracks",
                                              {"query": query, "limit": n}))["items"]
    assert len(found) == n
    return found


async def _queue(mcp: ClientSession) -> list[dict[str, Any]]:
    return await page_all(mcp, "queue_list", {"limit": 200})


async def test_queue_list_in_a_fresh_demo_is_an_empty_last_page(mcp: ClientSession) -> None:
    assert await call(mcp, "queue_list") == {"items": [], "next_cursor": None}


async def test_add_list_move_shuffle_repeat(mcp: ClientSession) -> None:
    tracks = await _tracks(mcp, 5)
    added = await call(mcp, "queue_add", {"targets": [t["urn"] for t in tracks[:3]]})
    assert added["length"] == 3
    assert [e["track_urn"] for e in added["entries"]] == [t["urn"] for t in tracks[:3]]
    await call(mcp, "queue_add", {"targets": [tracks[3]["url"], tracks[4]["urn"]]})
    paged = await page_all(mcp, "queue_list", {"limit": 2})
    assert [e["track_urn"] for e in paged] == [t["urn"] for t in tracks]
    assert all(e["track"]["title"] for e in paged)
    last = paged[-1]["id"]
    moved = await call(mcp, "queue_move", {"entry_id": last, "by": -10})
    assert moved["entries"][0]["id"] == last
    assert (await _queue(mcp))[0]["id"] == last
    shuffled = await call(mcp, "queue_shuffle")
    assert shuffled["length"] == 5
    assert sorted(e["id"] for e in await _queue(mcp)) == sorted(e["id"] for e in paged)
    assert (await call(mcp, "queue_repeat", {"mode": "all"}))["repeat"] == "all"
    assert (await call(mcp, "now_playing"))["repeat"] == "all"
    bad = await call_error(mcp, "queue_repeat", {"mode": "sometimes"})
    assert bad["type"] == "invalid_argument" and "off, one, all" in bad["message"]


async def test_a_destructive_tool_without_confirmation_changes_nothing(
        mcp: ClientSession) -> None:
    tracks = await _tracks(mcp, 2)
    await call(mcp, "queue_add", {"targets": [t["urn"] for t in tracks]})
    error = await call_error(mcp, "queue_clear")
    assert error["type"] == "invalid_argument" and "confirm: true" in error["message"]
    entry = (await _queue(mcp))[0]["id"]
    refused = await call_error(mcp, "queue_remove", {"entry_id": entry, "confirm": False})
    assert "confirm: true" in refused["message"]
    assert len(await _queue(mcp)) == 2
    removed = await call(mcp, "queue_remove", {"entry_id": entry, "confirm": True})
    assert removed["length"] == 1 and entry not in [e["id"] for e in await _queue(mcp)]
    missing = await call_error(mcp, "queue_remove", {"entry_id": entry, "confirm": True})
    assert "no entry" in missing["message"]
    cleared = await call(mcp, "queue_clear", {"confirm": True})
    assert cleared == {"length": 0, "entries": []}
    assert await _queue(mcp) == []


@pytest.mark.parametrize("answer", ["accept", "decline"])
async def test_elicitation_asks_the_user_before_clearing(mcp_service: Service,
                                                        answer: str) -> None:
    asked: list[str] = []

    async def elicit(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action="decline")

    async with connect(mcp_service, elicitation_callback=elicit) as session:
        tracks = await _tracks(session, 2)
        await call(session, "queue_add", {"targets": [t["urn"] for t in tracks]})
        if answer == "accept":
            await call(session, "queue_clear")
            assert await _queue(session) == []
        else:  # the model's confirm: true does not overrule the user
            error = await call_error(session, "queue_clear", {"confirm": True})
            assert "did not agree" in error["message"]
            assert len(await _queue(session)) == 2
    assert asked == ["Remove every entry of the play queue?"]


async def test_queue_add_reports_progress(mcp: ClientSession) -> None:
    tracks = await _tracks(mcp, 3)
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    await call(mcp, "queue_add", {"targets": [t["urn"] for t in tracks]},
               progress_callback=progress)
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]


async def test_queue_add_refuses_bad_targets(mcp: ClientSession) -> None:
    for targets, said in (([], "at least one"), ([""], "blank"), ("x", "list of strings"),
                          ([1], "list of strings")):
        error = await call_error(mcp, "queue_add", {"targets": targets})
        assert error["type"] == "invalid_argument" and said in error["message"], error
    bad = await call_error(mcp, "queue_add", {"targets": ["https://example.com/a"]})
    assert bad["type"] == "invalid_url"
    assert await _queue(mcp) == []


async def test_a_cancelled_queue_add_stops_and_adds_nothing(
        emulator_factory: Any, tmp_path: Any) -> None:
    slow = emulator_factory(seed=1, latency_ms=700)
    service = Service.open(endpoints=slow.endpoints, data_dir=tmp_path / "slow")
    try:
        async with connect(service) as session:
            tracks = await _tracks(session, 4, query="house")
            fresh = [t["url"] for t in tracks]
            first = asyncio.Event()

            async def progress(done: float, total: float | None, message: str | None) -> None:
                first.set()

            call_task = asyncio.create_task(session.call_tool(
                "queue_add", {"targets": fresh}, progress_callback=progress))
            await first.wait()  # one target resolved, three to go
            call_task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call_task
            await asyncio.sleep(3 * 0.7 * 2)  # what the rest would have taken, twice over
            assert await _queue(session) == []
    finally:
        await service.aclose()


@pytest.mark.filterwarnings("ignore:resources/subscribe is removed")
async def test_subscribers_hear_of_a_queue_change(mcp_service: Service) -> None:
    updated: asyncio.Queue[str] = asyncio.Queue()

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updated.put_nowait(str(message.params.uri))

    async with connect(mcp_service, message_handler=on_message) as session:
        await session.subscribe_resource("minion://queue")
        track = (await _tracks(session, 1))[0]
        await call(session, "queue_add", {"targets": [track["urn"]]})
        assert await asyncio.wait_for(updated.get(), 10) == "minion://queue"
        read = await session.read_resource("minion://queue")
        content = read.contents[0]
        assert content.mime_type == "application/json"
        assert '"track_urn":"' + track["urn"] + '"' in content.text  # type: ignore[union-attr]


async def test_play_history_newest_first_paged_with_its_tracks(
        mcp: ClientSession, mcp_service: Service) -> None:
    from minion_tui.store import play_queue as pq

    assert await call(mcp, "play_history") == {"items": [], "next_cursor": None}
    found = await _tracks(mcp, 3)
    for track in found[:2]:
        await call(mcp, "get_track", {"target": track["urn"]})  # stores the track
    store = await mcp_service._core.db()
    first = await store.call(pq.history_start, store, found[0]["urn"], preview=True)
    await store.call(pq.history_listened, store, first, 42.5)
    await store.call(pq.history_start, store, found[1]["urn"])
    played = await page_all(mcp, "play_history", {"limit": 1})
    assert [p["track_urn"] for p in played] == [found[1]["urn"], found[0]["urn"]]
    assert played[1]["seconds_listened"] == 42.5 and played[1]["preview"] is True
    assert played[1]["track"]["title"] == found[0]["title"]
    assert played[0]["track"]["title"] == found[1]["title"] and played[0]["preview"] is False
    assert played[0]["seconds_listened"] == 0
