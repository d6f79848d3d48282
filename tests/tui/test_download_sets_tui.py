"""`D` on an open set, through Pilot against the emulator: the set's tracks land in its own
folder, tagged with their place in it; another artist's set of the same title goes to
"Title (2)"."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mutagen.id3 import ID3
from textual.pilot import Pilot

from minion_tui.config import DownloadSettings
from minion_tui.emulator.catalog.build import build_catalog
from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.messages import OpenSource
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app, started
from tests.tui.waiting import until


@pytest.fixture
def app(shared_emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(shared_emulator, tmp_path,
                    downloads=DownloadSettings(dir=tmp_path / "music", format="mp3"))


def _owner_and_tracks(url: str) -> tuple[str, list[str]]:
    """The emulator's own record of the set: its owner's name, its track URNs in order."""
    catalog = build_catalog(1)
    user, _, slug = urlsplit(url).path.strip("/").split("/")
    found = catalog.set_by_path(user, slug)
    assert found is not None
    return (catalog.artists[found.user_id].username,
            [f"soundcloud:tracks:{t}" for t in found.track_ids])


async def _press_shift_d_on(pilot: Pilot[None], app: MinionApp, url: str) -> dict[str, Path]:
    """Open the set in Browse, press D, wait for the toast that says the set finished; the
    file of each track downloaded, by its URN."""
    playlist = await app.service.catalog.resolve(url)
    app.post_message(OpenSource("playlist", url, playlist.title))
    tracks = app.query_one("#browse-tracks", TrackList)
    await until(pilot, lambda: {t.urn for t in tracks.tracks} == {t.urn for t in
                                                                  playlist.tracks},
                "the set's tracks listed")
    app.clear_notifications()
    await pilot.press("D")
    await until(pilot, lambda: any(n.title == "Downloads finished"
                                   for n in app._notifications), "the set finished")
    jobs = await app.service.downloads.jobs()
    return {job.track_urn: Path(job.path) for job in jobs if job.state == "done"
            and job.track_urn in {t.urn for t in playlist.tracks}}


async def test_shift_d_downloads_each_set_into_its_folder_with_its_tags(
    app: MinionApp, shared_emulator: RunningEmulator, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    twin_url, small_url = (shared_emulator.examples[name] for name in ("set_twin", "set_small"))
    async with started(app, (160, 45), notifications=True) as pilot:
        twin = await _press_shift_d_on(pilot, app, twin_url)
        owner, urns = _owner_and_tracks(twin_url)
        assert len(twin) == 3
        for urn, path in twin.items():
            n = urns.index(urn) + 1
            assert path.parent == music / "Four For The Road"
            assert path.name.startswith(f"{n:02d} - ") and path.suffix == ".mp3"
            id3 = ID3(path)
            assert id3["TRCK"].text == [f"{n}/3"]
            assert id3["TPE2"].text == [owner] and id3["TPOS"].text == ["1/1"]
            assert id3["TALB"].text == ["Four For The Road"]

        # Another artist's set of the same title: a folder of its own, numbers of its own.
        small = await _press_shift_d_on(pilot, app, small_url)
        owner, urns = _owner_and_tracks(small_url)
        assert len(small) == 3  # of 4: one is a Go+ preview
        for urn, path in small.items():
            assert path.parent == music / "Four For The Road (2)"
            assert ID3(path)["TRCK"].text == [f"{urns.index(urn) + 1}/4"]
            assert ID3(path)["TPE2"].text == [owner]
        # The first set's folder holds its own files and M3U8, nothing of the second.
        assert sorted((music / "Four For The Road").iterdir()) == sorted(
            [*twin.values(), music / "Four For The Road" / "Four For The Road.m3u8"])
