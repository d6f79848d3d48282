"""No command: the TUI, over the user's service or ``--demo``'s."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command
from minion_tui.cli.session import open_service

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The TUI's options are the top-level ones (--demo, --demo-data, --debug)."""


def _run_tui(args: argparse.Namespace) -> int:
    with open_service(args) as service:
        from minion_tui.tui.run import run_app

        return run_app(service)


COMMANDS = (Command(None, _setup, _run_tui),)
