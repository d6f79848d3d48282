"""``emulator``: the offline SoundCloud emulator as a server for other processes. It parses
its own options (``--port``, ``--seed``, ``--faults``, ``--host``); this parser exists for
``minion-tui --help`` and ``minion-tui emulator --help``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    emu = sub.add_parser("emulator", help="serve the offline SoundCloud emulator")
    emu.add_argument("args", nargs=argparse.REMAINDER,
                     help="[--port 8750] [--seed N] [--faults PROFILE] [--host H]")


def routed(argv: Sequence[str]) -> bool:
    """Whether ``argv`` goes straight to the emulator's own parser: argparse's REMAINDER
    would reject its options. ``emulator --help`` stays with ours."""
    return argv[:1] == ["emulator"] and not {"-h", "--help"} & set(argv[1:2])


def run_emulator(argv: Sequence[str]) -> int:
    from minion_tui.emulator.server import run_cli

    return run_cli(list(argv))


def _help(args: argparse.Namespace) -> int:
    """Reached only when argparse did not print the help itself."""
    return run_emulator(["--help"])


COMMANDS = (Command("emulator", _setup, _help),)
