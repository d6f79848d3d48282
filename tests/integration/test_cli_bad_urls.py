"""URLs no request can be made of, through the real command line (a subprocess against the
emulator): each is the ``invalid_url`` error — JSON with exit code 1, a message that says what
is wrong and what to do — never a traceback, and a password in one is never echoed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

LONG_PATH = "https://soundcloud.com/echo-quartz/" + "a" * 70_000
PASSWORD = "hunter2-secret"


def cli(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "minion_tui", *argv], capture_output=True,
                          text=True, timeout=120, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def error_of(stdout: str) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(stdout)["error"]
    return error


@pytest.mark.parametrize(("target", "says"), [
    (LONG_PATH, "70,035 characters long"),
    (LONG_PATH.replace("/echo-quartz/", "/echo-quartz/x?q="), "characters long"),
    ("https://soundcloud.com/echo-quartz/machine\x01-of", "control character (U+0001)"),
    ("https://soundcloud.com/echo-quartz/machine\n-of", "control character (U+000A)"),
    ("https://soundcloud.com/echo quartz/machine", "not a track, set or profile"),
    ("https://soundcloüd.com/echo-quartz/machine", "Not a link the app understands"),
    ("https://xn--soundcloud-.com/echo-quartz/machine", "Not a link the app understands"),
    ("https://soundcloud.com:99999/echo-quartz/machine", "Port out of range"),
    ("https://soundcloud.com:http/echo-quartz/machine", "Malformed URL"),
    ("https://soundcloud.com:8443/echo-quartz/machine", "soundcloud.com:8443 is not a SoundCloud"),
    ("https://[::1]/echo-quartz/machine", "Not a link the app understands"),
    ("https://[::1/echo-quartz/machine", "Not a link the app understands"),
    (f"https://alice:{PASSWORD}@soundcloud.com/echo-quartz/machine", "user name or password"),
    ("file:///etc/passwd", "Not a link the app understands"),
    ("javascript:alert(1)", "Not a link the app understands"),
], ids=lambda value: value[:40].encode("unicode_escape").decode())
def test_resolve_refuses_it_as_invalid_url(sc_env: Any, target: str, says: str) -> None:
    code, out, err = cli("resolve", target, "--json")
    assert code == 1, (out, err)
    assert "Traceback" not in err
    error = error_of(out)
    assert error["type"] == "invalid_url"
    assert says in error["message"]
    assert "Paste" in error["message"] or "Remove" in error["message"]  # what to do
    assert len(error["message"]) < 700  # not the 70,000 characters back
    assert PASSWORD not in out + err


@pytest.mark.parametrize("command", [["stream"], ["browse", "likes"], ["play", "--for", "1"]])
def test_other_commands_refuse_the_long_url_alike(sc_env: Any, command: list[str]) -> None:
    code, out, err = cli(*command, LONG_PATH, "--json")
    assert (code, "Traceback" in err) == (1, False)
    assert error_of(out)["type"] == "invalid_url"


def test_download_of_unsendable_direct_urls_says_why_per_item(
    sc_env: Any, tmp_path: Path
) -> None:
    base = sc_env.url
    targets = [f"{base}/{'a' * 70_000}.mp3", "http://127.0.0.1:99999/x.mp3",
               f"{base}/a\x01b.mp3", f"http://alice:{PASSWORD}@127.0.0.1:1/x.mp3"]
    out_dir = tmp_path / "out"
    code, out, err = cli("download", *targets, "--dir", str(out_dir), "--json")
    assert (code, "Traceback" in err) == (1, False)
    failed = [json.loads(line) for line in out.splitlines()
              if json.loads(line).get("event") == "failed"]
    reasons = [event["reason"] for event in failed]
    assert len(reasons) == 4, out[-2000:]
    assert any("70,0" in r and "characters long" in r and len(r) < 700 for r in reasons)
    assert any("Port out of range" in r for r in reasons)
    assert any("control character (U+0001)" in r for r in reasons)
    assert any("user name or password" in r for r in reasons)
    assert PASSWORD not in out + err
    assert [p.name for p in out_dir.glob("*") if not p.name.startswith(".")] == []
