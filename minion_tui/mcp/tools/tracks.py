"""Reading one track: its comments, related tracks and station, who favourited or listened,
its stream, waveform and artwork, its remixes, and a link to share it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Listing, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT, TARGET
from minion_tui.models import Comment, Page, Playlist, Track, User, format_duration
from minion_tui.models.json_form import JsonModel


def _urn_or_url(target: str) -> str:
    return target.strip()


async def resolve_track(ctx: ToolContext, target: str) -> Track:
    """The track ``target`` names (a URL or URN); invalid_argument when it names something
    else."""
    found = await ctx.service.catalog.resolve(_urn_or_url(target))
    if not isinstance(found, Track):
        raise InvalidArgument(f"{target.strip()[:200]} is a {found.kind}, not a track.",
                              hint="Pass a track's URL or URN (search_tracks, resolve_url).")
    return found


def _provider_of(target: str) -> str | None:
    from minion_tui.service import claimed_by

    return claimed_by(target)


def _track_listings(target: str) -> tuple[str, ...]:
    from minion_tui.service import provider_capabilities

    name = _provider_of(target)
    return provider_capabilities(name).track_listings if name else ()


def _offered(target: str, listing: str, what: str) -> None:
    """A usage error, before any request, when the target's service has no such listing."""
    from minion_tui.errors import UsageError
    from minion_tui.service import provider_names, provider_title

    name = _provider_of(target)
    if name is None or listing in _track_listings(target):
        return  # an unclaimed target is refused by the service with what works
    offering = [p for p in provider_names() if p != name and listing in _listings_of(p)]
    raise UsageError(f"{provider_title(name)} does not list the {what} of a track.",
                     hint=("Only " + " and ".join(provider_title(p) for p in offering)
                           + " does.") if offering else "No service offers it.")


def _listings_of(provider: str) -> tuple[str, ...]:
    from minion_tui.service import provider_capabilities

    return provider_capabilities(provider).track_listings


def comment_line(c: dict[str, Any]) -> str:
    at = f" at {format_duration(c['timestamp_ms'] / 1000)}" if c["timestamp_ms"] else ""
    return f"{c['user']['username']}{at}: {' '.join(c['body'].split())[:200]}"


def _listing_text(result: dict[str, Any]) -> str:
    return render.listing(result, lambda r: comment_line(r) if r.get("kind") == "comment"
                          else render.resource_line(r))


@dataclass(frozen=True, slots=True)
class TrackPage:
    target: str = arg(TARGET, nonblank=True)
    limit: int = arg(LIMIT, default=20, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Comments on a track", output=Listing[Comment], hints=REMOTE_READ,
      render=_listing_text)
async def track_comments(ctx: ToolContext, args: TrackPage) -> Listing[Comment]:
    """The comments on a track (SoundCloud or Mixcloud), newest first as the service orders
    them, each with its author and, on SoundCloud, the moment of the track it was left at
    (timestamp_ms). Use it to see what listeners say about a track. One request to find the
    track, then one per 50 comments read.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "comments", _urn_or_url(args.target)))


@tool(title="Related tracks", output=Listing[Track], hints=REMOTE_READ, render=render.listing)
async def related_tracks(ctx: ToolContext, args: TrackPage) -> Listing[Track]:
    """Tracks like this one, as the service recommends them: SoundCloud's related tracks,
    Mixcloud's similar shows. Use it to explore from a track the user likes; use
    track_station for SoundCloud's endless station of a track. One request to find the
    track, then one per page of 50.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    listing = "similar" if "similar" in _track_listings(args.target) else "related"
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        listing, _urn_or_url(args.target)))


@tool(title="A track's station", output=Listing[Track], hints=REMOTE_READ,
      render=render.listing)
async def track_station(ctx: ToolContext, args: TrackPage) -> Listing[Track]:
    """SoundCloud's station of a track: a long, radio-like run of tracks seeded by it (the
    track itself first). SoundCloud only (Mixcloud has none: use related_tracks there). One
    request to find the track, then one per page of 50.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    _offered(args.target, "station", "station")
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "station", _urn_or_url(args.target)))


@tool(title="Who favourited a show", output=Listing[User], hints=REMOTE_READ,
      render=render.listing)
async def track_favoriters(ctx: ToolContext, args: TrackPage) -> Listing[User]:
    """The users who favourited a Mixcloud show, newest first. Mixcloud only: the SoundCloud
    API's favoriters listing is not read by this app (an invalid_argument error says so). Use it to
    find listeners with the same taste, then get_user or user_likes. One request to find
    the show, then one per page.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    _offered(args.target, "favorites", "favouriters")
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "favorites", _urn_or_url(args.target)))


@tool(title="Who listened to a show", output=Listing[User], hints=REMOTE_READ,
      render=render.listing)
async def track_listeners(ctx: ToolContext, args: TrackPage) -> Listing[User]:
    """The users who listened to a Mixcloud show (Mixcloud's listeners list), newest first.
    Mixcloud only (SoundCloud publishes no listeners of a track). One request to find the
    show, then one per page.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    _offered(args.target, "listeners", "listeners")
    return await ctx.page(args.cursor, args.limit, lambda: ctx.service.catalog.browse(
        "listeners", _urn_or_url(args.target)))


# -- the stream -----------------------------------------------------------------------------

#: Query parameters that name us or the user to a service, never given out: the CDN's own
#: signature (Policy, Signature, Key-Pair-Id, expires) is what makes the URL playable.
_PRIVATE_PARAMS = frozenset({"client_id", "oauth_token", "access_token", "app_version",
                             "app_locale", "user_id"})


def public_stream_url(url: str) -> str:
    """``url`` without the query parameters that carry our client id or the user's token."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _PRIVATE_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


@dataclass(frozen=True, slots=True)
class StreamLink(JsonModel):
    """The stream a track would play: ``url`` the CDN's signed URL (HLS playlist or a
    progressive file) without any client id or token, good until ``expires_at`` (UNIX time,
    null when the service does not say); ``preview`` true when only a short preview is
    offered; ``protocol`` hls or progressive; ``codec`` aac, mp3 or opus."""

    track_urn: str
    protocol: str
    codec: str
    preset: str
    mime_type: str
    preview: bool
    expires_at: float | None
    url: str


@dataclass(frozen=True, slots=True)
class StreamUrl:
    target: str = arg(TARGET, nonblank=True)
    full: bool = arg("Refuse a preview: a track offering only a preview is then an error "
                     "instead of a 30-second stream.", default=False)


def _stream_text(r: dict[str, Any]) -> str:
    preview = " (preview only)" if r["preview"] else ""
    return f"{r['protocol']} {r['codec']} ({r['preset']}){preview} for {r['track_urn']}: " \
           f"{r['url']}"


@tool(title="A track's stream URL", output=StreamLink, hints=REMOTE_READ, render=_stream_text)
async def stream_url(ctx: ToolContext, args: StreamUrl) -> StreamLink:
    """The playable stream of a track, as the player would pick it (never DRM; a preview is
    flagged, or refused with full: true): the service's signed CDN URL, stripped of any
    client id or sign-in token, valid for a limited time (expires_at). Use it to hand the
    audio to another program; use play (player tools) to listen here, download_track to
    keep it. Two or three requests (the track, its stream, on SoundCloud the signed URL);
    each counts against SoundCloud's 15,000 stream requests a day (docs/accounts.md §7)."""
    choice = await ctx.service.catalog.stream(_urn_or_url(args.target), require_full=args.full)
    return StreamLink(track_urn=choice.track_urn, protocol=choice.protocol,
                      codec=choice.codec, preset=choice.preset, mime_type=choice.mime_type,
                      preview=choice.preview, expires_at=choice.expires_at,
                      url=public_stream_url(choice.url))


# -- waveform and artwork --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waveform(JsonModel):
    """A track's loudness over its length: ``peaks`` in 0..1, ``points`` of them evenly
    spread over ``duration_ms`` (each the loudest of its stretch); empty when the track has
    no waveform and is too long to measure (over 30 minutes)."""

    track_urn: str
    duration_ms: int
    points: int
    peaks: Sequence[float]


@dataclass(frozen=True, slots=True)
class TrackWaveform:
    target: str = arg(TARGET, nonblank=True)
    points: int = arg("How many peaks to return, spread evenly over the track (10-2000).",
                      default=100, minimum=10, maximum=2000)


def downsample(peaks: Sequence[float], points: int) -> list[float]:
    """``peaks`` as ``points`` values, each the loudest of its stretch (as many as there are
    when there are fewer)."""
    if len(peaks) <= points:
        return [round(p, 4) for p in peaks]
    size = len(peaks) / points
    return [round(max(peaks[int(i * size):max(int((i + 1) * size), int(i * size) + 1)]), 4)
            for i in range(points)]


def _waveform_text(r: dict[str, Any]) -> str:
    bars = " ▁▂▃▄▅▆▇█"
    line = "".join(bars[min(8, int(p * 8.999))] for p in r["peaks"])
    return f"{r['track_urn']} ({r['points']} points): {line or '(no waveform)'}"


@tool(title="A track's waveform", output=Waveform, hints=REMOTE_READ, render=_waveform_text)
async def track_waveform(ctx: ToolContext, args: TrackWaveform) -> Waveform:
    """A track's waveform (peaks 0..1 over its length): SoundCloud's own waveform where the
    track has one (two requests: the track, its waveform JSON), else measured from the audio
    (Mixcloud; tracks up to 30 minutes: the stream is read once, a few seconds' work, with
    progress reported). Use it to see where a track builds up or drops; analyze tools give
    tempo and key."""
    track = await resolve_track(ctx, args.target)
    await ctx.progress(0, 2, "reading the waveform")
    peaks = await ctx.service.player.waveform(track)
    await ctx.progress(1, 2, "measured")
    found = downsample(peaks, args.points)
    await ctx.progress(2, 2, "done")
    return Waveform(track_urn=track.urn, duration_ms=track.duration_ms, points=len(found),
                    peaks=tuple(found))


@dataclass(frozen=True, slots=True)
class Artwork(JsonModel):
    """A track's picture: ``url`` of its artwork (or, when it has none, of its uploader's
    picture, as the service's pages show it) at ``size``; null when neither exists."""

    track_urn: str
    size: str
    url: str | None


@dataclass(frozen=True, slots=True)
class TrackArtwork:
    target: str = arg(TARGET, nonblank=True)
    size: Literal["small", "large"] = arg("small (about 300 px) or large (about 500 px).",
                                          default="large")


@tool(title="A track's artwork", output=Artwork, hints=REMOTE_READ,
      render=lambda r: f"{r['track_urn']} artwork ({r['size']}): {r['url'] or '(none)'}")
async def track_artwork(ctx: ToolContext, args: TrackArtwork) -> Artwork:
    """The URL of a track's artwork image (small ~300 px or large ~500 px), falling back to
    its uploader's picture; the image itself is not fetched. Public CDN URLs, no client id.
    One request (the track)."""
    track = await resolve_track(ctx, args.target)
    return Artwork(track_urn=track.urn, size=args.size,
                   url=ctx.service.catalog.artwork_url(track, args.size))


# -- remixes ---------------------------------------------------------------------------------

_REMIX_WORDS = ("remix", "rework", "bootleg", "edit", "flip", "vip", "refix", "re-edit")
#: At most this many pages of search results are read looking for remixes.
REMIX_PAGES = 6


def base_title(title: str) -> str:
    """A title without its bracketed part ("Glass Signal (Nomad Wren Remix)" → "glass
    signal") and without "feat." credits, lower-cased."""
    plain = re.sub(r"[\(\[].*?[\)\]]", " ", title)
    plain = re.split(r"\s(?:feat\.|ft\.|featuring)\s", plain, flags=re.IGNORECASE)[0]
    return " ".join(plain.lower().split())


def is_remix_of(candidate: Track, base: str, original: str) -> bool:
    title = " ".join(candidate.title.lower().split())
    return (candidate.urn != original and base in title
            and any(word in title for word in _REMIX_WORDS))


@tool(title="Find remixes of a track", output=Listing[Track], hints=REMOTE_READ,
      render=render.listing)
async def find_remixes(ctx: ToolContext, args: TrackPage) -> Listing[Track]:
    """Remixes, edits, reworks and bootlegs of a track: a search of its service for its
    title (without the bracketed part) plus "remix", keeping the tracks whose title holds
    the original title and a remix word, the track itself left out. Use it when the user
    wants other versions of a track. One request for the track, then up to 6 search
    requests of 50 results.
    Rate limits: SoundCloud throttles reads (429 with Retry-After), Mixcloud answers 403
    with Retry-After; the error then says when to try again."""
    track: Track | None = None
    if args.cursor is None:
        track = await resolve_track(ctx, args.target)

    async def remixes() -> AsyncIterator[list[Track]]:
        assert track is not None
        base = base_title(track.title) or " ".join(track.title.lower().split())
        pages = ctx.service.catalog.search(f"{base} remix", kind="tracks",
                                           provider=track.provider)
        read = 0
        async for page in pages:
            read += 1
            yield [t for t in _items(page) if isinstance(t, Track)
                   and is_remix_of(t, base, track.urn)]
            if read >= REMIX_PAGES:
                break

    return await ctx.page(args.cursor, args.limit, remixes)


def _items(page: Page[Any] | Sequence[Any]) -> Sequence[Any]:
    return page.items if isinstance(page, Page) else page


# -- sharing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareLink(JsonModel):
    """A public web link to a track, playlist or user, to paste anywhere: ``url`` the
    service's page (no client id, no token), ``text`` a line to share it with."""

    urn: str
    kind: str
    title: str
    url: str
    text: str


@dataclass(frozen=True, slots=True)
class ShareArgs:
    target: str = arg("A track's, playlist's or user's URL or URN.", nonblank=True)


@tool(title="Share a track", output=ShareLink, hints=REMOTE_READ,
      render=lambda r: r["text"])
async def share_link(ctx: ToolContext, args: ShareArgs) -> ShareLink:
    """The public web page of a track (or of a playlist or user) with a line to share it
    ("Title by Artist — https://soundcloud.com/…"). Nothing is posted anywhere: the user
    shares it. A private SoundCloud track keeps its secret link (anyone with it can play
    the track): say so before it is shared. One request (to resolve the target)."""
    found = await ctx.service.catalog.resolve(_urn_or_url(args.target))
    url = ctx.service.catalog.url_for(found)
    if isinstance(found, Track):
        title, text = found.title, f"{found.title} by {found.artist} — {url}"
    elif isinstance(found, Playlist):
        title, text = found.title, f"{found.title} by {found.uploader} — {url}"
    else:
        title = found.full_name or found.username
        text = f"{title} — {url}"
    return ShareLink(urn=found.urn, kind=found.kind, title=title, url=url, text=text)


TOOLS = (track_comments, related_tracks, track_station, track_favoriters, track_listeners,
         stream_url, track_waveform, track_artwork, find_remixes, share_link)

