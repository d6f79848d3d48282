"""validate_url and list_providers over a real MCP session (no request is made)."""

from __future__ import annotations

from typing import Any

from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.mcp.harness import call, call_error

CALLED = {"validate_url", "list_providers"}


async def test_validate_url_says_provider_and_kind(mcp: ClientSession, emulator: Any) -> None:
    cases = [
        (emulator.examples["track_full"], "soundcloud", "track"),
        (emulator.examples["user"], "soundcloud", "user"),
        (emulator.examples["set_small"], "soundcloud", "playlist"),
        (emulator.examples["short_link"], "soundcloud", "short_link"),
        (emulator.examples["tag"], "soundcloud", "tag"),
        ("soundcloud:tracks:123", "soundcloud", "track"),
        ("soundcloud.com/echo-quartz/machine-of-brooklyn", "soundcloud", "track"),
        (emulator.examples["mc_user"], "mixcloud", "user"),
        (emulator.examples["mc_show_tracks"], "mixcloud", "track"),
        (emulator.examples["mc_live"], "mixcloud", "live"),
        (emulator.examples["mc_tag"], "mixcloud", "tag"),
    ]
    for url, provider, kind in cases:
        got = await call(mcp, "validate_url", {"url": url})
        assert got["valid"] and (got["provider"], got["kind"]) == (provider, kind), (url, got)
        assert got["message"] is None
    tab = await call(mcp, "validate_url", {"url": emulator.examples["user"] + "/likes"})
    assert tab["valid"] and tab["kind"] == "user_tab" and tab["listing"] == "likes"


async def test_validate_url_explains_what_is_wrong(mcp: ClientSession,
                                                   mcp_service: Service) -> None:
    for url, provider in (("https://example.com/x", None),
                          ("soundcloud:tracks:abc", "soundcloud"),
                          ("https://soundcloud.com/", "soundcloud"),
                          ("https://user:pw@soundcloud.com/a/b", "soundcloud")):
        got = await call(mcp, "validate_url", {"url": url})
        assert not got["valid"] and got["kind"] is None and got["message"], (url, got)
        assert got["provider"] == provider, (url, got)
        assert "pw" not in got["message"] or "password" in got["message"]
    for bad in ("", "   ", "x" * 70_000):
        error = await call_error(mcp, "validate_url", {"url": bad})
        assert error["type"] == "invalid_argument"


async def test_list_providers_gives_each_services_capabilities(
        mcp: ClientSession, mcp_service: Service) -> None:
    got = await call(mcp, "list_providers")
    names = [p["name"] for p in got["providers"]]
    assert names == ["soundcloud", "mixcloud"]
    sc, mc = got["providers"]
    assert sc["charts"] == ["trending"] and "station" in sc["track_listings"]
    assert sc["autocomplete"] is True and mc["autocomplete"] is False
    assert mc["charts"] == list(mcp_service.catalog.capabilities("mixcloud").charts)
    assert "tracklist" in mc["track_listings"] and mc["title"] == "Mixcloud"
