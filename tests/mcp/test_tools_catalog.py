"""search_tracks, resolve_url, get_track over a real MCP session against the emulator."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from tests.mcp.harness import call, call_error, page_all

CALLED = {"search_tracks", "resolve_url", "get_track"}


async def test_search_tracks_pages_with_opaque_cursors_to_the_end(mcp: ClientSession) -> None:
    first = await call(mcp, "search_tracks", {"query": "rain", "limit": 3})
    assert len(first["items"]) == 3
    assert all(t["kind"] == "track" and "rain" in t["title"].lower() for t in first["items"])
    cursor = first["next_cursor"]
    assert isinstance(cursor, str)
    assert "http" not in cursor and "client_id" not in cursor and len(cursor) < 40
    everything = await page_all(mcp, "search_tracks", {"query": "rain", "limit": 7})
    urns = [t["urn"] for t in everything]
    assert len(urns) == len(set(urns)) > 7
    assert urns[:3] == [t["urn"] for t in first["items"]]


async def test_a_spent_or_made_up_cursor_is_an_invalid_argument(mcp: ClientSession) -> None:
    first = await call(mcp, "search_tracks", {"query": "rain", "limit": 2})
    second = await call(mcp, "search_tracks", {"query": "rain", "limit": 2,
                                               "cursor": first["next_cursor"]})
    assert second["items"] != first["items"]
    again = await call_error(mcp, "search_tracks", {"query": "rain",
                                                    "cursor": first["next_cursor"]})
    assert again["type"] == "invalid_argument" and "cursor" in again["message"]
    made_up = await call_error(mcp, "search_tracks", {"query": "rain", "cursor": "abc"})
    assert made_up["type"] == "invalid_argument"
    other = await call_error(mcp, "queue_list", {"cursor": second["next_cursor"]})
    assert "search_tracks" in other["message"]


async def test_search_tracks_on_mixcloud(mcp: ClientSession) -> None:
    page = await call(mcp, "search_tracks", {"query": "house", "limit": 5,
                                             "provider": "mixcloud"})
    assert page["items"] and {t["provider"] for t in page["items"]} == {"mixcloud"}


async def test_search_tracks_refuses_bad_arguments_saying_what_to_fix(
        mcp: ClientSession) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"query": ""}, "blank"),
        ({"query": "   "}, "blank"),
        ({}, "needs 'query'"),
        ({"query": "x" * 70_000}, "at most 500"),
        ({"query": "rain", "limit": 0}, "at least 1"),
        ({"query": "rain", "limit": "ten"}, "whole number"),
        ({"query": "rain", "limit": True}, "whole number"),
        ({"query": "rain", "provider": "bandcamp"}, "one of: soundcloud"),
        ({"query": "rain", "colour": "red"}, "no argument 'colour'"),
    ]
    for args, said in cases:
        error = await call_error(mcp, "search_tracks", args)
        assert error["type"] == "invalid_argument", (args, error)
        assert said in error["message"] + " " + error["message"], (args, error)


async def test_resolve_url_gives_a_track_a_playlist_or_a_user(mcp: ClientSession) -> None:
    track = (await call(mcp, "search_tracks", {"query": "rain", "limit": 1}))["items"][0]
    resolved = await call(mcp, "resolve_url", {"url": track["url"]})
    assert resolved["kind"] == "track" and resolved["urn"] == track["urn"]
    by_urn = await call(mcp, "get_track", {"target": track["urn"]})
    assert by_urn["title"] == track["title"]
    user_url = track["url"].rsplit("/", 1)[0]
    user = await call(mcp, "resolve_url", {"url": user_url})
    assert user["kind"] == "user"


async def test_errors_come_back_as_tool_errors_with_the_cli_types(mcp: ClientSession) -> None:
    missing = await call_error(mcp, "resolve_url",
                               {"url": "https://soundcloud.com/nobody-here/nothing"})
    assert missing["type"] == "not_found" and missing["retry_after"] is None
    bad = await call_error(mcp, "resolve_url", {"url": "https://example.com/x"})
    assert bad["type"] == "invalid_url"
    user = await call_error(mcp, "get_track", {"target": "https://soundcloud.com/echo-quartz"})
    assert user["type"] in {"invalid_argument", "not_found"}
