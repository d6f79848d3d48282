"""Signing in, against the emulator's OAuth servers, through the real client code: the loopback
callback, PKCE, the token exchange, refresh rotation, revocation, client credentials, pasted
session tokens, and ``browse mylikes`` reading what the signed-in user liked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from minion_tui.auth.flows import App, SoundCloudFlow, TokenRefused
from minion_tui.auth.grant import Grant
from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import AuthError, AuthRequired, RateLimited
from minion_tui.service import Service
from tests.integration.scripted_browser import Visit, visit_async


@pytest.fixture
async def signed(emulator: RunningEmulator, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    """A service over the emulator whose settings name the emulator's registered apps."""
    monkeypatch.setenv("SOUNDCLOUD_APP_ID", apps.SOUNDCLOUD_APP_ID)
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_SECRET", apps.SOUNDCLOUD_APP_SECRET)
    monkeypatch.setenv("MIXCLOUD_CLIENT_ID", apps.MIXCLOUD_APP_ID)
    monkeypatch.setenv("MIXCLOUD_CLIENT_SECRET", apps.MIXCLOUD_APP_SECRET)
    svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path / "data")
    yield svc
    await svc.aclose()


class Browser:
    """The scripted browser, remembering its visits; ``forged_state`` forges the callback."""

    def __init__(self, forged_state: str | None = None) -> None:
        self.visits: list[Visit] = []
        self.urls: list[str] = []
        self.forged_state = forged_state

    async def __call__(self, url: str) -> bool:
        self.urls.append(url)
        self.visits.append(await visit_async(url, forged_state=self.forged_state))
        return True


async def login(service: Service, provider: str = "soundcloud",
                browser: Browser | None = None) -> Any:
    announced: list[tuple[str, bool]] = []
    status = await service.accounts.login(
        provider, browser=True, announce=lambda url, opened: announced.append((url, opened)),
        open_browser=browser or Browser())
    assert announced and announced[0][1] is True
    return status


async def stored(service: Service, provider: str = "soundcloud") -> Grant:
    grant = await service.accounts._get(provider, "oauth")
    assert grant is not None
    return grant


def liked_titles(emulator: RunningEmulator, n: int) -> list[str]:
    me = int(emulator.oauth.user)
    likes = [a for a in emulator.social.likes[me] if a.kind == "track"][:n]
    return [emulator.catalog.tracks[a.target_id].title for a in likes]


async def my_likes(service: Service, limit: int = 5, provider: str | None = None) -> list[str]:
    titles: list[str] = []
    async for page in service.catalog.browse("mylikes", limit=limit, provider=provider):
        titles.extend(t.title for t in page.items)
    return titles


async def test_a_full_sign_in_round_trip_through_the_browser(
        signed: Service, emulator: RunningEmulator) -> None:
    browser = Browser()
    status = await login(signed, browser=browser)
    visit = browser.visits[0]
    # The browser was sent to the emulated secure.soundcloud.com with PKCE S256 and state,
    # and the consent page's redirect reached the loopback callback, which said so.
    url = httpx.URL(browser.urls[0])
    assert url.path.endswith("/sc-secure/authorize")
    assert url.params["code_challenge_method"] == "S256"
    assert len(url.params["code_challenge"]) == 43 and url.params["state"]
    assert url.params["redirect_uri"].startswith("http://127.0.0.1:")
    assert visit.authorize_status == 302 and visit.callback_status == 200
    assert "Signed in to SoundCloud" in visit.callback_page
    me = emulator.catalog.artists[int(emulator.oauth.user)]
    assert status.signed_in and status.user == me.username and status.expires_at
    grant = await stored(signed)
    assert emulator.oauth.user_of(grant.access_token) == emulator.oauth.user
    assert grant.refresh_token and grant.expires_at and grant.expires_at > time.time() + 3000
    assert emulator.oauth.issued.access == 1
    statuses = await signed.accounts.status()
    assert statuses["soundcloud"].signed_in and not statuses["mixcloud"].signed_in
    # and what the signed-in user liked reads back, newest first
    assert await my_likes(signed) == liked_titles(emulator, 5)


async def test_the_callback_takes_one_request_and_then_nobody_listens(
        signed: Service) -> None:
    browser = Browser()
    await login(signed, browser=browser)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=5) as client:
            await client.get(browser.visits[0].callback_url)


async def test_a_callback_with_the_wrong_state_is_refused(
        signed: Service, emulator: RunningEmulator) -> None:
    browser = Browser(forged_state="forged-by-someone-else")
    with pytest.raises(AuthError, match="state does not match"):
        await login(signed, browser=browser)
    assert browser.visits[0].callback_status == 400
    assert "state" in browser.visits[0].callback_page
    assert emulator.oauth.issued.access == 0  # the code was never exchanged
    assert not (await signed.accounts.status())["soundcloud"].signed_in


async def test_an_expiring_token_is_refreshed_and_the_old_refresh_token_is_refused(
        signed: Service, emulator: RunningEmulator) -> None:
    await login(signed)
    before = await stored(signed)
    # an hour on, for the server and the client alike
    emulator.oauth.advance(3600)
    signed.accounts.clock = lambda: time.time() + 3600
    assert await my_likes(signed, 3) == liked_titles(emulator, 3)
    after = await stored(signed)
    assert emulator.oauth.issued.refreshed == 1
    assert after.refresh_token != before.refresh_token
    assert after.access_token != before.access_token and after.user == before.user
    # the spent refresh token is refused by the server (and spending it ends the grant)
    flow = SoundCloudFlow(signed._core.http,
                          App(apps.SOUNDCLOUD_APP_ID, apps.SOUNDCLOUD_APP_SECRET))
    with pytest.raises(TokenRefused) as refused:
        await flow.refresh(before)
    assert refused.value.error == "invalid_grant"
    assert emulator.oauth.issued.refused == ["invalid_grant"]


async def test_two_services_refreshing_at_once_spend_the_refresh_token_once(
        signed: Service, emulator: RunningEmulator, tmp_path: Path) -> None:
    await login(signed)
    other = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path / "data")
    try:
        emulator.oauth.advance(3600)
        for svc in (signed, other):
            svc.accounts.clock = lambda: time.time() + 3600
        first, second = await asyncio.gather(signed.accounts.token("soundcloud", "oauth"),
                                             other.accounts.token("soundcloud", "oauth"))
    finally:
        await other.aclose()
    assert first == second and first is not None
    assert emulator.oauth.issued.refreshed == 1 and emulator.oauth.issued.refused == []
    assert emulator.oauth.user_of(first) == emulator.oauth.user


async def test_a_revoked_sign_in_asks_to_sign_in_again(
        signed: Service, emulator: RunningEmulator) -> None:
    await login(signed)
    emulator.oauth.revoke((await stored(signed)).access_token)
    with pytest.raises(AuthRequired) as needed:
        await my_likes(signed)
    assert needed.value.type == "auth_required"
    assert "no longer accepts your sign-in" in needed.value.text
    assert "minion-tui auth login soundcloud" in needed.value.text
    assert not (await signed.accounts.status())["soundcloud"].signed_in


async def test_mylikes_without_a_sign_in_says_which_login_to_run(signed: Service) -> None:
    with pytest.raises(AuthRequired, match="auth login soundcloud"):
        await my_likes(signed)
    with pytest.raises(AuthRequired, match="auth login mixcloud"):
        await my_likes(signed, provider="mixcloud")


async def test_mixcloud_sign_in_and_favourites(
        signed: Service, emulator: RunningEmulator) -> None:
    browser = Browser()
    status = await login(signed, "mixcloud", browser=browser)
    url = httpx.URL(browser.urls[0])
    assert url.path.endswith("/mc-web/oauth/authorize") and url.params["state"]
    assert status.signed_in and status.user == "quietlistener" and status.expires_at is None
    favourites = await my_likes(signed, 4, provider="mixcloud")
    public: list[str] = []
    async for page in signed.catalog.browse("likes", "https://www.mixcloud.com/quietlistener/",
                                            limit=4):
        public.extend(t.title for t in page.items)
    assert favourites == public and len(favourites) == 4
    # revoked at Mixcloud: there is no refresh, so it asks for a new sign-in
    emulator.mixcloud.oauth.revoke((await stored(signed, "mixcloud")).access_token)
    with pytest.raises(AuthRequired, match="auth login mixcloud"):
        await my_likes(signed, provider="mixcloud")


async def test_client_credentials_are_cached_and_the_cap_is_met_with_a_clear_error(
        signed: Service, emulator: RunningEmulator) -> None:
    first = await signed.accounts.token("soundcloud", "client")
    again = await signed.accounts.token("soundcloud", "client")
    assert first == again and emulator.oauth.issued.client_credentials == 1
    track = emulator.catalog.examples["track_full"]
    resolved = await signed.catalog.resolve(track)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(
            f"{emulator.url}/sc-api/tracks/soundcloud:tracks:{resolved.id}",
            headers={"Authorization": f"OAuth {first}"})
    assert answer.status_code == 200 and answer.json()["title"] == resolved.title
    emulator.oauth.client_credentials_per_hour = 1
    await signed.accounts._drop("soundcloud", "client")
    with pytest.raises(RateLimited, match="tokens per hour"):
        await signed.accounts.token("soundcloud", "client")


async def test_a_pasted_session_token_reads_likes_through_api_v2(
        signed: Service, emulator: RunningEmulator) -> None:
    status = await signed.accounts.paste_token("soundcloud", " demo-oauth-token \n")
    me = emulator.catalog.artists[emulator.state.oauth_tokens["demo-oauth-token"]]
    assert status.signed_in and status.user == me.username and status.expires_at is None
    assert await my_likes(signed, 3) == liked_titles(emulator, 3)
    with pytest.raises(AuthError):
        await signed.accounts.paste_token("soundcloud", "not-a-session-of-anyone")
