"""The signed-in user's listings over a real MCP session against the emulator: refused with
auth_required before a sign-in, the account's own items after (a pasted session token, as
``minion-tui auth token`` takes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.emulator import apps
from minion_tui.service import Service
from tests.integration.scripted_browser import visit_async
from tests.mcp.expected import browsed
from tests.mcp.harness import call, call_error, connect, page_all

CALLED = {"my_feed", "my_likes", "my_history", "my_playlists", "my_followings"}

TOOLS = (("my_feed", "feed"), ("my_likes", "mylikes"), ("my_history", "history"),
         ("my_playlists", "myplaylists"), ("my_followings", "myfollowings"))


async def test_without_a_sign_in_each_is_auth_required(mcp: ClientSession) -> None:
    assert (await call_error(mcp, "my_feed"))["type"] == "auth_required"
    assert (await call_error(mcp, "my_likes"))["type"] == "auth_required"
    assert (await call_error(mcp, "my_history"))["type"] == "auth_required"
    assert (await call_error(mcp, "my_playlists"))["type"] == "auth_required"
    followings = await call_error(mcp, "my_followings")
    assert followings["type"] == "auth_required" and "sign" in followings["message"].lower()
    mixcloud = await call_error(mcp, "my_likes", {"provider": "mixcloud"})
    assert mixcloud["type"] == "auth_required"
    wrong = await call_error(mcp, "my_history", {"provider": "mixcloud"})
    assert wrong["type"] == "invalid_argument" and "soundcloud" in wrong["message"]


@pytest.fixture
async def signed(emulator: Any, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    """A service signed in to SoundCloud through the emulator's OAuth consent page."""
    monkeypatch.setenv("SOUNDCLOUD_APP_ID", apps.SOUNDCLOUD_APP_ID)
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_SECRET", apps.SOUNDCLOUD_APP_SECRET)
    svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path / "data")

    async def browser(url: str) -> bool:
        await visit_async(url)
        return True

    status = await svc.accounts.login("soundcloud", browser=True,
                                      announce=lambda url, opened: None, open_browser=browser)
    assert status.signed_in
    yield svc
    await svc.aclose()


async def test_signed_in_the_account_listings_match_the_service(signed: Service) -> None:
    async with connect(signed) as mcp:
        await _signed_in_listings(mcp, signed)


async def _signed_in_listings(mcp: ClientSession, mcp_service: Service) -> None:
    for name, listing in TOOLS:
        page = await call(mcp, name, {"limit": 5})
        expected = await browsed(mcp_service, listing, n=5)
        assert [i["urn"] for i in page["items"]] == [i.urn for i in expected], name
    likes = await page_all(mcp, "my_likes", {"limit": 50})
    every = await browsed(mcp_service, "mylikes")
    assert [t["urn"] for t in likes] == [t.urn for t in every] and likes
    feed = await call(mcp, "my_feed", {"limit": 3})
    assert feed["items"] and {i["kind"] for i in feed["items"]} <= {"track", "playlist"}
    history = await call(mcp, "my_history", {"limit": 3})
    assert {i["kind"] for i in history["items"]} <= {"track"}
    playlists = await call(mcp, "my_playlists", {"limit": 3})
    assert {i["kind"] for i in playlists["items"]} <= {"playlist"}
    followings = await call(mcp, "my_followings", {"limit": 3})
    assert followings["items"] and {i["kind"] for i in followings["items"]} == {"user"}
