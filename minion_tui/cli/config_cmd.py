"""``config init`` (write a commented config.toml) and ``config show`` (every effective
setting and where it came from). Neither goes online."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from minion_tui import config
from minion_tui.cli.command import Command
from minion_tui.cli.output import note, print_json, print_table

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    cfg = sub.add_parser("config", help="write or show the configuration")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = cfg_sub.add_parser("init", help="write a commented config.toml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    cfg_sub.add_parser("show", parents=[common],
                       help="print every effective setting and where it came from")


def _init(args: argparse.Namespace) -> int:
    path = config.init_config(force=args.force)
    print(f"wrote {path}")
    return 0


def _show(args: argparse.Namespace) -> int:
    settings = config.load_settings()
    rows = config.effective_settings_rows(settings)
    if args.json:
        print_json({"path": str(settings.path), "settings": [
            {"key": k, "value": v, "origin": o} for k, v, o in rows]}, ensure_ascii=True)
        return 0
    exists = "" if settings.path.exists() else " (not present: defaults apply)"
    note(f"config file: {settings.path}{exists}")
    print_table(["setting", "value", "from"], [list(r) for r in rows])
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {"init": _init, "show": _show}


def _config(args: argparse.Namespace) -> int:
    return ACTIONS[args.config_command](args)


COMMANDS = (Command("config", _setup, _config, online=False),)
