"""Reading playlists and albums: one playlist, its tracks page by page, and its tracks as an
M3U8 playlist."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT
from minion_tui.models import Playlist, Track
from minion_tui.models.json_form import JsonModel

PLAYLIST = ("A playlist's, set's or album's URL (soundcloud.com/…/sets/…, a Mixcloud "
            "playlist page) or URN (soundcloud:playlists:123), as other tools return it.")


@dataclass(frozen=True, slots=True)
class GetPlaylist:
    target: str = arg(PLAYLIST, nonblank=True)


@tool(title="Get a playlist", output=Playlist, hints=REMOTE_READ, render=render.resource)
async def get_playlist(ctx: ToolContext, args: GetPlaylist) -> Playlist:
    """A playlist or album: title, owner, track count, length, artwork — without its tracks
    (``tracks`` is empty here; read them with playlist_tracks, which pages). Use it to see
    what a playlist is before reading it. One request for the playlist, plus one per 50 of
    its tracks (they are fetched to give the length). Rate limits: SoundCloud throttles
    reads (429 with Retry-After), Mixcloud answers 403 with Retry-After."""
    found = await ctx.service.catalog.playlist(args.target.strip())
    return dataclasses.replace(found, tracks=())


@dataclass(frozen=True, slots=True)
class PlaylistTracks:
    target: str = arg(PLAYLIST, nonblank=True)
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="A playlist's tracks", output=Listing[Track], hints=REMOTE_READ,
      render=render.listing)
async def playlist_tracks(ctx: ToolContext, args: PlaylistTracks) -> Listing[Track]:
    """The tracks of a playlist or album in their order, each with the user's rating.
    The first call reads the whole playlist (one request, plus one per 50 tracks); the
    pages after it are served from that read (no request). Use export_m3u for the whole
    list as an .m3u8 file's text."""
    async def tracks() -> AsyncIterator[list[Track]]:
        yield await ctx.service.catalog.playlist_tracks(args.target.strip())

    return await ctx.page(args.cursor, args.limit, tracks)


@dataclass(frozen=True, slots=True)
class M3uPlaylist(JsonModel):
    """A playlist's tracks as an extended M3U (``.m3u8``, UTF-8): ``text`` is the file's
    content (an ``#EXTINF`` line with length and "artist - title", then the track's web
    URL, per track); ``minion-tui download FILE.m3u8`` reads it back."""

    urn: str
    title: str
    track_count: int
    filename: str
    text: str


@dataclass(frozen=True, slots=True)
class ExportM3u:
    target: str = arg(PLAYLIST, nonblank=True)


def _filename(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_." else " " for c in title)
    return (" ".join(keep.split())[:80] or "playlist") + ".m3u8"


@tool(title="Export a playlist as M3U", output=M3uPlaylist, hints=REMOTE_READ,
      render=lambda r: r["text"])
async def export_m3u(ctx: ToolContext, args: ExportM3u) -> M3uPlaylist:
    """The text of an extended M3U8 playlist of a playlist's or album's tracks (by their
    web URLs, in order), for the user to save (``filename`` suggests a name); nothing is
    written here. The same format ``minion-tui radio --save`` writes and ``minion-tui
    download`` reads. One request, plus one per 50 tracks."""
    found = await ctx.service.catalog.playlist(args.target.strip())
    return M3uPlaylist(urn=found.urn, title=found.title, track_count=len(found.tracks),
                       filename=_filename(found.title),
                       text=ctx.service.catalog.m3u8(found.tracks))


TOOLS = (get_playlist, playlist_tracks, export_m3u)
