"""The user tools, user searches and autocomplete over a real MCP session against the
emulator."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.expected import browsed
from tests.mcp.harness import call, call_error, page_all

CALLED = {"get_user", "user_tracks", "user_likes", "user_reposts", "user_playlists",
          "user_albums", "user_followings", "user_followers", "user_listing", "search_users",
          "search_playlists", "search_tags", "autocomplete"}


async def test_get_user_on_both_services(mcp: ClientSession, emulator: Any) -> None:
    sc = await call(mcp, "get_user", {"target": emulator.examples["user"]})
    assert sc["kind"] == "user" and sc["username"] and sc["urn"].startswith("soundcloud:users:")
    again = await call(mcp, "get_user", {"target": sc["urn"]})
    assert again["urn"] == sc["urn"]
    mc = await call(mcp, "get_user", {"target": emulator.examples["mc_user"]})
    assert mc["provider"] == "mixcloud" and mc["kind"] == "user"
    track = await call_error(mcp, "get_user", {"target": emulator.examples["track_full"]})
    assert track["type"] == "invalid_argument" and "not a user" in track["message"]


async def test_named_user_listings_match_the_service(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    user = emulator.examples["user"]
    for tool, listing, kind in (("user_tracks", "tracks", "track"),
                                ("user_likes", "likes", "track"),
                                ("user_reposts", "reposts", "track"),
                                ("user_playlists", "playlists", "playlist"),
                                ("user_albums", "albums", "playlist"),
                                ("user_followings", "followings", "user"),
                                ("user_followers", "followers", "user")):
        page = await call(mcp, tool, {"target": user, "limit": 6})
        expected = await browsed(mcp_service, listing, user, n=6)
        assert [i["urn"] for i in page["items"]] == [i.urn for i in expected], tool
        assert page["items"] and kind in {i["kind"] for i in page["items"]}, tool
        assert {i["kind"] for i in page["items"]} <= {kind, "playlist"}, tool
    # literal calls too, so the coverage check sees each name called
    assert (await call(mcp, "user_tracks", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_likes", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_reposts", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_playlists", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_albums", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_followings", {"target": user, "limit": 1}))["items"]
    assert (await call(mcp, "user_followers", {"target": user, "limit": 1}))["items"]


async def test_user_listings_on_mixcloud_and_the_ones_a_service_lacks(
        mcp: ClientSession, mcp_service: Service, emulator: Any) -> None:
    mc = emulator.examples["mc_user"]
    shows = await page_all(mcp, "user_tracks", {"target": mc, "limit": 30})
    expected = await browsed(mcp_service, "tracks", mc)
    assert [t["urn"] for t in shows] == [t.urn for t in expected]
    refused = await call_error(mcp, "user_reposts", {"target": mc})
    assert refused["type"] == "invalid_argument" and "reposts" in refused["message"]
    listens = await call(mcp, "user_listing", {"target": mc, "listing": "listens", "limit": 3})
    assert [t["urn"] for t in listens["items"]] == [
        t.urn for t in await browsed(mcp_service, "listens", mc, n=3)]
    top = await call(mcp, "user_listing", {"target": emulator.examples["user"],
                                           "listing": "toptracks", "limit": 2})
    assert len(top["items"]) == 2 and top["items"][0]["kind"] == "track"
    unknown = await call_error(mcp, "user_listing", {"target": mc, "listing": "sets"})
    assert unknown["type"] == "invalid_argument" and "one of" in unknown["message"]
    lacking = await call_error(mcp, "user_listing", {"target": mc, "listing": "toptracks"})
    assert lacking["type"] == "invalid_argument"
    assert "mixcloud" in lacking["message"].lower() and "toptracks" in lacking["message"]


async def test_search_users_playlists_and_tags(mcp: ClientSession, mcp_service: Service,
                                               emulator: Any) -> None:
    user = await call(mcp, "get_user", {"target": emulator.examples["user"]})
    word = user["username"].split()[0]
    found = await call(mcp, "search_users", {"query": word, "limit": 10})
    assert user["urn"] in {u["urn"] for u in found["items"]}
    assert {u["kind"] for u in found["items"]} == {"user"}
    mc = await call(mcp, "search_users", {"query": "night", "provider": "mixcloud"})
    assert mc["items"] and {u["provider"] for u in mc["items"]} == {"mixcloud"}
    playlist = await call(mcp, "get_playlist", {"target": emulator.examples["set_small"]})
    sets = await page_all(mcp, "search_playlists", {"query": playlist["title"], "limit": 50})
    assert playlist["urn"] in {p["urn"] for p in sets}
    assert {p["kind"] for p in sets} == {"playlist"}
    album = await call(mcp, "get_playlist", {"target": emulator.examples["album"]})
    albums = await page_all(mcp, "search_playlists", {"query": album["title"],
                                                      "albums": True, "limit": 50})
    assert album["urn"] in {p["urn"] for p in albums}
    assert all(p["is_album"] for p in albums)
    tags = await call(mcp, "search_tags", {"query": "house"})
    assert tags["items"] and all("house" in t["name"].lower() for t in tags["items"])
    assert "deep-house" in {t["slug"] for t in (await page_all(
        mcp, "search_tags", {"query": "deep house"}))}
    blank = await call_error(mcp, "search_users", {"query": "  "})
    assert blank["type"] == "invalid_argument" and "blank" in blank["message"]


async def test_autocomplete_suggests_on_soundcloud_and_nothing_on_mixcloud(
        mcp: ClientSession, mcp_service: Service) -> None:
    expected = await mcp_service.catalog.autocomplete("ra", limit=5)
    got = await call(mcp, "autocomplete", {"query": "ra", "limit": 5})
    assert got["suggestions"] == expected and len(expected) == 5
    assert got["provider"] == "soundcloud"
    mixcloud = await call(mcp, "autocomplete", {"query": "ra", "provider": "mixcloud"})
    assert mixcloud["suggestions"] == []
    huge = await call_error(mcp, "autocomplete", {"query": "ra", "limit": 500})
    assert huge["type"] == "invalid_argument"
