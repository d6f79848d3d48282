"""Downloads as persisted jobs: start, list, pause, cancel, retry and resume. Every track
downloaded is a job row (downloads/jobs.py, store/downloads.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument
from minion_tui.models import Section, StreamChoice, Track
from minion_tui.service.catalog import link_capabilities

if TYPE_CHECKING:
    from minion_tui.downloads.engine import DownloadOptions
    from minion_tui.downloads.jobs import JobControl
    from minion_tui.models import DownloadEvent, DownloadJob, Outcome, Page
    from minion_tui.net import Http
    from minion_tui.service.catalog import Catalog
    from minion_tui.service.core import Core, Resource

log = logging.getLogger(__name__)


class _Source:
    """What the download engine asks of the service: the HTTP client, re-signed streams,
    and each track's provider's word on its original file."""

    def __init__(self, core: Core, catalog: Catalog) -> None:
        self._core = core
        self.refresh_stream = catalog.refresh_stream

    @property
    def http(self) -> Http:
        return self._core.http

    async def sections(self, track: Track) -> list[Section]:
        """The show's tracklist (its chapters and cue sheet, downloads/chapters.py); none
        from a provider that keeps no tracklists."""
        from minion_tui.providers import registry

        if track.provider not in registry.names():  # a direct media URL's stand-in
            return []
        provider = self._core.provider_of(track)
        if "tracklist" not in provider.capabilities.track_listings:
            return []
        return [section async for page in provider.track_listing("tracklist", track.id)
                for section in page.items if isinstance(section, Section)]

    async def original_unavailable(self, track: Track) -> str | None:
        provider = self._core.provider_of(track)
        if not provider.capabilities.originals:
            return f"{provider.name} offers no original files"
        return await provider.original_unavailable(track)

    async def original_url(self, track: Track) -> str:
        from minion_tui.errors import OriginalUnavailable

        provider = self._core.provider_of(track)
        if not provider.capabilities.originals:
            why = f"{provider.name} offers no original files"
            raise OriginalUnavailable(f"{track.title}: {why}.")
        return await provider.original_url(track)


class Downloads:
    """Downloads as persisted jobs."""

    def __init__(self, core: Core, catalog: Catalog) -> None:
        self._core = core
        self._catalog = catalog
        self._source = _Source(core, catalog)
        self._control: JobControl | None = None
        self._listeners: list[Callable[[DownloadEvent], None]] = []
        # Stream lookups started with the batch, before its tracks are resolved (see
        # _early_streams); taken by _choose_stream when one is for the track.
        self._early: list[asyncio.Future[StreamChoice]] = []
        # What runs on each finished file (the analysis: service/analysis.py), and those
        # still running; a download returns once they are done.
        self._after: Callable[[Path, str], Awaitable[object]] | None = None
        self._after_running: set[asyncio.Future[object]] = set()
        # What runs on the files of each set downloaded whole, once their own hooks ended.
        self._after_set: Callable[[list[Path]], Awaitable[object]] | None = None

    def after_each(self, hook: Callable[[Path, str], Awaitable[object]]) -> None:
        """Run ``hook(path, track_urn)`` on every file a download finishes, beside the
        downloads still running; :meth:`download`, :meth:`retry` and :meth:`resume` return
        once every hook they started has ended."""
        self._after = hook

    def after_each_set(self, hook: Callable[[list[Path]], Awaitable[object]]) -> None:
        """Run ``hook(paths)`` on the files of each set (playlist) a :meth:`download`
        finished whole (every track done in it), after every :meth:`after_each` hook."""
        self._after_set = hook

    async def _after_settled(self) -> None:
        while self._after_running:
            await asyncio.gather(*list(self._after_running), return_exceptions=True)

    async def download(
        self,
        targets: Sequence[str],
        *,
        directory: Path | None = None,
        jobs: int | None = None,
        segments: int | None = None,
        format: str | None = None,
        listener: Callable[[DownloadEvent], None] | None = None,
        convert: str | None = None,
    ) -> list[Outcome]:
        """Download tracks, sets, profiles, searches and direct media URLs into ``directory``
        (settings.downloads.dir).

        Each track is a job row (see download_jobs) and ends up complete under its final name
        or not at all; an interrupted run resumes where it stopped when started again, and a
        track in the download archive is skipped. ``listener`` (and every on_download_event
        subscriber) receives DownloadEvents (queued, start, segment, bytes, done, skipped,
        failed, paused, cancelled). Previews and DRM-only tracks are skipped with their
        reason; the batch goes on. ``convert`` ("mp3" | "m4a" | "opus" | "flac"; default
        settings.downloads.convert) re-encodes each finished file in another format
        (downloads/convert.py); its done event says so (``converted_from``, ``reason``)."""
        from minion_tui.downloads.targets import direct_kind

        conf = self._core.settings.downloads
        early = self._early_streams(targets, format or conf.format)
        catalog = _Prefetched(self._catalog, {
            target: asyncio.ensure_future(self._catalog.resolve(target))
            for target in (_from_link(targets) if early else [])})
        if early:  # the engine's imports (~0.1 s) on a thread while the lookups go out
            await asyncio.to_thread(_import_the_engine)
        options = self._download_options(directory, segments, format, listener, convert)
        if options.convert is not None:  # before any byte: a missing encoder is named now
            from minion_tui.downloads.convert import check_encoder

            await asyncio.to_thread(check_encoder, options.convert)
        # Direct media URLs have no job rows (batch.py): a batch of nothing else does not wait
        # for the database to open before its first request.
        direct_only = all(direct_kind(target) for target in targets)
        try:
            whole_sets: list[list[Path]] = []
            outcomes = await self._batch(catalog, targets, options, conf, direct_only, jobs,
                                         whole_sets)
            await self._after_settled()
            for paths in whole_sets:
                if self._after_set is not None:
                    await self._after_set(paths)
            return outcomes
        finally:
            catalog.drop()
            for lookup in early:
                if lookup in self._early:
                    self._early.remove(lookup)
                lookup.cancel()
                if lookup.done() and not lookup.cancelled():
                    lookup.exception()  # retrieved: the batch reported its own error

    async def _batch(self, catalog: Catalog | _Prefetched, targets: Sequence[str],
                     options: DownloadOptions, conf: Any, direct_only: bool,
                     jobs: int | None = None,
                     whole_sets: list[list[Path]] | None = None) -> list[Outcome]:
        from minion_tui.downloads.batch import download_batch

        return await download_batch(self._source, catalog, self._choose_stream,
                                    list(targets), options,
                                    jobs=jobs or conf.parallel, set_template=conf.set_template,
                                    connections=conf.connections,
                                    store=None if direct_only else await self._core.db(),
                                    control=self._job_control(), whole_sets=whole_sets)

    async def jobs(self, *, limit: int = 200) -> list[DownloadJob]:
        """Download jobs, newest first."""
        from minion_tui.store import downloads as rows

        store = await self._core.db()
        return await store.call(rows.list_jobs, store, limit)

    async def pause(self, job_id: int) -> None:
        """Stop fetching job ``job_id``; its segment journal is kept for retry."""
        await self._stop_download(job_id, "paused")

    async def cancel(self, job_id: int) -> None:
        """Stop job ``job_id`` and remove its partial files; the state becomes cancelled."""
        await self._stop_download(job_id, "cancelled")

    async def retry(self, job_id: int) -> Outcome:
        """Run a failed, paused or cancelled job (or one a crash left) again, resuming from
        its journal; returns when it ends."""
        from minion_tui.downloads.jobs import RETRYABLE, UNFINISHED
        from minion_tui.store import downloads as rows

        store = await self._core.db()
        try:
            job = await store.call(rows.get_job, store, job_id)
        except KeyError:
            raise InvalidArgument(f"There is no download job {job_id}.",
                                  hint="List them with the Downloads pane.") from None
        if job.state not in RETRYABLE + UNFINISHED or self._job_control().running(job_id):
            raise InvalidArgument(f"Download job {job_id} is {job.state}; only failed, paused "
                                  "or cancelled jobs can be retried.")
        [outcome] = await self._run_jobs([job_id])
        return outcome

    async def resume(self) -> list[Outcome]:
        """Run again every job a crash or kill left queued or running (not the ones running
        in this process)."""
        from minion_tui.downloads.jobs import UNFINISHED
        from minion_tui.store import downloads as rows

        store = await self._core.db()
        left = await store.call(rows.list_jobs, store, 10_000, states=UNFINISHED)
        ids = [job.id for job in reversed(left) if not self._job_control().running(job.id)]
        return await self._run_jobs(ids) if ids else []

    def on_event(self, listener: Callable[[DownloadEvent], None]) -> Callable[[], None]:
        """Subscribe to every event of every download in this process; returns unsubscribe.
        Events arrive on the event loop thread that runs the download."""
        listeners = self._listeners
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def _job_control(self) -> JobControl:
        if self._control is None:
            from minion_tui.downloads.jobs import JobControl

            self._control = JobControl()
        return self._control

    def _early_streams(self, targets: Sequence[str], format: str
                       ) -> list[asyncio.Future[StreamChoice]]:
        """Start the stream lookup of the first few links at once when their provider answers
        it from the link alone (``stream_from_link``: Mixcloud's GraphQL, docs/mixcloud.md
        §4), so it need not wait for the track's lookup the batch makes first — one round
        trip less before the first byte."""
        if format not in ("best", "m4a"):
            return []
        started: list[asyncio.Future[StreamChoice]] = [
            asyncio.ensure_future(self._catalog.stream(
                target, require_full=True,
                prefer=link_capabilities(target).download_prefers))
            for target in _from_link(targets)]
        self._early.extend(started)
        return started

    async def _choose_stream(self, track: Track, prefer: str | None) -> StreamChoice:
        preferred = self._core.provider_of(track).capabilities.download_prefers
        if preferred is not None and prefer in (None, "aac"):
            # Mixcloud's progressive file is the same AAC as its HLS, and in parallel 5 MiB
            # ranges the fastest download (bench/download_mixcloud.py; docs/downloads.md §8):
            # no TS to remux. Playback keeps HLS.
            prefer = preferred
            for lookup in list(self._early):
                try:
                    choice = await lookup
                except Exception:  # not a show, refused…: the lookup below says why
                    self._early.remove(lookup)
                    continue
                if choice.track_urn == track.urn:
                    self._early.remove(lookup)
                    return choice
        return await self._catalog.stream(track, require_full=True, prefer=prefer)

    def _download_options(self, directory: Path | None, segments: int | None,
                          format: str | None,
                          listener: Callable[[DownloadEvent], None] | None,
                          convert: str | None = None) -> DownloadOptions:
        """``convert``: --convert's format (else settings.downloads.convert; "none" keeps
        each file as downloaded)."""
        from minion_tui.downloads.engine import DownloadOptions
        from minion_tui.downloads.playlist import PlaylistLimits

        conf = self._core.settings.downloads
        subscribers = self._listeners
        after, running = self._after, self._after_running

        def fan_out(event: DownloadEvent) -> None:
            if after is not None and event.kind == "done" and event.path:
                task = asyncio.ensure_future(after(Path(event.path), event.track_urn))
                running.add(task)
                task.add_done_callback(running.discard)
            if listener is not None:
                listener(event)
            for subscriber in list(subscribers):
                try:
                    subscriber(event)
                except Exception:  # a broken subscriber must not fail the download
                    log.exception("download event listener failed")

        return DownloadOptions(directory=Path(directory or conf.dir), template=conf.template,
                               segments=segments or conf.segments,
                               format=format or conf.format, listener=fan_out,
                               convert=_conversion(convert or conf.convert),
                               limits=PlaylistLimits.of(conf))

    async def _run_jobs(self, job_ids: list[int]) -> list[Outcome]:
        """Run stored jobs again (retry, resume), settings.downloads.parallel at a time."""
        import dataclasses as dc

        from minion_tui.downloads.batch import Runner, rewrite_set_m3u8
        from minion_tui.downloads.jobs import JobPlan
        from minion_tui.models import Outcome
        from minion_tui.store import downloads as rows

        store = await self._core.db()
        conf = self._core.settings.downloads
        options = self._download_options(None, None, None, None)
        runner = Runner.build(self._source, self._choose_stream, options, jobs=conf.parallel,
                              connections=conf.connections,
                              store=store, control=self._job_control(),
                              set_template=conf.set_template)
        tasks: list[tuple[asyncio.Task[Outcome], Track | None, int | None]] = []
        plans: dict[int, JobPlan] = {}

        async def _outcome(urn: str, job_id: int, reason: str) -> Outcome:
            return Outcome(urn, "failed", reason=reason, job_id=job_id)

        for job_id in job_ids:
            job = await store.call(rows.get_job, store, job_id)
            plan = await store.call(rows.job_plan, store, job_id)
            track = await store.call(store.get_track, job.track_urn)
            if track is None:  # the track row is written with the job: only a wiped db
                reason = "the track is no longer in the database; download it again by URL"
                await store.call(rows.update_job, store, job_id, state="failed", reason=reason)
                tasks.append((asyncio.create_task(_outcome(job.track_urn, job_id, reason)),
                              None, None))
                continue
            await store.call(rows.update_job, store, job_id, state="queued", reason="")
            runner = dc.replace(runner, options=dc.replace(
                options, format=plan.format or options.format))
            tasks.append((runner.start(track, plan, job_id), track, job_id))
            plans[job_id] = plan
        outcomes = await runner.settle(tasks)
        await self._after_settled()
        # A set's M3U8 was written by the batch without the tracks that failed or stopped;
        # one that finishes now is listed in its place.
        sets = {(plan.directory, plan.playlist): plan for outcome in outcomes
                if outcome.state == "done" and outcome.job_id is not None
                and (plan := plans[outcome.job_id]).playlist}
        for plan in sets.values():
            await rewrite_set_m3u8(store, plan)
        return outcomes

    async def _stop_download(self, job_id: int, state: str) -> None:
        from minion_tui.downloads.engine import discard_partial
        from minion_tui.store import downloads as rows

        control = self._job_control()
        task = control.task(job_id)
        if task is not None and control.stop(job_id, state):
            await asyncio.wait([task])
            return
        # Not running here (finished, failed, or left by a crash): just record the request.
        store = await self._core.db()
        try:
            job = await store.call(rows.get_job, store, job_id)
        except KeyError:
            raise InvalidArgument(f"There is no download job {job_id}.") from None
        if job.state in ("done", "cancelled") or (job.state == "failed" and state == "paused"):
            return
        if state == "cancelled" and job.path:
            await asyncio.to_thread(discard_partial, Path(job.path))
        reason = "paused by the user" if state == "paused" else "cancelled by the user"
        await store.call(rows.update_job, store, job_id, state=state, reason=reason)


def _conversion(convert: str) -> str | None:
    """--convert / downloads.convert as the engine takes it: None for "none" (or unset)."""
    if convert in ("mp3", "m4a", "opus", "flac"):
        return convert
    if convert in ("", "none"):
        return None
    raise InvalidArgument(f"--convert {convert!r} is not a format: mp3, m4a, opus or flac.")


def _from_link(targets: Sequence[str]) -> list[str]:
    """The first few links whose provider answers a stream from the link alone."""
    return [target for target in list(targets)[:4]
            if link_capabilities(target).stream_from_link]


def _import_the_engine() -> None:
    import minion_tui.downloads.batch
    import minion_tui.downloads.engine  # noqa: F401


class _Prefetched:
    """The catalog as the batch's expansion sees it, with the resolves of the first
    Mixcloud links already under way beside their stream lookups (one round trip less
    before the first range; bench/download_mixcloud.py)."""

    def __init__(self, catalog: Catalog, started: dict[str, asyncio.Future[Resource]]) -> None:
        self._catalog = catalog
        self._started = started

    async def resolve(self, target: str) -> Resource:
        started = self._started.pop(target, None)
        return await (started if started is not None else self._catalog.resolve(target))

    def browse(self, listing: str, target: str | None = None, *,
               limit: int | None = None) -> AsyncIterator[Page[Any]]:
        return self._catalog.browse(listing, target, limit=limit)

    def search(self, query: str, *, kind: str = "tracks",
               limit: int | None = None) -> AsyncIterator[Page[Any]]:
        return self._catalog.search(query, kind=kind, limit=limit)

    def drop(self) -> None:
        """Cancel what the batch did not take (it stopped early, or the link was a
        duplicate), its error retrieved: the batch reported its own."""
        for started in self._started.values():
            started.cancel()
            if started.done() and not started.cancelled():
                started.exception()
        self._started.clear()
