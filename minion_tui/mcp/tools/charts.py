"""Discovery from the services' charts: SoundCloud's trending tracks, a genre's tracks,
Mixcloud's popular, hot and new shows and who is live now, and the tracklist of a show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, Tool, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT, _providers
from minion_tui.models import Section, Track, format_duration


@dataclass(frozen=True, slots=True)
class ChartPage:
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


def _chart_tool(name: str, chart: str, provider: str, title: str, doc: str) -> Tool:
    async def handler(ctx: ToolContext, args: ChartPage) -> Any:
        return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
            chart, provider=provider))

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = doc
    return tool(title=title, output=Listing[Track], hints=REMOTE_READ, render=render.listing,
                name=name)(handler)


trending_tracks = _chart_tool(
    "trending_tracks", "trending", "soundcloud", "Trending on SoundCloud",
    "SoundCloud's trending tracks now, as its discover page ranks them, each with the "
    "user's rating. Use it for what is popular on SoundCloud; tracks_by_genre for a genre; "
    "mixcloud_popular / mixcloud_hot / mixcloud_new for Mixcloud. One request per 50 "
    "tracks. Rate limits: SoundCloud throttles reads (429 with Retry-After).")
mixcloud_popular = _chart_tool(
    "mixcloud_popular", "popular", "mixcloud", "Popular on Mixcloud",
    "Mixcloud's popular shows and mixes (its most listened to lately). Use mixcloud_hot for "
    "those rising now, mixcloud_new for the newest. One request per page. Rate limits: "
    "Mixcloud answers 403 with Retry-After.")
mixcloud_hot = _chart_tool(
    "mixcloud_hot", "hot", "mixcloud", "Hot on Mixcloud",
    "Mixcloud's hot shows: those gaining listeners fastest right now. One request per "
    "page. Rate limits: Mixcloud answers 403 with Retry-After.")
mixcloud_new = _chart_tool(
    "mixcloud_new", "new", "mixcloud", "New on Mixcloud",
    "Mixcloud's newest shows, just published. One request per page. Rate limits: Mixcloud "
    "answers 403 with Retry-After.")
live_now = _chart_tool(
    "live_now", "live", "mixcloud", "Live on Mixcloud now",
    "The Mixcloud Live streams on air now (a DJ's live broadcast, playable while it lasts; "
    "its url is mixcloud.com/live/USER/). One request per page. Rate limits: Mixcloud "
    "answers 403 with Retry-After.")


@dataclass(frozen=True, slots=True)
class ByGenre:
    genre: str = arg("The genre or tag: words on SoundCloud (deep house), a tag's slug on "
                     "Mixcloud (deep-house; search_tags finds them).", nonblank=True,
                     max_length=100)
    provider: str | None = arg("The service (default: soundcloud).", default=None,
                               choices=_providers)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Tracks of a genre", output=Listing[Track], hints=REMOTE_READ,
      render=render.listing)
async def tracks_by_genre(ctx: ToolContext, args: ByGenre) -> Listing[Track]:
    """The chart of a genre: the tracks tagged with it on SoundCloud (its tag page:
    soundcloud.com/tags/NAME, most popular first) or the shows of a Mixcloud tag (its
    discover page: mixcloud.com/discover/SLUG/). Use it for "the best deep house" and the
    like; search_tracks with genre= filters a search by words instead. One request per
    page of 50. Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud
    answers 403 with Retry-After."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "tag", args.genre.strip(), provider=args.provider))


@dataclass(frozen=True, slots=True)
class Tracklist:
    target: str = arg("A Mixcloud show's URL (mixcloud.com/USER/SHOW/) or URN.",
                      nonblank=True)
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


def _section_line(s: dict[str, Any]) -> str:
    at = format_duration(s["start_ms"] / 1000) if s["start_ms"] is not None else "?"
    who = f"{s['artist']} - " if s["artist"] else ""
    return f"{at} {who}{s['title']}"


@tool(title="A show's tracklist", output=Listing[Section], hints=REMOTE_READ,
      render=lambda r: render.listing(r, _section_line))
async def show_tracklist(ctx: ToolContext, args: Tracklist) -> Listing[Section]:
    """The tracklist of a Mixcloud show: each track (artist and title) or chapter with when
    it starts (start_ms; null when the show does not say). Empty when the uploader hid it
    or gave none. Mixcloud only (SoundCloud tracks have no tracklist: an invalid_argument error says
    so). Two requests (the show, its tracklist). Rate limits: Mixcloud answers 403 with
    Retry-After."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "tracklist", args.target.strip()))


TOOLS = (trending_tracks, tracks_by_genre, mixcloud_popular, mixcloud_hot, mixcloud_new,
         live_now, show_tracklist)
