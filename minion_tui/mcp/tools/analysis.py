"""Sound analysis: a track's or a file's tempo, key and Camelot code (measured here, kept in
the library), the sound data stored of a track, and the tracks that sound like it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import REMOTE_READ, Hints, Listing, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT, TARGET
from minion_tui.models import SimilarTrack, SoundAnalysis, Track
from minion_tui.models.json_form import JsonModel

#: analyze_track: fetches a stream's first minutes (requests) or reads a file, and keeps the
#: result in the library (asked again, it answers from there).
ANALYSING = Hints(read_only=False, destructive=False, idempotent=True, open_world=True)


@dataclass(frozen=True, slots=True)
class SoundData(JsonModel):
    """A track as the library keeps it (every field, with the tempo, key and Camelot code
    measured here) and its ``analysis`` (confidences, seconds read, loudness; null when it
    was never analysed: analyze_track does it)."""

    track: Track
    analysis: SoundAnalysis | None


def _analysis_text(a: dict[str, Any]) -> str:
    if not a["bpm"] and not a["key"]:
        return f"{a['input']}: no tempo or key found ({a['seconds_analysed']:.0f} s read)"
    return (f"{a['input']}: {a['bpm'] or '?'} BPM ({a['bpm_confidence']:.2f}), "
            f"{a['key'] or '?'} / {a['camelot'] or '?'} ({a['key_confidence']:.2f}); "
            f"{a['seconds_analysed']:.0f} s read")


def _sound_text(s: dict[str, Any]) -> str:
    line = render.track_line(s["track"])
    if s["analysis"] is None:
        return f"{line}\nnot analysed yet (analyze_track measures it)"
    return f"{line}\n{_analysis_text(s['analysis'])}"


def _similar_line(s: dict[str, Any]) -> str:
    t = s["track"]
    sound = f"{t['bpm'] or '?'} BPM {t['camelot'] or '?'}"
    return f"{s['distance']:.2f} {render.track_line(t)} [{sound}]"


@dataclass(frozen=True, slots=True)
class AnalyzeTrack:
    input: str = arg("A track's URL or URN (its stream's first minutes are analysed), or "
                     "the path of an audio file on this machine.", nonblank=True,
                     max_length=4096)


@tool(title="Analyse a track", output=SoundAnalysis, hints=ANALYSING, render=_analysis_text)
async def analyze_track(ctx: ToolContext, args: AnalyzeTrack) -> SoundAnalysis:
    """Measure a track's (or an audio file's) tempo in BPM, key ("A minor") and Camelot
    code ("8A"), with a confidence 0-1 for each, and the loudness of a whole file. The
    result is kept: asked again (or for the same audio under another name) it answers from
    the library at once, and the inbox can filter by it. Use get_sound_data to read what is
    stored without measuring. Long: a few seconds to a minute of CPU in a worker process;
    reports progress and can be cancelled. A track costs one or two requests and its first
    [analysis] max_seconds of stream; a file, none."""
    analysis = ctx.service.analysis
    await ctx.progress(0, 2, "reading the audio")
    found = await analysis.analyze_one(args.input)
    await ctx.progress(2, 2, "measured")
    return found


@dataclass(frozen=True, slots=True)
class GetSoundData:
    target: str = arg(TARGET, nonblank=True, max_length=500)


@tool(title="Get a track's sound data", output=SoundData, hints=REMOTE_READ,
      render=_sound_text)
async def get_sound_data(ctx: ToolContext, args: GetSoundData) -> SoundData:
    """Everything the library keeps of a track: its metadata (title, artist, length, genre,
    tags, counts, the user's rating) with the tempo, key and Camelot code measured here,
    and the analysis itself (confidences, seconds read, loudness); analysis null when never
    analysed. Measures nothing (analyze_track does). No request for a stored track; a track
    not seen before is looked up once."""
    track, found = await ctx.service.analysis.stored(args.target)
    return SoundData(track=track, analysis=found)


@dataclass(frozen=True, slots=True)
class SimilarTracks:
    target: str = arg(TARGET, nonblank=True, max_length=500)
    limit: int = arg(LIMIT, default=10, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="Tracks that sound alike", output=Listing[SimilarTrack], hints=ANALYSING,
      render=lambda r: render.listing(r, _similar_line))
async def similar_tracks(ctx: ToolContext, args: SimilarTracks) -> Listing[SimilarTrack]:
    """The analysed tracks of the library nearest to a track by sound: tempo (half and
    double time count as near), key (steps round the Camelot wheel) and timbre, nearest
    first (``distance`` 0: the same). Only tracks analysed before are compared (analyze or
    download more to widen it). Analyses the seed first when it was not (one or two
    requests and its stream's first minutes); else no request. For the service's own idea
    of related tracks use radio."""
    async def ranked() -> AsyncIterator[Sequence[SimilarTrack]]:
        yield await ctx.service.analysis.similar(args.target, limit=500)

    return await ctx.page(args.cursor, args.limit, ranked)


TOOLS = (analyze_track, get_sound_data, similar_tracks)
