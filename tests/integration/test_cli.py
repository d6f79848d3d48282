"""The CLI contracts (commands, flags, JSON forms, error types, exit codes), run against the
emulator over real HTTP with no client id configured: the client scrapes it from the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from minion_tui.cli import main

TRACK_KEYS = {
    "provider", "kind", "id", "urn", "url", "title", "artist", "uploader", "duration_ms",
    "preview_ms", "genre", "tags", "created_at", "artwork_url", "counts", "license",
    "availability", "downloadable", "description", "judgment", "bpm", "key", "camelot",
    "service_bpm", "service_key",
}
USER_KEYS = {
    "provider", "kind", "id", "urn", "username", "url", "full_name", "avatar_url",
    "followers_count", "followings_count", "track_count", "verified", "city", "country",
}
PLAYLIST_KEYS = {
    "provider", "kind", "id", "urn", "title", "url", "uploader", "track_count", "duration_ms",
    "is_album", "artwork_url", "created_at", "tracks",
}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture
def sc(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    return emulator


def test_resolve_track_has_the_exact_json_form(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, track = run_json(capsys, "resolve", sc.examples["track_full"])
    assert code == 0
    assert set(track) == TRACK_KEYS
    assert track["kind"] == "track" and track["provider"] == "soundcloud"
    assert track["urn"] == f"soundcloud:tracks:{track['id']}"
    assert isinstance(track["id"], str) and track["availability"] == "full"
    assert set(track["counts"]) == {"plays", "likes", "reposts", "comments"}
    assert track["created_at"].endswith("Z") and track["judgment"] is None
    assert track["url"] == sc.examples["track_full"]


def test_resolve_large_set_hydrates_every_track_in_order(
    sc: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, playlist = run_json(capsys, "resolve", sc.examples["set_large"])
    assert code == 0
    assert set(playlist) == PLAYLIST_KEYS
    assert playlist["track_count"] == len(playlist["tracks"]) == 500
    assert all(set(t) == TRACK_KEYS and t["title"] for t in playlist["tracks"])


def test_resolve_user_and_urn_agree(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, user = run_json(capsys, "resolve", sc.examples["user"])
    assert code == 0 and set(user) == USER_KEYS and user["kind"] == "user"
    code, again = run_json(capsys, "resolve", user["urn"])
    assert code == 0 and again["id"] == user["id"] and again["username"] == user["username"]


def test_search_returns_exactly_limit_items(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, tracks = run_json(capsys, "search", "a", "--limit", "7")
    assert code == 0 and len(tracks) == 7
    assert all(t["kind"] == "track" for t in tracks)
    code, users = run_json(capsys, "search", "a", "--type", "users", "--limit", "3")
    assert code == 0 and len(users) == 3 and all(set(u) == USER_KEYS for u in users)


def test_browse_lists(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, trending = run_json(capsys, "browse", "trending", "--limit", "5")
    assert code == 0 and len(trending) == 5
    code, likes = run_json(capsys, "browse", "likes", sc.examples["user"], "--limit", "12")
    assert code == 0 and len(likes) == 12
    assert {item["kind"] for item in likes} <= {"track", "playlist"}
    code, followings = run_json(capsys, "browse", "followings", sc.examples["user"],
                                "--limit", "4")
    assert code == 0 and [f["kind"] for f in followings] == ["user"] * 4
    code, comments = run_json(capsys, "browse", "comments", sc.examples["track_full"],
                              "--limit", "3")
    assert code == 0 and all(c["kind"] == "comment" and "user" in c for c in comments)


def test_stream_of_a_clear_track(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, stream = run_json(capsys, "stream", sc.examples["track_full"])
    assert code == 0
    assert {"protocol", "codec", "preset", "url", "preview"} <= set(stream)
    assert (stream["protocol"], stream["codec"], stream["preview"]) == ("hls", "aac", False)


@pytest.mark.parametrize(
    ("example", "args", "error_type"),
    [
        ("track_drm", [], "drm_only"),
        ("track_blocked", [], "geo_blocked"),
        ("track_preview", ["--full"], "preview_only"),
    ],
)
def test_stream_errors_have_their_types(
    sc: Any, capsys: pytest.CaptureFixture[str], example: str, args: list[str], error_type: str
) -> None:
    code, body = run_json(capsys, "stream", sc.examples[example], *args)
    assert code == 1
    assert body["error"]["type"] == error_type
    assert body["error"]["message"]


def test_preview_stream_is_flagged(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, stream = run_json(capsys, "stream", sc.examples["track_preview"])
    assert code == 0 and stream["preview"] is True


def test_not_found_and_invalid_url(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, body = run_json(capsys, "resolve", "https://soundcloud.com/nobody-here-xyz/nothing")
    assert (code, body["error"]["type"]) == (1, "not_found")
    code, body = run_json(capsys, "resolve", "https://example.com/not/soundcloud")
    assert (code, body["error"]["type"]) == (1, "invalid_url")


def test_errors_without_json_are_one_line_on_stderr(
    sc: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resolve", "not a url at all"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("minion-tui: ")


def test_readable_table_without_json(sc: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["browse", "trending", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["title", "artist"]
    assert len(lines) == 4


def test_config_show_with_no_file_runs_as_a_real_command(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "minion_tui", "config", "show", "--json"],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(out.stdout)
    origins = {row["key"]: row["origin"] for row in report["settings"]}
    assert origins["net.rate_limit"] == "default"
    assert not Path(report["path"]).exists()


def test_bad_config_exits_2_listing_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    from minion_tui import config

    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[net]\nrate_limit = "fast"\nmax_retries = -3\n[nope]\nx = 1\n')
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3" in err and "nope" in err


def test_standalone_emulator_prints_its_map_first_and_serves_other_processes(
    tmp_path: Path,
) -> None:
    """The shell workflow: start `minion-tui emulator`, read MINION_ENDPOINTS from its first
    line, point another `minion-tui` process at it."""
    import os

    emu = subprocess.Popen(
        [sys.executable, "-m", "minion_tui", "emulator", "--port", "0", "--seed", "7"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert emu.stdout is not None
        first = emu.stdout.readline().strip()
        assert first.startswith("MINION_ENDPOINTS=https://")
        env = {**os.environ, "MINION_ENDPOINTS": first.split("=", 1)[1]}
        out = subprocess.run(
            [sys.executable, "-m", "minion_tui", "browse", "trending", "--limit", "3", "--json"],
            capture_output=True, text=True, env=env, timeout=60, check=True,
        )
        tracks = json.loads(out.stdout)
        assert [t["kind"] for t in tracks] == ["track"] * 3
    finally:
        emu.terminate()
        emu.wait(timeout=10)
