"""``minion-tui discover``: follow people (their likes and reposts; a Mixcloud user's
favourites and shows), charts and tags, list them, and sync them into the store.

``discover sync --json`` prints JSON lines: one per page merged or source finished
(:class:`~minion_tui.models.SyncEvent`), the last one the summary
(:class:`~minion_tui.models.SyncSummary`: ``new_tracks``, ``sources_updated``,
``requests``, ``seconds``). On a terminal it draws one bar redrawn in place; elsewhere it
prints a line per source finished and the summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from minion_tui.cli.command import Command
from minion_tui.cli.output import note, print_json, print_summary, print_table
from minion_tui.cli.session import session

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.models import FollowedSource, SyncEvent, SyncSummary


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    discover = sub.add_parser("discover", parents=[common],
                              help="follow people, charts and tags; sync their likes and "
                              "reposts")
    actions = discover.add_subparsers(dest="action", metavar="ACTION", required=True)
    follow = actions.add_parser("follow", parents=[common],
                                help="follow profiles (their likes and reposts; on Mixcloud "
                                "favourites and shows), trending, #tags")
    follow.add_argument("targets", nargs="*", metavar="TARGET",
                        help="profile URL or URN, trending, or #tag")
    follow.add_argument("--followings-of", metavar="USER",
                        help="also follow everyone this profile follows")
    unfollow = actions.add_parser("unfollow", parents=[common], help="stop following")
    unfollow.add_argument("target", metavar="TARGET")
    actions.add_parser("list", parents=[common], help="what you follow")
    actions.add_parser("sync", parents=[common],
                       help="pull new likes, reposts and uploads of what you follow")


async def _handle(args: argparse.Namespace) -> int:
    async with session(args) as service:
        discovery = service.discovery
        if args.action == "follow":
            _print_sources(await discovery.follow(args.targets,
                                                  followings_of=args.followings_of), args.json)
        elif args.action == "unfollow":
            removed = await discovery.unfollow(args.target)
            print_summary({"unfollowed": args.target, "sources": removed},
                          f"Unfollowed {args.target} ({removed} source{'s' * (removed != 1)}).",
                          as_json=args.json)
        elif args.action == "list":
            _print_sources(await discovery.sources(), args.json)
        else:
            view = _JsonLines(sys.stdout) if args.json else _Progress(
                sys.stdout, terminal=sys.stdout.isatty())
            summary = await discovery.sync(view.event)
            view.summary(summary)
    return 0


def _print_sources(sources: list[FollowedSource], as_json: bool) -> None:
    if as_json:
        print_json([s.to_json() for s in sources])
        return
    if not sources:
        note("(you follow nothing yet: minion-tui discover follow PROFILE)")
        return
    print_table(["source", "target", "tracks", "synced", "full walk"],
                [[s.title, s.target, str(s.tracks), (s.synced_at or "never")[:16],
                  (s.rewalked_at or "never")[:16]] for s in sources])


class _JsonLines:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def _line(self, document: dict[str, Any]) -> None:
        self.out.write(json.dumps(document, ensure_ascii=False) + "\n")
        self.out.flush()

    def event(self, event: SyncEvent) -> None:
        self._line(event.to_json())

    def summary(self, summary: SyncSummary) -> None:
        self._line(summary.to_json())


class _Progress:
    """One bar (sources done of all, new tracks so far) on a terminal; a line per finished
    source elsewhere."""

    WIDTH = 30

    def __init__(self, out: TextIO, *, terminal: bool) -> None:
        self.out, self.terminal = out, terminal

    def event(self, event: SyncEvent) -> None:
        if event.state in ("done", "failed"):
            what = (f"{event.added} new" + (f", {event.dropped} dropped" if event.dropped
                                            else "")) if event.state == "done" \
                else f"failed: {event.message}"
            self._clear()
            print(f"{event.title}: {what}", file=self.out)
        if self.terminal and event.total:
            filled = self.WIDTH * event.done // event.total
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            self.out.write(f"\r{bar} {event.done}/{event.total} sources")
            self.out.flush()

    def _clear(self) -> None:
        if self.terminal:
            self.out.write("\r\x1b[K")

    def summary(self, summary: SyncSummary) -> None:
        self._clear()
        print(f"{summary.new_tracks} new tracks from {summary.sources_updated} of "
              f"{summary.sources} sources; {summary.requests} requests in "
              f"{summary.seconds:.1f} s" + (f"; {summary.failed} failed" if summary.failed
                                            else ""), file=self.out)


COMMANDS = (Command("discover", _setup, _handle),)
