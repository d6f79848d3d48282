"""Titles are data, never markup: SoundCloud is full of "[Free DL]" and "[Premiere]", and a
title such as "[/]" is broken markup that would stop the app. Every place a title or a name
is shown gets one and must show it literally, with the app still running."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from minion_tui.models import Playlist, Track, User
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane, QueueTable
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.download_rows import JobRow
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.waiting import listed_at_start, until

TITLE = "[/] [Free DL] Night [b]Drive"
ARTIST = "[dim]dj [/dim"
HOSTILE = Track(provider="soundcloud", id="7", urn="soundcloud:tracks:7",
                url="https://soundcloud.com/x/night", title=TITLE, artist=ARTIST,
                uploader=ARTIST, duration_ms=200_000)


async def test_every_view_shows_a_hostile_title_literally(app: MinionApp) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        service = app.service
        # The queue (a DataTable) and the queue pane's title.
        await service.player.queue_add([HOSTILE])
        await pilot.press("3")
        await app.query_one(QueuePane).reload().wait()
        table = app.query_one(QueueTable)
        await until(pilot, lambda: table.row_count == 1, "the queued row")
        assert [str(cell) for cell in table.get_row_at(0)[2:4]] == [TITLE, ARTIST]

        # The track list and the details panel.
        await pilot.press("1")
        await listed_at_start(pilot)
        tracks = app.query_one("#browse-tracks", TrackList)
        tracks.display = True
        tracks.set_tracks([HOSTILE])
        await pilot.pause()
        assert TITLE[:12] in tracks.render_line(1).text
        details = app.query_one("#browse-details", TrackDetails)
        details.show_track(HOSTILE)
        await pilot.pause()
        assert details.text.splitlines()[:2] == [TITLE, f"by {ARTIST}"]

        # A pinned source named after it, in the source list.
        await service.library.pin_source("tag", "night", TITLE)
        await pilot.press("2", "1")
        sources = app.query_one(SourceList)
        await until(pilot, lambda: any(TITLE in str(o.prompt) for o in sources.options),
                    "the pinned source listed")

        # Users and sets found by a search.
        search = app.query_one(SearchPane)
        others = search.query_one("#search-others", OptionList)
        others.display = True
        others.add_options([
            search._option(User(provider="soundcloud", id="1", urn="soundcloud:users:1",
                                url="https://soundcloud.com/x", username=ARTIST)),
            search._option(Playlist(provider="soundcloud", id="2",
                                    urn="soundcloud:playlists:2",
                                    url="https://soundcloud.com/x/sets/y", title=TITLE,
                                    uploader=ARTIST, track_count=1, duration_ms=200_000)),
        ])
        await pilot.press("2")
        await pilot.pause()
        assert [str(others.get_option_at_index(i).prompt) for i in range(2)] == [
            f"♟ {ARTIST}  (0 followers)", f"▤ {TITLE} — {ARTIST} (1 track)"]

        # The now-playing bar and a download row.
        bar = app.query_one(NowPlayingBar)
        bar.show_track(HOSTILE)
        await pilot.pause()
        assert TITLE in str(bar.query_one("#np-track", Static).render())
        downloads = app.query_one(DownloadsPane)
        downloads.job_list.show_row(JobRow(key="job:1", title=f"{ARTIST} - {TITLE}",
                                           state="running", job_id=1))
        downloads.job_list.display = True
        await pilot.press("4")
        await pilot.pause()
        assert TITLE in downloads.job_list.render_line(1).text
        assert app.is_running
