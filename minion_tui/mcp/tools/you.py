"""The signed-in user's own listings on a service: their stream (feed), likes, listening
history, playlists and followings. Without a sign-in each is an ``auth_required`` error
saying how to sign in (``minion-tui auth login``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, Tool, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT
from minion_tui.models import Playlist, Track, User


def _offering(listing: str) -> Callable[[], tuple[str, ...]]:
    def names() -> tuple[str, ...]:
        from minion_tui.service import provider_capabilities, provider_names

        return tuple(p for p in provider_names()
                     if listing in provider_capabilities(p).account_listings)

    return names


_AUTH = ("Needs the user signed in to that service (minion-tui auth login): without it the "
         "call is an auth_required error and nothing is read.")


def _my_tool(name: str, listing: str, title: str, output: Any, doc: str) -> Tool:
    offering = _offering(listing)

    @dataclass(frozen=True, slots=True)
    class MyPage:
        provider: str | None = arg("The service whose account to read (default: the first "
                                   "that offers this listing).", default=None,
                                   choices=offering)
        limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
        cursor: str | None = arg(CURSOR, default=None, max_length=200)

    MyPage.__name__ = MyPage.__qualname__ = f"{name}_args"

    async def handler(ctx: ToolContext, args: Any) -> Any:
        return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
            listing, provider=args.provider))

    handler.__annotations__ = {"ctx": ToolContext, "args": MyPage, "return": Any}
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = (f"{doc} {_AUTH} One request per page of 50. Rate limits: SoundCloud "
                       "throttles reads (429 with Retry-After), Mixcloud answers 403 with "
                       "Retry-After.")
    return tool(title=title, output=Listing[output], hints=REMOTE_READ, render=render.listing,
                name=name)(handler)


my_feed = _my_tool(
    "my_feed", "feed", "My stream", Track | Playlist,
    "The signed-in user's SoundCloud stream: what the people they follow uploaded and "
    "reposted, newest first (tracks and playlists). SoundCloud only. Use inbox tools for the "
    "app's own rated discovery.")
my_likes = _my_tool(
    "my_likes", "mylikes", "My likes", Track | Playlist,
    "The tracks (and, on SoundCloud, playlists) the signed-in user liked or favourited "
    "(Mixcloud), most recent first. Use user_likes for anyone else's.")
my_history = _my_tool(
    "my_history", "history", "My listening history", Track,
    "The tracks the signed-in user played lately on SoundCloud (its listening history), "
    "most recent first. SoundCloud only; the app's own plays are kept locally.")
my_playlists = _my_tool(
    "my_playlists", "myplaylists", "My playlists", Playlist,
    "The signed-in user's own SoundCloud playlists (private ones too), without their tracks "
    "(playlist_tracks reads them). SoundCloud only.")
my_followings = _my_tool(
    "my_followings", "myfollowings", "Who I follow", User,
    "The users the signed-in user follows on SoundCloud. SoundCloud only.")


TOOLS = (my_feed, my_likes, my_history, my_playlists, my_followings)

LEFT_OUT = (
    ("notifications",
     "Neither service has a notifications endpoint: SoundCloud's API offers /me/activities "
     "(the stream, my_feed) but no notifications of likes, follows or comments; Mixcloud's "
     "API has none either (the /me endpoints of docs/soundcloud.md §5; Mixcloud's endpoints, "
     "docs/mixcloud.md §1.2)"),
)
