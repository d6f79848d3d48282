"""`minion-tui`: the TUI by default, and scriptable commands over the same service façade.

Every command takes ``--json``: models print in their one JSON form; failures print
``{"error": {"type", "message"}}`` on stdout with exit code 1 (2 for configuration problems).
Without ``--json`` output is a readable table (TSV with a header row when stdout is not a
terminal, so nothing is cut), and a failure is one clear line on stderr (output.py).

The commands are declared by their group's module (catalog.py, download.py, play.py,
discover.py, config_cmd.py, emulator_cmd.py, tui_cmd.py, inbox.py, judgments.py, radio.py,
auth.py, ctl_cmd.py, analyze.py, writes.py, mcp_cmd.py): each
:class:`~minion_tui.cli.command.Command` brings its parser setup and its handler, and
:func:`main` runs the handler of the command parsed. Nothing heavy is imported before a
handler runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from minion_tui import __version__, config
from minion_tui.cli import (
    analyze,
    auth,
    catalog,
    config_cmd,
    ctl_cmd,
    discover,
    download,
    emulator_cmd,
    inbox,
    judgments,
    mcp_cmd,
    play,
    radio,
    tui_cmd,
    writes,
)
from minion_tui.cli.command import Command, Parser, parse_command_line
from minion_tui.cli.output import fail, fail_usage
from minion_tui.errors import ConfigError, MinionError, UsageError

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers

log = logging.getLogger("minion_tui")

#: Every command, in the order ``--help`` lists them; the one named None runs without one.
COMMANDS: tuple[Command, ...] = (*tui_cmd.COMMANDS, *config_cmd.COMMANDS,
                                 *emulator_cmd.COMMANDS, *catalog.COMMANDS,
                                 *download.COMMANDS, *play.COMMANDS, *discover.COMMANDS,
                                 *inbox.COMMANDS, *judgments.COMMANDS, *radio.COMMANDS,
                                 *auth.COMMANDS, *ctl_cmd.COMMANDS,
                                 *analyze.COMMANDS, *writes.COMMANDS, *mcp_cmd.COMMANDS)
_BY_NAME = {command.name: command for command in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="log everything to the rotating log file")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="run against the built-in offline catalog")

    parser = Parser(
        prog="minion-tui",
        description="Discover music on SoundCloud from the terminal. "
        "With no command, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"minion-tui {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="run against the built-in offline catalog (an in-process emulator)")
    parser.add_argument("--demo-data", metavar="DIR", type=Path,
                        help="keep the demo's data in DIR instead of "
                        f"{config.data_dir() / 'demo'}")
    parser.add_argument("--demo-fresh", action="store_true",
                        help="run the demo on throwaway data, deleted when it ends")
    parser.add_argument("--debug", action="store_true",
                        help=f"log everything to {config.log_path()}")
    # Subparsers are made of the parser's own class (Parser), whatever the annotation says.
    sub = cast("Subparsers", parser.add_subparsers(dest="command", metavar="COMMAND"))
    for command in COMMANDS:
        command.setup(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if emulator_cmd.routed(argv):
        return emulator_cmd.run_emulator(argv[1:])
    try:
        args = parse_command_line(build_parser(), argv)
    except UsageError as exc:
        # Parsing failed, so --json is known only as a word of the command line.
        return fail_usage(exc, as_json="--json" in argv)
    command = _BY_NAME[args.command]
    if command.online:
        # The HTTPS context is built on a thread from now on, beside the imports still to
        # come (net/tls.py says why).
        from minion_tui.service import preload_network

        preload_network()
    setup_logging(debug=bool(getattr(args, "debug", False)))
    as_json = bool(getattr(args, "json", False))
    try:
        outcome = command.handler(args)
        return outcome if isinstance(outcome, int) else asyncio.run(outcome)
    except ConfigError as exc:
        return fail(exc, as_json=as_json)
    except MinionError as exc:
        log.info("command failed: %s", exc.text, exc_info=True)
        return fail(exc, as_json=as_json)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `minion-tui ... | head`: the reader left; not an error
        sys.stderr.close()
        return 0


def run() -> NoReturn:
    """The ``minion-tui`` console script: :func:`main`, then out without the interpreter's
    teardown.

    By the time main() returns, every command has closed what it opened (database, HTTP
    connections, mpv, the downloads' files, fsynced) in its own ``finally`` blocks. What is
    left for Python's finalization is freeing every module and object one by one: 25-65 ms
    of wall time after a download (measured with strace: no system call in between), paid on
    every scripted call. Flush what is still buffered and leave.
    """
    code = main()
    logging.shutdown()  # the rotating log file's handler (what atexit would have done)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `minion-tui ... | head`: the reader left; not an error
        pass
    except (OSError, ValueError):
        code = code or 120  # what Python itself exits with when stdout cannot be flushed
    with suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def setup_logging(*, debug: bool) -> None:
    """Warnings and errors always go to the rotating log file; everything with --debug."""
    try:
        log_path = config.private_dirs(config.log_dir()) / config.log_path().name
        handler: logging.Handler = _PrivateLog(
            log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:  # a read-only home must not stop the app
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not debug:  # httpx logs every request at INFO
        logging.getLogger("httpx").setLevel(logging.WARNING)


class _PrivateLog(logging.handlers.RotatingFileHandler):
    """The rotating log, created 0600 like the app's other files (it names tracks, URLs and
    paths); each file a rollover starts included."""

    def _open(self) -> Any:
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=config.private_opener)


__all__ = ["COMMANDS", "build_parser", "main", "run", "setup_logging"]
