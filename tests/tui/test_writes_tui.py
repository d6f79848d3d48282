"""The write keys through Pilot against the emulator, signed in: ``z`` likes the highlighted
track on the service (the emulator's state and the public likes list say so, and a toast);
``Z`` asks first, ``n`` leaves the like in place, ``y`` takes it back; the help lists the
keys; not signed in, ``z`` says to sign in and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from minion_tui.config import Settings, SoundCloudSettings, UiSettings
from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.screens.confirm_write import ConfirmWrite
from minion_tui.tui.widgets.track_list import TrackList
from tests.integration.test_auth_flow import Browser, login
from tests.tui.waiting import listed_at_start, until


def _toasts(app: MinionApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _toast(pilot: Any, app: MinionApp, start: str) -> None:
    await until(pilot, lambda: any(t.startswith(start) for t in _toasts(app)),
                f"the toast {start!r}")


async def _answered(pilot: Any, app: MinionApp, ask: str | Callable[[], object],
                    answer: str) -> str:
    """Ask (a key pressed, or a write action run), wait for the question, press ``answer``
    ("y" or "n"); the question asked."""
    if isinstance(ask, str):
        await pilot.press(ask)
    else:
        ask()
    await until(pilot, lambda: isinstance(app.screen, ConfirmWrite), "the question")
    question: str = app.screen.question  # type: ignore[attr-defined]
    await pilot.press(answer)
    return question


@asynccontextmanager
async def _signed_in(app: MinionApp, provider: str = "soundcloud") -> AsyncIterator[Any]:
    """The app running, its first listing shown, signed in to ``provider``: its pilot."""
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        await login(app.service, provider, browser=Browser())
        yield pilot


async def _highlighted(pilot: Any, app: MinionApp, track: Track) -> TrackList:
    """``track`` alone in Browse's list, focused and so highlighted."""
    tracks = app.query_one("#browse-tracks", TrackList)
    tracks.set_tracks([track])
    tracks.focus()
    await pilot.pause()
    return tracks


def _app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False),
                        soundcloud=SoundCloudSettings(app_id=apps.SOUNDCLOUD_APP_ID,
                                                      client_secret=apps.SOUNDCLOUD_APP_SECRET),
                        path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data",
                           endpoints=emulator.endpoints)
    return MinionApp(service)


def _liked(emulator: RunningEmulator) -> list[int]:
    return [a.target_id for a in emulator.social.likes.get(int(emulator.oauth.user), [])]


async def test_z_likes_on_the_service_and_Z_asks_before_taking_it_back(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    app = _app(emulator, tmp_path)
    me = int(emulator.oauth.user)
    track = next(t for t in emulator.catalog.listed_tracks() if t.id not in _liked(emulator)
                 and t.user_id != me)
    async with _signed_in(app) as pilot:
        await _highlighted(pilot, app, await app.service.catalog.resolve(
            f"soundcloud:tracks:{track.id}"))

        await pilot.press("z")
        await _toast(pilot, app, "Liked on SoundCloud")
        assert _liked(emulator)[0] == track.id
        # the public read: api-v2's likes of the signed-in user
        pages = app.service.catalog.browse("likes", f"soundcloud:users:{me}", limit=3)
        first = [t async for page in pages for t in page.items]
        assert first[0].urn == f"soundcloud:tracks:{track.id}"

        assert "Take back your like" in await _answered(pilot, app, "Z", "n")
        await until(pilot, lambda: any("Left as it was" in t for t in _toasts(app)),
                    "the nothing-changed toast")
        assert _liked(emulator)[0] == track.id  # nothing sent

        await _answered(pilot, app, "Z", "y")
        await _toast(pilot, app, "Took back your like")
        assert track.id not in _liked(emulator)


async def test_z_not_signed_in_says_so_and_changes_nothing(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    app = _app(emulator, tmp_path)
    before = _liked(emulator)
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        tracks = app.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: tracks.highlighted is not None, "a track listed")
        tracks.focus()
        await pilot.press("z")
        await until(pilot, lambda: any("auth login soundcloud" in t for t in _toasts(app)),
                    "the sign-in toast")
    assert _liked(emulator) == before


async def test_the_help_lists_the_write_keys(emulator: RunningEmulator,
                                             tmp_path: Path) -> None:
    from minion_tui.tui.screens.help import key_help

    app = _app(emulator, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        rows = key_help(app.screen)
        described = {getattr(r, "description", str(r)) for r in rows}
        assert {"Like on the service", "Take back the like (asks)", "Repost on the service",
                "Comment at the playing position"} <= described, described


async def test_you_section_lists_your_likes_playlists_and_followings(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    from minion_tui.tui.panes.browse import BrowsePane

    app = _app(emulator, tmp_path)
    me = int(emulator.oauth.user)
    async with _signed_in(app) as pilot:
        browse = app.query_one(BrowsePane)
        browse._refresh_sources()
        keys = lambda: dict(browse.sources.listed())  # noqa: E731
        await until(pilot, lambda: "you-soundcloud-mylikes" in keys(), "the You section")
        assert {"you-soundcloud-feed", "you-soundcloud-history"} <= set(keys())
        mine = [s for s in emulator.social.set_ids(me)]
        await until(pilot, lambda: any(k.startswith("you-soundcloud-playlist-")
                                       for k in keys()), "your playlists")
        listed = [r.target for k, r in keys().items() if k.startswith("you-soundcloud-playl")]
        assert listed[0] == f"soundcloud:playlists:{mine[0]}"
        assert any(k.startswith("you-soundcloud-following-") for k in keys())
        browse.open_ref(keys()["you-soundcloud-mylikes"])
        tracks = app.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: len(tracks.tracks) >= 3, "your likes listed")
        liked = [a.target_id for a in emulator.social.likes[me] if a.kind == "track"][:3]
        assert [t.urn for t in tracks.tracks[:3]] == [f"soundcloud:tracks:{i}" for i in liked]
