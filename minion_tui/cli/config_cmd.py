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
    """Every effective setting, as the command run with the same flags would use it (with
    ``--demo``, the demo's download folder); unset values are null in ``--json``. An unknown
    theme is a configuration problem here, where the TUI only falls back from it."""
    settings, throwaway = _effective(args)
    config.check_theme(settings.ui.theme, settings.origin("ui.theme"),
                       path=config.config_path())
    rows = config.effective_settings_values(settings)
    if throwaway:  # --demo-fresh: the folder is made when a command starts, and deleted
        rows = [(k, None, "(a throwaway folder, made at start)", "demo") if k == "downloads.dir"
                else (k, v, shown, o) for k, v, shown, o in rows]
    path = config.config_path()  # the file read (and `config init` writes), demo or not
    if args.json:
        print_json({"path": str(path), "settings": [
            {"key": k, "value": v, "origin": o} for k, v, _, o in rows]}, ensure_ascii=True)
        return 0
    exists = "" if path.exists() else " (not present: defaults apply)"
    note(f"config file: {path}{exists}")
    print_table(["setting", "value", "from"], [[k, shown, o] for k, _, shown, o in rows])
    return 0


def _effective(args: argparse.Namespace) -> tuple[config.Settings, bool]:
    """The settings the same flags give a command, and whether the demo's folder is a
    throwaway one (not made yet)."""
    from minion_tui.cli.session import demo_data_dir, demo_settings, wants_demo

    if not wants_demo(args):
        return config.load_settings(), False
    data_dir = demo_data_dir(args)
    if data_dir is None:
        return config.load_settings(), True
    return demo_settings(data_dir), False


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {"init": _init, "show": _show}


def _config(args: argparse.Namespace) -> int:
    return ACTIONS[args.config_command](args)


COMMANDS = (Command("config", _setup, _config, online=False),)
