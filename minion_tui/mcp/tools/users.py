"""Reading users: one user, their listings (tracks, likes, reposts, playlists, albums,
followings, followers, and every other a service offers), and searching for users, playlists
and tags, with the services' autocomplete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, Tool, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT, _providers
from minion_tui.mcp.tools.tracks import comment_line
from minion_tui.models import Comment, Playlist, Tag, Track, User
from minion_tui.models.json_form import JsonModel

USER = ("A user's profile URL (soundcloud.com/NAME, mixcloud.com/NAME/) or URN "
        "(soundcloud:users:123), as other tools return it.")
_LIMITS = ("Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers "
           "403 with Retry-After; the error then says when to try again.")


@dataclass(frozen=True, slots=True)
class GetUser:
    target: str = arg(USER, nonblank=True)


@tool(title="Get a user", output=User, hints=REMOTE_READ, render=render.resource)
async def get_user(ctx: ToolContext, args: GetUser) -> User:
    """A user (artist, DJ, listener) with their name, city, follower and track counts. Use
    it for a profile link or a urn another tool gave; then user_tracks, user_likes and the
    other user_… tools read their listings. One request (two for a short link). Rate
    limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403 with
    Retry-After."""
    found = await ctx.service.catalog.resolve(args.target.strip())
    if not isinstance(found, User):
        raise InvalidArgument(f"{args.target.strip()[:200]} is a {found.kind}, not a user.",
                              hint="Pass a profile URL or a user URN; resolve_url takes any "
                              "link.")
    return found


@dataclass(frozen=True, slots=True)
class UserPage:
    target: str = arg(USER, nonblank=True)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


def _line(r: dict[str, Any]) -> str:
    return comment_line(r) if r.get("kind") == "comment" else render.resource_line(r)


def _listing_text(result: dict[str, Any]) -> str:
    return render.listing(result, _line)


def _user_tool(name: str, listing: str, title: str, output: Any, doc: str) -> Tool:
    """One named tool over a user's ``listing`` (the services' own names are read as the
    neutral ones: Mixcloud's shows are its tracks, its favourites its likes)."""

    async def handler(ctx: ToolContext, args: UserPage) -> Any:
        return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
            listing, args.target.strip()))

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = f"{doc}\n\n{_LIMITS}"
    return tool(title=title, output=Listing[output], hints=REMOTE_READ, render=_listing_text,
                name=name)(handler)


_PAGE_COST = "One request to find the user, then one per page of 50."

user_tracks = _user_tool(
    "user_tracks", "tracks", "A user's tracks", Track,
    "The tracks a user uploaded (SoundCloud) or the shows they published (Mixcloud), newest "
    f"first. {_PAGE_COST}")
user_likes = _user_tool(
    "user_likes", "likes", "A user's likes", Track | Playlist,
    "The tracks (and, on SoundCloud, playlists) a user liked or favourited (Mixcloud), most "
    "recent first. Use "
    "my_likes for the signed-in user's own. " + _PAGE_COST)
user_reposts = _user_tool(
    "user_reposts", "reposts", "A user's reposts", Track | Playlist,
    "The tracks and playlists a SoundCloud user reposted, most recent first (SoundCloud "
    "only: Mixcloud has no reposts listing, an invalid_argument error says so). "
    + _PAGE_COST)
user_playlists = _user_tool(
    "user_playlists", "playlists", "A user's playlists", Playlist,
    "The playlists (sets) a user made, on SoundCloud or Mixcloud, without their tracks "
    "(playlist_tracks reads them). " + _PAGE_COST)
user_albums = _user_tool(
    "user_albums", "albums", "A user's albums", Playlist,
    "The albums, EPs and singles a SoundCloud artist released (SoundCloud only). "
    + _PAGE_COST)
user_followings = _user_tool(
    "user_followings", "followings", "Who a user follows", User,
    "The users a user follows, on SoundCloud or Mixcloud. " + _PAGE_COST)
user_followers = _user_tool(
    "user_followers", "followers", "A user's followers", User,
    "The users who follow a user, on SoundCloud or Mixcloud. " + _PAGE_COST)


def _user_listings() -> tuple[str, ...]:
    from minion_tui.service import capabilities

    return capabilities().user_listings


@dataclass(frozen=True, slots=True)
class UserListing:
    target: str = arg(USER, nonblank=True)
    listing: str = arg("Which listing: tracks, toptracks, likes, reposts, playlists, albums, "
                       "followings, followers (SoundCloud); tracks (shows), likes "
                       "(favourites), listens, playlists, feed, comments, followings, "
                       "followers (Mixcloud).", choices=_user_listings)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="A user's listing", output=Listing[Track | Playlist | User | Comment],
      hints=REMOTE_READ, render=_listing_text)
async def user_listing(ctx: ToolContext, args: UserListing) -> Listing[Any]:
    """Any listing of a user the service offers, by name: the ones with their own tool
    (user_tracks, user_likes, user_reposts, user_playlists, user_albums, user_followings,
    user_followers) and the others — SoundCloud's toptracks (most played), Mixcloud's
    listens (listening history), feed (their activity) and comments (on their profile).
    Items are tracks, playlists, users or comments by the listing; a listing the user's
    service does not have is an invalid_argument error naming those it has. One request to find the
    user, then one per page of 50. Rate limits: SoundCloud throttles reads (429 with
    Retry-After), Mixcloud answers 403 with Retry-After."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        args.listing, args.target.strip()))


# -- searching beyond tracks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchUsers:
    query: str = arg("Words of a user's name or profile.", nonblank=True, max_length=500)
    provider: str | None = arg("The service to search (default: soundcloud).", default=None,
                               choices=_providers)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Search users", output=Listing[User], hints=REMOTE_READ, render=render.listing)
async def search_users(ctx: ToolContext, args: SearchUsers) -> Listing[User]:
    """Search SoundCloud (default) or Mixcloud for users (artists, DJs, labels, listeners)
    by name. Use it to find an artist's profile; then get_user and the user_… tools. One
    request per 50 results. Rate limits: SoundCloud throttles reads (429 with
    Retry-After), Mixcloud answers 403 with Retry-After."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.search(
        args.query, kind="users", provider=args.provider))


@dataclass(frozen=True, slots=True)
class SearchPlaylists:
    query: str = arg("Words of a playlist's or album's title.", nonblank=True,
                     max_length=500)
    albums: bool = arg("Search albums (EPs, singles) instead of playlists.", default=False)
    genre: str | None = arg("Only playlists of this genre or tag (case-insensitive).",
                            default=None, nonblank=True, max_length=100)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Search playlists", output=Listing[Playlist], hints=REMOTE_READ,
      render=render.listing)
async def search_playlists(ctx: ToolContext, args: SearchPlaylists) -> Listing[Playlist]:
    """Search SoundCloud for playlists (sets) or, with albums: true, albums, optionally of
    a genre; each without its tracks (playlist_tracks reads them). SoundCloud only: Mixcloud
    has no playlist search. One request per 50 results. Rate limits: SoundCloud throttles
    reads (429 with Retry-After)."""
    kind = "albums" if args.albums else "playlists"
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.search(
        args.query, kind=kind, provider="soundcloud", genre=args.genre))


@dataclass(frozen=True, slots=True)
class SearchTags:
    query: str = arg("Words of a genre or tag (deep house, techno).", nonblank=True,
                     max_length=200)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


def _tag_line(r: dict[str, Any]) -> str:
    return f"{r['name']} ({r['slug']}) {r['url']}"


@tool(title="Search tags", output=Listing[Tag], hints=REMOTE_READ,
      render=lambda r: render.listing(r, _tag_line))
async def search_tags(ctx: ToolContext, args: SearchTags) -> Listing[Tag]:
    """Search Mixcloud's tags (genres) by name; pass a tag's slug to tracks_by_genre with
    provider mixcloud for its shows. Mixcloud only (SoundCloud's tags are free text: give
    the words to tracks_by_genre directly). One request per page. Rate limits: Mixcloud
    answers 403 with Retry-After."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.search(
        args.query, kind="tags", provider="mixcloud"))


@dataclass(frozen=True, slots=True)
class Suggestions(JsonModel):
    """What the service suggests for a query being typed, best first (empty when the
    service has no autocomplete)."""

    provider: str
    query: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Autocomplete:
    query: str = arg("The start of a search (a few letters or words).", nonblank=True,
                     max_length=200)
    provider: str | None = arg("The service to ask (default: soundcloud).", default=None,
                               choices=_providers)
    limit: int = arg("How many suggestions at most (1-50).", default=10, minimum=1,
                     maximum=50)


@tool(title="Autocomplete a search", output=Suggestions, hints=REMOTE_READ,
      render=lambda r: "\n".join(r["suggestions"]) or "(no suggestions)")
async def autocomplete(ctx: ToolContext, args: Autocomplete) -> Suggestions:
    """Search suggestions for a partial query (artist names, track titles), as the
    service's search box offers them: SoundCloud only (Mixcloud has none: the list is
    empty). Use it to correct or complete a query before search_tracks. One request.
    Rate limits: SoundCloud throttles reads (429 with Retry-After)."""
    from minion_tui.service import provider_names

    provider = args.provider or provider_names()[0]
    found = await ctx.service.catalog.autocomplete(args.query, limit=args.limit,
                                                   provider=provider)
    return Suggestions(provider=provider, query=args.query, suggestions=tuple(found))


TOOLS = (get_user, user_tracks, user_likes, user_reposts, user_playlists, user_albums,
         user_followings, user_followers, user_listing, search_users, search_playlists,
         search_tags, autocomplete)
