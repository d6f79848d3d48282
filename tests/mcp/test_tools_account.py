"""account_status over a real MCP session: nobody signed in, then signed in through the
emulator's OAuth servers (the user, scopes, expiry — and never a token, in the structured
result or its text), and SoundCloud's budgets as counted (remaining per window)."""

from __future__ import annotations

import json

from mcp.client.session import ClientSession

from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.mcp.harness import call, connect
from tests.mcp.signed import anon, anon_service, me, sign_in

__all__ = ["anon", "anon_service"]

CALLED = {"account_status"}


async def test_nobody_signed_in_and_full_budgets(anon: ClientSession) -> None:
    status = await call(anon, "account_status")
    by = {a["provider"]: a for a in status["accounts"]}
    assert list(by) == ["soundcloud", "mixcloud"]
    assert all(not a["signed_in"] and a["user"] is None and a["expires_at"] is None
               for a in by.values())
    budgets = {b["name"]: b for b in by["soundcloud"]["budgets"]}
    assert budgets["streams"] == {"name": "streams", "used": 0, "limit": 15_000,
                                  "remaining": 15_000, "window_s": 86_400, "resets_at": None}
    assert budgets["client_credentials"]["limit"] == 50
    assert budgets["client_credentials_ip"]["window_s"] == 3600
    assert by["mixcloud"]["budgets"] == []


async def test_signed_in_shows_who_until_when_and_what_is_left_never_a_token(
        anon_service: Service, emulator: RunningEmulator) -> None:
    await sign_in(anon_service, "soundcloud")
    await sign_in(anon_service, "mixcloud")
    for _ in range(3):
        await anon_service.budgets.spend("soundcloud", "streams")
    async with connect(anon_service) as session:
        result = await session.call_tool("account_status", {})
        status = await call(session, "account_status")
    by = {a["provider"]: a for a in status["accounts"]}
    user = emulator.catalog.artists[me(emulator)].username
    assert by["soundcloud"]["signed_in"] and by["soundcloud"]["user"] == user
    assert by["soundcloud"]["expires_at"] and by["soundcloud"]["expires_at"].endswith("Z")
    assert by["mixcloud"]["signed_in"] and by["mixcloud"]["expires_at"] is None
    streams = next(b for b in by["soundcloud"]["budgets"] if b["name"] == "streams")
    assert (streams["used"], streams["remaining"]) == (3, 14_997)
    assert streams["resets_at"] and streams["resets_at"].endswith("Z")
    text = result.content[0].text  # type: ignore[union-attr]
    assert f"signed in as {user}" in text and "14,997 of 15,000" in text
    shown = json.dumps(result.structured_content) + text
    for provider in ("soundcloud", "mixcloud"):
        grant = await anon_service.accounts._get(provider, "oauth")
        assert grant is not None and grant.access_token
        assert grant.access_token not in shown
        if grant.refresh_token:
            assert grant.refresh_token not in shown
