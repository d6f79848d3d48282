"""The Downloads pane: `d` on a track list, rows moved by real download events
from the emulator, cancel / pause / retry, the folder key, the completion toast, and a snapshot
of the pane rendered from fixed events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, Static

from minion_tui.config import DownloadSettings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Availability, DownloadEvent, Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.messages import OpenSource
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.widgets.download_list import DownloadList
from minion_tui.tui.widgets.download_rows import (
    JobRow,
    apply_event,
    counts_text,
    format_eta,
    format_speed,
    from_event,
    from_job,
    merge_job,
    progress_bar,
)
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_service
from tests.tui.waiting import open_trending, until

AppFactory = Callable[..., MinionApp]  # the make_app fixture of conftest.py


def _service(emulator: RunningEmulator, tmp_path: Path) -> Service:
    """A Service downloading into tmp_path/music (the same data dir each call: a restart)."""
    return open_service(emulator, tmp_path, downloads=DownloadSettings(dir=tmp_path / "music"))


@pytest.fixture
def app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return MinionApp(_service(emulator, tmp_path))


def _line(jobs: DownloadList, y: int) -> str:
    return jobs.render_line(y).text


def _toasts(app: MinionApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def _job_states(app: MinionApp) -> list[str]:
    """What the jobs table says, newest first."""
    return [job.state for job in await app.service.downloads.jobs()]


async def _highlight(pilot: Pilot[None], tracks: TrackList, wanted: Callable[[Track], bool]
                     ) -> Track:
    for _ in range(len(tracks.visible_tracks)):
        if tracks.highlighted is not None and wanted(tracks.highlighted):
            return tracks.highlighted
        await pilot.press("j")
    raise AssertionError("no such track in the list")


# -- the flows against the emulator ----------------------------------------------------------


async def test_d_downloads_the_highlighted_track_and_a_preview_is_skipped(
    app: MinionApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        tracks = await open_trending(pilot)
        # While the list's filter prompt is open, d is typed into it.
        await pilot.press("slash", "d")
        assert tracks.filter_text == "d"
        await pilot.press("escape")
        assert not app.query_one(DownloadsPane).job_list.rows
        full = await _highlight(pilot, tracks, lambda t: t.availability is Availability.FULL
                                and t.duration_ms < 400_000)
        assert app.focused is tracks
        await pilot.press("d")
        pane = app.query_one(DownloadsPane)
        jobs = pane.job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].state == "done", "done")
        title = f"{full.artist} - {full.title}"
        expected = tmp_path / "music" / f"{title}.m4a"
        assert expected.is_file() and expected.stat().st_size > 100_000
        assert not list((tmp_path / "music").glob("*.part"))
        await until(pilot, lambda: any(t.startswith("Downloaded:") for t in _toasts(app)),
                        "the completion toast")
        assert f"Downloaded: {title}\n→ {expected}" in _toasts(app)
        service_jobs = await app.service.downloads.jobs()
        assert [(j.title, j.state, j.path) for j in service_jobs] == [
            (title, "done", str(expected))]

        preview = await _highlight(pilot, tracks,
                                   lambda t: t.availability is Availability.PREVIEW)
        await pilot.press("d")
        await until(pilot, lambda: len(jobs.rows) == 2 and jobs.rows[0].state == "skipped",
                        "the skipped preview")
        await pilot.press("4")
        await until(pilot, lambda: "1 done" in str(
            pane.query_one("#downloads-title", Static).render()), "the counts")
        assert str(pane.query_one("#downloads-title", Static).render()) == (
            "Downloads: 1 done · 1 skipped")
        assert app.focused is jobs
        skipped, done = _line(jobs, 1), _line(jobs, 2)
        assert skipped.startswith(f"↷ {preview.artist} - {preview.title}")
        assert "30-second preview" in skipped and skipped.rstrip().endswith("skipped")
        assert done.startswith(f"✓ {title}")
        assert "████████████████████ 100 %" in done and done.rstrip().endswith("done")
        assert await _job_states(app) == ["skipped", "done"]
        assert any(t.startswith("Download skipped:") and "30-second preview" in t
                   for t in _toasts(app))

        # enter tells where the file is.
        await pilot.press("j", "enter")
        assert _toasts(app)[-1].endswith(f"File: {expected}")


async def test_cancel_pause_and_retry_a_long_mix(
    app: MinionApp, emulator: RunningEmulator, tmp_path: Path
) -> None:
    # The 2 h mix has ~800 segments; 100 ms per request keeps it running while keys act.
    emulator.state.set_faults("slow:ms=100")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.download_control.download(emulator.examples["track_long"], "the mix")
        await pilot.press("4")
        jobs = app.query_one(DownloadsPane).job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].segments_done >= 3,
                        "segments of the mix")
        running = _line(jobs, 1)
        assert running.startswith("↓ ") and "Live at Tresor" in running
        assert running.rstrip().endswith("running") and " %" in running
        final = Path(jobs.rows[0].path)

        await pilot.press("c")
        await until(pilot, lambda: jobs.rows[0].state == "cancelled", "cancelled")
        assert await _job_states(app) == ["cancelled"]
        assert not final.exists() and not list((tmp_path / "music").iterdir())  # noqa: ASYNC240
        assert any("partial download was removed" in t for t in _toasts(app))
        await until(pilot, lambda: "cancelled by the user" in _line(jobs, 1), "the reason")

        await pilot.press("r")
        await until(pilot, lambda: jobs.rows[0].state == "running"
                        and jobs.rows[0].segments_done >= 2, "the retry running")
        await pilot.press("p")
        await until(pilot, lambda: jobs.rows[0].state == "paused", "paused")
        assert await _job_states(app) == ["paused"]
        # Pausing keeps what was fetched (the journal) and never the final name.
        assert not final.exists()  # noqa: ASYNC240
        assert any(p.name.endswith(".parts") for p in (tmp_path / "music").iterdir())
        assert [row.job_id for row in jobs.rows] == [1]


async def test_shift_d_downloads_the_set_browse_lists(
    app: MinionApp, emulator: RunningEmulator, tmp_path: Path
) -> None:
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        service = app.service
        playlist = await service.catalog.resolve(emulator.examples["set_small"])
        app.post_message(OpenSource("playlist", emulator.examples["set_small"], playlist.title))
        tracks = app.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: len(tracks.tracks) > 0, "the set's tracks")
        await pilot.press("D")
        await until(pilot, lambda: any(t.startswith("Downloads finished:")
                                           for t in _toasts(app)), "the set finished")
        jobs = await service.downloads.jobs()
        assert len(jobs) == len(tracks.tracks)
        done = [Path(j.path) for j in jobs if j.state == "done"]
        assert done and all(p.parent.name == playlist.title and p.is_file() for p in done)


async def test_d_on_a_highlighted_playlist_source_targets_the_set(
    app: MinionApp, emulator: RunningEmulator
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        browse = app.query_one(BrowsePane)
        user = emulator.examples["user"]
        browse.open_source("playlists", user, f"Playlists of {user}")
        await until(pilot, lambda: browse.sources.highlighted_ref is not None
                        and browse.sources.highlighted_ref.listing == "playlist",
                        "the user's playlists among the sources")
        browse.sources.focus()
        await pilot.pause()
        ref = browse.sources.highlighted_ref
        assert ref is not None and ref.target
        assert app._highlighted_download() == (ref.target, ref.title)
        # A source that is not a set offers nothing to download: d says so.
        browse.sources.highlight("trending")
        await pilot.pause()
        assert app._highlighted_download() is None
        await pilot.press("d")
        await until(pilot, lambda: any("Nothing to download here" in n.message
                                       for n in app._notifications), "the toast")
        assert not await app.service.downloads.jobs()


async def test_a_download_a_crash_left_running_resumes_when_the_app_starts(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    url = emulator.examples["track_full"]
    # A first process is stopped mid-download without a chance to record it (task cancelled
    # as at shutdown): the job stays 'running' with its segment journal.
    emulator.state.set_faults("slow:ms=50")
    first = _service(emulator, tmp_path)
    some_fetched = asyncio.Event()
    first.downloads.on_event(lambda e: e.segments_done >= 3 and some_fetched.set())
    task = asyncio.create_task(first.downloads.download([url]))
    await asyncio.wait_for(some_fetched.wait(), 60)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert [j.state for j in await first.downloads.jobs()] == ["running"]
    await first.aclose()
    emulator.state.set_faults("")

    app = MinionApp(_service(emulator, tmp_path))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        jobs = app.query_one(DownloadsPane).job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].state == "done",
                        "the resumed job done")
        path = Path(jobs.rows[0].path)
        assert path.parent == tmp_path / "music" and path.is_file()  # noqa: ASYNC240
        assert await _job_states(app) == ["done"]
        await until(pilot, lambda: any(t.startswith("Downloaded: Resumed downloads")
                                           for t in _toasts(app)), "the toast")


async def test_d_is_not_taken_from_a_text_input(app: MinionApp, tmp_path: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "slash", "d", "d")
        assert app.query_one("#query", Input).value == "dd"
        await pilot.pause(0.2)
        assert await app.service.downloads.jobs() == []
        assert not app.query_one(DownloadsPane).job_list.rows


# -- the folder key --------------------------------------------------------------------------


def _fixed_events() -> list[DownloadEvent]:
    return [
        DownloadEvent("done", "soundcloud:tracks:1", "Alice Night - Harbour Lights",
                      "/music/Alice Night - Harbour Lights.m4a", bytes_done=6_000_000,
                      bytes_total=6_000_000, job_id=1),
        DownloadEvent("segment", "soundcloud:tracks:2", "Bram Tide - Slow Rain (Extended)",
                      "/music/Bram Tide - Slow Rain (Extended).mp3", bytes_done=2_500_000,
                      segments_done=45, segments_total=100, job_id=2, speed=1_572_864.0,
                      eta=95.0),
        DownloadEvent("skipped", "soundcloud:tracks:3", "Cleo Rue - Broken River",
                      reason="Only a 30-second preview is available (a Go+ track).", job_id=3),
    ]


async def _pane_with_fixed_jobs(pilot: Pilot[None]) -> DownloadsPane:
    await pilot.press("4")
    pane = pilot.app.query_one(DownloadsPane)
    for event in _fixed_events():
        pane.apply_event(event)
    # The redraw tick, then the (empty) reload of the jobs table and its redraw tick.
    await until(pilot, lambda: pane._reload_timer is None and not [
        w for w in pilot.app.workers if w.group == "downloads-reload" and not w.is_finished],
        "the reload")
    await pilot.pause(0.3)
    return pane


async def test_open_folder_without_a_desktop_names_the_folder(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _pane_with_fixed_jobs(pilot)
        await pilot.press("j", "o")
        assert [f"{n.title}: {n.message}" for n in app._notifications][-1] == (
            "Download folder: /music")


async def test_open_folder_runs_the_desktops_opener(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened"
    opener = bin_dir / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _pane_with_fixed_jobs(pilot)
        await pilot.press("j", "o")
        await until(pilot, opened.exists, "the opener to run")
        assert opened.read_text() == "/music"


async def test_keys_apply_to_the_highlighted_job_only(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _pane_with_fixed_jobs(pilot)
        # The footer is recomposed when the keys change: wait for it.
        await until(pilot, lambda: {"r", "c", "p", "o", "enter"} <= {
            key.key for key in app.query("FooterKey")}, "the job keys in the footer")
        # The skipped preview (newest) is highlighted: r retries it; c and p cannot act on
        # it and say why instead of doing nothing.
        row = pane.job_list.highlighted
        assert row is not None and row.state == "skipped"
        assert pane._cannot("retry", row) is None
        await pilot.press("c", "p")
        said = [n.message for n in app._notifications]
        assert said[-2:] == [
            f"{row.title} is skipped: only a waiting or running download can be cancelled.",
            f"{row.title} is skipped: only a waiting or running download can be paused."]
        await pilot.press("j")
        row = pane.job_list.highlighted
        assert row is not None and row.job_id == 2
        assert pane._cannot("cancel", row) is None
        assert pane._cannot("retry", row) == (
            f"{row.title} is {row.state}: r retries failed, paused, cancelled or skipped "
            "downloads.")


async def test_empty_pane_offers_no_job_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause(0.2)
        footer = {key.key for key in app.query("FooterKey")}
        assert not {"r", "c", "p", "o"} & footer
        assert app.query_one("#downloads-empty").display


async def test_a_burst_of_events_is_drawn_once_per_tick(make_app: AppFactory) -> None:
    redraws: list[DownloadList.Changed] = []

    def hook(message: object) -> None:
        if isinstance(message, DownloadList.Changed):
            redraws.append(message)

    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        pane = await _pane_with_fixed_jobs(pilot)
        redraws.clear()
        # 400 segment events of one job in one go, as parallel segment workers produce them.
        for done in range(1, 401):
            pane.apply_event(DownloadEvent(
                "segment", "soundcloud:tracks:2", "Bram Tide - Slow Rain (Extended)",
                bytes_done=done * 10_000, segments_done=done, segments_total=400, job_id=2,
                speed=2_000_000.0, eta=0.0))
        await pilot.pause(0.3)
        # Every event changed the data at once; the line was repainted by one timer tick.
        assert len({id(message) for message in redraws}) == 1  # (the hook sees it bubble too)
        assert pane.job_list.row("job:2") == JobRow(
            "job:2", "Bram Tide - Slow Rain (Extended)", "running", "soundcloud:tracks:2", 2,
            path="/music/Bram Tide - Slow Rain (Extended).mp3", bytes_done=4_000_000,
            segments_done=400, segments_total=400, speed=2_000_000.0, eta=0.0)
        assert "100 %" in _line(pane.job_list, 2) and "1.9 MiB/s" in _line(pane.job_list, 2)


class _JobsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DownloadList(id="jobs")


async def test_a_reload_that_brings_the_scrollbar_never_brings_a_sideways_one() -> None:
    # The same mechanism as the track list (row_cursor.py): a reload of more jobs than fit
    # makes the vertical scrollbar appear without a Resize; no horizontal bar may follow.
    app = _JobsApp()
    async with app.run_test(size=(100, 12)) as pilot:
        jobs = app.query_one(DownloadList)
        jobs.set_rows([JobRow(f"job:{n}", f"Track {n:02d}", "done") for n in range(40)])
        await pilot.pause(0.3)
        assert jobs.show_vertical_scrollbar and not jobs.show_horizontal_scrollbar
        last = jobs.scrollable_content_region.height - 1
        assert "Track 10" in _line(jobs, last)  # the last line is a job, not a scrollbar
        await pilot.click(DownloadList, offset=(5, 3))  # a click picks the row drawn there
        assert jobs.cursor_row == 2 and jobs.highlighted is not None
        assert jobs.highlighted.title == "Track 02"


# -- snapshot --------------------------------------------------------------------------------


def test_pane_with_three_jobs(snap_compare, make_app: AppFactory) -> None:
    async def fill(pilot: Pilot[None]) -> None:
        await _pane_with_fixed_jobs(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=fill)


# -- rows as data ----------------------------------------------------------------------------


def test_bar_speed_eta_and_counts() -> None:
    assert progress_bar(0.0, 10) == " " * 10
    assert progress_bar(0.55, 10) == "█████▌    "
    assert progress_bar(1.0, 10) == "█" * 10
    assert progress_bar(None, 4) == "····"
    assert format_speed(None) == ""
    assert format_speed(512 * 1024) == "512 KiB/s"
    assert format_speed(3.5 * 1024 * 1024) == "3.5 MiB/s"
    assert format_eta(None) == ""
    assert format_eta(95) == "1:35"
    assert format_eta(2 * 3600 + 61) == "2:01:01"
    assert format_eta(500 * 3600) == "> 99 h"
    rows = [JobRow(f"job:{i}", "t", state) for i, state in
            enumerate(["running", "running", "done", "failed", "done"])]
    assert counts_text(rows) == "2 running · 2 done · 1 failed"
    assert counts_text([]) == ""


def test_events_move_a_row_and_a_reload_keeps_fresher_progress() -> None:
    from minion_tui.models import DownloadJob

    row = from_event(DownloadEvent("queued", "soundcloud:tracks:9", "A - B", job_id=7))
    assert (row.key, row.state, row.fraction) == ("job:7", "queued", None)
    row = apply_event(row, DownloadEvent("segment", "soundcloud:tracks:9", "A - B", "/m/A - B.mp3",
                                         bytes_done=4000, segments_done=4, segments_total=10,
                                         job_id=7, speed=2048.0, eta=3.0))
    assert (row.state, row.fraction, row.speed, row.path) == ("running", 0.4, 2048.0,
                                                                "/m/A - B.mp3")
    # The table lags behind the events: the higher count wins, the table's title too.
    job = DownloadJob(7, "soundcloud:tracks:9", "Artist - Title", "running", "", "/m/A - B.mp3",
                      1000, None, 1, 10, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    merged = merge_job(row, job)
    assert (merged.title, merged.segments_done, merged.speed) == ("Artist - Title", 4, 2048.0)
    # A finish the events reported stays even if the table still says running.
    done = apply_event(row, DownloadEvent("done", "soundcloud:tracks:9", "A - B", job_id=7,
                                          bytes_done=9000, bytes_total=9000))
    assert (done.state, done.fraction, done.speed) == ("done", 1.0, None)
    assert merge_job(done, job).state == "done"
    # A skipped preview is a job state of its own, so a restart still says "skipped".
    skipped_job = DownloadJob(7, "soundcloud:tracks:9", "Artist - Title", "skipped", "preview",
                              "", 0, None, 0, 0, "", "")
    skipped = apply_event(row, DownloadEvent("skipped", "soundcloud:tracks:9", reason="preview",
                                             job_id=7))
    assert (merge_job(skipped, skipped_job).state, merge_job(skipped, skipped_job).reason) == (
        "skipped", "preview")
    assert from_job(skipped_job).state == "skipped"


async def test_q_with_a_download_running_asks_and_the_download_resumes_next_start(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    from minion_tui.tui.screens.confirm_quit import ConfirmQuit

    url = emulator.examples["track_long"]  # ~800 segments at 100 ms: running while keys act
    emulator.state.set_faults("slow:ms=100")
    app = MinionApp(_service(emulator, tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.download_control.download(url, "A long mix")
        jobs = app.query_one(DownloadsPane).job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].state == "running"
                    and jobs.rows[0].segments_done >= 2, "the download under way")
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmQuit), "the question")
        text = app.screen.query_one("#confirm-quit-text", Static).render()
        assert "1 download is running" in str(text)
        assert "it resumes where it stopped the next time you start minion-tui" in str(text)
        await pilot.press("escape")  # stay
        await until(pilot, lambda: not isinstance(app.screen, ConfirmQuit), "back")
        assert app.is_running and jobs.rows[0].state == "running"
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmQuit), "the question again")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the app gone")
    emulator.state.set_faults("")

    again = MinionApp(_service(emulator, tmp_path))
    async with again.run_test(size=(120, 40)) as pilot:
        jobs = again.query_one(DownloadsPane).job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].state == "done",
                    "the resumed job done")
        assert Path(jobs.rows[0].path).is_file()  # noqa: ASYNC240
        assert await _job_states(again) == ["done"]


async def test_q_without_downloads_running_quits_at_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app gone")


async def test_a_batch_of_d_is_one_toast_and_toasts_stay_above_the_now_playing_bar(
    app: MinionApp, emulator: RunningEmulator
) -> None:
    from textual.widgets._toast import ToastRack

    from minion_tui.tui.widgets.now_playing import NowPlayingBar

    emulator.state.set_faults("slow:ms=100")  # still running while the keys come
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        tracks = await open_trending(pilot, rows=8)
        for n in range(1, 7):
            await _highlight(pilot, tracks, lambda t: t.availability is Availability.FULL)
            await pilot.press("d")
            started = [t for t in _toasts(app) if t.startswith("Downloading")]
            assert len(started) == 1  # the one toast, replaced
            if n > 1:
                assert started[0].startswith(f"Downloading: {n} downloads started, the last ")
            assert started[0].endswith(" — progress in Downloads (4).")
            await pilot.press("j")
        for n in range(5):
            app.notify(f"note {n}")
        await pilot.pause()
        shown_texts = _toasts(app)
        assert len(shown_texts) == 3 and len(list(app._notifications)) == 3  # at most three
        # The newest notes, in order (a "Downloaded" toast may land among them meanwhile).
        notes = [t for t in shown_texts if "note" in t]
        assert len(notes) >= 2 and notes == [f": note {n}" for n in range(5 - len(notes), 5)]
        rack = app.screen.query_one(ToastRack)
        bar = app.query_one(NowPlayingBar)

        def above_the_bar() -> bool:
            shown = [w.region for w in rack.query("Toast")]
            return bool(shown) and all(r.bottom <= bar.region.y for r in shown)

        # Once laid out (a toast timing out meanwhile re-stacks the rack for a frame).
        await until(pilot, above_the_bar, "the toasts above the now-playing bar")
    emulator.state.set_faults("")
