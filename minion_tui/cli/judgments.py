"""The user's judgments: ``rate TARGET liked|not_interested|not_quite|clear`` (prints the
track's whole history), ``export judgments [--format json|csv]`` (to stdout),
``import judgments FILE`` (merges; prints the counts) and ``likes pull [--provider P]`` (the
signed-in account's likes as "liked" judgments; prints the counts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui.cli.command import Choices, Command, add_choosing
from minion_tui.cli.output import note, print_json, print_summary, print_table
from minion_tui.cli.session import session
from minion_tui.models import Judgment

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers

VERDICTS = (*(j.value for j in Judgment), "clear")


def _setup_rate(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    rate = sub.add_parser("rate", parents=[common],
                          help="rate a track (liked, not interested, not quite) or clear it")
    rate.add_argument("target", metavar="TARGET", help="track URL or URN")
    rate.add_argument("verdict", choices=VERDICTS)


def _setup_export(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser("export", parents=[common],
                            help="write your judgments and their whole history to stdout")
    export.add_argument("what", choices=("judgments",))
    export.add_argument("--format", dest="fmt", choices=("json", "csv"), default="json")


def _setup_import(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    imp = sub.add_parser("import", parents=[common],
                         help="merge judgments from a file written by export")
    imp.add_argument("what", choices=("judgments",))
    imp.add_argument("file", metavar="FILE", type=Path)


async def _rate(args: argparse.Namespace) -> int:
    verdict = None if args.verdict == "clear" else Judgment(args.verdict)
    async with session(args) as service:
        changes = await service.library.rate_target(args.target, verdict)
    document = {"urn": changes[-1].urn, "judgment": args.verdict if verdict else None,
                "history": [c.to_json() for c in changes]}
    if args.json:
        print_json(document)
    else:
        note(f"{document['urn']}: {args.verdict}")
        print_table(["at", "judgment", "origin"],
                    [[c.at, c.judgment.value if c.judgment else "(cleared)", c.origin]
                     for c in changes])
    return 0


def _account_providers() -> Choices:
    def names(_caps: object) -> tuple[str, ...]:
        from minion_tui.service import provider_capabilities, provider_names

        return tuple(n for n in provider_names()
                     if "mylikes" in provider_capabilities(n).account_listings)
    return Choices(names)


def _setup_likes(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    likes = sub.add_parser("likes", help="your account's likes on a service")
    actions = likes.add_subparsers(dest="likes_command", metavar="ACTION", required=True)
    pull = actions.add_parser("pull", parents=[common],
                              help="rate the tracks your account likes as liked here "
                              "(a track you judged already keeps your judgment)")
    add_choosing(pull, "--provider", choices=_account_providers(), default=None,
                 help="the service (default: the first you may be signed in to)")
    keep = actions.add_parser("playlist", parents=[common],
                              help="keep your playlist NAME on SoundCloud equal to the tracks "
                              "you liked here, newest first (created private when missing; "
                              "unchanged, it is not written)")
    keep.add_argument("--name", default=None,
                      help='the playlist\'s title (default [accounts] likes_playlist, '
                      '"minion likes")')


async def _likes(args: argparse.Namespace) -> int:
    if args.likes_command == "playlist":
        return await _likes_playlist(args)
    async with session(args) as service:
        counts = await service.library.pull_likes(args.provider)
    print_summary(counts, f"{counts['liked']} track(s) rated liked, {counts['known']} liked "
                  f"already, {counts['kept']} kept as you judged them ({counts['tracks']} in "
                  "your likes)", as_json=args.json)
    return 0


async def _likes_playlist(args: argparse.Namespace) -> int:
    async with session(args) as service:
        settings = service.settings.accounts
        name = settings.likes_playlist if args.name is None else args.name
        tracks = await service.library.liked_here(limit=settings.likes_playlist_size)
        result, written = await service.writes.keep_playlist(name, tracks)
    document = {**result.to_json(), "tracks": len(tracks), "written": written}
    print_summary(document, f"{result.title}: {len(tracks)} track(s)"
                  f"{'' if written else ', already so (nothing written)'}", as_json=args.json)
    return 0


async def _export(args: argparse.Namespace) -> int:
    async with session(args) as service:
        text = await service.library.export_judgments(args.fmt)
    sys.stdout.write(text)  # the file itself, with or without --json
    return 0


async def _import(args: argparse.Namespace) -> int:
    async with session(args) as service:
        counts = await service.library.import_judgments(args.file)
    print_summary(counts, f"{counts['added']} change(s) added, {counts['known']} already "
                  f"there; {counts['tracks']} track(s) updated", as_json=args.json)
    return 0


COMMANDS = (
    Command("rate", _setup_rate, _rate),
    Command("export", _setup_export, _export, online=False),
    Command("import", _setup_import, _import, online=False),
    Command("likes", _setup_likes, _likes),
)
