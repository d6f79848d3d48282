"""``inbox [--limit N] [filters]``: unrated tracks that followed artists liked, reposted or
uploaded (a Mixcloud user's favourites and shows), best first; with ``--json`` a list of
track objects, each with ``playable``, ``provenance`` (``[{source, actor, kind, at}]``) and
``score`` (``{total, parts}``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from minion_tui.cli.command import Command, positive_int
from minion_tui.cli.output import note, print_json, print_table
from minion_tui.cli.session import session
from minion_tui.models import format_duration

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers

# The filter values (discovery/rank.py); spelled here so --help needs no import of it.
DURATIONS = ("short", "medium", "long", "epic")
AGES = ("last_hour", "last_day", "last_week", "last_month", "last_year")
AVAILABILITY = ("all", "playable", "preview", "drm")


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    inbox = sub.add_parser("inbox", parents=[common],
                           help="unrated tracks that followed artists liked or reposted, "
                           "best first, each with why")
    inbox.add_argument("--limit", type=positive_int, default=50)
    inbox.add_argument("--page", type=int, default=0, help="page of --limit tracks (from 0)")
    inbox.add_argument("--provider", help="only this provider's tracks, e.g. soundcloud")
    inbox.add_argument("--genre", help="genre or tag (any case)")
    inbox.add_argument("--duration", choices=DURATIONS,
                       help="short < 2 min, medium 2-10, long 10-30, epic > 30")
    inbox.add_argument("--created", choices=AGES, help="uploaded within")
    inbox.add_argument("--surfaced", choices=AGES, help="liked or reposted within")
    inbox.add_argument("--availability", choices=AVAILABILITY, default="all",
                       help="playable hides previews (Go+) and DRM-only tracks, which "
                       "otherwise come after the playable ones")
    inbox.add_argument("--bpm", type=bpm_range, metavar="MIN-MAX",
                       help="only tracks analysed at a tempo in this range, e.g. 120-130")
    inbox.add_argument("--key", help='only tracks analysed in this key ("A minor", "Am", '
                       '"8A")')
    inbox.add_argument("--mixes-with", metavar="TRACK",
                       help="only tracks in a key that mixes with this analysed track's "
                       "(same Camelot code, one step round the wheel, or its relative)")


def bpm_range(text: str) -> tuple[float, float]:
    """``--bpm MIN-MAX`` → (MIN, MAX): two finite tempi, 0 < MIN ≤ MAX ≤ 1000."""
    low, dash, high = text.strip().partition("-")
    try:
        if not dash or not low.strip() or not high.strip():
            raise ValueError
        values = float(low), float(high)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MIN-MAX in BPM such as 120-130, got {text[:60]!r}") from None
    if not all(v == v and v not in (float("inf"), float("-inf")) for v in values):
        raise argparse.ArgumentTypeError(f"expected two finite tempi, got {text[:60]!r}")
    if not 0 < values[0] <= values[1] <= 1000:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r} is no tempo range: MIN must be above 0 and at most MAX (≤ 1000)")
    return values


async def _inbox(args: argparse.Namespace) -> int:
    from minion_tui.service import InboxFilters

    filters = InboxFilters(provider=args.provider, genre=args.genre, duration=args.duration,
                      created=args.created, surfaced=args.surfaced,
                      availability=args.availability, bpm=args.bpm,
                      key=args.key,
                      mixes_with=args.mixes_with)
    async with session(args) as service:
        entries = await service.inbox.list(limit=args.limit, page=max(0, args.page),
                                           filters=filters)
    documents = [e.to_json() for e in entries]
    if args.json:
        print_json(documents)
    elif not documents:
        note("(the inbox is empty: follow artists and sync, or loosen the filters)")
    else:
        print_table(["score", "title", "artist", "length", "why", "url"],
                    [_row(d) for d in documents])
    return 0


def _row(entry: dict[str, Any]) -> list[str]:
    mark = "" if entry["playable"] else f" ({entry['availability']})"
    return [f"{entry['score']['total']:.3f}", entry["title"] + mark, entry["artist"],
            format_duration(entry["duration_ms"] / 1000), why(entry["score"]["parts"]),
            entry["url"]]


def why(parts: list[dict[str, Any]]) -> str:
    """"liked by A, B · reposted by C · Trending" from a score's parts."""
    verbs = {"like": "liked by", "repost": "reposted by", "upload": "uploaded by"}
    names: dict[str, list[str]] = {}
    for part in parts:
        kind = part["kind"]
        names.setdefault(kind, []).append(part["name"] or part["actor"] or kind)
    said = [f"{verbs[k]} {', '.join(v)}" for k, v in names.items() if k in verbs]
    said += ["Trending" for k in names if k == "chart"]
    said += ["related" for k in names if k == "related"]
    return " · ".join(said)


COMMANDS = (Command("inbox", _setup, _inbox, online=False),)
