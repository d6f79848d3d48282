"""`minion-tui`: the TUI by default, and scriptable commands over the same service façade.

Every command takes ``--json``: models print in their one JSON form; failures print
``{"error": {"type", "message"}}`` on stdout with exit code 1 (2 for configuration problems).
Without ``--json`` output is a readable table, and a failure is one clear line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import logging.handlers
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from minion_tui import __version__, config
from minion_tui.errors import ConfigError, MinionError
from minion_tui.models import format_duration

if TYPE_CHECKING:
    from minion_tui.service import Service

log = logging.getLogger("minion_tui")

DURATIONS = ("short", "medium", "long", "epic")
CREATED = ("last_hour", "last_day", "last_week", "last_month", "last_year")
LICENSES = ("to_share", "to_use_commercially", "to_modify_commercially")
USER_LISTINGS = ("tracks", "toptracks", "likes", "reposts", "playlists", "albums",
                 "followings", "followers")
TRACK_LISTINGS = ("related", "station", "comments")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="log everything to the rotating log file")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="run against the built-in offline catalog")

    parser = argparse.ArgumentParser(
        prog="minion-tui",
        description="Discover music on SoundCloud from the terminal. "
        "With no command, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"minion-tui {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="run against the built-in offline catalog (an in-process emulator)")
    parser.add_argument("--demo-data", metavar="DIR", type=Path,
                        help="keep the demo's data in DIR instead of a temporary directory")
    parser.add_argument("--debug", action="store_true",
                        help=f"log everything to {config.log_path()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    cfg = sub.add_parser("config", help="write or show the configuration")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = cfg_sub.add_parser("init", help="write a commented config.toml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    cfg_sub.add_parser("show", parents=[common],
                       help="print every effective setting and where it came from")

    emu = sub.add_parser("emulator", help="serve the offline SoundCloud emulator")
    emu.add_argument("args", nargs=argparse.REMAINDER,
                     help="[--port 8750] [--seed N] [--faults PROFILE] [--host H]")

    res = sub.add_parser("resolve", parents=[common],
                         help="a track, playlist (tracks hydrated) or user")
    res.add_argument("target", help="soundcloud.com / on.soundcloud.com URL, or URN")

    stream = sub.add_parser("stream", parents=[common], help="the stream a track would play")
    stream.add_argument("target", help="track URL or URN")
    stream.add_argument("--full", action="store_true",
                        help="fail with preview_only instead of returning a 30 s preview")

    search = sub.add_parser("search", parents=[common], help="search tracks, users, sets")
    search.add_argument("query")
    search.add_argument("--type", dest="kind", default="tracks",
                        choices=("tracks", "users", "playlists", "albums"))
    search.add_argument("--genre", help="genre or tag (a literal, case-insensitive)")
    search.add_argument("--duration", choices=DURATIONS)
    search.add_argument("--created", choices=CREATED)
    search.add_argument("--license", choices=LICENSES)
    search.add_argument("--limit", type=_positive_int, default=20)

    browse = sub.add_parser("browse", parents=[common],
                            help="charts, tags, users' and tracks' lists")
    browse.add_argument("listing", choices=("trending", "tag", *USER_LISTINGS, *TRACK_LISTINGS))
    browse.add_argument("target", nargs="?", help="USER or TRACK (URL or URN), or TAG")
    browse.add_argument("--limit", type=_positive_int, default=20)

    # -- download (issue 6) --
    dl = sub.add_parser("download", parents=[common],
                        help="download tracks, sets, a profile's tracks/likes/sets, a search "
                        "URL's results, direct .m3u8/.mp3/.m4a URLs, or text files of URLs")
    dl.add_argument("targets", nargs="+", metavar="TARGET|FILE")
    dl.add_argument("--dir", type=Path, help="folder (default: downloads.dir)")
    dl.add_argument("--jobs", type=_within("downloads.parallel"),
                    help="tracks at once (default 3; at most 16, like downloads.parallel)")
    dl.add_argument("--segments", type=_within("downloads.segments"),
                    help="HLS segments at once per track (at most 32, like downloads.segments)")
    dl.add_argument("--format", choices=("best", "mp3", "m4a", "opus", "original"))
    # -- end download --

    # -- play (issue 5) --
    play = sub.add_parser("play", parents=[common], help="play a track without the TUI")
    play.add_argument("target", metavar="TARGET")
    play.add_argument("--start", type=float, default=0.0, metavar="SECONDS")
    play.add_argument("--for", dest="play_for", type=float, metavar="SECONDS",
                      help="stop after this many seconds (default: at the end)")
    play.add_argument("--ao", help=argparse.SUPPRESS)  # mpv audio output, e.g. null in tests
    # -- end play --
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"] and not {"-h", "--help"} & set(argv[1:2]):
        # The emulator has its own parser; argparse's REMAINDER would reject its options.
        from minion_tui.emulator.server import run_cli

        return run_cli(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command != "config":
        # Every other command goes online: the HTTPS context is built on a thread from now
        # on, beside the imports still to come (net/tls.py says why).
        from minion_tui.net import tls

        tls.preload()
    setup_logging(debug=bool(getattr(args, "debug", False)))
    as_json = bool(getattr(args, "json", False))
    try:
        return _dispatch(args)
    except ConfigError as exc:
        return _fail(exc, as_json)
    except MinionError as exc:
        log.info("command failed: %s", exc.text, exc_info=True)
        return _fail(exc, as_json)
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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        return _run_tui(args)
    if args.command == "config":
        return _config(args)
    if args.command == "emulator":  # only reached for `emulator --help`
        from minion_tui.emulator.server import run_cli

        return run_cli(["--help"])
    if args.command == "download":  # issue 6
        return asyncio.run(_download_command(args))
    if args.command == "play":  # issue 5
        return asyncio.run(_play_command(args))
    return asyncio.run(_run_command(args))


# -- download (issue 6) -----------------------------------------------------------------------


def _within(setting: str) -> Callable[[str], int]:
    """An argparse type bounded like ``setting`` in the config schema (one source of limits):
    ``--jobs 99`` is refused with the range instead of opening 99 × segments connections."""
    low, high = config.whole_range(setting)

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be from {low} to {high} (like {setting}), got {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its error by __name__
    return parse


async def _download_command(args: argparse.Namespace) -> int:
    """Bars per item and overall on a terminal, only the final lines otherwise; JSON lines of
    DownloadEvents with --json. Targets: see minion_tui/downloads/targets.py (tracks, sets,
    profiles, likes, search URLs, direct media URLs, text files of URLs)."""
    from minion_tui.cli_progress import JsonLines, ProgressView

    view: JsonLines | ProgressView
    if args.json:
        view = JsonLines(sys.stdout)
    else:
        view = ProgressView(sys.stdout, terminal=sys.stdout.isatty(),
                            width=shutil.get_terminal_size((100, 24)).columns)
    async with _session(args) as service:
        outcomes = await service.downloads.download(args.targets, directory=args.dir,
                                                    jobs=args.jobs,
                                          segments=args.segments, format=args.format,
                                          listener=view)
    view.close(outcomes)
    return 1 if any(o.state == "failed" for o in outcomes) else 0


# -- play (issue 5) ---------------------------------------------------------------------------


async def _play_command(args: argparse.Namespace) -> int:
    from minion_tui.playback.cli_play import play_command

    async with _session(args) as service:
        return await play_command(service, args.target, start=args.start,
                                  play_for=args.play_for, as_json=args.json, ao=args.ao)


# -- end play ---------------------------------------------------------------------------------


def _fail(exc: MinionError, as_json: bool) -> int:
    if as_json:
        print(json.dumps(exc.to_json()))
    else:
        print(f"minion-tui: {exc.text}", file=sys.stderr)
    return exc.exit_code


def setup_logging(*, debug: bool) -> None:
    """Warnings and errors always go to the rotating log file; everything with --debug."""
    try:
        log_path = config.log_path()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
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


# -- config ---------------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> int:
    if args.config_command == "init":
        path = config.init_config(force=args.force)
        print(f"wrote {path}")
        return 0
    settings = config.load_settings()
    rows = config.effective_settings_rows(settings)
    if args.json:
        print(json.dumps({"path": str(settings.path), "settings": [
            {"key": k, "value": v, "origin": o} for k, v, o in rows]}, indent=2))
        return 0
    exists = "" if settings.path.exists() else " (not present: defaults apply)"
    print(f"config file: {settings.path}{exists}")
    _print_table(["setting", "value", "from"], [list(r) for r in rows])
    return 0


# -- the TUI --------------------------------------------------------------------------------


@contextmanager
def _demo(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], Path | None]]:
    """Run the emulator in-process for --demo and keep data in a temporary directory unless
    --demo-data says otherwise."""
    from minion_tui.emulator.server import run_in_thread

    data_dir: Path | None = getattr(args, "demo_data", None)
    temp = None if data_dir else Path(tempfile.mkdtemp(prefix="minion-demo-"))
    emulator = run_in_thread(cache_dir=config.cache_dir() / "emulator")
    try:
        yield emulator.endpoints, data_dir or temp
    finally:
        emulator.stop()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


@contextmanager
def _service(args: argparse.Namespace) -> Iterator[Service]:
    from minion_tui.service import Service

    if getattr(args, "demo", False):
        with _demo(args) as (endpoints, data_dir):
            assert data_dir is not None
            # The user's settings (keymap, theme) apply, but what the demo writes stays with
            # its data: downloads and a theme choice never reach ~/Music or config.toml.
            settings = config.load_settings()
            settings = dataclasses.replace(
                settings, path=data_dir / "config.toml",
                downloads=dataclasses.replace(settings.downloads, dir=data_dir / "Music"))
            yield Service.open(settings=settings, demo=True, data_dir=data_dir,
                               endpoints=endpoints)
    else:
        yield Service.open()


def _run_tui(args: argparse.Namespace) -> int:
    with _service(args) as service:
        from minion_tui.tui.run import run_app

        return run_app(service)


# -- scriptable commands --------------------------------------------------------------------


@asynccontextmanager
async def _session(args: argparse.Namespace) -> AsyncIterator[Service]:
    """The service for one scriptable command, closed (HTTP client, database) however the
    command ends."""
    with _service(args) as service:
        try:
            yield service
        finally:
            await service.aclose()


async def _run_command(args: argparse.Namespace) -> int:
    async with _session(args) as service:
        result = await _command_result(service, args)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_human(result)
    return 0


async def _command_result(service: Service, args: argparse.Namespace) -> Any:
    if args.command == "resolve":
        return (await service.catalog.resolve(args.target)).to_json()
    if args.command == "stream":
        return (await service.catalog.stream(args.target, require_full=args.full)).to_json()
    if args.command == "search":
        pages = service.catalog.search(args.query, kind=args.kind, genre=args.genre,
                               duration=args.duration, created=args.created,
                               license=args.license, limit=args.limit)
        return await _collect(pages, args.limit)
    if args.command == "browse":
        return await _collect(service.catalog.browse(args.listing, args.target, limit=args.limit),
                              args.limit)
    raise AssertionError(args.command)  # pragma: no cover - argparse restricts commands


async def _collect(pages: AsyncIterator[Any], limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    async for page in pages:
        items.extend(i.to_json() for i in page.items)
        if len(items) >= limit:
            break
    return items[:limit]


# -- human-readable output ------------------------------------------------------------------


def _print_human(result: Any) -> None:
    rows = result if isinstance(result, list) else [result]
    if rows and rows[0].get("kind") == "playlist" and len(rows) == 1:
        pl = rows[0]
        print(f"{pl['title']} — {pl['uploader']} ({pl['track_count']} tracks, "
              f"{format_duration(pl['duration_ms'] / 1000)})  {pl['url']}")
        rows = pl["tracks"]
    if not rows:
        print("(nothing found)")
        return
    kind = rows[0].get("kind")
    formatters: dict[str, tuple[list[str], Callable[[dict[str, Any]], list[str]]]] = {
        "track": (["title", "artist", "length", "genre", "plays", "availability", "url"],
                  lambda t: [t["title"], t["artist"], format_duration(t["duration_ms"] / 1000),
                             t["genre"], _count(t["counts"]["plays"]), t["availability"],
                             t["url"]]),
        "user": (["username", "name", "followers", "tracks", "url"],
                 lambda u: [u["username"], u["full_name"], _count(u["followers_count"]),
                            _count(u["track_count"]), u["url"]]),
        "playlist": (["title", "by", "tracks", "length", "album", "url"],
                     lambda p: [p["title"], p["uploader"], str(p["track_count"]),
                                format_duration(p["duration_ms"] / 1000),
                                "yes" if p["is_album"] else "", p["url"]]),
        "comment": (["at", "user", "comment"],
                    lambda c: [_comment_time(c["timestamp_ms"]), c["user"]["username"],
                                      c["body"]]),
    }
    if kind in formatters:
        header, fmt = formatters[kind]
        _print_table(header, [fmt(r) for r in rows])
    else:  # a stream choice or anything without a table form
        for key, value in rows[0].items():
            print(f"{key}: {value}")


def _comment_time(ms: int | None) -> str:
    return "" if ms is None else format_duration(ms / 1000)


def _count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    width = shutil.get_terminal_size((120, 24)).columns
    cells = [[str(c or "").replace("\n", " ") for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    # Shrink the widest columns until the table fits the terminal.
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    for row in [header, *cells]:
        print("  ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
