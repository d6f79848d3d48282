"""``download --format original`` with the account signed in through ``auth login`` (no
configured token): real processes against the emulator. The uploader's bytes arrive under
their own name; the token, refreshed first when it is about to expire, goes to api-v2's
download endpoint only — the CDN the answer points at never sees it, nor the client id. Signed
out, or a track that offers no original: the clear note, and the best stream instead."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator
from tests.integration.request_log import wrap
from tests.integration.test_auth_cli import env as env
from tests.integration.test_auth_cli import run, secrets_file
from tests.integration.test_writes_cli import login

pytestmark = pytest.mark.usefixtures("isolated_env")


class Heard:
    """ASGI middleware keeping (path, query, Authorization header) of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, str | None]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            said = headers.get(b"authorization")
            with self._lock:
                self.requests.append((scope["path"], scope.get("query_string", b"").decode(),
                                      said.decode() if said is not None else None))
        await self.app(scope, receive, send)


def listen(emulator: RunningEmulator) -> Heard:
    return wrap(emulator, Heard)


def events(done: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def stored_token(isolated_env: Path) -> str:
    grant = json.loads(json.loads(secrets_file(isolated_env).read_text())["soundcloud:oauth"])
    return str(grant["access_token"])


def test_signed_in_with_auth_login_the_original_downloads_and_only_api_v2_sees_the_token(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path,
        tmp_path: Path) -> None:
    url = emulator.examples["track_downloadable"]
    login(env)
    # the access token is about to expire: the download refreshes it first
    path = secrets_file(isolated_env)
    stored = json.loads(path.read_text())
    grant = json.loads(stored["soundcloud:oauth"])
    old = grant["access_token"]
    grant["expires_at"] = time.time() + 5
    stored["soundcloud:oauth"] = json.dumps(grant)
    path.write_text(json.dumps(stored))
    refreshed = emulator.oauth.issued.refreshed
    heard = listen(emulator)
    done = run(env, "download", url, "--format", "original", "--dir", str(tmp_path / "out"),
               "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    [finished] = [e for e in events(done) if e["event"] == "done"]
    saved = Path(finished["path"])
    assert saved.name.endswith("(Final Master).mp3") and finished.get("reason", "") == ""
    assert emulator.oauth.issued.refreshed == refreshed + 1
    fresh = stored_token(isolated_env)
    assert fresh != old
    asked = [r for r in heard.requests if r[0].startswith("/sc-api-v2/tracks/")
             and r[0].endswith("/download")]
    assert asked and all(r[2] == f"OAuth {fresh}" for r in asked), asked
    # the signed URL's host (the CDN) got neither the token nor the client id
    cdn = [r for r in heard.requests if not r[0].startswith(("/sc-api", "/sc-secure",
                                                              "/sc-web"))]
    assert cdn, heard.requests
    assert all(r[2] is None for r in cdn), cdn
    assert all("client_id" not in r[1] and fresh not in r[1] for r in cdn), cdn
    # the bytes are the ones the CDN serves for the original, untouched
    original = [r for r in cdn if "response-content-disposition" in r[1]]
    assert original and saved.stat().st_size > 0
    assert fresh not in done.stdout + done.stderr and old not in done.stdout + done.stderr


def test_signed_out_or_not_offered_says_why_and_downloads_the_stream(
        env: dict[str, str], emulator: RunningEmulator, tmp_path: Path) -> None:
    offered = emulator.examples["track_downloadable"]
    plain = emulator.examples["track_full"]
    anonymous = run(env, "download", offered, "--format", "original", "--dir",
                    str(tmp_path / "a"), "--json")
    assert anonymous.returncode == 0, (anonymous.stdout, anonymous.stderr)
    [done] = [e for e in events(anonymous) if e["event"] == "done"]
    assert "needs a signed-in SoundCloud account" in done["reason"]
    assert not done["path"].endswith("(Final Master).mp3")
    login(env)
    refused = run(env, "download", plain, "--format", "original", "--dir",
                  str(tmp_path / "b"), "--json")
    assert refused.returncode == 0, (refused.stdout, refused.stderr)
    [done] = [e for e in events(refused) if e["event"] == "done"]
    assert "does not offer the original file" in done["reason"]
