"""``analyze FILE|TARGET... [--json]`` and ``similar TARGET [--limit N] [--json]``: tempo and
key of audio files and of tracks' streams, and the analysed tracks that sound like a track.

``analyze --json`` prints one object per input (``input``, ``bpm``, ``key``, ``camelot``,
``bpm_confidence``, ``key_confidence``, ``seconds_analysed``), a list in argument order when
there are several; an input that fails is its own ``{"input", "error": {"type",
"message"}}`` and the others are answered. A single input that fails prints the usual error
form and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from minion_tui.cli.command import Command, positive_int
from minion_tui.cli.output import fail, note, print_json, print_table
from minion_tui.cli.session import session
from minion_tui.errors import MinionError

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.models import SoundAnalysis


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    analyze = sub.add_parser("analyze", parents=[common],
                             help="tempo and key of audio files or of tracks' streams")
    analyze.add_argument("inputs", nargs="+", metavar="FILE|TARGET",
                         help="an audio file, or a track's URL or URN (its first minutes)")


def _setup_similar(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    similar = sub.add_parser("similar", parents=[common],
                             help="analysed tracks that sound like a track")
    similar.add_argument("target", metavar="TARGET", help="a track's URL or URN")
    similar.add_argument("--limit", type=positive_int, default=10)


def _row(found: SoundAnalysis) -> list[str]:
    return [found.input, f"{found.bpm:.1f}" if found.bpm else "", found.key or "",
            found.camelot or "", f"{found.bpm_confidence:.2f}", f"{found.key_confidence:.2f}",
            f"{found.seconds_analysed:.1f}"]


_HEADER = ["input", "bpm", "key", "camelot", "bpm conf", "key conf", "seconds"]


async def _analyze(args: argparse.Namespace) -> int:
    async with session(args) as service:
        results = await service.analysis.analyze(args.inputs)
    if len(results) == 1 and isinstance(results[0], MinionError):
        return fail(results[0], as_json=args.json)
    failed = [r for r in results if isinstance(r, MinionError)]
    if args.json:
        documents: list[dict[str, Any]] = [
            {"input": text, **r.to_json()} if isinstance(r, MinionError) else r.to_json()
            for text, r in zip(args.inputs, results, strict=True)]
        print_json(documents[0] if len(documents) == 1 else documents)
    else:
        for text, r in zip(args.inputs, results, strict=True):
            if isinstance(r, MinionError):
                print(f"minion-tui: {text}: {r.text}", file=sys.stderr)
        rows = [_row(r) for r in results if not isinstance(r, MinionError)]
        if rows:
            print_table(_HEADER, rows)
    return 1 if failed else 0


async def _similar(args: argparse.Namespace) -> int:
    async with session(args) as service:
        found = await service.analysis.similar(args.target, limit=args.limit)
    if args.json:
        print_json([f.to_json() for f in found])
    elif not found:
        note("(no other analysed track to compare with; analyse or download some first)")
    else:
        print_table(["distance", "title", "artist", "bpm", "key", "camelot", "url"],
                    [[f"{f.distance:.2f}", f.track.title, f.track.artist,
                      f"{f.track.bpm:.1f}" if f.track.bpm else "", f.track.key or "",
                      f.track.camelot or "", f.track.url] for f in found])
    return 0


COMMANDS = (Command("analyze", _setup, _analyze), Command("similar", _setup_similar, _similar))
