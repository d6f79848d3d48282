"""Writes on the services as the signed-in user: like (Mixcloud: favourite), repost, follow,
Mixcloud's listen later, and comments at a time of a track. Each needs a sign-in
(``minion-tui auth login PROVIDER``, done by the user, never by a tool): without one the call
is an ``auth_required`` tool error and nothing is sent. The provider is the target's (a
SoundCloud or Mixcloud link or URN); an action a provider has no API for is an
``invalid_argument`` error naming the providers that offer it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_CHANGE, REMOTE_DESTROY, REMOTE_SET, arg, tool
from minion_tui.models import Comment, Playlist, WriteResult
from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True, slots=True)
class WriteDone(JsonModel):
    """What a write on a service did: ``action`` (like, unlike, playlist_create…),
    ``provider`` (soundcloud or mixcloud), ``target`` the URN acted on, ``title`` what it is
    called ("" when the target was given as a URN and not read); ``playlist`` the playlist as
    it is now (with its tracks) after a playlist change, and its ``sharing`` (public or
    private); ``comment`` the comment written."""

    action: str
    provider: str
    target: str
    title: str
    playlist: Playlist | None = None
    sharing: str | None = None
    comment: Comment | None = None


def done(result: WriteResult) -> WriteDone:
    """The service's WriteResult as the tools return it."""
    return WriteDone(action=result.action, provider=result.provider, target=result.target,
                     title=result.title, playlist=result.playlist, sharing=result.sharing,
                     comment=result.comment)


def render_done(r: dict[str, Any]) -> str:
    what = r["action"].replace("_", " ")
    named = f"{r['title']} " if r["title"] else ""
    line = f"{what} on {r['provider']}: {named}{r['target']}".rstrip()
    if r.get("playlist"):
        p = r["playlist"]
        line += f"\nplaylist {p['title']} ({p['track_count']} tracks, {r.get('sharing') or '?'})"
        line += "".join(f"\n  {i}. {t['title']} — {t['artist']} {t['urn']}"
                        for i, t in enumerate(p["tracks"], 1))
    if r.get("comment"):
        c = r["comment"]
        line += f"\ncomment {c['id']}: {c['body']}"
    return line


LIKE_TARGET = ("The track or playlist (Mixcloud: show): a soundcloud.com or mixcloud.com link, "
               "or a URN another tool returned (soundcloud:tracks:123). The service is the "
               "target's.")
USER_TARGET = ("The user: a soundcloud.com or mixcloud.com profile link, or a URN another tool "
               "returned (soundcloud:users:123).")
SHOW_TARGET = "The Mixcloud show: a mixcloud.com link or a mixcloud:cloudcasts:… URN."


def _question(verb: str) -> Any:
    return lambda args: f"{verb} {args.target} on the service?"


@dataclass(frozen=True, slots=True)
class Target:
    target: str = arg(LIKE_TARGET, nonblank=True, max_length=4096)


@dataclass(frozen=True, slots=True)
class UserTarget:
    target: str = arg(USER_TARGET, nonblank=True, max_length=4096)


@dataclass(frozen=True, slots=True)
class ShowTarget:
    target: str = arg(SHOW_TARGET, nonblank=True, max_length=4096)


@tool(title="Like a track or playlist", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def like(ctx: ToolContext, args: Target) -> WriteDone:
    """Like a track or playlist on SoundCloud, or favourite a show on Mixcloud (the same
    thing there), as the signed-in user; liking again changes nothing. For a rating kept
    here that drives discovery use the ratings tools instead (this is the public like on the
    service). One request (two when given a link: it is resolved first).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.like(args.target))


@tool(title="Take back a like", output=WriteDone, hints=REMOTE_DESTROY, render=render_done,
      confirm=_question("Remove your like (Mixcloud: favourite) of"))
async def unlike(ctx: ToolContext, args: Target) -> WriteDone:
    """Remove the signed-in user's like of a track or playlist on SoundCloud, or their
    favourite of a Mixcloud show. Destructive: the user is asked first. One request (two
    with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.unlike(args.target))


@tool(title="Repost", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def repost(ctx: ToolContext, args: Target) -> WriteDone:
    """Repost a track or playlist (SoundCloud) or a show (Mixcloud) to the signed-in user's
    followers. One request (two with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.repost(args.target))


@tool(title="Take back a repost", output=WriteDone, hints=REMOTE_DESTROY, render=render_done,
      confirm=_question("Remove your repost of"))
async def unrepost(ctx: ToolContext, args: Target) -> WriteDone:
    """Remove the signed-in user's repost of a track, playlist or show. Destructive: the user
    is asked first. One request (two with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.unrepost(args.target))


@tool(title="Follow a user", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def follow_user(ctx: ToolContext, args: UserTarget) -> WriteDone:
    """Follow a user on SoundCloud or Mixcloud as the signed-in user (their uploads then
    reach the user's stream on the service). Not the same as following a discovery source
    here. SoundCloud refuses past its following limit (invalid_argument). One request (two
    with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.follow(args.target))


@tool(title="Unfollow a user", output=WriteDone, hints=REMOTE_DESTROY, render=render_done,
      confirm=_question("Stop following"))
async def unfollow_user(ctx: ToolContext, args: UserTarget) -> WriteDone:
    """Stop following a user on SoundCloud or Mixcloud. Destructive: the user is asked first.
    One request (two with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.unfollow(args.target))


@tool(title="Listen later (Mixcloud)", output=WriteDone, hints=REMOTE_SET, render=render_done)
async def listen_later(ctx: ToolContext, args: ShowTarget) -> WriteDone:
    """Add a Mixcloud show to the signed-in user's "listen later" list on Mixcloud
    (SoundCloud has no such list: invalid_argument; use the queue or a playlist there). One
    request (two with a link). Mixcloud rate-limits every call (rate_limited, retry_after).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.listen_later(args.target))


@tool(title="Remove from listen later (Mixcloud)", output=WriteDone, hints=REMOTE_DESTROY,
      render=render_done, confirm=_question("Remove from your Mixcloud listen-later list:"))
async def unlisten_later(ctx: ToolContext, args: ShowTarget) -> WriteDone:
    """Remove a Mixcloud show from the signed-in user's "listen later" list. Destructive: the
    user is asked first. One request (two with a link).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    return done(await ctx.service.writes.unlisten_later(args.target))


def parse_time(value: str) -> int:
    """``at`` as "MM:SS", "H:MM:SS" or whole seconds ("65") → milliseconds."""
    from minion_tui.service.writes import parse_at

    text = value.strip()
    if text.isascii() and text.isdigit():
        if int(text) > 100 * 3600:
            raise InvalidArgument(f"'at' is {text} seconds: past any track's end.")
        return int(text) * 1000
    try:
        return parse_at(text)
    except InvalidArgument:
        raise InvalidArgument(f"'at' must be a time as MM:SS, H:MM:SS or whole seconds, not "
                              f"{text[:40]!r}.", hint="Like \"1:05\" or \"65\".") from None


@dataclass(frozen=True, slots=True)
class CommentAt:
    target: str = arg("The SoundCloud track: a link or a soundcloud:tracks:… URN.",
                      nonblank=True, max_length=4096)
    at: str = arg('Where in the track the comment goes: "MM:SS", "H:MM:SS" or whole seconds '
                  '("65"); at most the track\'s length.', nonblank=True, max_length=20)
    text: str = arg("The comment, plain text on one line (at most 1000 characters).",
                    nonblank=True, max_length=1000)


@tool(title="Comment at a time", output=WriteDone, hints=REMOTE_CHANGE, render=render_done)
async def comment(ctx: ToolContext, args: CommentAt) -> WriteDone:
    """Write a public comment on a SoundCloud track at a time into it, as the signed-in user
    (Mixcloud's API has no comment writes: invalid_argument). Not idempotent: each call
    writes another comment, so never retry one that succeeded. Two requests (the track is
    read for its length, then the comment posted).
    Needs the user signed in (else auth_required; they sign in themselves)."""
    at_ms = parse_time(args.at)
    return done(await ctx.service.writes.comment(args.target, at_ms, args.text))


TOOLS = (like, unlike, repost, unrepost, follow_user, unfollow_user, listen_later,
         unlisten_later, comment)

LEFT_OUT = (
    ("send a message", "SoundCloud's official API has no messages endpoint (the protocol "
     "notes' §5 lists every endpoint it offers, and none is for messages) and Mixcloud's API "
     "has none either (MC §3 lists follow, favorite, repost, listen-later and upload)"),
    ("comment on Mixcloud", "Mixcloud's API reads comments (/{user}/{slug}/comments/) but "
     "documents no way to write one (MC §3 lists follow, favorite, repost, listen-later, "
     "upload)"),
)
