"""Discovery: the sources followed (people's likes and reposts, a Mixcloud user's favourites
and shows, trending, tags) and their sync; the ranked inbox they fill; radio stations grown
from a seed. Sources and the inbox are kept here; sync and radio read the services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import LOCAL_READ, REMOTE_READ, Hints, Listing, NoArgs, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT
from minion_tui.models import FollowedSource, InboxEntry, RadioEntry, SyncEvent, SyncSummary
from minion_tui.models.json_form import JsonModel

#: follow_source: resolves the profiles named (requests); following again changes nothing.
FOLLOWING = Hints(read_only=False, destructive=False, idempotent=True, open_world=True)
#: unfollow_source: forgets a followed source (a URL is resolved first).
UNFOLLOWING = Hints(read_only=False, destructive=True, idempotent=True, open_world=True)
#: sync_sources: reads every source's new pages and stores them; again, it adds only what
#: is new (nothing twice).
SYNCING = Hints(read_only=False, destructive=False, idempotent=True, open_world=True)
#: radio: reads the services; with ``save`` it also writes a new NAME.m3u8 (never over one).
RADIO = Hints(read_only=False, destructive=False, idempotent=False, open_world=True)

SOURCE_TARGET = ("A profile's URL or URN (soundcloud.com/alice, mixcloud.com/bob, "
                 "soundcloud:users:123), 'trending', or '#tag'.")


class Progress:
    """Events a service reports through a plain callback, sent on as progress
    notifications in order by one task (a callback cannot await)."""

    def __init__(self, ctx: ToolContext) -> None:
        self._ctx = ctx
        self._queue: asyncio.Queue[tuple[float, float | None, str] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._last = -1.0

    def __call__(self, done: float, total: float | None, message: str) -> None:
        if done <= self._last:  # progress must increase
            return
        self._last = done
        self._queue.put_nowait((done, total, message))

    async def _run(self) -> None:
        while (item := await self._queue.get()) is not None:
            await self._ctx.progress(*item)

    async def __aenter__(self) -> Progress:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, kind: Any, *rest: Any) -> None:
        assert self._task is not None
        if kind is None:
            self._queue.put_nowait(None)
            await self._task
        else:
            self._task.cancel()


@dataclass(frozen=True, slots=True)
class Sources(JsonModel):
    """The sources a follow named (followed now or before), with what each surfaced."""

    sources: Sequence[FollowedSource]


@dataclass(frozen=True, slots=True)
class Unfollowed(JsonModel):
    """What unfollow_source stopped following: ``sources`` is how many listings (a profile
    is followed by several, e.g. its likes and its reposts)."""

    unfollowed: str
    sources: int


@dataclass(frozen=True, slots=True)
class Radio(JsonModel):
    """A radio queue, in the order to play it: each track with ``via`` (related, station or
    liked_by: which pool it came from) and its ``score``; ``saved_to`` the M3U8 file
    written (null without ``save``)."""

    items: Sequence[RadioEntry]
    saved_to: str | None


def source_line(s: dict[str, Any]) -> str:
    synced = (s["synced_at"] or "never")[:16]
    return f"{s['title']} [{s['kind']}] {s['target']}: {s['tracks']} tracks, synced {synced}"


def _sources_text(r: dict[str, Any]) -> str:
    return "\n".join(source_line(s) for s in r["sources"]) or "(nothing)"


def _summary_text(s: dict[str, Any]) -> str:
    return (f"{s['new_tracks']} new tracks from {s['sources_updated']} of {s['sources']} "
            f"sources; {s['requests']} requests in {s['seconds']:.1f} s"
            + (f"; {s['failed']} failed" if s["failed"] else ""))


def _inbox_line(e: dict[str, Any]) -> str:
    mark = "" if e["playable"] else f" ({e['availability']})"
    return f"{e['score']['total']:.3f} {render.track_line(e)}{mark}"


def _radio_text(r: dict[str, Any]) -> str:
    lines = [f"[{e['via']}] {render.track_line(e)}" for e in r["items"]] or ["(nothing)"]
    if r["saved_to"]:
        lines.append(f"saved to {r['saved_to']}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class FollowSource:
    targets: tuple[str, ...] = arg(
        "What to follow, each " + SOURCE_TARGET + " A profile is followed by the listings "
        "its service offers (SoundCloud: likes and reposts; Mixcloud: favourites and "
        "shows).", max_length=500)
    followings_of: str | None = arg(
        "Also follow everyone this profile (URL or URN) follows.", default=None,
        nonblank=True, max_length=500)


@tool(title="Follow a source", output=Sources, hints=FOLLOWING, render=_sources_text)
async def follow_source(ctx: ToolContext, args: FollowSource) -> Sources:
    """Follow artists or people (their likes and reposts feed the inbox), trending, or a
    tag; with followings_of, everyone a profile follows. Nothing is fetched from the
    sources until sync_sources. One request per profile named (a URN of a stored user
    needs one too); followings_of reads their followings, 200 per request."""
    found = await ctx.service.discovery.follow(list(args.targets),
                                               followings_of=args.followings_of)
    return Sources(sources=found)


@dataclass(frozen=True, slots=True)
class UnfollowSource:
    target: str = arg(SOURCE_TARGET + " As follow_source took it.", nonblank=True,
                      max_length=500)


@tool(title="Unfollow a source", output=Unfollowed, hints=UNFOLLOWING,
      render=lambda r: f"Unfollowed {r['unfollowed']} ({r['sources']} sources).",
      confirm=lambda args: f"Stop following {args.target}?")
async def unfollow_source(ctx: ToolContext, args: UnfollowSource) -> Unfollowed:
    """Stop following a source (every listing of a profile); the tracks it surfaced keep
    where they came from. Destructive: the user is asked first. No request for a URN,
    'trending' or '#tag'; a URL is resolved (one request). An error if it is not followed
    (list_sources shows what is)."""
    removed = await ctx.service.discovery.unfollow(args.target.strip())
    return Unfollowed(unfollowed=args.target.strip(), sources=removed)


@dataclass(frozen=True, slots=True)
class ListSources:
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="List followed sources", output=Listing[FollowedSource], hints=LOCAL_READ,
      render=lambda r: render.listing(r, source_line))
async def list_sources(ctx: ToolContext, args: ListSources) -> Listing[FollowedSource]:
    """Every source followed, with how many tracks it surfaced and when it was last synced
    (null: never). Local, no request."""
    async def whole() -> AsyncIterator[Sequence[FollowedSource]]:
        yield await ctx.service.discovery.sources()

    return await ctx.page(args.cursor, args.limit, whole)


def _sync_message(event: SyncEvent) -> str:
    if event.state == "failed":
        return f"{event.title}: failed: {event.message}"
    return f"{event.title}: {event.added} new" + (f", {event.dropped} dropped"
                                                   if event.dropped else "")


@tool(title="Sync followed sources", output=SyncSummary, hints=SYNCING,
      render=_summary_text)
async def sync_sources(ctx: ToolContext, args: NoArgs) -> SyncSummary:
    """Pull what every followed source liked, reposted or uploaded since the last sync into
    the library, then refresh the inbox's ranking; read the result with inbox. Long: it
    reports progress per source finished and can be cancelled (what was merged stays, the
    next sync goes on from there). Costs one request per page of each source (usually one
    or two; a full re-walk every [discovery] full_rewalk_days reads every page), counted
    against SoundCloud's rate limit."""
    def told(event: SyncEvent) -> None:
        if event.state in ("done", "failed") and event.total:
            pump(event.done, event.total, _sync_message(event))

    async with Progress(ctx) as pump:
        return await ctx.service.discovery.sync(told)


@dataclass(frozen=True, slots=True)
class InboxArgs:
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)
    provider: str | None = arg("Only this service's tracks.", default=None,
                               choices=("soundcloud", "mixcloud"))
    genre: str | None = arg("Only tracks of this genre or tag (any case).", default=None,
                            nonblank=True, max_length=100)
    duration: Literal["short", "medium", "long", "epic"] | None = arg(
        "Only tracks of this length: short < 2 min, medium 2-10, long 10-30, epic > 30.",
        default=None)
    created: Literal["last_hour", "last_day", "last_week", "last_month", "last_year"] | None \
        = arg("Only tracks uploaded within this time.", default=None)
    surfaced: Literal["last_hour", "last_day", "last_week", "last_month", "last_year"] | None \
        = arg("Only tracks liked or reposted within this time.", default=None)
    availability: Literal["all", "playable", "preview", "drm"] = arg(
        "playable hides previews and DRM-only tracks (which otherwise come after the "
        "playable ones).", default="all")
    bpm_min: float | None = arg("Only tracks analysed at this tempo or faster (BPM); with "
                                "bpm_max a range.", default=None, minimum=1, maximum=1000)
    bpm_max: float | None = arg("Only tracks analysed at this tempo or slower (BPM).",
                                default=None, minimum=1, maximum=1000)
    key: str | None = arg('Only tracks analysed in this key ("A minor", "Am", "8A").',
                          default=None, nonblank=True, max_length=64)
    mixes_with: str | None = arg(
        "Only tracks in a key that mixes with this analysed track's (its URL or URN): the "
        "same Camelot code, one step round the wheel, or its relative.", default=None,
        nonblank=True, max_length=500)


@tool(title="My inbox", output=Listing[InboxEntry], hints=REMOTE_READ,
      render=lambda r: render.listing(r, _inbox_line))
async def inbox(ctx: ToolContext, args: InboxArgs) -> Listing[InboxEntry]:
    """The personalised inbox: unrated tracks that the sources followed liked, reposted or
    uploaded, best first, each with ``provenance`` (who did what, when) and ``score`` (the
    trust-weighted evidence that ranks it); playable ones first, at most a few by one
    artist in a row. Filters as the CLI's `inbox`: service, genre, length, age, tempo range,
    key, mixes_with. Fill it with follow_source and sync_sources; rate what you hear with
    rate_track. Reads the library: no request, except mixes_with naming a track not stored
    (one request)."""
    from minion_tui.service import InboxFilters

    if args.genre is not None and not args.genre.isprintable():
        raise InvalidArgument("inbox: 'genre' has control characters.",
                              hint="Give a genre or tag as words, e.g. deep house.")
    bpm = None
    if args.bpm_min is not None or args.bpm_max is not None:
        low = args.bpm_min if args.bpm_min is not None else 1.0
        high = args.bpm_max if args.bpm_max is not None else 1000.0
        if low > high:
            raise InvalidArgument(f"inbox: bpm_min {low:g} is above bpm_max {high:g}.",
                                  hint="Give bpm_min up to bpm_max, e.g. 120 and 130.")
        bpm = (float(low), float(high))
    filters = InboxFilters(provider=args.provider, genre=args.genre, duration=args.duration,
                           created=args.created, surfaced=args.surfaced,
                           availability=args.availability, bpm=bpm, key=args.key,
                           mixes_with=args.mixes_with)
    size = args.limit

    async def pages() -> AsyncIterator[Sequence[InboxEntry]]:
        number = 0
        while True:
            found = await ctx.service.inbox.list(limit=size, page=number, filters=filters)
            if not found:
                return
            yield found
            number += 1

    filters.check()  # before the first page, so a bad key is the call's error
    return await ctx.page(args.cursor, args.limit, pages)


@dataclass(frozen=True, slots=True)
class RadioArgs:
    target: str = arg("The seed: a track's or an artist's URL or URN.", nonblank=True,
                      max_length=500)
    size: int = arg("How many tracks the station has (1-200).", default=50, minimum=1,
                    maximum=200)
    save: str | None = arg(
        "Also save it as NAME.m3u8 (track URLs) in the downloads folder; refused when that "
        "file exists. Default: not saved.", default=None, nonblank=True, max_length=120)


@tool(title="Radio station", output=Radio, hints=RADIO, render=_radio_text)
async def radio(ctx: ToolContext, args: RadioArgs) -> Radio:
    """A station grown from a seed track or artist: its related tracks, its station and
    what its likers also liked, ranked by trust; never a track the user marked not
    interested, none twice, at most two in a row by one artist. Play it with queue_add. Use
    inbox instead for what the followed sources surfaced. Costs a few requests per seed
    track (related list, station, 50 per request); an artist seeds from their top 3 tracks.
    With save it writes NAME.m3u8 in the downloads folder (download takes it back)."""
    service = ctx.service
    if args.save is not None:
        await _check_new_m3u8(ctx, args.save)
    entries = await service.inbox.radio(args.target.strip(), size=args.size)
    saved = None
    if args.save is not None:
        saved = str(await service.inbox.save_radio(entries, args.save))
    return Radio(items=entries, saved_to=saved)


async def _check_new_m3u8(ctx: ToolContext, name: str) -> None:
    path = ctx.service.inbox.radio_path(name)
    if await asyncio.to_thread(path.exists):
        raise InvalidArgument(f"radio: {path.name} exists in the downloads folder already; "
                              "it is not overwritten.", hint="Choose another name for save.")


TOOLS = (follow_source, unfollow_source, list_sources, sync_sources, inbox, radio)
