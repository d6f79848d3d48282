"""The upload form through Pilot against the emulator, signed in: the file, title, tags and
artwork typed into it reach the service, and the track read back through the public reads
has them (SoundCloud: its tags and its artwork's key, from the picture's bytes; Mixcloud: its
tags, the picture's own bytes at the thumbnailer, and the tracklist from a file). A bad
tracklist is a warning toast and nothing is sent; escape sends nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx

from minion_tui.config import MixcloudSettings, Settings, SoundCloudSettings, UiSettings
from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Section, Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.screens.upload_form import UploadForm
from tests.integration.test_auth_flow import Browser, login
from tests.integration.test_writes_tracklist import mapped
from tests.tui.waiting import listed_at_start, until

AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(120))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(90))
ME = "quietlistener"


def _toasts(app: MinionApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _toast(pilot: Any, app: MinionApp, start: str) -> None:
    await until(pilot, lambda: any(t.startswith(start) for t in _toasts(app)),
                f"the toast {start!r}")


async def open_form(pilot: Any, app: MinionApp) -> None:
    app.action_upload()
    await until(pilot, lambda: isinstance(app.screen, UploadForm)
                and bool(app.screen.query("#upload-file")) and app.focused is not None
                and app.focused.id == "upload-file", "the upload form")


async def upload_through_form(pilot: Any, app: MinionApp, *, file: str, title: str = "",
                              tags: str = "", artwork: str = "", provider: str = "",
                              tracklist: str = "") -> None:
    """Open the form from the palette's action and fill it by keys: each box, enter to the
    next; the service picked in its list; the last enter uploads."""
    await open_form(pilot, app)
    form = app.screen
    assert isinstance(form, UploadForm)
    from textual.widgets import Select

    if provider and provider != form.provider:
        choose = form.query_one("#upload-provider", Select)
        choose.focus()
        await pilot.press("enter")
        names = [name for name, _ in form.providers]
        await pilot.press(*["down"] * names.index(provider), "enter")
        await until(pilot, lambda: form.provider == provider, f"{provider} chosen")
        form.query_one("#upload-file").focus()
        await pilot.pause()
    shown = [box for box, value in (("file", file), ("title", title), ("tags", tags),
                                    ("artwork", artwork), ("tracklist", tracklist))
             if box != "tracklist" or form.provider in form.tracklists]
    values = {"file": file, "title": title, "tags": tags, "artwork": artwork,
              "tracklist": tracklist}
    for box in shown:
        await until(pilot, lambda b=box: app.focused is not None  # type: ignore[misc]
                    and app.focused.id == f"upload-{b}", f"the {box} box")
        await pilot.press(*values[box], "enter")


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def both_apps_registered(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    """The app over the emulator with both services' apps registered (so either can sign in);
    nobody signed in yet."""
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False),
                        soundcloud=SoundCloudSettings(app_id=apps.SOUNDCLOUD_APP_ID,
                                                      client_secret=apps.SOUNDCLOUD_APP_SECRET),
                        mixcloud=MixcloudSettings(client_id=apps.MIXCLOUD_APP_ID,
                                                  client_secret=apps.MIXCLOUD_APP_SECRET),
                        path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data",
                           endpoints=emulator.endpoints)
    return MinionApp(service)


async def test_soundcloud_upload_sends_tags_and_artwork(emulator: RunningEmulator,
                                                        tmp_path: Path) -> None:
    audio = _written(tmp_path / "dawn.mp3", AUDIO)
    art = _written(tmp_path / "cover.png", PNG)
    app = both_apps_registered(emulator, tmp_path)
    me = int(emulator.oauth.user)
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        await login(app.service, browser=Browser())
        before = emulator.social.track_ids(me)
        # escape: nothing sent
        await open_form(pilot, app)
        assert not app.screen.query_one("#upload-tracklist").display  # SoundCloud: none
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, UploadForm), "the form gone")
        assert emulator.social.track_ids(me) == before

        await upload_through_form(pilot, app, file=str(audio), title="Dawn chorus",
                                  tags="field recording, ambient", artwork=str(art))
        await _toast(pilot, app, "Uploaded to SoundCloud: Dawn chorus")
        (tid,) = set(emulator.social.track_ids(me)) - set(before)
        # read back through the public read (api-v2's track)
        track = await app.service.catalog.resolve(f"soundcloud:tracks:{tid}")
        assert isinstance(track, Track) and track.title == "Dawn chorus"
        assert set(track.tags) >= {"field recording", "ambient"}
        key = hashlib.sha1(PNG).hexdigest()[:12]
        assert track.artwork_url is not None and f"artworks-{key}-" in track.artwork_url


async def test_mixcloud_upload_sends_tags_picture_and_tracklist(emulator: RunningEmulator,
                                                                tmp_path: Path) -> None:
    audio = _written(tmp_path / "sunday.mp3", AUDIO)
    art = _written(tmp_path / "cover.jpg", JPEG)
    tracklist = tmp_path / "tracklist.txt"
    tracklist.write_text("0:00 Intro\n2:30 Larry Heard - Can You Feel It\n", encoding="utf-8")
    backwards = tmp_path / "backwards.txt"
    backwards.write_text("2:30 A - B\n1:00 C - D\n", encoding="utf-8")
    app = both_apps_registered(emulator, tmp_path)
    shows = emulator.mixcloud.catalog.user_shows
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        await login(app.service, "mixcloud", browser=Browser())
        before = list(shows.get(ME, []))
        # a tracklist out of order: said, nothing sent
        await upload_through_form(pilot, app, file=str(audio), title="x", provider="mixcloud",
                                  tracklist=str(backwards))
        await _toast(pilot, app, "Section 2 starts at 1:00")
        assert shows.get(ME, []) == before

        await upload_through_form(pilot, app, file=str(audio), title="Sunday Session",
                                  tags="Deep House, Dub", artwork=str(art),
                                  provider="mixcloud", tracklist=str(tracklist))
        await _toast(pilot, app, "Uploaded to Mixcloud: Sunday Session")
        assert len(shows.get(ME, [])) == len(before) + 1
        key = shows[ME][0]
        urn = f"mixcloud:cloudcasts:{key.strip('/')}"
        track = await app.service.catalog.resolve(urn)
        assert isinstance(track, Track) and track.title == "Sunday Session"
        assert list(track.tags) == ["Deep House", "Dub"]
        assert track.artwork_url is not None
        async with httpx.AsyncClient(timeout=20) as client:
            served = await client.get(mapped(emulator, track.artwork_url))
        assert served.content == JPEG
        pages = app.service.catalog.browse("tracklist", urn)
        sections = [s async for page in pages for s in page.items]
        assert sections == [Section("chapter", 0, "", "Intro"),
                            Section("track", 150_000, "Larry Heard", "Can You Feel It")]
