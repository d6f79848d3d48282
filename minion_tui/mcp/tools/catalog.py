"""Reading the catalog: search, resolve a link, one track."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, arg, tool
from minion_tui.models import Playlist, Track, User


def _providers() -> tuple[str, ...]:
    from minion_tui.service import provider_names

    return provider_names()


def _filter(name: str) -> Any:
    def values() -> tuple[str, ...]:
        from minion_tui.service import capabilities

        found = capabilities().search_filter(name)
        return tuple(found.choices or ()) if found else ()

    return values


TARGET = ("A track's URL (soundcloud.com, on.soundcloud.com, mixcloud.com) or URN "
          "(soundcloud:tracks:123, as other tools return it).")
LIMIT = "How many items to return in this page (1-200)."
CURSOR = ("The next_cursor of the previous page, unchanged, for the next page; leave it out "
          "for the first page. The other arguments are then those of the first call.")


@dataclass(frozen=True, slots=True)
class SearchTracks:
    query: str = arg("What to search for: words of a title, an artist, a genre.",
                     nonblank=True, max_length=500)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)
    provider: str | None = arg("The service to search (default: soundcloud).",
                               default=None, choices=_providers)
    genre: str | None = arg("Only tracks of this genre or tag (case-insensitive).",
                            default=None, nonblank=True, max_length=100)
    duration: str | None = arg("Only tracks of this length.", default=None,
                               choices=_filter("duration"))
    created: str | None = arg("Only tracks uploaded this recently.", default=None,
                              choices=_filter("created"))
    license: str | None = arg("Only tracks under this license.", default=None,
                              choices=_filter("license"))


@tool(title="Search tracks", output=Listing[Track], hints=REMOTE_READ, render=render.listing)
async def search_tracks(ctx: ToolContext, args: SearchTracks) -> Listing[Track]:
    """Search SoundCloud (default) or Mixcloud for tracks (Mixcloud: shows and mixes) by
    words, optionally filtered by genre, length, upload date or license; each track comes
    with the user's own rating. Use it to find music by name; use resolve_url for a pasted
    link. Costs one request to the service per 50 results read (SoundCloud counts them
    against its rate limit); page with next_cursor rather than asking for many at once."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.search(
        args.query, kind="tracks", provider=args.provider, genre=args.genre,
        duration=args.duration, created=args.created, license=args.license))


@dataclass(frozen=True, slots=True)
class ResolveUrl:
    url: str = arg("A link as pasted: soundcloud.com, on.soundcloud.com or mixcloud.com "
                   "(a track, a playlist or set, a user), or a URN another tool returned.",
                   nonblank=True)


@tool(title="Resolve a link", output=(Track, Playlist, User), hints=REMOTE_READ,
      render=render.resource)
async def resolve_url(ctx: ToolContext, args: ResolveUrl) -> Track | Playlist | User:
    """Turn a link (or a URN) into what it names: a track, a playlist with its tracks, or
    a user; ``kind`` says which. Do this first with any link the user gives, then pass the
    returned urn to the other tools. One or two requests (a short link is followed first;
    a playlist's tracks are fetched in batches of 50)."""
    return await ctx.service.catalog.resolve(args.url)


@dataclass(frozen=True, slots=True)
class GetTrack:
    target: str = arg(TARGET, nonblank=True)


@tool(title="Get a track", output=Track, hints=REMOTE_READ, render=render.resource)
async def get_track(ctx: ToolContext, args: GetTrack) -> Track:
    """One track with everything known of it: title, artist, length, genre, tags, counts,
    availability, the user's rating, and tempo and key once analysed. Use it to refresh a
    track or read one by URN. One request."""
    found = await ctx.service.catalog.resolve(args.target)
    if not isinstance(found, Track):
        raise InvalidArgument(f"{args.target} is a {found.kind}, not a track.",
                              hint="Use resolve_url for playlists and users.")
    return found


TOOLS = (search_tracks, resolve_url, get_track)
