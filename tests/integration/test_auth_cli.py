"""``minion-tui auth …`` and ``browse mylikes`` as a user runs them: real processes against the
emulator, the system browser being the scripted one ($BROWSER), and where the tokens end up
(the keyring, or a 0600 file) and where they never do (config, logs, output, tracebacks)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from minion_tui.auth.grant import Grant
from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.net.spec import Credentials
from tests.adversarial.conftest import minion_command

BROWSER_SCRIPT = Path(__file__).with_name("scripted_browser.py")
STATUS_KEYS = {"signed_in", "user", "scopes", "expires_at"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(emulator: RunningEmulator, isolated_env: Path, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    base = {k: v for k, v in os.environ.items()
            if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")}
    return {**base, "HOME": str(home), "PYTHONPATH": str(ROOT),
            "MINION_ENDPOINTS": emulator.endpoints_env,
            "SOUNDCLOUD_APP_ID": apps.SOUNDCLOUD_APP_ID,
            "SOUNDCLOUD_CLIENT_SECRET": apps.SOUNDCLOUD_APP_SECRET,
            "MIXCLOUD_CLIENT_ID": apps.MIXCLOUD_APP_ID,
            "MIXCLOUD_CLIENT_SECRET": apps.MIXCLOUD_APP_SECRET,
            "BROWSER": f"{sys.executable} {BROWSER_SCRIPT} %s"}


def run(env: dict[str, str], *argv: str, stdin: str | None = None,
        extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*minion_command(), *argv], capture_output=True, text=True,
                          env={**env, **(extra or {})}, timeout=90, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def ok_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, (done.stdout, done.stderr)
    return json.loads(done.stdout)


def liked_titles(emulator: RunningEmulator, n: int) -> list[str]:
    me = int(emulator.oauth.user)
    likes = [a for a in emulator.social.likes[me] if a.kind == "track"][:n]
    return [emulator.catalog.tracks[a.target_id].title for a in likes]


def secrets_file(isolated_env: Path) -> Path:
    return isolated_env / "data" / "minion-tui" / "secrets.json"


def test_auth_status_json_is_exactly_the_documented_shape(env: dict[str, str]) -> None:
    status = ok_json(run(env, "auth", "status", "--json"))
    assert set(status) == {"soundcloud", "mixcloud"}
    # SoundCloud's also says where its request budgets stand (test_budgets.py)
    assert set(status["soundcloud"].pop("budgets")) == {"streams", "client_credentials",
                                                        "client_credentials_ip"}
    for entry in status.values():
        assert set(entry) == STATUS_KEYS
        assert entry == {"signed_in": False, "user": None, "scopes": [], "expires_at": None}


def test_login_through_the_browser_then_mylikes(env: dict[str, str], tmp_path: Path,
                                                emulator: RunningEmulator,
                                                isolated_env: Path) -> None:
    log = tmp_path / "browser.json"
    done = run(env, "auth", "login", "soundcloud", "--json",
               extra={"SCRIPTED_BROWSER_LOG": str(log)})
    me = emulator.catalog.artists[int(emulator.oauth.user)]
    signed = ok_json(done)
    assert signed["soundcloud"]["signed_in"] and signed["soundcloud"]["user"] == me.username
    assert "Opened the SoundCloud sign-in page" in done.stderr
    assert json.loads(log.read_text())["callback_status"] == 200
    # the token file of a machine without a keyring (this one): 0600, in a 0700 folder,
    # with the one warning that said so
    path = secrets_file(isolated_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "No system keyring is available" in done.stderr
    likes = ok_json(run(env, "browse", "mylikes", "--json", "--limit", "4"))
    assert [t["title"] for t in likes] == liked_titles(emulator, 4)
    assert all(t["kind"] == "track" and t["provider"] == "soundcloud" for t in likes)
    status = ok_json(run(env, "auth", "status", "--json"))
    assert status["soundcloud"]["signed_in"] and status["soundcloud"]["expires_at"]
    assert not status["mixcloud"]["signed_in"]
    again = run(env, "auth", "status", "--json")
    assert "No system keyring" not in again.stderr  # warned once, when the file was made
    ok_json(run(env, "auth", "logout", "soundcloud", "--json"))
    refused = run(env, "browse", "mylikes", "--json")
    assert refused.returncode == 1
    error = json.loads(refused.stdout)["error"]
    assert error["type"] == "auth_required"
    assert "minion-tui auth login soundcloud" in error["message"]


def test_no_browser_prints_the_url_on_a_line_and_takes_the_callback_or_a_paste(
        env: dict[str, str], emulator: RunningEmulator) -> None:
    for how in ("callback", "paste"):
        process = subprocess.Popen(
            [*minion_command(), "auth", "login", "soundcloud", "--no-browser", "--json"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        assert process.stderr is not None and process.stdin is not None
        seen: list[str] = []
        for line in process.stderr:
            seen.append(line)
            if line.startswith("http"):
                break
        url = seen[-1].strip()
        assert url.startswith(emulator.url) and " " not in url, seen  # a line of its own
        with httpx.Client(follow_redirects=False, timeout=20) as client:
            location = client.get(url).headers["location"]
            if how == "callback":
                assert client.get(location).status_code == 200
            else:  # the browser was elsewhere: the user pastes where it landed
                process.stdin.write(location + "\n")
                process.stdin.flush()
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, (how, out, err)
        assert json.loads(out)["soundcloud"]["signed_in"], how
        assert "Traceback" not in err


def test_a_pasted_session_token_from_stdin(env: dict[str, str],
                                           emulator: RunningEmulator) -> None:
    status = ok_json(run(env, "auth", "token", "soundcloud", "--json",
                         stdin="demo-oauth-token\n"))
    assert status["soundcloud"]["signed_in"] and status["soundcloud"]["expires_at"] is None
    likes = ok_json(run(env, "browse", "mylikes", "--json", "--limit", "3"))
    assert [t["title"] for t in likes] == liked_titles(emulator, 3)
    bad = run(env, "auth", "token", "soundcloud", "--json", stdin="")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["error"]["type"] == "invalid_argument"


def test_no_token_in_config_logs_output_or_a_traceback(env: dict[str, str],
                                                       isolated_env: Path) -> None:
    outputs = []
    for argv in (("auth", "login", "soundcloud", "--json", "--debug"),
                 ("auth", "login", "mixcloud", "--json", "--debug"),
                 ("browse", "mylikes", "--json", "--debug", "--limit", "60"),
                 ("browse", "mylikes", "--provider", "mixcloud", "--json", "--debug",
                  "--limit", "30"),
                 ("auth", "status", "--json", "--debug"),
                 ("config", "show", "--json"),
                 ("auth", "status", "--debug")):
        done = run(env, *argv)
        assert done.returncode == 0, (argv, done.stderr)
        outputs += [done.stdout, done.stderr]
    stored = json.loads(secrets_file(isolated_env).read_text())
    grants = [Grant.loads(*key.split(":"), text) for key, text in stored.items()]
    secrets = [s for g in grants if g for s in (g.access_token, g.refresh_token) if s]
    assert len(secrets) == 3  # SoundCloud's access and refresh tokens, Mixcloud's token
    secrets += [apps.SOUNDCLOUD_APP_SECRET, apps.MIXCLOUD_APP_SECRET]
    # the JSON said who, never how
    assert all(secret not in text for secret in secrets for text in outputs)
    # every file the app wrote but the token file itself: config, logs, caches, the
    # database, the index of sign-ins (accounts.json)
    files = [p for folder in ("config", "state", "cache", "data") for p in (isolated_env /
             folder).rglob("*") if p.is_file() and p.name != "secrets.json"]
    assert {"accounts.json", "minion.db"} <= {p.name for p in files}
    logs = [p for p in files if ".log" in p.name]
    assert logs and sum(p.stat().st_size for p in logs) > 1000  # --debug logged requests
    for path in files:
        data = path.read_bytes()
        assert not [s for s in secrets if s.encode() in data], path
    # a traceback with every frame's locals shown (what a crash report would carry)
    shown = forced_traceback(grants[0])
    assert "failed with Grant(" in shown and "credentials = Credentials(" in shown
    assert not [s for s in secrets if s in shown]


def _crash(grant: Grant) -> None:
    credentials = Credentials(frozenset({"https://api.soundcloud.com"}),
                              headers={"Authorization": f"OAuth {grant.access_token}"})
    raise RuntimeError(f"failed with {grant!r} and {credentials!r}")


def forced_traceback(grant: Grant | None) -> str:
    assert grant is not None
    try:
        _crash(grant)
    except RuntimeError as error:
        return "".join(traceback.TracebackException.from_exception(
            error, capture_locals=True).format())
    return ""


def test_tokens_go_to_a_real_keyring_backend_when_there_is_one(
        env: dict[str, str], isolated_env: Path) -> None:
    # keyrings.alt's file backend (a dev extra): keyring's own API, a real backend chosen by
    # the user through PYTHON_KEYRING_BACKEND, as a desktop's Secret Service would be.
    chosen = {**env, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    done = run(chosen, "auth", "login", "soundcloud", "--json")
    assert ok_json(done)["soundcloud"]["signed_in"]
    assert "No system keyring" not in done.stderr
    assert not secrets_file(isolated_env).exists()
    read = [sys.executable, "-c", "import keyring; print(keyring.get_password("
            "'minion-tui', 'soundcloud:oauth') or '')"]
    kept = subprocess.run(read, capture_output=True, text=True, env=chosen, timeout=60)
    grant = Grant.loads("soundcloud", "oauth", kept.stdout.strip())
    assert grant is not None and grant.refresh_token and grant.user
    assert ok_json(run(chosen, "auth", "status", "--json"))["soundcloud"]["signed_in"]
    ok_json(run(chosen, "auth", "logout", "soundcloud", "--json"))
    gone = subprocess.run(read, capture_output=True, text=True, env=chosen, timeout=60)
    assert gone.stdout.strip() == ""


def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
        env: dict[str, str], emulator: RunningEmulator, isolated_env: Path) -> None:
    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    # The database made first: two processes creating it at once is another race.
    ok_json(run(env, "browse", "mylikes", "--json", "--limit", "1"))
    # The stored token is about to expire: both processes below refresh before reading.
    path = secrets_file(isolated_env)
    stored = json.loads(path.read_text())
    grant = json.loads(stored["soundcloud:oauth"])
    grant["expires_at"] = time.time() + 5
    stored["soundcloud:oauth"] = json.dumps(grant)
    path.write_text(json.dumps(stored))
    processes = [subprocess.Popen([*minion_command(), "browse", "mylikes", "--json",
                                   "--limit", "2"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
                 for _ in range(2)]
    answers = [p.communicate(timeout=90) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], answers
    titles = [[t["title"] for t in json.loads(out)] for out, _ in answers]
    assert titles[0] == titles[1] == liked_titles(emulator, 2)
    # One refresh: the second process found the first one's fresh grant under the lock,
    # instead of replaying the spent refresh token (which would have ended the grant).
    assert emulator.oauth.issued.refreshed == 1 and emulator.oauth.issued.refused == []
    kept = json.loads(json.loads(path.read_text())["soundcloud:oauth"])
    assert kept["refresh_token"] != grant["refresh_token"]
    assert emulator.oauth.user_of(kept["access_token"]) == emulator.oauth.user


def test_login_without_a_registered_app_says_what_to_set(env: dict[str, str]) -> None:
    bare = {k: v for k, v in env.items() if not k.startswith(("SOUNDCLOUD_", "MIXCLOUD_"))}
    for provider, key in (("soundcloud", "soundcloud.app_id"),
                          ("mixcloud", "mixcloud.client_id")):
        done = run(bare, "auth", "login", provider, "--json")
        assert done.returncode == 2
        error = json.loads(done.stdout)["error"]
        assert error["type"] == "config" and key in error["message"]
