"""``auth logout`` revokes where the service can: real processes against the emulator. A
SoundCloud sign-out is ``POST /sign-out`` with the token, after which the emulator refuses the
access token and its refresh token; offline, the sign-in is forgotten here all the same and
the output says it was not revoked. Mixcloud has no revoke API: the output says so and points
at its applications page. ``--json`` keeps the status fields and adds ``revoked`` and
``revoke_url``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from tests.integration.test_auth_cli import STATUS_KEYS, ok_json, run, secrets_file
from tests.integration.test_auth_cli import env as env
from tests.integration.test_writes_cli import login

pytestmark = pytest.mark.usefixtures("isolated_env")
APPS_PAGE = "https://www.mixcloud.com/settings/applications/"


def _grant(isolated_env: Path, key: str) -> dict[str, str]:
    grant: dict[str, str] = json.loads(json.loads(secrets_file(isolated_env).read_text())[key])
    return grant


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_soundcloud_logout_revokes_the_token_at_the_service(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    login(env)
    grant = _grant(isolated_env, "soundcloud:oauth")
    token, refresh = grant["access_token"], grant["refresh_token"]
    assert emulator.oauth.user_of(token) is not None
    done = ok_json(run(env, "auth", "logout", "soundcloud", "--json"))
    assert done == {"soundcloud": {"signed_in": False, "user": None, "scopes": [],
                                   "expires_at": None, "revoked": True, "revoke_url": None}}
    assert set(done["soundcloud"]) == STATUS_KEYS | {"revoked", "revoke_url"}
    # the emulator refuses that token now, and the refresh token of the same grant
    assert emulator.oauth.user_of(token) is None
    with httpx.Client(timeout=20) as client:
        me = client.get(f"{emulator.url}/sc-api/me", headers={"Authorization": f"OAuth {token}"})
        assert me.status_code == 401
        renewed = client.post(f"{emulator.url}/sc-secure/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh,
            "client_id": apps.SOUNDCLOUD_APP_ID, "client_secret": apps.SOUNDCLOUD_APP_SECRET})
        assert renewed.status_code == 400 and "invalid_grant" in renewed.text
    assert "soundcloud:oauth" not in json.loads(secrets_file(isolated_env).read_text())
    # said in words without --json; signed out already: nothing to revoke
    again = run(env, "auth", "logout", "soundcloud")
    assert again.returncode == 0 and "Was not signed in to SoundCloud" in again.stderr
    login(env)
    said = run(env, "auth", "logout", "soundcloud")
    assert said.returncode == 0 and "SoundCloud revoked the sign-in" in said.stderr


def test_soundcloud_logout_offline_forgets_here_and_says_it_was_not_revoked(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    login(env)
    token = _grant(isolated_env, "soundcloud:oauth")["access_token"]
    dead = f"http://127.0.0.1:{_closed_port()}/sc-api"
    offline = ",".join(f"https://api.soundcloud.com={dead}" if pair.startswith(
        "https://api.soundcloud.com=") else pair for pair in env["MINION_ENDPOINTS"].split(","))
    done = run(env, "auth", "logout", "soundcloud", "--json",
               extra={"MINION_ENDPOINTS": offline})
    assert done.returncode == 0, (done.stdout, done.stderr)
    entry = json.loads(done.stdout)["soundcloud"]
    assert entry["signed_in"] is False and entry["revoked"] is False
    assert emulator.oauth.user_of(token) is not None  # never reached: still valid there
    assert ok_json(run(env, "auth", "status", "--json"))["soundcloud"]["signed_in"] is False
    login(env)
    said = run(env, "auth", "logout", "soundcloud", extra={"MINION_ENDPOINTS": offline})
    assert said.returncode == 0
    assert "the sign-in was not revoked at SoundCloud" in said.stderr
    assert "forgotten here only" in said.stderr
    assert token not in said.stdout + said.stderr + done.stdout + done.stderr


def test_mixcloud_logout_says_there_is_no_revoke_and_where_to_disconnect(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    login(env, "mixcloud")
    token = _grant(isolated_env, "mixcloud:oauth")["access_token"]
    done = ok_json(run(env, "auth", "logout", "mixcloud", "--json"))
    assert done["mixcloud"]["revoked"] is False and done["mixcloud"]["signed_in"] is False
    assert done["mixcloud"]["revoke_url"] == APPS_PAGE
    assert emulator.mixcloud.oauth.user_of(token) is not None  # Mixcloud was not told
    login(env, "mixcloud")
    said = run(env, "auth", "logout", "mixcloud")
    assert said.returncode == 0
    assert "not revoked at Mixcloud" in said.stderr and APPS_PAGE in said.stderr
    assert "no way to revoke" in said.stderr
    nobody = ok_json(run(env, "auth", "logout", "mixcloud", "--json"))
    assert nobody["mixcloud"]["revoked"] is False and nobody["mixcloud"]["revoke_url"] is None
