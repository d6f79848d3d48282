"""SoundCloud's request budgets (docs/accounts.md §7) as a user meets them: real CLI processes
against the emulator, the counts in the real database. Two runs add up; at 90 % the app says
so and still asks; at the limit it refuses by itself (``rate_limited`` with ``retry_after``)
and the emulator sees no stream request; a signed-in user has a budget of their own; client
credentials are counted where the token is asked for."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from minion_tui import config
from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.emulator.state import DEFAULT_OAUTH_TOKEN
from minion_tui.errors import RateLimited
from minion_tui.service import Service
from minion_tui.store import Store
from minion_tui.store import budgets as budget_rows
from tests.integration.test_auth_cli import STATUS_KEYS, ok_json, run

STREAMS = "soundcloud:streams"


@pytest.fixture
def env(emulator: RunningEmulator, isolated_env: Path, tmp_path: Path) -> dict[str, str]:
    import os

    home = tmp_path / "home"
    home.mkdir()
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "HOME": str(home), "PYTHONPATH": str(root),
            "MINION_ENDPOINTS": emulator.endpoints_env,
            "SOUNDCLOUD_APP_ID": apps.SOUNDCLOUD_APP_ID,
            "SOUNDCLOUD_CLIENT_SECRET": apps.SOUNDCLOUD_APP_SECRET}


def database(isolated_env: Path) -> Path:
    return isolated_env / "data" / "minion-tui" / "minion.db"


def spent_already(isolated_env: Path, budget: str, owner: str, count: int,
                  *, ago: float = 100.0) -> float:
    """``count`` earlier requests in the real table (as earlier runs would have left them);
    returns when they were made."""
    at = time.time() - ago
    store = Store.open(database(isolated_env))
    try:
        with store.transaction() as conn:
            conn.executemany("INSERT INTO budget_spends (budget, owner, at) VALUES (?, ?, ?)",
                             [(budget, owner, at)] * count)
    finally:
        store.close()
    return at


def media_calls(emulator: RunningEmulator) -> list[str]:
    return [p for p in emulator.state.api_calls if p.startswith("/media/")]


def streams_budget(env: dict[str, str]) -> dict[str, object]:
    status = ok_json(run(env, "auth", "status", "--json"))
    assert set(status["soundcloud"]) == STATUS_KEYS | {"budgets"}
    assert set(status["mixcloud"]) == STATUS_KEYS  # Mixcloud publishes no such limits
    budget: dict[str, object] = status["soundcloud"]["budgets"]["streams"]
    return budget


def test_auth_status_shows_every_budget(env: dict[str, str]) -> None:
    budgets = ok_json(run(env, "auth", "status", "--json"))["soundcloud"]["budgets"]
    assert budgets == {
        "streams": {"used": 0, "limit": 15000, "window_s": 86400, "resets_at": None},
        "client_credentials": {"used": 0, "limit": 50, "window_s": 43200, "resets_at": None},
        "client_credentials_ip": {"used": 0, "limit": 30, "window_s": 3600,
                                  "resets_at": None},
    }
    text = run(env, "auth", "status")
    assert text.returncode == 0
    assert "streams\t0\t15,000\t24 h" in text.stdout


def test_two_runs_add_up(env: dict[str, str], emulator: RunningEmulator) -> None:
    track = emulator.examples["track_full"]
    ok_json(run(env, "stream", track, "--json"))
    first = len(media_calls(emulator))
    assert first >= 1
    assert streams_budget(env)["used"] == first
    ok_json(run(env, "stream", track, "--json"))
    total = len(media_calls(emulator))
    assert total > first
    budget = streams_budget(env)
    assert budget["used"] == total  # every stream request of both processes, counted once
    assert isinstance(budget["resets_at"], str) and budget["resets_at"].endswith("Z")


def test_near_the_limit_the_app_warns_then_refuses_by_itself(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    track = emulator.examples["track_full"]
    spent_already(isolated_env, STREAMS, "anonymous", 13_000)
    quiet = run(env, "stream", track, "--json")
    assert quiet.returncode == 0 and "warning" not in quiet.stderr  # under 90 %: nothing said
    per_run = len(media_calls(emulator))
    spent_already(isolated_env, STREAMS, "anonymous", 13_499 - 13_000 - per_run)
    assert streams_budget(env)["used"] == 13_499  # one short of 90 %
    warned = run(env, "stream", track, "--json")
    assert warned.returncode == 0  # still asked: the warning comes first
    assert "warning: SoundCloud stream requests:" in warned.stderr
    assert "of 15,000 per 24 h used (without a sign-in)" in warned.stderr
    used = streams_budget(env)["used"]
    assert isinstance(used, int) and used == 13_499 + per_run
    # the rest of the day's budget was used elsewhere: the next run does not ask at all
    spent_already(isolated_env, STREAMS, "anonymous", 15_000 - used)
    assert streams_budget(env)["used"] == 15_000
    before = len(media_calls(emulator))
    refused = run(env, "stream", track, "--json")
    assert refused.returncode == 1
    error = json.loads(refused.stdout)["error"]
    assert error["type"] == "rate_limited"
    assert "15,000 stream requests per 24 h" in error["message"]
    assert 80_000 < error["retry_after"] <= 86_400  # when the oldest counted one expires
    assert len(media_calls(emulator)) == before  # no stream request reached the service
    assert streams_budget(env)["used"] == 15_000  # a refusal spends nothing


def test_a_signed_in_user_counts_on_a_budget_of_their_own(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    track = emulator.examples["track_full"]
    ok_json(run(env, "stream", track, "--json"))
    spent_already(isolated_env, STREAMS, "anonymous", 15_000)
    assert json.loads(run(env, "stream", track, "--json").stdout)["error"]["type"] == \
        "rate_limited"
    pasted = ok_json(run(env, "auth", "token", "soundcloud", "--json",
                         stdin=DEFAULT_OAUTH_TOKEN))
    user = pasted["soundcloud"]["user"]
    assert user
    before = len(media_calls(emulator))
    ok_json(run(env, "stream", track, "--json"))
    spent = len(media_calls(emulator)) - before
    assert spent >= 1
    assert streams_budget(env) == {**streams_budget(env), "used": spent}
    store = Store.open(database(isolated_env))
    try:
        owners = dict(store._read(
            "SELECT owner, count(*) FROM budget_spends WHERE budget = ? GROUP BY owner",
            (STREAMS,)))
    finally:
        store.close()
    assert owners[f"user:{user}"] == spent and owners["anonymous"] >= 15_000


async def test_client_credentials_are_counted_where_the_token_is_asked_for(
        emulator: RunningEmulator, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    monkeypatch.setenv("SOUNDCLOUD_APP_ID", apps.SOUNDCLOUD_APP_ID)
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_SECRET", apps.SOUNDCLOUD_APP_SECRET)
    service = Service.open(settings=config.load_settings())
    try:
        assert await service.accounts.token("soundcloud", "client")
        assert await service.accounts.token("soundcloud", "client")  # cached: not asked again
        status = await service.budgets.status("soundcloud")
    finally:
        await service.aclose()
    assert emulator.oauth.issued.client_credentials == 1
    assert status["client_credentials"]["used"] == 1
    assert status["client_credentials_ip"]["used"] == 1
    assert status["streams"]["used"] == 0


async def test_the_hourly_client_credentials_cap_is_kept_locally(
        emulator: RunningEmulator, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    monkeypatch.setenv("SOUNDCLOUD_APP_ID", apps.SOUNDCLOUD_APP_ID)
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_SECRET", apps.SOUNDCLOUD_APP_SECRET)
    await asyncio.to_thread(spent_already, isolated_env, "soundcloud:client_credentials_ip",
                            "machine", 30, ago=600)
    service = Service.open(settings=config.load_settings())
    warnings: list[str] = []
    service.on_warning(warnings.append)
    try:
        with pytest.raises(RateLimited) as refused:
            await service.accounts.token("soundcloud", "client")
        status = await service.budgets.status("soundcloud")
    finally:
        await service.aclose()
    assert emulator.oauth.issued.client_credentials == 0  # the token endpoint was not asked
    assert "30 client-credentials tokens from this machine per hour" in refused.value.message
    assert refused.value.retry_after is not None and 2_900 < refused.value.retry_after <= 3_000
    assert status["client_credentials_ip"]["used"] == 30
    assert status["client_credentials"]["used"] == 0  # nothing was spent on either
    assert warnings == []


def test_spends_are_all_or_nothing_and_windows_roll(isolated_env: Path) -> None:
    store = Store.open(database(isolated_env))
    hour = budget_rows.Limit("t:hour", 2, 3600.0)
    day = budget_rows.Limit("t:day", 3, 86400.0)
    pairs = [(hour, "me"), (day, "me")]
    try:
        now = 1_000_000.0
        assert [u.used for u in budget_rows.spend(store, pairs, now)] == [1, 1]
        assert [u.used for u in budget_rows.spend(store, pairs, now + 10)] == [2, 2]
        full = budget_rows.spend(store, pairs, now + 20)
        assert [(u.used, u.refused) for u in full] == [(2, True), (2, False)]  # none spent
        assert full[0].resets_at == now + 3600
        later = budget_rows.spend(store, pairs, now + 3601)  # the first hour's first left
        assert [(u.used, u.refused) for u in later] == [(2, False), (3, False)]
        assert [u.used for u in budget_rows.usage(store, pairs, now + 3601)] == [2, 3]
        assert budget_rows.spend(store, [(hour, "someone else")], now + 3601)[0].used == 1
    finally:
        store.close()
