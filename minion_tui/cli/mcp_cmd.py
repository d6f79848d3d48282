"""``mcp``: the MCP server for AI assistants (minion_tui/mcp/, docs/mcp.md) over the same
service — on stdio (the default: stdout carries only JSON-RPC, logs go to the log file and
stderr), or Streamable HTTP with ``--http [HOST:]PORT`` (path ``/mcp``, 127.0.0.1 unless a
host is given; elsewhere a bearer token is required). ``--list`` prints the tool manifest."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _address(text: str) -> tuple[str, int]:
    from minion_tui.errors import InvalidArgument
    from minion_tui.mcp.transports import parse_address

    try:
        return parse_address(text)
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(exc.text.rstrip(".")) from None


_address.__name__ = "address"


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    mcp = sub.add_parser("mcp", parents=[common],
                         help="serve the MCP server for AI assistants (stdio, or --http)")
    mcp.add_argument("--http", metavar="[HOST:]PORT", type=_address,
                     help="serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio "
                     "(HOST 127.0.0.1 unless given; any other host needs a bearer token, "
                     "printed once on stderr when it is made)")
    mcp.add_argument("--new-token", action="store_true",
                     help="with --http off loopback: replace the stored bearer token")
    mcp.add_argument("--list", action="store_true",
                     help="print the tool manifest (every tool, its title and hints) and exit")


async def _run(args: argparse.Namespace) -> int:
    if args.list:
        from minion_tui.cli.output import print_json
        from minion_tui.mcp.manifest import manifest, render_text

        found = manifest()
        if args.json:
            print_json(found)
        else:
            print(render_text(found))
        return 0
    from minion_tui.mcp import transports

    transports.preload_sdk()  # the SDK loads on a thread while the service (and demo) open
    from minion_tui.cli.session import session

    async with session(args) as service:
        if args.http is not None:
            host, port = args.http
            await transports.serve_http(service, host, port, renew_token=args.new_token)
        else:
            await transports.serve_stdio(service)
    return 0


COMMANDS = (Command("mcp", _setup, _run),)
