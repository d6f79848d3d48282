"""Batches: tracks and sets downloaded with a global track concurrency under one connection cap.

Every track is a persisted job (jobs.py, store/downloads.py) when a store is given: its row
says queued → running → done/failed/paused/cancelled with the reason, and a run interrupted by
a crash is found again and resumed from its segment journal. Previews and DRM-only tracks are
skipped with their reason and the batch continues; a track in the download
archive, or complete under its final name, is skipped; each downloaded set gets an M3U8 next
to its tracks.

Each set has a folder of its own: named after its title, and claimed for the set's URN
before its first track is queued (store/downloads.py ``claim_set_folder``), so a second set
of the same title goes to "Title (2)", and each set downloaded again goes back to its own
folder, across restarts. Its tracks are tagged with their place in it (tags.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui.downloads.engine import (
    PREFER,
    DownloadOptions,
    StreamSource,
    convert_complete,
    discard_partial,
    download_stream,
    final_path,
    needs_conversion,
)
from minion_tui.downloads.jobs import JobControl, JobPlan
from minion_tui.downloads.journal import without_query
from minion_tui.downloads.m3u import write_m3u8
from minion_tui.downloads.naming import (
    DEFAULT_SET_TEMPLATE,
    MAX_COMPONENT_BYTES,
    numbered,
    numbered_folder,
    safe_component,
)
from minion_tui.downloads.tags import InSet
from minion_tui.downloads.targets import Catalog, Direct, Refused, Resolve, expand
from minion_tui.errors import DownloadError, MinionError
from minion_tui.models import DownloadEvent, Outcome, Playlist, StreamChoice, Track
from minion_tui.net import redact_url

if TYPE_CHECKING:
    from minion_tui.store import Store

# Picks a full stream (raising PreviewOnly/DrmOnly/GeoBlocked) for a track and a preference.
Choose = Callable[[Track, str | None], Awaitable[StreamChoice]]
#: How often a running job's progress is written to SQLite (the journal is the real truth).
PERSIST_EVERY = 1.0
#: Requests in flight at once for a whole batch (settings.downloads.connections): every segment,
#: playlist and progressive range of every track takes one. Per-track segments and tracks at
#: once stay as they are; this is the ceiling over all of them.
DEFAULT_CONNECTIONS = 16


@dataclass(frozen=True)
class Runner:
    """What running jobs needs, shared by a batch, a retry and a resume."""

    source: StreamSource
    choose: Choose
    options: DownloadOptions
    store: Store | None = None
    control: JobControl | None = None
    set_template: str = DEFAULT_SET_TEMPLATE
    tracks_at_once: asyncio.Semaphore = dataclasses.field(
        default_factory=lambda: asyncio.Semaphore(3))
    # One connection cap for every job: segment and progressive fetches of all tracks share it.
    connections: asyncio.Semaphore = dataclasses.field(
        default_factory=lambda: asyncio.Semaphore(DEFAULT_CONNECTIONS))
    # Where each job's partial files are, for a cancel (known once the stream is chosen).
    targets: dict[int, Path] = dataclasses.field(default_factory=dict)
    # Each running job's latest progress figures (written to SQLite ≤ 1/s, and at its end).
    _progress: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    # The file each source of this run goes to (place): two sources never share one.
    claims: dict[Path, str] = dataclasses.field(default_factory=dict)
    # One placement at a time: a name looked at is claimed or given up before the next looks
    # (two sources must not each skip the other's file while it is being checked).
    _placing: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    # The folder each set of this run goes to, by its URN (claimed in the store when there
    # is one, which keeps the claim across runs).
    set_folders: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(cls, source: StreamSource, choose: Choose, options: DownloadOptions, *,
              jobs: int = 3, connections: int = DEFAULT_CONNECTIONS,
              **kwargs: Any) -> Runner:
        return cls(source, choose, options, tracks_at_once=asyncio.Semaphore(max(1, jobs)),
                   connections=asyncio.Semaphore(max(1, connections)), **kwargs)

    def plan(self, playlist: str = "", index: int = 0, album: str = "", *, total: int = 0,
             album_artist: str = "") -> JobPlan:
        template = self.set_template if playlist else self.options.template
        return JobPlan(str(self.options.directory), template, self.options.format, playlist,
                       index, album, total, album_artist)

    async def set_folder(self, playlist: Playlist) -> str:
        """The folder ``playlist``'s tracks go to: its title made safe, or "Title (2)" …
        when another set has that name in this download folder (see the module docstring)."""
        known = self.set_folders.get(playlist.urn)
        if known is not None:
            return known
        name = safe_component(playlist.title, max_bytes=MAX_COMPONENT_BYTES)
        if self.store is not None:
            from minion_tui.store import downloads as rows

            folder = await self.store.call(
                rows.claim_set_folder, self.store, str(self.options.directory), playlist.urn,
                name, title=playlist.title, album_artist=playlist.uploader,
                total=len(playlist.tracks),
                track_urns=frozenset(track.urn for track in playlist.tracks))
        else:
            taken = set(self.set_folders.values())
            folder = next(numbered_folder(name, n) for n in range(1, len(taken) + 2)
                          if numbered_folder(name, n) not in taken)
        self.set_folders[playlist.urn] = folder
        return folder

    async def open(self, track: Track, plan: JobPlan) -> int | None:
        """The job row for ``track`` (a resumed one if a run was interrupted); announces it."""
        job_id = None
        if self.store is not None:
            from minion_tui.store import downloads as rows

            job = await self.store.call(rows.open_job, self.store, track, plan)
            job_id = job.id
        self._emit(DownloadEvent("queued", track.urn, _title(track), job_id=job_id))
        return job_id

    def start(self, track: Track, plan: JobPlan, job_id: int | None) -> asyncio.Task[Outcome]:
        task = asyncio.create_task(self.run(track, plan, job_id))
        control = self.control
        if job_id is not None and control is not None:
            control.attach(job_id, task)
            task.add_done_callback(lambda done: control.detach(job_id, done))
        return task

    async def run(self, track: Track, plan: JobPlan, job_id: int | None) -> Outcome:
        """Run one job to its end state; a pause/cancel request becomes that state."""
        try:
            async with self.tracks_at_once:
                # This run's progress starts from nothing; its first segment event counts
                # what the journal already holds.
                await self._save(job_id, state="running", reason="", bytes_done=0,
                                 segments_done=0)
                return await self._run(track, plan, job_id)
        except asyncio.CancelledError:
            wanted = self.control.requested(job_id) if (self.control and job_id) else None
            if wanted is None:
                raise  # a shutdown: the row stays 'running' and resume_downloads continues it
            return await self._stopped(track, job_id, wanted)

    async def _stopped(self, track: Track, job_id: int | None, wanted: str) -> Outcome:
        target = self.targets.get(job_id) if job_id is not None else None
        if target is None and self.store is not None and job_id is not None:
            # Stopped before this run chose its stream: an earlier run's path, if any.
            from minion_tui.store import downloads as rows

            known = (await self.store.call(rows.get_job, self.store, job_id)).path
            target = Path(known) if known else None
        reason = "paused by the user" if wanted == "paused" else "cancelled by the user"
        if wanted == "cancelled" and target is not None:
            await asyncio.to_thread(discard_partial, target)
        progress = self._progress.pop(job_id, {}) if job_id is not None else {}
        await self._save(job_id, state=wanted, reason=reason, **progress)
        self._emit(DownloadEvent(wanted, track.urn, _title(track), str(target or ""),
                                 reason=reason, job_id=job_id))
        return Outcome(track.urn, wanted, str(target or ""), reason, job_id)

    async def settle(self, started: list[tuple[asyncio.Task[Outcome], Track | None, int | None]]
                     ) -> list[Outcome]:
        """Wait for started jobs. A task stopped before its first step never reached its own
        handler (the cancel is thrown in before ``try``): its pause/cancel is recorded here."""
        try:
            results = await asyncio.gather(*(t for t, _, _ in started), return_exceptions=True)
        finally:
            for task, _, _ in started:
                task.cancel()
        outcomes: list[Outcome] = []
        for result, (_task, track, job_id) in zip(results, started, strict=True):
            if isinstance(result, Outcome):
                outcomes.append(result)
                continue
            wanted = self.control.requested(job_id) if (self.control and job_id) else None
            if not isinstance(result, asyncio.CancelledError) or wanted is None or not track:
                raise result
            outcomes.append(await self._stopped(track, job_id, wanted))
        return outcomes

    async def _run(self, track: Track, plan: JobPlan, job_id: int | None) -> Outcome:
        if self.store is not None:
            from minion_tui.store import downloads as rows

            kept = await self.store.call(rows.archived_path, self.store, track.urn)
            on_disk: bool = bool(kept) and await asyncio.to_thread(Path(str(kept)).exists)
            if kept and on_disk:
                return await self._finish(track, job_id, "done", kept, "already downloaded",
                                          skipped=True)
        options = dataclasses.replace(self.options, directory=Path(plan.directory),
                                      template=plan.template or self.options.template,
                                      listener=self._listener(job_id))
        note = ""
        from minion_tui.downloads.original import original_by_default, try_original

        # --format original, or the default with a token and a track that offers its
        # original; mp3/m4a/opus never take it.
        if await original_by_default(self.source, track, plan.format):
            try:
                got, note = await try_original(self.source, track, options,
                                               playlist=plan.playlist, index=plan.index,
                                               gate=self.connections)
            except (MinionError, OSError) as error:
                return await self._finish(track, job_id, "failed", "", *_failure(error))
            if got is not None:
                return await self._finish(track, job_id, "done", str(got), "",
                                          codec="original", announced=True)
            # Not available: the best stream instead, the note kept as the outcome's reason
            # and said by the stream's own "done" event (a script sees why it is no original).
            options = dataclasses.replace(options, listener=_noted(options.listener, note))
        try:
            choice = await self.choose(track, PREFER.get(plan.format))
        except MinionError as error:
            # Previews, DRM-only and blocked tracks: skipped with the reason, the batch goes on.
            # A format the track does not offer (--format opus) fails it: the user asked for
            # something this track cannot give, and another --format would work.
            if error.type == "format_unavailable":
                return await self._finish(track, job_id, "failed", "", *_failure(error))
            return await self._finish(track, job_id, "skipped", "", *_failure(error),
                                      skipped=True)
        target, complete = await self.place(
            final_path(track, choice, options, playlist=plan.playlist, index=plan.index),
            track.urn, frozenset({track.urn, without_query(track.url)} - {""}))
        if job_id is not None:
            self.targets[job_id] = target
        await self._save(job_id, path=str(target), protocol=choice.protocol, codec=choice.codec)
        if complete and needs_conversion(choice, options):
            # Complete but not converted yet (a kill stopped the conversion): finish it.
            try:
                path = await convert_complete(self.source, track, choice, target, options,
                                              album=plan.album, in_set=_in_set(plan))
            except (MinionError, OSError) as error:
                return await self._finish(track, job_id, "failed", str(target),
                                          *_failure(error))
            return await self._finish(track, job_id, "done", str(path), "",
                                      codec=choice.codec, announced=True)
        if complete:
            return await self._finish(track, job_id, "done", str(target), "already downloaded",
                                      skipped=True, codec=choice.codec)
        try:
            path = await download_stream(self.source, track, choice, target, options,
                                         album=plan.album, gate=self.connections,
                                         in_set=_in_set(plan))
        except (MinionError, OSError) as error:
            return await self._finish(track, job_id, "failed", str(target), *_failure(error))
        return await self._finish(track, job_id, "done", str(path), note, codec=choice.codec,
                                  announced=True)

    async def _finish(self, track: Track, job_id: int | None, state: str, path: str,
                      reason: str, error_type: str = "", *, skipped: bool = False,
                      codec: str = "", announced: bool = False) -> Outcome:
        """Record the end state (and the archive entry of a completed file); emit it.
        ``error_type``: the ``type`` of the error behind a failure or a skip."""
        progress = self._progress.pop(job_id, {}) if job_id is not None else {}
        if state == "done" and progress.get("segments_total"):
            progress["segments_done"] = progress["segments_total"]
        await self._save(job_id, state=state, reason=reason, path=path, **progress)
        if state == "done" and self.store is not None and path:
            from minion_tui.store import downloads as rows

            size = (await asyncio.to_thread(Path(path).stat)).st_size
            await self._save(job_id, bytes_done=size, bytes_total=size)
            await self.store.call(rows.archive, self.store, track.urn, path,
                                  codec=codec, size=size,
                                  job_id=job_id)
        if not announced:
            kind = "skipped" if skipped else state
            self._emit(DownloadEvent(kind, track.urn, _title(track), path, reason=reason,
                                     error_type=error_type, job_id=job_id))
        return Outcome(track.urn, state, path, reason, job_id)

    async def direct(self, item: Direct) -> Outcome:
        """A bare media URL (direct.py): no catalog track behind it, so no job row."""
        from minion_tui.downloads.direct import download_direct

        async with self.tracks_at_once:
            try:
                path = await download_direct(self.source, item, self.options,
                                             gate=self.connections, place=self.place)
            except (MinionError, OSError) as error:
                reason, error_type = _failure(error)
                self._emit(DownloadEvent("failed", item.url, reason=reason,
                                         error_type=error_type))
                return Outcome(item.url, "failed", reason=reason)
        return Outcome(item.url, "done", str(path))

    async def place(self, target: Path, key: str, sources: frozenset[str]) -> tuple[Path, bool]:
        """The file the source ``key`` goes to, and whether it is complete there already.

        ``target`` unless another source of this run claimed that name, or a file of another
        source is there; then ``name (2).ext``, ``name (3).ext`` … Who a file on disk belongs
        to is what the archive says of its path, else the source URL its tags record
        (tags.file_source), compared with ``sources``; a file that records nothing is taken
        as this source's (what a complete file under the final name always meant). The name
        is claimed before any byte is written, so two items of one run never share a
        journal."""
        async with self._placing:
            n = 1
            while True:
                candidate = target.with_name(numbered(target.name, n))
                n += 1
                if self.claims.get(candidate, key) != key:
                    continue
                owner = await self._owner(candidate)
                if owner is None or not owner or owner in sources:
                    self.claims[candidate] = key
                    return candidate, owner is not None

    async def _owner(self, path: Path) -> str | None:
        """None when ``path`` is absent; else the source it holds ("" when unknown)."""
        if not await asyncio.to_thread(path.exists):
            return None
        if self.store is not None:
            from minion_tui.store import downloads as rows

            urn = await self.store.call(rows.archived_owner, self.store, str(path))
            if urn:
                return urn
        from minion_tui.downloads.tags import file_source

        recorded = await asyncio.to_thread(file_source, path)
        return without_query(recorded) if recorded else ""

    def _listener(self, job_id: int | None) -> Callable[[DownloadEvent], None]:
        """Tags the engine's events with the job and writes progress to SQLite ≤ 1/s."""
        last = [0.0]
        pending: set[asyncio.Task[None]] = set()

        def listen(event: DownloadEvent) -> None:
            event = dataclasses.replace(event, job_id=job_id)
            self._emit(event)
            if self.store is None or job_id is None or event.kind not in ("segment", "bytes"):
                return
            # The latest figures, written with the job's end state (pause, failure, done) so
            # the table never lags behind what the events said.
            self._progress[job_id] = dict(
                bytes_done=event.bytes_done, bytes_total=event.bytes_total,
                segments_done=event.segments_done, segments_total=event.segments_total)
            now = time.monotonic()
            if now - last[0] < PERSIST_EVERY:
                return
            last[0] = now
            task = asyncio.ensure_future(self._save(
                job_id, bytes_done=event.bytes_done, bytes_total=event.bytes_total,
                segments_done=event.segments_done, segments_total=event.segments_total))
            pending.add(task)
            task.add_done_callback(pending.discard)

        return listen

    async def _save(self, job_id: int | None, **fields: Any) -> None:
        if self.store is None or job_id is None:
            return
        from minion_tui.store import downloads as rows

        await self.store.call(rows.update_job, self.store, job_id, **fields)

    def _emit(self, event: DownloadEvent) -> None:
        if self.options.listener is not None:
            self.options.listener(event)


async def rewrite_set_m3u8(store: Store, plan: JobPlan) -> None:
    """The M3U8 of the set ``plan`` belongs to, listing every track of it finished so far
    (a track retried after the batch that wrote the file is added in its place)."""
    from minion_tui.store import downloads as rows

    members = await store.call(rows.set_members, store, plan.directory, plan.playlist)
    done: list[tuple[Track, Path]] = []
    for urn, path in members:
        track = await store.call(store.get_track, urn)
        if track is not None and await asyncio.to_thread(Path(path).exists):
            done.append((track, Path(path)))
    if done:
        folder = done[0][1].parent
        await asyncio.to_thread(write_m3u8, folder / f"{folder.name}.m3u8",
                                [p for _, p in done], [t for t, _ in done])


def _failure(error: MinionError | OSError) -> tuple[str, str]:
    """(reason, type) of a failed job: a MinionError's text and type; a file error's words
    and the filename, typed like any other download failure."""
    if isinstance(error, MinionError):
        return error.text, error.type
    reason = f"{error.strerror or error}"
    return (f"{reason} ({error.filename})" if error.filename else reason), DownloadError.type


def _in_set(plan: JobPlan) -> InSet | None:
    """The track's place in its set, for its tags; None for a track on its own."""
    if not plan.playlist or plan.index <= 0:
        return None
    return InSet(plan.index, plan.total, plan.album_artist)


def _title(track: Track) -> str:
    return f"{track.artist} - {track.title}" if track.artist else track.title


async def download_batch(source: StreamSource, resolve: Catalog | Resolve, choose: Choose,
                         targets: list[str], options: DownloadOptions, *, jobs: int = 3,
                         connections: int = DEFAULT_CONNECTIONS,
                         set_template: str = DEFAULT_SET_TEMPLATE, store: Store | None = None,
                         control: JobControl | None = None,
                         whole_sets: list[list[Path]] | None = None) -> list[Outcome]:
    """Expand every target (targets.py; pass the Service as ``resolve`` for profiles,
    searches and direct media URLs) and download the tracks, ``jobs`` at a time. The files
    of each set whose every track finished in this run are appended to ``whole_sets`` (the
    album gain is measured over them: service/analysis.py)."""
    runner = Runner.build(source, choose, options, jobs=jobs, connections=connections,
                          store=store, control=control,
                          set_template=set_template)
    outcomes: list[Outcome] = []
    tasks: list[tuple[asyncio.Task[Outcome], Track | None, int | None]] = []
    members: dict[str, tuple[Playlist, list[tuple[Track, int]]]] = {}
    async for item in expand(resolve, targets):
        if isinstance(item, Refused):
            shown = redact_url(item.target)  # a refused link may carry a password
            outcomes.append(Outcome(shown, "failed", reason=item.reason))
            runner._emit(DownloadEvent("failed", shown, reason=item.reason,
                                       error_type=item.error_type))
            continue
        if isinstance(item, Direct):
            tasks.append((asyncio.create_task(runner.direct(item)), None, None))
            continue
        if item.playlist is not None:
            plan = runner.plan(await runner.set_folder(item.playlist), item.index, item.album,
                               total=len(item.playlist.tracks),
                               album_artist=item.playlist.uploader)
        else:
            plan = runner.plan(album=item.album)
        job_id = await runner.open(item.track, plan)
        tasks.append((runner.start(item.track, plan, job_id), item.track, job_id))
        if item.playlist is not None:
            members.setdefault(item.playlist.urn, (item.playlist, []))[1].append(
                (item.track, len(tasks) - 1))
    results = await runner.settle(tasks)
    outcomes.extend(results)
    for _playlist, entries in members.values():
        done = [(track, Path(results[i].path)) for track, i in entries
                if results[i].state == "done"]
        if done:
            folder = done[0][1].parent
            write_m3u8(folder / f"{folder.name}.m3u8", [p for _, p in done],
                       [t for t, _ in done])
        if whole_sets is not None and done and len(done) == len(entries) == len(
                _playlist.tracks):
            whole_sets.append([p for _, p in done])
    return outcomes


def _noted(listener: Callable[[DownloadEvent], None] | None, note: str
           ) -> Callable[[DownloadEvent], None] | None:
    """``listener`` with ``note`` as the reason of the "done" event that has none."""
    if listener is None or not note:
        return listener

    def hear(event: DownloadEvent) -> None:
        if event.kind == "done" and not event.reason:
            event = dataclasses.replace(event, reason=note)
        listener(event)

    return hear
