"""``radio TARGET [--size N] [--save NAME]``: a queue grown from a seed track or artist —
related tracks, its station and what its likers also liked, ranked by trust. ``--json``
prints a list of track objects with ``via`` and ``score``; ``--save`` also writes the queue
as NAME.m3u8 in the downloads folder (``minion-tui download NAME.m3u8`` takes it) and, signed
in to SoundCloud, keeps your playlist NAME there equal to its SoundCloud tracks."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command, positive_int
from minion_tui.cli.output import note, print_json, print_table
from minion_tui.cli.session import session
from minion_tui.models import format_duration

if TYPE_CHECKING:
    from collections.abc import Sequence

    from minion_tui.cli.command import Subparsers
    from minion_tui.models import RadioEntry
    from minion_tui.service import Service


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    radio = sub.add_parser("radio", parents=[common],
                           help="a queue from a seed track or artist, ranked by trust")
    radio.add_argument("target", metavar="TARGET", help="track or user URL or URN")
    radio.add_argument("--size", type=positive_int, default=50)
    radio.add_argument("--save", metavar="NAME",
                       help="also write it as NAME.m3u8 in the downloads folder (and, signed "
                       "in to SoundCloud, as your playlist NAME there)")


async def _radio(args: argparse.Namespace) -> int:
    async with session(args) as service:
        entries = await service.inbox.radio(args.target, size=args.size)
        saved = await service.inbox.save_radio(entries, args.save) if args.save else None
        if saved is not None:
            print(f"minion-tui: saved {len(entries)} tracks to {saved}", file=sys.stderr)
            await _save_on_service(service, args.save, entries)
    if args.json:
        print_json([e.to_json() for e in entries])
    elif not entries:
        note("(nothing to play from this seed)")
    else:
        print_table(["via", "title", "artist", "length", "url"],
                    [[e.via, e.track.title, e.track.artist,
                      format_duration(e.track.duration_ms / 1000), e.track.url]
                     for e in entries])
    return 0


async def _save_on_service(service: Service, name: str, entries: Sequence[RadioEntry]
                           ) -> None:
    """The radio as your SoundCloud playlist NAME too, when you are signed in there."""
    urns = [e.track.urn for e in entries if e.track.urn.startswith("soundcloud:tracks:")]
    if not urns:
        return
    status = (await service.accounts.status()).get("soundcloud")
    if status is None or not status.signed_in:
        note("not signed in to SoundCloud: saved as a file only "
             "(`minion-tui auth login soundcloud` saves it as your playlist there too)")
        return
    result, written = await service.writes.keep_playlist(name.strip(), urns)
    note(f"{'saved' if written else 'already saved'} as your SoundCloud playlist "
         f"{result.title!r} ({len(urns)} tracks)")


COMMANDS = (Command("radio", _setup, _radio),)
