"""The user's ratings (judgments) and their history, kept here: rate, clear, list, export,
and the taste they add up to with the analysis (tempo, keys, tags, artists of what was
liked). Every rating stays in the history; an export is the CLI's ``export judgments``."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import LOCAL_READ, Hints, Listing, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT, TARGET
from minion_tui.models import Judgment, JudgmentChange, Track
from minion_tui.models.json_form import JsonModel

#: rate_track: resolves a URL (a request; a URN needs none), appends a history row each
#: time, and with [accounts] sync_likes queues a like on SoundCloud for "liked".
RATING = Hints(read_only=False, destructive=False, idempotent=False, open_world=True)
#: clear_rating: removes the current verdict (the history keeps it).
CLEARING = Hints(read_only=False, destructive=True, idempotent=True, open_world=True)

VERDICTS = tuple(j.value for j in Judgment)  # liked, not_interested, not_quite


@dataclass(frozen=True, slots=True)
class Rating(JsonModel):
    """A track's rating after a change: ``judgment`` liked, not_interested, not_quite or null
    (cleared); ``history`` every change of it, oldest first (as ``minion-tui rate`` prints)."""

    urn: str
    judgment: str | None
    history: Sequence[JudgmentChange]


@dataclass(frozen=True, slots=True)
class CurrentJudgment(JsonModel):
    """One track's current verdict in an export, as the export file writes it."""

    urn: str
    judgment: str
    origin: str
    decided_at: str


@dataclass(frozen=True, slots=True)
class RatingsExport(JsonModel):
    """The ratings as ``minion-tui export judgments`` writes them: ``format`` and
    ``version`` of the file, the current ``judgments`` and the whole ``history``; ``text``
    the file itself in the format asked for (json or csv), ready to save and to import with
    ``minion-tui import judgments FILE``."""

    format: str
    version: int
    judgments: Sequence[CurrentJudgment]
    history: Sequence[JudgmentChange]
    text: str


@dataclass(frozen=True, slots=True)
class BpmRange(JsonModel):
    """The measured tempi of the analysed liked tracks: lowest, highest, median, and the
    10th to 90th percentile (where most of them are)."""

    low: float
    high: float
    median: float
    p10: float
    p90: float


@dataclass(frozen=True, slots=True)
class Counted(JsonModel):
    """A value (a key, a Camelot code, a tag, an artist) and how many liked tracks have it."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Taste(JsonModel):
    """What the user's ratings say of their taste: how many tracks are ``liked``,
    ``not_interested`` and ``not_quite``; of the liked ones how many are ``analysed``, their
    ``bpm`` range (null before any is analysed), the most common ``keys`` and ``camelots``,
    ``tags`` (genres and tags) and ``artists``, most first."""

    liked: int
    not_interested: int
    not_quite: int
    analysed: int
    bpm: BpmRange | None
    keys: Sequence[Counted]
    camelots: Sequence[Counted]
    tags: Sequence[Counted]
    artists: Sequence[Counted]


def _rating_text(r: dict[str, Any]) -> str:
    lines = [f"{r['urn']}: {r['judgment'] or '(cleared)'}"]
    lines += [f"  {c['at']} {c['judgment'] or '(cleared)'} ({c['origin']})"
              for c in r["history"]]
    return "\n".join(lines)


def _change_line(c: dict[str, Any]) -> str:
    return f"{c['at']} {c['urn']} {c['judgment'] or '(cleared)'} ({c['origin']})"


def _rated_line(t: dict[str, Any]) -> str:
    return f"[{t['judgment']}] {render.track_line(t)}"


def _taste_text(t: dict[str, Any]) -> str:
    lines = [f"{t['liked']} liked ({t['analysed']} analysed), {t['not_interested']} not "
             f"interested, {t['not_quite']} not quite"]
    if t["bpm"]:
        b = t["bpm"]
        lines.append(f"tempo {b['low']:g}-{b['high']:g} BPM, mostly {b['p10']:g}-{b['p90']:g} "
                     f"(median {b['median']:g})")
    for name in ("keys", "camelots", "tags", "artists"):
        if t[name]:
            lines.append(f"{name}: " + ", ".join(f"{c['value']} ({c['count']})"
                                                 for c in t[name]))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RateTrack:
    target: str = arg(TARGET, nonblank=True)
    judgment: Literal["liked", "not_interested", "not_quite"] = arg(
        "The verdict: liked (more like this), not_interested (never show it again in the "
        "inbox or a radio), not_quite (close, but not this one).")


@tool(title="Rate a track", output=Rating, hints=RATING, render=_rating_text)
async def rate_track(ctx: ToolContext, args: RateTrack) -> Rating:
    """Record the user's verdict on a track (liked, not_interested or not_quite) and return
    its whole rating history. Ratings steer the inbox and radio (the artists whose likes you
    liked are trusted more). Use clear_rating to remove a verdict. A URN needs no request; a
    URL is resolved first (one request). Every call appends a history row. With the setting
    [accounts] sync_likes, "liked" on a SoundCloud track also likes it there (sent from the
    outbox, one write request)."""
    changes = await ctx.service.library.rate_target(args.target, Judgment(args.judgment))
    return Rating(urn=changes[-1].urn, judgment=args.judgment, history=changes)


@dataclass(frozen=True, slots=True)
class ClearRating:
    target: str = arg(TARGET, nonblank=True)


@tool(title="Clear a rating", output=Rating, hints=CLEARING, render=_rating_text,
      confirm=lambda args: f"Clear your rating of {args.target}?")
async def clear_rating(ctx: ToolContext, args: ClearRating) -> Rating:
    """Remove the user's verdict on a track, so it counts as unrated again (it may come back
    into the inbox); the history keeps the change. Destructive: the user is asked first. A
    URN needs no request; a URL is resolved first (one request). Nothing is sent to the
    service (a like made there stays)."""
    changes = await ctx.service.library.rate_target(args.target, None)
    return Rating(urn=changes[-1].urn, judgment=None, history=changes)


@dataclass(frozen=True, slots=True)
class MyRatings:
    judgment: Literal["liked", "not_interested", "not_quite"] | None = arg(
        "Only tracks with this verdict (default: every rated track).", default=None)
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="List my ratings", output=Listing[Track], hints=LOCAL_READ,
      render=lambda r: render.listing(r, _rated_line))
async def my_ratings(ctx: ToolContext, args: MyRatings) -> Listing[Track]:
    """The tracks the user rated (or only those with one verdict), newest verdict first,
    each with its ``judgment``. Local, no request. For the dated changes use
    rating_history; for the user's taste in figures, my_taste."""
    judgments = [Judgment(args.judgment)] if args.judgment else list(Judgment)

    async def whole() -> AsyncIterator[Sequence[Track]]:
        yield await ctx.service.library.my_ratings(judgments)

    return await ctx.page(args.cursor, args.limit, whole)


@dataclass(frozen=True, slots=True)
class RatingHistory:
    urn: str | None = arg("Only this track's changes: its URN (soundcloud:tracks:123, as "
                          "my_ratings and the other tools give it); default every change.",
                          default=None, nonblank=True, max_length=200)
    limit: int = arg(LIMIT, default=100, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Rating history", output=Listing[JudgmentChange], hints=LOCAL_READ,
      render=lambda r: render.listing(r, _change_line))
async def rating_history(ctx: ToolContext, args: RatingHistory) -> Listing[JudgmentChange]:
    """Every change of the user's ratings (of one track, or all), oldest first: the verdict
    set (null: cleared), by which origin (user, import, pull) and when. Local, no request.
    For the tracks rated now use my_ratings."""
    urn = None
    if args.urn is not None:
        urn = args.urn.strip()
        provider, _, rest = urn.partition(":")
        kind, _, ident = rest.partition(":")
        if not provider or kind != "tracks" or not ident or "/" in urn or "\x00" in urn:
            raise InvalidArgument(f"rating_history: {urn[:80]!r} is not a track URN.",
                                  hint="Pass a URN like soundcloud:tracks:123.")

    async def whole() -> AsyncIterator[Sequence[JudgmentChange]]:
        yield await ctx.service.library.history(urn)

    return await ctx.page(args.cursor, args.limit, whole)


@dataclass(frozen=True, slots=True)
class ExportRatings:
    format: Literal["json", "csv"] = arg(
        "The file's format in ``text``: json (with the current verdicts) or csv (the "
        "history's rows).", default="json")


def _export_text(e: dict[str, Any]) -> str:
    return (f"{len(e['judgments'])} rated tracks, {len(e['history'])} changes "
            f"(the file is in 'text', {len(e['text'])} characters)")


@tool(title="Export my ratings", output=RatingsExport, hints=LOCAL_READ, render=_export_text)
async def export_ratings(ctx: ToolContext, args: ExportRatings) -> RatingsExport:
    """Every rating and its whole history, as ``minion-tui export judgments`` writes them:
    the document's fields as structured content and the file's ``text`` (json or csv) to
    save. Use it for a backup or to move ratings to another machine. Local, no request."""
    library = ctx.service.library
    file = await library.export_judgments("json")
    document = json.loads(file)
    text = await library.export_judgments("csv") if args.format == "csv" else file
    return RatingsExport(
        format=document["format"], version=int(document["version"]),
        judgments=[CurrentJudgment(**j) for j in document["judgments"]],
        history=await library.history(), text=text)


@dataclass(frozen=True, slots=True)
class MyTaste:
    top: int = arg("How many of the most common tags and artists to give (1-50).",
                   default=10, minimum=1, maximum=50)


@tool(title="My taste", output=Taste, hints=LOCAL_READ, render=_taste_text)
async def my_taste(ctx: ToolContext, args: MyTaste) -> Taste:
    """What the user's ratings add up to: counts per verdict and, of the liked tracks, the
    tempo range (analysed ones), the most common keys and Camelot codes, tags and artists.
    Use it to describe their taste or to pick filters for inbox (bpm_min, bpm_max, key).
    Computed from the library here; no request. Tracks are analysed by analyze_track or
    after a download."""
    library = ctx.service.library
    liked = await library.my_ratings([Judgment.LIKED])
    others = Counter(t.judgment for t in await library.my_ratings(
        [Judgment.NOT_INTERESTED, Judgment.NOT_QUITE]))
    tempi = sorted(t.bpm for t in liked if t.bpm)
    bpm = None
    if tempi:
        cuts = statistics.quantiles(tempi, n=10, method="inclusive") if len(tempi) > 1 \
            else [tempi[0]] * 9
        bpm = BpmRange(low=tempi[0], high=tempi[-1], median=round(statistics.median(tempi), 1),
                       p10=round(cuts[0], 1), p90=round(cuts[-1], 1))
    tags: Counter[str] = Counter()
    for t in liked:
        tags.update({x.strip().lower() for x in (t.genre, *t.tags) if x and x.strip()})
    return Taste(
        liked=len(liked), not_interested=others[Judgment.NOT_INTERESTED],
        not_quite=others[Judgment.NOT_QUITE], analysed=sum(1 for t in liked if t.bpm or t.key),
        bpm=bpm, keys=_top(t.key for t in liked), camelots=_top(t.camelot for t in liked),
        tags=_top_of(tags, args.top), artists=_top((t.artist for t in liked), args.top))


def _top(values: Any, most: int = 5) -> list[Counted]:
    return _top_of(Counter(v for v in values if v), most)


def _top_of(counts: Counter[str], most: int) -> list[Counted]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:most]
    return [Counted(value=v, count=n) for v, n in ranked]


TOOLS = (rate_track, clear_rating, my_ratings, rating_history, export_ratings, my_taste)

LEFT_OUT: tuple[tuple[str, str], ...] = ()
