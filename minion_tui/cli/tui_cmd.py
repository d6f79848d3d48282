"""No command: the TUI, over the user's service or ``--demo``'s."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command
from minion_tui.cli.session import open_service

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The TUI's options are the top-level ones (--demo, --demo-data, --demo-fresh, --debug)."""


def _run_tui(args: argparse.Namespace) -> int:
    with open_service(args) as service:
        from minion_tui.desktop import Desktop
        from minion_tui.tui.run import run_app

        # MPRIS, notifications and the ctl socket while the TUI runs (off without a bus).
        code = run_app(service, companions=[Desktop(service).run])
        throwaway = service.data_dir if service.demo_notice else None
    if throwaway is not None:  # --demo-fresh: said at start (Browse), and again at the end
        print(f"The demo's throwaway data ({throwaway}) is deleted; run `minion-tui --demo` "
              "to keep ratings, queue and downloads between runs.", file=sys.stderr)
    return code


COMMANDS = (Command(None, _setup, _run_tui),)
