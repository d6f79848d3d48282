"""The signed-in user's own playlists on the service: create, rename, add tracks, remove one,
move one, set public or private, delete. SoundCloud only: Mixcloud's API has no playlist
writes (its playlists are read-only there). Each changed playlist is read back and returned
with its tracks in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_CHANGE, REMOTE_DESTROY, REMOTE_SET, arg, tool
from minion_tui.mcp.tools.social import WriteDone, done, render_done


def _offering() -> tuple[str, ...]:
    from minion_tui.service.writes import Writes

    return Writes.offering("playlist")


PLAYLIST = ("The playlist: a soundcloud.com/…/sets/… link or a soundcloud:playlists:… URN "
            "(playlist_create returns it). It must be the signed-in user's.")
TRACK = "A track: a soundcloud.com link or a soundcloud:tracks:… URN."
TITLE = "The playlist's title: plain text on one line, at most 100 characters."


@dataclass(frozen=True, slots=True)
class Create:
    title: str = arg(TITLE, nonblank=True, max_length=100)
    tracks: tuple[str, ...] | None = arg("Tracks to put in it, in order (links or URNs); "
                                         "leave out for an empty playlist.", default=None,
                                         max_length=4096)
    private: bool = arg("Make it private (only the user sees it); default public.",
                        default=False)
    provider: str | None = arg("The service (only SoundCloud offers playlist writes).",
                               default=None, choices=_offering)


@tool(title="Create a playlist", output=WriteDone, hints=REMOTE_CHANGE, render=render_done)
async def playlist_create(ctx: ToolContext, args: Create) -> WriteDone:
    """Create a new playlist on SoundCloud, owned by the signed-in user, optionally with
    tracks. Not idempotent: each call makes another playlist (even with the same title), so
    never retry one that succeeded; use playlist_add to fill an existing one. One request,
    plus one per track given as a link (resolved for its URN). Needs the user signed in
    (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.playlist_create(
        args.title, private=args.private, tracks=args.tracks or (), provider=args.provider))


@dataclass(frozen=True, slots=True)
class Rename:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)
    title: str = arg("The new title: plain text on one line, at most 100 characters.",
                     nonblank=True, max_length=100)


@tool(title="Rename a playlist", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def playlist_rename(ctx: ToolContext, args: Rename) -> WriteDone:
    """Give one of the signed-in user's SoundCloud playlists a new title (its tracks stay).
    One request (two with a link). Needs the user signed in (else auth_required)."""
    return done(await ctx.service.writes.playlist_rename(args.playlist, args.title))


@dataclass(frozen=True, slots=True)
class Add:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)
    tracks: tuple[str, ...] = arg("The tracks to add at the end, in order (links or URNs).",
                                  max_length=4096)


@tool(title="Add tracks to a playlist", output=WriteDone, hints=REMOTE_CHANGE,
      render=render_done)
async def playlist_add(ctx: ToolContext, args: Add) -> WriteDone:
    """Add tracks at the end of one of the signed-in user's SoundCloud playlists (at most 500
    in all). Not idempotent: a track added twice is in it twice. Two requests (the playlist
    is read, then written whole: the API has no per-track call), plus one per track given
    as a link. Needs the user signed in (else auth_required)."""
    return done(await ctx.service.writes.playlist_add(args.playlist, args.tracks))


@dataclass(frozen=True, slots=True)
class Remove:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)
    track: str = arg("The track to take out (every time it is in the playlist): a link or "
                     "a URN.", nonblank=True, max_length=4096)


@tool(title="Remove a track from a playlist", output=WriteDone, hints=REMOTE_DESTROY,
      render=render_done,
      confirm=lambda args: f"Remove {args.track} from the playlist {args.playlist}?")
async def playlist_remove(ctx: ToolContext, args: Remove) -> WriteDone:
    """Take a track out of one of the signed-in user's SoundCloud playlists (the track itself
    stays on SoundCloud). Destructive: the user is asked first. A track not in it is
    invalid_argument. Two requests (read, then the whole list written). Needs the user
    signed in (else auth_required)."""
    return done(await ctx.service.writes.playlist_remove(args.playlist, args.track))


@dataclass(frozen=True, slots=True)
class Move:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)
    track: str = arg("The track to move: a link or a URN; it must be in the playlist.",
                     nonblank=True, max_length=4096)
    position: int = arg("Where it goes, 1 for the first; at most the playlist's length.",
                        minimum=1, maximum=10_000)


@tool(title="Reorder a playlist", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def playlist_move(ctx: ToolContext, args: Move) -> WriteDone:
    """Move a track of one of the signed-in user's SoundCloud playlists to a position (1
    first); the others keep their order. Moving it to where it is changes nothing. Two
    requests (read, then the whole list written). Needs the user signed in (else
    auth_required)."""
    return done(await ctx.service.writes.playlist_move(args.playlist, args.track,
                                                       args.position))


@dataclass(frozen=True, slots=True)
class Privacy:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)
    sharing: Literal["public", "private"] = arg(
        "public: anyone can see it; private: only the signed-in user.")


@tool(title="Set a playlist public or private", output=WriteDone, hints=REMOTE_SET,
      render=render_done)
async def playlist_privacy(ctx: ToolContext, args: Privacy) -> WriteDone:
    """Make one of the signed-in user's SoundCloud playlists public or private. One request
    (two with a link). Needs the user signed in (else auth_required)."""
    return done(await ctx.service.writes.playlist_privacy(args.playlist,
                                                          args.sharing == "private"))


@dataclass(frozen=True, slots=True)
class Delete:
    playlist: str = arg(PLAYLIST, nonblank=True, max_length=4096)


@tool(title="Delete a playlist", output=WriteDone, hints=REMOTE_DESTROY, render=render_done,
      confirm=lambda args: f"Delete the playlist {args.playlist} on SoundCloud for good?")
async def playlist_delete(ctx: ToolContext, args: Delete) -> WriteDone:
    """Delete one of the signed-in user's SoundCloud playlists for good (its tracks stay on
    SoundCloud). Destructive and not undoable: the user is asked first. One request (two
    with a link). Needs the user signed in (else auth_required)."""
    return done(await ctx.service.writes.playlist_delete(args.playlist))


TOOLS = (playlist_create, playlist_rename, playlist_add, playlist_remove, playlist_move,
         playlist_privacy, playlist_delete)

LEFT_OUT = (
    ("Mixcloud playlist writes (create, add, remove, reorder, delete)",
     "Mixcloud's API reads playlists (/{user}/playlists/) but documents no way to create or "
     "change one (MC §3 lists follow, favorite, repost, listen-later and upload only)"),
)
