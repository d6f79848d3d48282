"""``ctl play|pause|next|prev|seek SECONDS|status [--json]``: control the running TUI or
``play`` from another terminal, a script or a key binding.

Through MPRIS where there is a session bus and an instance on it, else the instance's private
socket (minion_tui/desktop/ctl.py, docs/desktop.md). Every action prints the player's status
afterwards: with ``--json`` one object (state, title, artist, url, urn, position, duration,
volume, pid, and ``via``: "mpris" or "socket"). No instance: ``not_running``, exit 1.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from minion_tui import config
from minion_tui.cli.command import Command, seconds
from minion_tui.models import format_duration

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers

ACTIONS = {"play": "play", "pause": "pause", "next": "next", "prev": "prev",
           "seek": "seek", "status": "status"}


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    ctl = sub.add_parser("ctl", help="control the running TUI or `play` (media keys, scripts)")
    actions = ctl.add_subparsers(dest="ctl_command", metavar="ACTION", required=True)
    actions.add_parser("play", parents=[common], help="play (or resume)")
    actions.add_parser("pause", parents=[common], help="pause")
    actions.add_parser("next", parents=[common], help="the next track of the queue")
    actions.add_parser("prev", parents=[common], help="the previous track of the queue")
    seek = actions.add_parser("seek", parents=[common], help="go to SECONDS into the track")
    seek.add_argument("seconds", metavar="SECONDS", type=seconds(zero=True))
    actions.add_parser("status", parents=[common], help="what plays, where, how loud")


async def _ctl(args: argparse.Namespace) -> int:
    from minion_tui.desktop.ctl import control

    config.load_settings()  # a broken config.toml is said here as everywhere (exit 2)
    status = await control(ACTIONS[args.ctl_command], getattr(args, "seconds", None))
    _print(status, as_json=args.json)
    return 0


def _print(status: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(status), flush=True)
        return
    what = " - ".join(p for p in (status.get("artist"), status.get("title")) if p) or "-"
    at = format_duration(status.get("position"))
    length = format_duration(status.get("duration"))
    print(f"{status.get('state', '?'):8} {what}  {at} / {length}", flush=True)


COMMANDS = (Command("ctl", _setup, _ctl, online=False),)
