"""The CLI's command table: every command parsed runs its own handler, the choices are the
providers' capabilities, and building the parser (every call, --help included) does not
import the service."""

from __future__ import annotations

import argparse
import subprocess
import sys

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
    assert list(_options(parser, "browse")["listing"].choices or ()) == list(caps.listings())
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
