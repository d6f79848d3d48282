"""Reading the catalog: ``resolve``, ``stream``, ``search`` and ``browse``. Each prints the
JSON form of what the service returns (``--json``) or a table of it."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from minion_tui.cli.command import (
    Choices,
    Command,
    Handler,
    add_choosing,
    filter_choices,
    positive_int,
)
from minion_tui.cli.output import print_result
from minion_tui.cli.session import session
from minion_tui.errors import UsageError

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.service import Service

Query = Callable[["Service", argparse.Namespace], Awaitable[Any]]


def _setup_resolve(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    res = sub.add_parser("resolve", parents=[common],
                         help="a track, playlist (tracks hydrated) or user")
    res.add_argument("target", help="soundcloud.com / on.soundcloud.com URL, or URN")


def _setup_stream(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    stream = sub.add_parser("stream", parents=[common], help="the stream a track would play")
    stream.add_argument("target", help="track URL or URN")
    stream.add_argument("--full", action="store_true",
                        help="fail with preview_only instead of returning a 30 s preview")


def _setup_search(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    search = sub.add_parser("search", parents=[common], help="search tracks, users, sets, tags")
    search.add_argument("query")
    _add_provider(search, "the service to search (default: the first, soundcloud)")
    add_choosing(search, "--type", dest="kind", default="tracks",
                 choices=Choices(lambda caps: caps.search_kinds))
    search.add_argument("--genre", help="genre or tag (a literal, case-insensitive)")
    add_choosing(search, "--duration", choices=filter_choices("duration"))
    add_choosing(search, "--created", choices=filter_choices("created"))
    add_choosing(search, "--license", choices=filter_choices("license"))
    search.add_argument("--limit", type=positive_int, default=20)


def _setup_browse(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    browse = sub.add_parser("browse", parents=[common],
                            help="charts, tags, users' and tracks' lists")
    add_choosing(browse, "listing", choices=Choices(lambda _caps: _listing_words()))
    browse.add_argument("target", nargs="?",
                        help="USER or TRACK (URL or URN; a Mixcloud show URL), or TAG")
    _add_provider(browse, "the service (default: the one the TARGET URL is on, else the "
                  "first, soundcloud)")
    browse.add_argument("--limit", type=positive_int, default=20)


def _add_provider(parser: argparse.ArgumentParser, help: str) -> None:
    add_choosing(parser, "--provider", choices=Choices(lambda _caps: _provider_names()),
                 help=help)


def _provider_names() -> tuple[str, ...]:
    from minion_tui.service import provider_names

    return provider_names()


def _listing_words() -> tuple[str, ...]:
    from minion_tui.service.catalog import listing_words

    return listing_words()


def _provider_of(args: argparse.Namespace) -> str | None:
    """The provider asked with ``--provider``, checked against the one the target URL is on
    (a SoundCloud URL with ``--provider mixcloud`` is a usage error, not a guess)."""
    from minion_tui.service import claimed_by

    target = getattr(args, "target", None)
    owner = claimed_by(target) if target else None
    if args.provider and owner and owner != args.provider:
        raise UsageError(
            f"{target} is a {owner} URL, but --provider is {args.provider}.",
            hint=f"Leave out --provider, or pass a {args.provider} URL.")
    return args.provider or owner


async def _resolve(service: Service, args: argparse.Namespace) -> Any:
    return (await service.catalog.resolve(args.target)).to_json()


async def _stream(service: Service, args: argparse.Namespace) -> Any:
    return (await service.catalog.stream(args.target, require_full=args.full)).to_json()


async def _search(service: Service, args: argparse.Namespace) -> Any:
    pages = service.catalog.search(args.query, kind=args.kind, provider=args.provider,
                                   genre=args.genre,
                                   duration=args.duration, created=args.created,
                                   license=args.license, limit=args.limit)
    return await _collect(pages, args.limit)


async def _browse(service: Service, args: argparse.Namespace) -> Any:
    pages = service.catalog.browse(args.listing, args.target, limit=args.limit,
                                   provider=_provider_of(args))
    return await _collect(pages, args.limit)


async def _collect(pages: AsyncIterator[Any], limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    async for page in pages:
        items.extend(i.to_json() for i in page.items)
        if len(items) >= limit:
            break
    return items[:limit]


def _printing(query: Query) -> Handler:
    """The handler that runs ``query`` over a session and prints its result."""
    async def handler(args: argparse.Namespace) -> int:
        async with session(args) as service:
            result = await query(service, args)
        print_result(result, as_json=args.json)
        return 0

    return handler


COMMANDS = (
    Command("resolve", _setup_resolve, _printing(_resolve)),
    Command("stream", _setup_stream, _printing(_stream)),
    Command("search", _setup_search, _printing(_search)),
    Command("browse", _setup_browse, _printing(_browse)),
)
