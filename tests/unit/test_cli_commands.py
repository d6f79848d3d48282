"""The CLI's command table: every command parsed runs its own handler, the choices are the
providers' capabilities, and building the parser (every call, --help included) does not
import the service."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from minion_tui import cli
from minion_tui.service import capabilities


def _options(parser: argparse.ArgumentParser, command: str) -> dict[str, argparse.Action]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a for a in sub.choices[command]._actions}


def test_each_parsed_command_has_one_handler() -> None:
    names = [c.name for c in cli.COMMANDS]
    assert len(names) == len(set(names))
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == [n for n in names if n is not None]
    assert parser.parse_args([]).command is None and None in names  # the TUI


def test_choices_are_the_capabilities() -> None:
    caps = capabilities()
    parser = cli.build_parser()
    search = _options(parser, "search")
    assert list(search["kind"].choices or ()) == list(caps.search_kinds)
    for name in ("duration", "created", "license"):
        found = caps.search_filter(name)
        assert found is not None
        assert list(search[name].choices or ()) == list(found.choices or ())
    listings = list(_options(parser, "browse")["listing"].choices or ())
    # The neutral listings first, then the providers' own names (Mixcloud's "shows"…).
    neutral = list(dict.fromkeys(caps.listings()))
    assert listings[:len(neutral)] == neutral
    assert {"shows", "following"} <= set(listings[len(neutral):])
    assert list(_options(parser, "browse")["provider"].choices or ()) == ["soundcloud",
                                                                         "mixcloud"]
    assert list(_options(parser, "download")["format"].choices or ()) == list(caps.formats)


def test_the_parser_and_help_do_not_import_the_service() -> None:
    code = ("import contextlib, io, sys, minion_tui.cli as cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), "
            "contextlib.suppress(SystemExit):\n"
            "    cli.build_parser().parse_args(['--help'])\n"
            "print('minion_tui.service' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def _json_usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    code = cli.main([*argv, "--json"])
    captured = capsys.readouterr()
    assert code == 2, captured  # argparse's usage-error code, kept
    body = json.loads(captured.out)
    assert set(body) == {"error"} and body["error"]["type"] == "invalid_argument"
    assert "Traceback" not in captured.err
    return body["error"]


@pytest.mark.parametrize("argv", [
    ("search", "x", "--limit", "0"),
    ("search", "x", "--type", "bogus"),
    ("browse", "bogus"),
    ("download", "x", "--jobs", "99"),
    ("resolve", "x", "--no-such-option"),
    ("config", "show", "--json=yes"),
])
def test_usage_errors_with_json_are_the_json_error(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    error = _json_usage_error(capsys, *argv)
    assert error["message"].startswith("minion-tui")  # names the command
    assert "--help" in error["message"]  # and what to do


def test_usage_errors_without_json_stay_argparse_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["search", "x", "--limit", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: minion-tui search")
    assert "minion-tui search: error: argument --limit: must be between 1 and 10000" \
        in captured.err


@pytest.mark.parametrize(("flag", "value"), [
    ("--start", "-5"), ("--start", "nan"), ("--start", "inf"), ("--start", "1e309"),
    ("--for", "-1"), ("--for", "0"), ("--for", "nan"), ("--for", "-inf"), ("--for", "x"),
])
def test_play_seconds_must_be_finite_and_not_negative(
    capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    # Before: --start -5 seeked 5 s before the end, --for nan played to the end, --for -1
    # returned at once with exit code 0.
    error = _json_usage_error(capsys, "play", "soundcloud:tracks:1", f"{flag}={value}")
    assert flag in error["message"] and value in error["message"]


def test_play_seconds_accept_plain_numbers() -> None:
    args = cli.build_parser().parse_args(["play", "x", "--start", "12.5", "--for", "3"])
    assert (args.start, args.play_for) == (12.5, 3.0)
    assert cli.build_parser().parse_args(["play", "x", "--start", "0"]).start == 0.0
