"""``download``: tracks, sets, a profile's tracks/likes/sets, a search URL's results, direct
.m3u8/.mp3/.m4a URLs, or text files of URLs — with the progress views of progress.py."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui.cli.command import Choices, Command, add_choosing, within
from minion_tui.cli.session import session

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    dl = sub.add_parser("download", parents=[common],
                        help="download tracks, sets, a profile's tracks/likes/sets, a search "
                        "URL's results, direct .m3u8/.mp3/.m4a URLs, or text files of URLs")
    dl.add_argument("targets", nargs="+", metavar="TARGET|FILE")
    dl.add_argument("--dir", type=Path, help="folder (default: downloads.dir)")
    dl.add_argument("--jobs", type=within("downloads.parallel"),
                    help="tracks at once (default 3; at most 16, like downloads.parallel)")
    dl.add_argument("--segments", type=within("downloads.segments"),
                    help="HLS segments at once per track (at most 32, like downloads.segments)")
    add_choosing(dl, "--format", choices=Choices(lambda caps: caps.formats))
    dl.add_argument("--convert", choices=("mp3", "m4a", "opus", "flac"),
                    help="re-encode each finished file that is in another format (PyAV; "
                    "tags and artwork kept; default: downloads.convert, none)")


async def _download(args: argparse.Namespace) -> int:
    """Bars per item and overall on a terminal, only the final lines otherwise; JSON lines of
    DownloadEvents with --json."""
    from minion_tui.cli.progress import JsonLines, ProgressView

    view: JsonLines | ProgressView
    if args.json:
        view = JsonLines(sys.stdout)
    else:
        view = ProgressView(sys.stdout, terminal=sys.stdout.isatty(),
                            width=shutil.get_terminal_size((100, 24)).columns)
    async with session(args) as service:
        if isinstance(view, ProgressView) and service.settings.analysis.after_download:
            view.after_done = "then: tempo, key and loudness of each file (analysis.after_download)"
        outcomes = await service.downloads.download(args.targets, directory=args.dir,
                                                    jobs=args.jobs, segments=args.segments,
                                                    format=args.format, listener=view,
                                                    convert=args.convert)
    view.close(outcomes)
    return 1 if any(o.state == "failed" for o in outcomes) else 0


COMMANDS = (Command("download", _setup, _download),)
