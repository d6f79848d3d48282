"""The CLI as a scripter meets it (issue 14 item 7): piped output, argument errors, missing
list files, ``play --start``/``--for``, the ``done`` event's figures and ``config show``.
Run against the emulator over real HTTP, as a subprocess where a pipe matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from minion_tui.cli import main
from tests.integration.request_log import install


def _run(*argv: str, columns: int = 60, cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    """``minion-tui ARGV`` with stdout a pipe, as in ``minion-tui … | cut -f7``. COLUMNS is
    narrow: a table sized to it would have to cut every URL."""
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "minion_tui", *argv], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd)


def _tsv(stdout: str) -> tuple[list[str], list[list[str]]]:
    lines = stdout.splitlines()
    assert lines, "no output"
    header, *rows = (line.split("\t") for line in lines)
    assert all(len(row) == len(header) for row in rows), stdout
    return header, rows


# -- 1. piped output is TSV with a header row, never cut -------------------------------------


def test_piped_search_is_tsv_with_a_header_and_whole_urls(sc_env: Any) -> None:
    found = _run("search", "a", "--limit", "6", "--json")
    assert found.returncode == 0, found.stderr
    urls = [t["url"] for t in json.loads(found.stdout)]
    assert min(len(u) for u in urls) > 40  # long enough that a 60-column table cuts them

    piped = _run("search", "a", "--limit", "6")
    assert piped.returncode == 0, piped.stderr
    header, rows = _tsv(piped.stdout)
    assert header == ["title", "artist", "length", "genre", "plays", "availability", "url"]
    assert [row[header.index("url")] for row in rows] == urls
    assert "…" not in piped.stdout


def test_piped_set_lists_its_tracks_as_tsv(sc_env: Any) -> None:
    document = json.loads(_run("resolve", sc_env.examples["set_large"], "--json").stdout)
    piped = _run("resolve", sc_env.examples["set_large"])
    header, rows = _tsv(piped.stdout)
    assert header[-1] == "url"
    assert [row[-1] for row in rows] == [t["url"] for t in document["tracks"]]


def test_piped_config_show_is_tsv_too(sc_env: Any) -> None:
    piped = _run("config", "show")
    header, rows = _tsv(piped.stdout)
    assert header == ["setting", "value", "from"]
    assert ["net.rate_limit", "15.0", "default"] in rows
    assert "config file:" in piped.stderr  # the file's path is not a row of the table


# -- 2. extra positional arguments -----------------------------------------------------------


@pytest.mark.parametrize(("argv", "command"), [
    (["search", "deep", "house"], "search"),
    (["resolve", "soundcloud:tracks:1", "extra"], "resolve"),
    (["stream", "soundcloud:tracks:1", "extra"], "stream"),
    (["play", "soundcloud:tracks:1", "extra"], "play"),
    (["config", "show", "extra"], "config show"),
    (["rate", "soundcloud:tracks:1", "liked", "extra"], "rate"),
])
def test_an_extra_positional_argument_is_a_usage_error_of_its_command(
    argv: list[str], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--json"]) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["type"] == "invalid_argument"
    extra = argv[-1]
    assert f"minion-tui {command}: " in error["message"]
    assert f"'{extra}'" in error["message"]
    assert f"`minion-tui {command} --help`" in error["message"]
    assert f"minion-tui {command}: error:" in captured.err  # argparse's usage lines stay


def test_a_query_of_two_words_is_shown_how_to_quote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "deep", "house", "--json"]) == 2
    message = json.loads(capsys.readouterr().out)["error"]["message"]
    assert 'minion-tui search "deep house"' in message


def test_an_unknown_option_is_named_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "rain", "--nope", "--json"]) == 2
    message = json.loads(capsys.readouterr().out)["error"]["message"]
    assert "minion-tui search: unknown option '--nope'" in message


# -- 3. a list file that does not exist ------------------------------------------------------


def test_download_of_a_missing_list_file_says_it_does_not_exist(
    sc_env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lists").mkdir()
    code = main(["download", "nosuchfile.txt", "lists", "--json", "--dir", str(tmp_path)])
    assert code == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    missing, folder = [e for e in events if e["event"] == "failed"]
    assert missing["track_urn"] == "nosuchfile.txt"
    # invalid_url, as before the message said why: it is no link either (README "Error types")
    assert missing["type"] == folder["type"] == "invalid_url"
    assert missing["reason"].startswith(
        f"There is no file nosuchfile.txt (looked for {tmp_path / 'nosuchfile.txt'}).")
    assert "SoundCloud link" in missing["reason"]  # what to give instead
    assert folder["reason"].startswith(f"{tmp_path / 'lists'} is a folder")


# -- 4, 5. play --start and play --for -------------------------------------------------------


@pytest.mark.mpv
def test_play_start_past_the_end_is_an_invalid_argument_before_playing(
    sc_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    track = json.loads(_run("resolve", sc_env.examples["track_full"], "--json").stdout)
    seconds = track["duration_ms"] / 1000
    code = main(["play", sc_env.examples["track_full"], "--start", str(seconds + 5), "--json",
                 "--ao", "null"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(lines) == 1, lines  # no position line: nothing was played
    error = json.loads(lines[0])["error"]
    assert error["type"] == "invalid_argument"
    assert f"--start {seconds + 5:g}" in error["message"]
    assert f"{track['title']!r}" in error["message"] and "from 0 to" in error["message"]


def test_play_start_negative_is_refused_when_parsing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "soundcloud:tracks:1", "--start", "-5", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "invalid_argument" and "0 or more" in error["message"]


@pytest.mark.mpv
def test_play_for_ends_with_one_stopped_line_at_the_final_position(
    sc_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["play", sc_env.examples["track_full"], "--start", "3", "--for", "1.5",
                 "--json", "--ao", "null"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    *during, last = lines
    assert last["state"] == "stopped"
    assert [line["state"] for line in during].count("stopped") == 0
    assert last["position"] >= max(line["position"] for line in during) >= 3
    assert last["duration"] == during[-1]["duration"]


# -- 6. the done event's segments_total and speed --------------------------------------------


def test_done_event_of_an_hls_download_counts_its_segments_and_speed(
    sc_env: Any, tmp_path: Path
) -> None:
    log = install(sc_env)
    began = time.monotonic()
    run = _run("download", sc_env.examples["track_full"], "--json", "--dir", str(tmp_path))
    elapsed = time.monotonic() - began
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    [done] = [e for e in events if e["event"] == "done"]
    fetched = [p for p in log.paths("/sc-aac/") if not p.endswith(".m3u8")]
    assert done["segments_total"] == done["segments_done"] == len(fetched) > 1
    assert done["segments_total"] == [e for e in events
                                      if e["event"] == "segment"][-1]["segments_total"]
    # Bytes over the transfer: positive, and no faster than the whole run allows.
    assert done["speed"] is not None and done["speed"] > 0
    assert done["bytes_done"] / done["speed"] <= elapsed


def test_done_event_of_a_progressive_download_has_no_segments_and_its_speed(
    sc_env: Any, tmp_path: Path
) -> None:
    run = _run("download", sc_env.examples["track_full"], "--format", "mp3", "--json",
               "--dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert not [e for e in events if e["event"] == "segment"]
    [done] = [e for e in events if e["event"] == "done"]
    assert Path(done["path"]).suffix == ".mp3"
    assert (done["segments_done"], done["segments_total"]) == (0, 0)
    assert done["speed"] is not None and done["speed"] > 0


# -- 7, 8. config show and config init -------------------------------------------------------


def _settings(stdout: str) -> dict[str, Any]:
    return {row["key"]: row for row in json.loads(stdout)["settings"]}


def test_demo_config_show_reports_the_demos_download_dir(tmp_path: Path) -> None:
    from minion_tui import config

    run = _run("--demo", "config", "show", "--json")
    assert run.returncode == 0, run.stderr
    row = _settings(run.stdout)["downloads.dir"]
    assert row["value"] == str(config.data_dir() / "demo" / "Music")
    assert row["origin"] == "demo"
    given = _run("--demo", "--demo-data", str(tmp_path / "d"), "config", "show", "--json")
    assert _settings(given.stdout)["downloads.dir"]["value"] == str(tmp_path / "d" / "Music")
    plain = _run("config", "show", "--json")
    assert _settings(plain.stdout)["downloads.dir"]["value"] != row["value"]


def test_config_show_json_gives_unset_values_as_null() -> None:
    run = _run("config", "show", "--json")
    settings = _settings(run.stdout)
    for key in ("soundcloud.client_id", "soundcloud.access_token", "net.user_agent",
                "playback.audio_output"):
        assert settings[key]["value"] is None, key
    assert settings["net.rate_limit"]["value"] == "15.0"
    # The table keeps the readable words.
    assert "(not set)" in _run("config", "show").stdout


def _write_config(text: str) -> Path:
    from minion_tui import config

    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_show_reports_an_unknown_theme_as_a_config_error() -> None:
    _write_config('[ui]\ntheme = "nosuch"\n')
    run = _run("config", "show", "--json")
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["type"] == "config"
    assert "line 2" in error["message"] and "'nosuch'" in error["message"]
    for name in ("minion-dark", "minion-light", "textual-dark"):
        assert name in error["message"]


def test_demo_config_show_checks_the_theme_the_demo_saved(tmp_path: Path) -> None:
    own = tmp_path / "d" / "config.toml"
    own.parent.mkdir()
    own.write_text('[ui]\ntheme = "gone-theme"\n', encoding="utf-8")
    run = _run("--demo", "--demo-data", str(own.parent), "config", "show", "--json")
    assert run.returncode == 2
    message = json.loads(run.stdout)["error"]["message"]
    assert f"in {own}:" in message and "line 2: [ui] theme 'gone-theme'" in message


def test_config_show_accepts_a_theme_from_the_themes_folder() -> None:
    path = _write_config('[ui]\ntheme = "my-own"\n')
    (path.parent / "themes").mkdir()
    (path.parent / "themes" / "my-own.toml").write_text(
        'name = "my-own"\nprimary = "#ff0000"\n', encoding="utf-8")
    run = _run("config", "show", "--json")
    assert run.returncode == 0, run.stdout
    assert _settings(run.stdout)["ui.theme"]["value"] == "my-own"


def test_config_error_advice_names_force_when_the_file_exists() -> None:
    _write_config('[net]\nrate_limit = "fast"\n')
    run = _run("config", "show")
    assert run.returncode == 2
    assert "`minion-tui config init --force`" in run.stderr


def test_the_theme_check_knows_every_theme_the_app_registers() -> None:
    """config.theme_names() reads no Textual: its copy of Textual's built-in names and the
    app's own theme files must be what the TUI registers."""
    from textual.theme import BUILTIN_THEMES

    from minion_tui import config
    from minion_tui.tui.themes import BUILTIN_THEME_DIR, load_themes

    assert set(config.TEXTUAL_THEMES) == set(BUILTIN_THEMES)
    ours, problems = load_themes(None)
    assert not problems and BUILTIN_THEME_DIR == config.BUILTIN_THEME_DIR
    assert config.theme_names() == sorted(set(BUILTIN_THEMES) | {t.name for t in ours})
