"""Downloads as persisted jobs: download tracks, sets, a user's likes or a batch (each track
a job), list the jobs, pause, cancel, retry one, resume those a crash left. Files go only
under the configured download folder ([downloads] dir)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp import render
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import LOCAL_READ, Hints, Listing, NoArgs, arg, tool
from minion_tui.mcp.tools.catalog import CURSOR, LIMIT
from minion_tui.mcp.tools.discovery import Progress
from minion_tui.models import DownloadEvent, DownloadJob, Outcome, User
from minion_tui.models.json_form import JsonModel

#: download…, retry, resume: fetch from the services and write files; a track downloaded
#: before (the download archive) is skipped, so repeating writes nothing new.
DOWNLOADING = Hints(read_only=False, destructive=False, idempotent=True, open_world=True)
#: pause_download: stops a running job, its journal kept (retry goes on from there).
PAUSING = Hints(read_only=False, destructive=False, idempotent=True, open_world=False)
#: cancel_download: stops a job and deletes its partial files.
CANCELLING = Hints(read_only=False, destructive=True, idempotent=True, open_world=False)

#: The progress notifications of a download: at most one per this much more done (of a
#: track), besides one per track finished.
STEP = 0.02


def _formats() -> tuple[str, ...]:
    from minion_tui.service import capabilities

    return tuple(capabilities().formats)


@dataclass(frozen=True, slots=True)
class Downloaded(JsonModel):
    """What a download did, one outcome per track in order: ``state`` done, skipped (in
    the archive already, a preview, DRM-only), failed, paused or cancelled, with
    ``reason``; ``path`` the file written; ``job_id`` its job (for retry_download).
    ``done``, ``skipped`` and ``failed`` count them."""

    outcomes: Sequence[Outcome]
    done: int
    skipped: int
    failed: int


def _downloaded(outcomes: Sequence[Outcome]) -> Downloaded:
    states = [o.state for o in outcomes]
    return Downloaded(outcomes=outcomes, done=states.count("done"),
                      skipped=states.count("skipped"), failed=states.count("failed"))


def _outcome_line(o: dict[str, Any]) -> str:
    where = o["path"] or o["reason"]
    return f"{o['state']}: {o['track_urn']}" + (f" — {where}" if where else "") + (
        f" (job {o['job_id']})" if o["job_id"] is not None else "")


def _downloaded_text(r: dict[str, Any]) -> str:
    lines = [f"{r['done']} done, {r['skipped']} skipped, {r['failed']} failed"]
    return "\n".join(lines + [_outcome_line(o) for o in r["outcomes"]])


def job_line(j: dict[str, Any]) -> str:
    size = f", {j['bytes_done']}/{j['bytes_total']} bytes" if j["bytes_total"] else ""
    why = f" ({j['reason']})" if j["reason"] else ""
    return f"#{j['id']} {j['state']}{why}: {j['title']}{size} {j['path']}".rstrip()


def _is_link(target: str) -> bool:
    text = target.strip()
    if text.lower().startswith(("https://", "http://")):
        return True
    parts = text.split(":")
    return len(parts) == 3 and all(parts) and "/" not in text


async def within_downloads(ctx: ToolContext, directory: str | None) -> Path | None:
    """The folder ``directory`` names under the configured download folder (None: that
    folder itself); invalid_argument for one that would leave it (``..``, an absolute path
    elsewhere, a link pointing out)."""
    if directory is None:
        return None
    base = Path(ctx.service.settings.downloads.dir)
    if not directory.isprintable() or not directory.strip():
        raise InvalidArgument("download: 'directory' must name a folder (no control "
                              "characters).",
                              hint="Give a folder inside the download folder, e.g. 'sets'.")

    def resolved() -> tuple[Path, Path]:
        root = base.expanduser().resolve()
        return root, (root / directory.strip()).resolve()

    try:
        root, wanted = await asyncio.to_thread(resolved)
    except (OSError, RuntimeError, ValueError) as exc:
        raise InvalidArgument(
            f"download: {directory[:80]!r} is no usable folder: {exc}.") from exc
    if wanted != root and not wanted.is_relative_to(root):
        raise InvalidArgument(
            f"download: {directory[:80]!r} is outside the download folder ({root}); files "
            "are only written inside it.",
            hint="Give a folder relative to the download folder, e.g. 'sets/friday'.")
    return wanted


async def run_downloads(ctx: ToolContext, work: Callable[[Callable[[DownloadEvent], None]],
                                                        Awaitable[list[Outcome]]]
                        ) -> list[Outcome]:
    """Run ``work(listener)``, sending its DownloadEvents on as progress (tracks done of
    the tracks known, fractions of the ones under way). Cancelled, every job it started and
    did not finish is cancelled too: its partial files are deleted."""
    share: dict[str, float] = {}
    jobs: dict[int, str] = {}
    finished = {"done", "skipped", "failed", "paused", "cancelled"}
    sent = [0.0]

    def listen(event: DownloadEvent) -> None:
        if event.job_id is not None:
            jobs[event.job_id] = event.kind
        fraction = share.get(event.track_urn, 0.0)
        if event.kind in finished:
            fraction = 1.0
        elif event.bytes_total:
            fraction = min(0.99, event.bytes_done / event.bytes_total)
        elif event.segments_total:
            fraction = min(0.99, event.segments_done / event.segments_total)
        share[event.track_urn] = max(fraction, share.get(event.track_urn, 0.0))
        done = sum(share.values())
        if event.kind in finished or done - sent[0] >= STEP:
            sent[0] = done
            label = event.title or event.track_urn
            pump(round(done, 3), float(len(share)), f"{event.kind}: {label}")

    try:
        async with Progress(ctx) as pump:
            return await work(listen)
    except asyncio.CancelledError:
        open_ = [job for job, kind in jobs.items() if kind not in finished]
        await asyncio.shield(_cancel_all(ctx, open_))
        raise


async def _cancel_all(ctx: ToolContext, job_ids: Sequence[int]) -> None:
    for job_id in job_ids:
        await ctx.service.downloads.cancel(job_id)


@dataclass(frozen=True, slots=True)
class Download:
    targets: tuple[str, ...] = arg(
        "What to download, each a URL or URN: a track; a playlist, set or album (all its "
        "tracks, with an M3U8 of them); a profile (…/USER: their tracks; …/USER/likes; "
        "…/USER/sets); a SoundCloud search URL (…/search/sounds?q=…); or a direct "
        ".mp3/.m4a/.m3u8 URL.", max_length=2000)
    directory: str | None = arg(
        "A folder inside the configured download folder to write into (made if missing), "
        "e.g. 'sets/friday'; default the download folder itself. Paths leaving it are "
        "refused.", default=None, max_length=500)
    format: str | None = arg(
        "The file format: best (the original codec, no re-encoding), or one to convert to; "
        "default the [downloads] format setting.", default=None, choices=_formats)


@tool(title="Download", output=Downloaded, hints=DOWNLOADING, render=_downloaded_text)
async def download(ctx: ToolContext, args: Download) -> Downloaded:
    """Download tracks, whole playlists, a profile's tracks or likes, or any batch of them,
    into the download folder (tagged, with artwork; a set with its M3U8). Each track is a
    job (download_jobs lists them; retry_download runs a failed one again); a track
    downloaded before is skipped, previews and DRM-only tracks are skipped with the reason.
    Long: reports progress (tracks done of those known) and can be cancelled, which cancels
    its jobs and deletes their partial files. Costs a request or two per track (its
    stream) plus the file's bytes (HLS: one request per segment), a listing's pages 50 a
    request; the services' stream rate limits apply. For one user's likes, download_likes."""
    folder = await within_downloads(ctx, args.directory)
    bad = [t for t in args.targets if not _is_link(t)]
    if bad:
        raise InvalidArgument(f"download: {bad[0][:80]!r} is not a URL or URN.",
                              hint="Pass links (https://…) or URNs (soundcloud:tracks:123).")
    targets = [t.strip() for t in args.targets]
    outcomes = await run_downloads(ctx, lambda listen: ctx.service.downloads.download(
        targets, directory=folder, format=args.format, listener=listen))
    return _downloaded(outcomes)


@dataclass(frozen=True, slots=True)
class DownloadLikes:
    user: str = arg("The user: their profile's URL or URN (soundcloud.com/alice, "
                    "mixcloud.com/bob, soundcloud:users:123).", nonblank=True, max_length=500)
    directory: str | None = arg(
        "A folder inside the configured download folder to write into; default the "
        "download folder itself. Paths leaving it are refused.", default=None,
        max_length=500)
    format: str | None = arg("The file format (as download's).", default=None,
                             choices=_formats)


@tool(title="Download a user's likes", output=Downloaded, hints=DOWNLOADING,
      render=_downloaded_text)
async def download_likes(ctx: ToolContext, args: DownloadLikes) -> Downloaded:
    """Download every track a user liked (on Mixcloud: their favourites), as download does
    with …/USER/likes: one job per track, those downloaded before skipped. Long: progress
    and cancellation as download's. One request to find the user, then the likes' pages
    (50 a request) and each track's stream and bytes."""
    folder = await within_downloads(ctx, args.directory)
    user = await ctx.service.catalog.resolve(args.user.strip())
    if not isinstance(user, User):
        raise InvalidArgument(f"download_likes: {args.user[:80]!r} is a {user.kind}, not a "
                              "user.", hint="Pass a profile's URL or URN.")
    tab = "favorites" if user.provider == "mixcloud" else "likes"
    target = f"{user.url.rstrip('/')}/{tab}"
    outcomes = await run_downloads(ctx, lambda listen: ctx.service.downloads.download(
        [target], directory=folder, format=args.format, listener=listen))
    return _downloaded(outcomes)


@dataclass(frozen=True, slots=True)
class DownloadJobs:
    state: str | None = arg("Only jobs in this state.", default=None, choices=(
        "queued", "running", "done", "skipped", "failed", "paused", "cancelled"))
    limit: int = arg(LIMIT, default=50, minimum=1, maximum=200)
    cursor: str | None = arg(CURSOR, default=None, max_length=200)


@tool(title="List download jobs", output=Listing[DownloadJob], hints=LOCAL_READ,
      render=lambda r: render.listing(r, job_line))
async def download_jobs(ctx: ToolContext, args: DownloadJobs) -> Listing[DownloadJob]:
    """The download jobs, newest first: each track's state (queued, running, done, skipped,
    failed, paused, cancelled), why, its file and how much is done. The ids are for
    pause_download, cancel_download and retry_download. Local, no request."""
    async def whole() -> AsyncIterator[Sequence[DownloadJob]]:
        found = await ctx.service.downloads.jobs(limit=10_000)
        yield [j for j in found if args.state is None or j.state == args.state]

    return await ctx.page(args.cursor, args.limit, whole)


@dataclass(frozen=True, slots=True)
class JobId:
    job_id: int = arg("The job's id, from download_jobs or a download's outcomes.",
                      minimum=1, maximum=2**62)


async def _job(ctx: ToolContext, job_id: int) -> DownloadJob:
    for job in await ctx.service.downloads.jobs(limit=10_000):
        if job.id == job_id:
            return job
    raise InvalidArgument(f"There is no download job {job_id}.",
                          hint="download_jobs lists them.")


@tool(title="Pause a download", output=DownloadJob, hints=PAUSING, render=job_line)
async def pause_download(ctx: ToolContext, args: JobId) -> DownloadJob:
    """Stop fetching a download job, keeping what it fetched (retry_download goes on from
    there). A finished job stays as it is. Local, no request."""
    await _job(ctx, args.job_id)
    await ctx.service.downloads.pause(args.job_id)
    return await _job(ctx, args.job_id)


@tool(title="Cancel a download", output=DownloadJob, hints=CANCELLING, render=job_line,
      confirm=lambda args: f"Cancel download job {args.job_id} and delete its partial "
      "files?")
async def cancel_download(ctx: ToolContext, args: JobId) -> DownloadJob:
    """Stop a download job and delete its partial files (a finished file is kept).
    Destructive: the user is asked first. Local, no request."""
    await _job(ctx, args.job_id)
    await ctx.service.downloads.cancel(args.job_id)
    return await _job(ctx, args.job_id)


@tool(title="Retry a download", output=Downloaded, hints=DOWNLOADING,
      render=_downloaded_text)
async def retry_download(ctx: ToolContext, args: JobId) -> Downloaded:
    """Run a failed, paused or cancelled download job again, resuming from what it had
    fetched; returns when it ends. Long: progress and cancellation as download's. Costs its
    stream's lookup and the bytes still missing."""
    await _job(ctx, args.job_id)
    outcome = await run_downloads(ctx, lambda listen: _watched(
        ctx, listen, lambda: _one(ctx, args.job_id)))
    return _downloaded(outcome)


async def _one(ctx: ToolContext, job_id: int) -> list[Outcome]:
    return [await ctx.service.downloads.retry(job_id)]


async def _watched(ctx: ToolContext, listen: Callable[[DownloadEvent], None],
                   work: Callable[[], Awaitable[list[Outcome]]]) -> list[Outcome]:
    unsubscribe = ctx.service.downloads.on_event(listen)
    try:
        return await work()
    finally:
        unsubscribe()


@tool(title="Resume downloads", output=Downloaded, hints=DOWNLOADING,
      render=_downloaded_text)
async def resume_downloads(ctx: ToolContext, args: NoArgs) -> Downloaded:
    """Run again every download job a crash or a kill left queued or running (not those
    paused, cancelled or failed: retry_download takes those one by one). Long: progress and
    cancellation as download's. Costs each job's stream lookup and missing bytes."""
    outcomes = await run_downloads(ctx, lambda listen: _watched(
        ctx, listen, ctx.service.downloads.resume))
    return _downloaded(outcomes)


TOOLS = (download, download_likes, download_jobs, pause_download, cancel_download,
         retry_download, resume_downloads)
