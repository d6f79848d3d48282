"""``service.analysis``: tempo and key of files and streams, kept in the store and in the
tags, and the tracks that sound alike.

The measuring runs in worker processes (analysis/pool.py): this module only classifies the
inputs, asks the cache, hands paths to the pool and keeps what comes back. Nothing is
measured twice: a track already analysed (by its URN) or audio already analysed (by the
digest of its packets, whatever its name or tags) is answered from the store
(store/sounds.py). A stream is analysed from its first minutes, fetched through ``net/``
into a temporary file (analysis/excerpt.py).

Similarity (:meth:`Analysis.similar`) compares the descriptors of the same analysis: tempo
(octave-folded log ratio), key (steps round the Camelot wheel) and timbre and chroma
statistics, each standardised over the analysed collection.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui.analysis.camelot import parse_key, wheel_distance
from minion_tui.errors import InvalidArgument, InvalidURL, MinionError, NotFound
from minion_tui.models import SimilarTrack, SoundAnalysis, Track

if TYPE_CHECKING:
    from minion_tui.analysis.pool import AnalysisPool
    from minion_tui.service.catalog import Catalog
    from minion_tui.service.core import Core

log = logging.getLogger(__name__)

#: The method version the cache must match (analysis/measure.py METHOD_VERSION), kept here
#: so the parent never imports numpy to learn it; tests check the two agree.
METHOD_VERSION = 2
#: From how long a file's loudness is measured in parts, one per analysis worker: a
#: two-hour mix's whole decode is most of its analysis (docs/analysis.md §11).
SPLIT_SECONDS = 600.0


class Analysis:
    """Measure tempo and key; find tracks similar by sound."""

    def __init__(self, core: Core, catalog: Catalog) -> None:
        self._core = core
        self._catalog = catalog
        self._pool: AnalysisPool | None = None
        #: How many measurements this service ran (cache hits are not counted), and how
        #: many files' loudness it measured in parts across the workers.
        self.measured = 0
        self.measured_in_parts = 0
        #: From how many seconds a file's loudness is measured in parts.
        self.split_seconds = SPLIT_SECONDS
        self._listeners: list[Callable[[SoundAnalysis], None]] = []

    def on_analysed(self, listener: Callable[[SoundAnalysis], None]) -> None:
        """Call ``listener`` with each new analysis of a track (its ``urn`` set): a stream
        or a finished download measured, or a file's known audio linked to its track. It
        runs on the event loop; the TUI updates its lists and details panel from it."""
        self._listeners.append(listener)

    def _announce(self, found: SoundAnalysis) -> None:
        for listener in list(self._listeners):
            try:
                listener(found)
            except Exception:  # a front end's bug must not lose the analysis
                log.warning("an analysis listener failed", exc_info=True)

    @property
    def max_seconds(self) -> float:
        return float(self._core.settings.analysis.max_seconds)

    def pool(self) -> AnalysisPool:
        if self._pool is None:
            from minion_tui.analysis.pool import AnalysisPool

            self._pool = AnalysisPool(self._core.settings.analysis.workers)
            self._core.on_close(self._close_pool)
        return self._pool

    async def _close_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.close)

    # -- measuring ---------------------------------------------------------------------------

    async def analyze(self, inputs: Sequence[str]) -> list[SoundAnalysis | MinionError]:
        """Each input (a file path, or a track's URL or URN) analysed, in order; a failure
        is that input's error and the others go on. At most one per worker at once."""
        gate = asyncio.Semaphore(self.pool().workers)

        async def one(text: str) -> SoundAnalysis | MinionError:
            async with gate:
                try:
                    return await self.analyze_one(text)
                except MinionError as exc:
                    return exc

        return list(await asyncio.gather(*(one(text) for text in inputs)))

    async def analyze_one(self, text: str) -> SoundAnalysis:
        """One input: a path to an audio file, or a track's URL or URN (its stream)."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument("An empty input names no file or track.",
                                  hint="Pass the path of an audio file or a track's URL.")
        if "\x00" in text or len(text) > 8192:
            raise InvalidArgument(f"{_shown(text)} is not a file path or a track link.",
                                  hint="Pass the path of an audio file or a track's URL.")
        from minion_tui.service.catalog import is_claimed

        stripped = text.strip()
        if is_claimed(stripped):
            return await self.analyze_target(stripped, shown=text)
        path = Path(text)
        if "://" in stripped and not await asyncio.to_thread(path.exists):
            raise InvalidURL(f"No provider takes {_shown(stripped)}.",
                             hint="Pass a SoundCloud or Mixcloud track link, or a file path.")
        return await self.analyze_path(path, shown=text)

    async def analyze_path(self, path: Path, *, shown: str | None = None,
                           urn: str | None = None, excerpt: bool = False) -> SoundAnalysis:
        """A local file, from the cache when its audio (or the track ``urn``) was analysed.
        An ``excerpt`` (a stream's first minutes) gets no loudness: that is the whole
        file's (measured in the same decode, which then reads to the end)."""
        shown = str(path) if shown is None else shown
        await asyncio.to_thread(_check_file, path, shown)
        store = await self._core.db()
        from minion_tui.store import sounds

        if urn:
            cached = await store.call(sounds.by_urn, store, urn, METHOD_VERSION)
            if cached is not None:
                return await self._whole(path, _analysis(shown, cached, urn), excerpt)
        from minion_tui.analysis import jobs

        digest = await self._in_worker(jobs.digest, str(path), shown=shown)
        cached = await store.call(sounds.by_digest, store, digest, METHOD_VERSION)
        if cached is not None:
            if urn:
                await self._core.write_aside("the analysis was not linked to its track",
                                             lambda: sounds.link(store, urn, digest))
                self._announce(_analysis(shown, cached, urn))
            return await self._whole(path, _analysis(shown, cached, urn), excerpt)
        result = await self._measure(path, excerpt, shown)
        self.measured += 1
        await self._core.write_aside("the analysis was not saved",
                                     lambda: sounds.save(store, result["digest"], result, urn))
        found = _analysis(shown, result, urn)
        if urn:
            self._announce(found)
        return found

    async def analyze_target(self, target: str, *, shown: str | None = None) -> SoundAnalysis:
        """A track's stream (its first ``analysis.max_seconds``), unless already analysed."""
        shown = target if shown is None else shown
        track = await self._core.resolve_as(target, Track)
        store = await self._core.db()
        from minion_tui.store import sounds

        cached = await store.call(sounds.by_urn, store, track.urn, METHOD_VERSION)
        if cached is not None:
            return _analysis(shown, cached, track.urn)
        await self._core.remember([track])
        choice = await self._catalog.stream(track)
        from minion_tui.analysis.excerpt import fetch

        folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="minion-analysis-")
        try:
            suffix = {"mp3": ".mp3", "aac": ".m4a", "opus": ".ogg"}.get(choice.codec, ".bin")
            if choice.protocol == "hls" and choice.codec == "aac":
                suffix = ".mp4"
            path = await fetch(self._core.http, choice, self.max_seconds,
                               Path(folder) / f"excerpt{suffix}")
            return await self.analyze_path(path, shown=shown, urn=track.urn, excerpt=True)
        finally:
            await asyncio.to_thread(_remove_tree, folder)

    async def after_download(self, path: Path, track_urn: str) -> SoundAnalysis | None:
        """Analyse a finished download and write the tempo and key into its tags (when the
        ``analysis.after_download`` switch is on). Failures are logged, never raised: the
        download itself succeeded."""
        if not self._core.settings.analysis.after_download:
            return None
        if not track_urn or "://" in track_urn:
            # A direct media URL is no catalog track: it has no rows in the store (a batch of
            # them never opens it), so nothing to keep its analysis beside.
            return None
        try:
            found = await self.analyze_path(path, urn=track_urn)
            from minion_tui.downloads.tags import file_source, write_gain, write_sound

            # Only files we tagged get our tags: an original is the uploader's bytes, kept
            # untouched (it records no source URL of ours).
            if await asyncio.to_thread(file_source, path) is not None:
                await asyncio.to_thread(write_sound, path, found.bpm, found.key)
                if found.loudness_lufs is not None and found.peak is not None:
                    await asyncio.to_thread(write_gain, path, found.loudness_lufs,
                                            found.peak)
            return found
        except (MinionError, OSError, ValueError) as exc:
            log.warning("analysis of %s failed: %s", path, exc)
            return None
        except Exception:  # mutagen's own errors from an odd file: the download stands
            log.warning("tagging %s with its analysis failed", path, exc_info=True)
            return None

    async def after_set(self, paths: list[Path]) -> float | None:
        """Measure a set downloaded whole as one album (its gated loudness over all its
        tracks' blocks) and write REPLAYGAIN_ALBUM_GAIN / _PEAK (Opus: R128_ALBUM_GAIN) into
        each of its files we tagged. Returns the album's loudness; failures are logged."""
        if not self._core.settings.analysis.after_download or not paths:
            return None
        from minion_tui.analysis import jobs

        try:
            album = await self._in_worker(jobs.album, [str(p) for p in paths],
                                          shown=str(paths[0].parent))
            lufs, peak = album["loudness_lufs"], album["peak"]
            if lufs is None:
                return None
            from minion_tui.downloads.tags import file_source, write_gain

            for path in paths:
                if await asyncio.to_thread(file_source, path) is not None:
                    await asyncio.to_thread(write_gain, path, lufs, peak, album=True)
            return float(lufs)
        except (MinionError, OSError, ValueError) as exc:
            log.warning("album loudness of %s failed: %s", paths[0].parent, exc)
            return None
        except Exception:  # mutagen's own errors from an odd file: the downloads stand
            log.warning("tagging %s with its album gain failed", paths[0].parent,
                        exc_info=True)
            return None

    async def _measure(self, path: Path, excerpt: bool, shown: str) -> dict[str, Any]:
        """Tempo and key of the first ``max_seconds`` and (unless an ``excerpt``) the whole
        file's loudness: in one decode, or for a long file in parts across the workers."""
        from minion_tui.analysis import jobs

        split = None if excerpt else await self._split(path, shown)
        if split is None:
            result: dict[str, Any] = await self._in_worker(
                jobs.analyse, str(path), self.max_seconds, not excerpt, shown=shown)
            return result
        head, loudness = await asyncio.gather(
            self._in_worker(jobs.analyse, str(path), self.max_seconds, False, shown=shown),
            split)
        head.update(loudness)
        return head  # type: ignore[no-any-return]

    async def _split(self, path: Path, shown: str) -> Awaitable[dict[str, Any]] | None:
        """For a file of ``split_seconds`` or more and a pool of several workers, the whole
        file's loudness measured in one part per worker (jobs.loudness_part) and joined
        (jobs.combine), to be awaited; for the rest None (one decode does it all)."""
        from minion_tui.analysis import jobs

        count = self.pool().workers
        if count < 2:
            return None
        seconds = await self._in_worker(jobs.duration, str(path), shown=shown)
        if seconds < self.split_seconds:
            return None
        count = min(count, int(seconds // (self.split_seconds / 2)))
        self.measured_in_parts += 1
        bounds: list[float | None] = [seconds * i / count for i in range(count)]
        bounds.append(None)

        async def joined() -> dict[str, Any]:
            parts = await asyncio.gather(*(
                self._in_worker(jobs.loudness_part, str(path), bounds[i], bounds[i + 1],
                                shown=shown) for i in range(count)))
            measured: dict[str, Any] = await self._in_worker(jobs.combine, parts, shown=shown)
            return measured

        return joined()

    async def _whole(self, path: Path, found: SoundAnalysis, excerpt: bool) -> SoundAnalysis:
        """``found`` (from the cache) with the whole file's loudness and peak: measured now
        and kept when its tempo and key came from a stream's excerpt (which has none)."""
        if excerpt or found.peak is not None:
            return found
        from minion_tui.analysis import jobs
        from minion_tui.store import sounds

        split = await self._split(path, found.input)
        measured = await (split if split is not None else
                          self._in_worker(jobs.loudness, str(path), shown=found.input))
        store = await self._core.db()
        lufs, peak = measured["loudness_lufs"], measured["peak"]
        if found.digest:
            await self._core.write_aside(
                "the loudness was not saved",
                lambda: sounds.save_loudness(store, found.digest, lufs, peak))
        from dataclasses import replace

        return replace(found, loudness_lufs=lufs, replaygain_track_gain=_gain(lufs),
                       peak=peak)

    async def _in_worker(self, fn: Any, *args: Any, shown: str) -> Any:
        try:
            return await self.pool().run(fn, *args)
        except MinionError:
            raise
        except MemoryError as exc:
            raise InvalidArgument(f"{_shown(shown)} is too large to analyse.",
                                  hint="Lower analysis.max_seconds.") from exc
        except OSError as exc:
            raise NotFound(f"Could not read {_shown(shown)}: {exc.strerror or exc}.",
                           hint="Check the path and its permissions.") from exc

    async def stored(self, target: str) -> tuple[Track, SoundAnalysis | None]:
        """A track (URL or URN) as the library keeps it, with its measured tempo and key,
        and the analysis kept of its audio (None: never analysed); nothing is measured. A
        stored track's URN needs no request; anything else is resolved (and stored)."""
        if not isinstance(target, str) or not target.strip():
            raise InvalidArgument("An empty target names no track.",
                                  hint="Pass a track's URL or URN.")
        from minion_tui.service.catalog import is_claimed
        from minion_tui.store import sounds

        text = target.strip()
        if not is_claimed(text):
            raise InvalidURL(f"No provider takes {_shown(text)}.",
                             hint="Pass a SoundCloud or Mixcloud track's URL or URN.")
        store = await self._core.db()
        track = await store.call(store.get_track, text)
        if track is None:
            resolved = await self._core.resolve_as(text, Track)
            assert isinstance(resolved, Track)
            track = (await self._core.remember([resolved]))[0]
        found = await store.call(sounds.by_urn, store, track.urn, METHOD_VERSION)
        return track, (None if found is None else _analysis(track.urn, found, track.urn))

    # -- similar -----------------------------------------------------------------------------

    async def similar(self, target: str, *, limit: int = 10) -> list[SimilarTrack]:
        """The analysed tracks nearest to ``target`` (a track, analysed first if needed)."""
        if not isinstance(target, str) or not target.strip():
            raise InvalidArgument("An empty target names no track.",
                                  hint="Pass a track's URL or URN.")
        from minion_tui.service.catalog import is_claimed

        if not is_claimed(target.strip()):
            raise InvalidURL(f"No provider takes {_shown(target.strip())}.",
                             hint="Pass a SoundCloud or Mixcloud track's URL or URN.")
        seed = await self.analyze_target(target.strip())
        store = await self._core.db()
        from minion_tui.store import sounds

        rows = await store.call(sounds.analysed_tracks, store)
        ranked = nearest(seed.urn or "", list(seed.descriptor), seed, rows, limit)
        tracks = {t.urn: t for t in await store.call(store.get_tracks, [u for u, _ in ranked])}
        return [SimilarTrack(track=tracks[u], distance=round(d, 3))
                for u, d in ranked if u in tracks]


def key_code(text: str) -> str | None:
    """The Camelot code of a key as people spell it ("Am", "A minor", "8a" → "8A"), or None
    (front ends filter by key without importing the analysis)."""
    from minion_tui.analysis.camelot import camelot

    found = parse_key(text) if isinstance(text, str) and len(text) <= 64 else None
    return None if found is None else camelot(*found)


def mixing_codes(code: str) -> tuple[str, ...]:
    """The Camelot codes that mix with ``code``: itself, one step either way, its relative."""
    from minion_tui.analysis.camelot import neighbours

    return neighbours(code)


def same_key(ours: str, theirs: str) -> bool:
    """Whether a key as we name it ("A minor") and as a service spells it ("Am", "A min",
    "8A") are one key."""
    a, b = parse_key(ours), parse_key(theirs)
    return a is not None and a == b


def nearest(seed_urn: str, descriptor: list[float], seed: SoundAnalysis,
            rows: list[tuple[str, dict[str, Any]]], limit: int) -> list[tuple[str, float]]:
    """(urn, distance) of the ``limit`` analysed tracks nearest the seed, nearest first."""
    others = [(u, r) for u, r in rows if u != seed_urn and r.get("descriptor")]
    if not others:
        return []
    size = len(descriptor)
    vectors = [r["descriptor"] for _, r in others if len(r["descriptor"]) == size]
    spread = [max(1e-6, _std([v[i] for v in [*vectors, descriptor]])) for i in range(size)]
    scored = []
    for urn, row in others:
        vector = row["descriptor"]
        if len(vector) != size:
            continue
        timbre = math.sqrt(sum(((a - b) / s) ** 2 for a, b, s in
                               zip(descriptor, vector, spread, strict=True)) / max(1, size))
        scored.append((_tempo_distance(seed.bpm, row.get("bpm"))
                       + 0.25 * wheel_distance(seed.camelot or "", row.get("camelot") or "")
                       + timbre, urn))
    scored.sort()
    return [(urn, distance) for distance, urn in scored[:limit]]


def _tempo_distance(a: float | None, b: float | None) -> float:
    if not a or not b:
        return 2.0
    ratio = abs(math.log2(a / b))
    folded = min(ratio, abs(ratio - 1.0))  # half and double time mix
    return min(3.0, folded / 0.04)  # 4 % apart counts 1


def _std(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _analysis(shown: str, result: dict[str, Any], urn: str | None) -> SoundAnalysis:
    return SoundAnalysis(
        input=shown, bpm=result.get("bpm"), key=result.get("key"),
        camelot=result.get("camelot"), bpm_confidence=float(result.get("bpm_confidence") or 0),
        key_confidence=float(result.get("key_confidence") or 0),
        seconds_analysed=float(result.get("seconds_analysed") or 0), urn=urn,
        digest=str(result.get("digest") or ""),
        loudness_lufs=result.get("loudness_lufs"),
        replaygain_track_gain=_gain(result.get("loudness_lufs")), peak=result.get("peak"),
        descriptor=tuple(float(v) for v in result.get("descriptor") or ()))


def _gain(lufs: float | None) -> float | None:
    """ReplayGain 2.0's track gain: dB to the -18 LUFS reference (analysis/loudness.py)."""
    return None if lufs is None else round(-18.0 - lufs, 2)


def _shown(text: str) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text)
    return repr(text if len(text) <= 200 else text[:200] + "…")


def _check_file(path: Path, shown: str) -> None:
    try:
        if not path.exists():
            raise NotFound(f"No file at {_shown(shown)}.",
                           hint="Check the path, or pass a track's URL to analyse its stream.")
        if path.is_dir():
            raise InvalidArgument(f"{_shown(shown)} is a folder, not an audio file.",
                                  hint="Pass the audio files in it instead.")
        if not os.access(path, os.R_OK):
            raise InvalidArgument(f"{_shown(shown)} cannot be read (permission denied).",
                                  hint="Check the file's permissions.")
    except OSError as exc:  # a name too long, a loop of links
        raise InvalidArgument(f"{_shown(shown)} is not a usable path: "
                              f"{exc.strerror or exc}.") from exc
    except ValueError as exc:  # embedded NUL
        raise InvalidArgument(f"{_shown(shown)} is not a usable path.") from exc


def _remove_tree(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
