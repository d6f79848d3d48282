"""A Mixcloud show's tracklist in the details panel, through Pilot with real libmpv (ao=null)
against the emulator over HTTP: the sections listed with their times, `e` entering them,
`enter` playing the show from a section (then seeking within it, the show playing), the
now-playing bar naming the section playing, chapters and sections without a time, `escape`
back to the list; a SoundCloud track has no tracklist and `e` says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import PlayerState, Track
from minion_tui.tui.app import MinionApp
from minion_tui.tui.tracklist import Tracklist, current_section, section_name
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from tests.tui.harness import list_in_browse, open_app
from tests.tui.waiting import listed_at_start, until

SIZE = (160, 50)
_IDLE = PlayerState()


@pytest.fixture
def player_app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path, null_audio=True)


async def _show(app: MinionApp, url: str) -> Track:
    found = await app.service.catalog.resolve(url)
    assert isinstance(found, Track)
    return found


@pytest.mark.mpv
async def test_enter_on_a_section_plays_from_there_then_seeks_and_the_bar_names_it(
    player_app: MinionApp, emulator: RunningEmulator,
) -> None:
    app = player_app
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        show = await _show(app, emulator.examples["mc_show_tracks"])
        await listed_at_start(pilot)
        tracks = list_in_browse(app, [show])
        await pilot.pause()
        details = app.query_one("#browse-details", TrackDetails)
        await until(pilot, lambda: details.sections is not None and len(details.sections) == 12,
                    "the show's twelve sections")
        sections = details.sections or []
        assert "Tracklist (12) · e enters" in details.text
        first = sections[0]
        assert f"   0:00  {first.artist} – {first.title}" in details.text
        third = sections[2]
        assert third.start_ms is not None and third.start_ms > 0

        await pilot.press("e")
        tracklist = app.query_one("#details-tracklist", Tracklist)
        assert app.focused is tracklist
        await pilot.press("j", "j", "enter")
        bar = app.query_one(NowPlayingBar)
        start = third.start_ms / 1000
        await until(pilot, lambda: bar.view.title == show.title
                    and bar.view.elapsed >= int(start) + 1, "the show playing from section 3")
        await until(pilot, lambda: bar.view.section == f"{third.artist} – {third.title}",
                    "the bar naming section 3")
        assert f"♪ {third.artist} – {third.title}" in str(bar.query_one("#np-track").render())

        # the show is playing now: enter on a later section seeks within it
        fifth = sections[4]
        assert fifth.start_ms is not None
        await pilot.press("j", "j", "enter")
        await until(pilot, lambda: abs((service.player.now_playing()[1] or _IDLE).position
                                       - fifth.start_ms / 1000) < 2.0, "the seek to section 5")
        await until(pilot, lambda: bar.view.section == section_name(fifth), "section 5 named")
        now = service.player.now_playing()[0]
        assert now is not None and now.track.urn == show.urn  # the same show, not replayed

        await pilot.press("escape")
        assert app.focused is tracks


async def test_chapters_and_untimed_sections_and_a_soundcloud_track(
    player_app: MinionApp, emulator: RunningEmulator,
) -> None:
    app = player_app
    async with app.run_test(size=SIZE) as pilot:
        show = await _show(app, emulator.examples["mc_show_chapters"])
        hidden = await _show(app, emulator.examples["mc_show_hidden_tracklist"])
        sc_track = await _show(app, emulator.examples["track_full"])
        await listed_at_start(pilot)
        tracks = list_in_browse(app, [show, hidden, sc_track])
        await pilot.pause()
        details = app.query_one("#browse-details", TrackDetails)
        await until(pilot, lambda: bool(details.sections), "the chapters show's sections")
        sections = details.sections or []
        chapters = [s for s in sections if s.kind == "chapter"]
        untimed = [s for s in sections if s.start_ms is None]
        assert chapters and len(untimed) == 2
        assert f"▸ {chapters[0].title}" in details.text
        assert "  --:--  " in details.text
        # enter on a section with no time says there is nowhere to seek
        await pilot.press("e")
        tracklist = app.query_one("#details-tracklist", Tracklist)
        tracklist.highlighted = sections.index(untimed[0])
        await pilot.press("enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Mixcloud gives no start time for") for m in messages)
        assert app.service.player.now_playing()[0] is None  # nothing was played
        await pilot.press("escape")
        assert app.focused is tracks

        await pilot.press("j")  # canShowTracklist false: no sections
        await until(pilot, lambda: details.track is hidden and details.sections == [],
                    "the hidden tracklist")
        assert "Tracklist\nnot shown by the uploader" in details.text
        await pilot.press("j")  # SoundCloud: no tracklist section at all, e says why
        await until(pilot, lambda: details.track is sc_track, "the SoundCloud track")
        assert "Tracklist" not in details.text
        await pilot.press("e")
        await pilot.pause()
        assert app.focused is tracks
        assert any(n.message == f"{sc_track.title} has no tracklist: only Mixcloud shows "
                   "have one." for n in app._notifications)


def test_current_section_is_the_last_started() -> None:
    from minion_tui.models import Section

    sections = [Section("track", 0, "A", "One"), Section("chapter", None, "", "Lost"),
                Section("track", 60_000, "B", "Two"), Section("chapter", 120_000, "", "Talk")]
    assert current_section(sections, 0.0) == sections[0]
    assert current_section(sections, 59.9) == sections[0]
    assert current_section(sections, 60.0) == sections[2]
    assert section_name(current_section(sections, 500.0)) == "Talk"  # type: ignore[arg-type]
    assert current_section(sections[1:], 10.0) is None
