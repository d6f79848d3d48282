"""Fixtures of the write tools' tests: a service whose settings name the emulator's registered
apps (so signing in works), signed in to SoundCloud and Mixcloud through the real OAuth flow
against the emulator's authorization servers (the scripted browser approves), and an MCP
session over it. Import the fixtures by name into a test module. The signed-in user, a listed
track of someone else's, its URN and the user's page are the CLI write tests' helpers
(tests/integration/test_writes_cli.py), re-exported here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.integration.test_auth_flow import Browser
from tests.integration.test_writes_cli import MC_USER as MC_USER
from tests.integration.test_writes_cli import late_set_kept as late_set_kept
from tests.integration.test_writes_cli import listed as listed
from tests.integration.test_writes_cli import me as me
from tests.integration.test_writes_cli import my_url as my_url
from tests.integration.test_writes_cli import unfavourited_show as unfavourited_show
from tests.integration.test_writes_cli import urn as urn
from tests.mcp.harness import connect


def registered_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCLOUD_APP_ID", apps.SOUNDCLOUD_APP_ID)
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_SECRET", apps.SOUNDCLOUD_APP_SECRET)
    monkeypatch.setenv("MIXCLOUD_CLIENT_ID", apps.MIXCLOUD_APP_ID)
    monkeypatch.setenv("MIXCLOUD_CLIENT_SECRET", apps.MIXCLOUD_APP_SECRET)


async def sign_in(service: Service, provider: str) -> None:
    """The browser sign-in as a user does it (the tools never do it)."""
    await service.accounts.login(provider, browser=True, announce=lambda url, opened: None,
                                 open_browser=Browser())


async def open_signed(emulator: RunningEmulator, data: Path, *providers: str) -> Service:
    svc = Service.open(endpoints=emulator.endpoints, data_dir=data)
    for provider in providers:
        await sign_in(svc, provider)
    return svc


@pytest.fixture
async def anon_service(emulator: RunningEmulator, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    """Apps registered, nobody signed in."""
    registered_apps(monkeypatch)
    svc = await open_signed(emulator, tmp_path / "anon")
    yield svc
    await svc.aclose()


@pytest.fixture
async def signed_service(emulator: RunningEmulator, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Service]:
    """Signed in to both services."""
    registered_apps(monkeypatch)
    svc = await open_signed(emulator, tmp_path / "signed", "soundcloud", "mixcloud")
    yield svc
    await svc.aclose()


@pytest.fixture
async def signed(signed_service: Service) -> AsyncIterator[ClientSession]:
    async with connect(signed_service) as session:
        yield session


@pytest.fixture
async def anon(anon_service: Service) -> AsyncIterator[ClientSession]:
    async with connect(anon_service) as session:
        yield session


async def read_all(service: Service, listing: str, target: str | None = None, *,
                   provider: str | None = None, most: int = 50) -> list[Any]:
    """A public read through the service: the first ``most`` items of a listing."""
    found: list[Any] = []
    async for page in service.catalog.browse(listing, target, limit=most, provider=provider):
        found.extend(page.items)
        if len(found) >= most:
            break
    return found[:most]
