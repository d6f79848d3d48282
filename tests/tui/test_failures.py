"""One handler turns worker failures (and long waits) into toasts that say what to do; the
traceback goes to the log, never to the screen."""

from __future__ import annotations

import asyncio
import logging

import pytest
from textual.worker import WorkerFailed

from minion_tui.config import log_path
from minion_tui.errors import ClientIdUnavailable, GeoBlocked, PreviewOnly, RateLimited
from minion_tui.models import WaitNotice
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane


async def _fail_with(app: MinionApp, error: BaseException) -> list[str]:
    def task() -> None:
        raise error

    async with app.run_test() as pilot:
        worker = app.run_worker(task, thread=True, exit_on_error=False,
                                description="Loading trending")
        with pytest.raises(WorkerFailed):
            await worker.wait()
        await pilot.pause()
        assert app.is_running
        return [n.message for n in app._notifications]


async def test_rate_limited_says_when_to_try_again(app: MinionApp) -> None:
    shown = await _fail_with(app, RateLimited("HTTP 429 from api-v2", retry_after=42))
    assert shown == [
        "SoundCloud is still rate limiting after the retries; try again in about 42 s."]


@pytest.mark.parametrize(
    "error",
    [
        GeoBlocked("This track is not available in your country.",
                   hint="Try another track or a VPN."),
        PreviewOnly("Only a 30 s preview of this track is public.",
                    hint="Play the preview or open it on soundcloud.com."),
        ClientIdUnavailable("No SoundCloud client id could be found.",
                            hint="Check your network or set SOUNDCLOUD_CLIENT_ID."),
    ],
    ids=["geo", "preview", "client-id"],
)
async def test_known_failures_show_their_text(app: MinionApp, error: GeoBlocked) -> None:
    assert await _fail_with(app, error) == [error.text]


async def test_unexpected_failures_point_to_the_log_not_a_traceback(
    app: MinionApp, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        shown = await _fail_with(app, KeyError("track_authorization"))
    assert shown == [f"Something went wrong: KeyError: 'track_authorization'. Details are in "
                     f"{log_path()}."]
    assert "Traceback" not in shown[0]
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], KeyError)


async def test_long_waits_become_toasts_from_the_loop_or_a_thread(app: MinionApp) -> None:
    async with app.run_test() as pilot:
        app.service._core._announce_wait(WaitNotice("api-v2.soundcloud.com", 12.0, "rate limited"))
        # From a worker thread (the loop stays free to run the hop back).
        await asyncio.to_thread(app.service._core._announce_wait,
                                WaitNotice("cf-media.sndcdn.com", 5.0, "HTTP 503"))
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "Waiting 12 s for api-v2.soundcloud.com (rate limited)",
            "Waiting 5 s for cf-media.sndcdn.com (HTTP 503)",
        ]


async def test_toasts_are_plain_text_whatever_the_title_holds(app: MinionApp) -> None:
    async with app.run_test(notifications=True) as pilot:
        # A widget's notify (markup=True by default) with a title that is broken markup.
        app.query_one(BrowsePane).notify("Added [/] [Free DL] track; set [playback] audio_output")
        await pilot.pause()
        shown = list(app._notifications)[-1]
        assert shown.message == "Added [/] [Free DL] track; set [playback] audio_output"
        assert shown.markup is False
        assert app.is_running


async def test_a_write_aside_that_failed_is_one_warning_toast(app: MinionApp) -> None:
    cause = ("The database /x/minion.db is locked by process 1234 (minion-tui download …), "
             "which is writing to it; nothing was saved.")
    core = app.service._core
    async with app.run_test() as pilot:
        core.warn(f"the search history was not saved: {cause}", cause=cause)
        # The same cause again, from a worker thread: no second toast.
        await asyncio.to_thread(core.warn, f"the tracks seen were not saved: {cause}",
                                cause=cause)
        await asyncio.to_thread(core.warn, "the user seen was not saved: another cause")
        await pilot.pause()
        assert [(n.title, n.message, n.severity) for n in app._notifications] == [
            ("Not saved", f"the search history was not saved: {cause}", "warning"),
            ("Not saved", "the user seen was not saved: another cause", "warning"),
        ]


async def test_a_budget_near_its_limit_is_a_warning_toast(app: MinionApp) -> None:
    core = app.service._core
    text = ("SoundCloud stream requests: 13,500 of 15,000 per 24 h used (without a sign-in); "
            "at the limit minion-tui stops asking until the oldest leaves the window.")
    async with app.run_test() as pilot:
        await asyncio.to_thread(core.warn, text, cause="budget soundcloud:streams anonymous")
        await pilot.pause()
        assert [(n.title, n.message, n.severity) for n in app._notifications] == [
            ("Warning", text, "warning")]
