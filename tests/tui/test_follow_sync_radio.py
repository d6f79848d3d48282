"""Follow (`f`), sync (ctrl+r) and radio (`R`) from the TUI, through Pilot against the emulator:
what `f` follows lands in the store's followed sources and `f` again removes it; a sync shows
its progress and ends with a toast whose counts are the store's; `R` plays a radio whose queue
tops itself up near its end, with no track twice and none marked not interested."""

from __future__ import annotations

import re
import sqlite3

import pytest
from textual.pilot import Pilot

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, User
from minion_tui.tui.app import MinionApp
from minion_tui.tui.discovery_control import TOP_UP_WHEN_LEFT, DiscoveryControl
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.search_form import SearchRequest
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.examples import resolve_examples
from tests.tui.conftest import AppFactory
from tests.tui.harness import list_in_browse, started
from tests.tui.waiting import listed_at_start, until


def _toasts(app: MinionApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _followed(app: MinionApp) -> set[str]:
    """The user URNs among the store's followed sources."""
    return {s.target for s in await app.service.discovery.sources()
            if s.kind in ("user_likes", "user_reposts")}


async def test_f_follows_the_highlighted_tracks_artist_and_f_again_unfollows(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    async with started(app, (160, 45)) as pilot:
        (track,) = await resolve_examples(app.service, shared_emulator, "track_full")
        assert track.uploader_urn
        details = app.query_one("#browse-details", TrackDetails)
        list_in_browse(app, [track])
        await until(pilot, lambda: details.track is not None, "the details of the track")
        assert "f follows the artist" in details.text

        await pilot.press("f")
        await until(pilot, lambda: any(t.startswith(f"Following {track.uploader}")
                                       for t in _toasts(app)), "the Following toast")
        followed = await app.service.discovery.sources()
        assert {(s.kind, s.target) for s in followed} >= {
            ("user_likes", track.uploader_urn), ("user_reposts", track.uploader_urn)}
        await until(pilot, lambda: "following — f unfollows" in details.text,
                    "the details panel saying following")

        await pilot.press("f")
        await until(pilot, lambda: any(t.startswith(f"Stopped following {track.uploader}")
                                       for t in _toasts(app)), "the Unfollowed toast")
        assert track.uploader_urn not in await _followed(app)
        assert "f follows the artist" in details.text


async def test_f_on_a_user_found_in_search_follows_them_and_the_palette_unfollows(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    async with started(app, (120, 40)) as pilot:
        user = await app.service.catalog.resolve(shared_emulator.examples["user"])
        assert isinstance(user, User)
        await pilot.press("2")
        search = app.query_one(SearchPane)
        search.search(SearchRequest(user.username, kind="users"))
        await until(pilot, lambda: search.highlighted_user() is not None, "a user found")
        found = search.highlighted_user()
        assert found is not None

        await pilot.press("f")
        await until(pilot, lambda: found.urn in app.discovery_control.following,
                    "the user followed")
        assert found.urn in await _followed(app)

        # The palette lists who is followed, each with an Unfollow entry.
        # The whole entry is typed: "Unfollow" alone also matches the service's "Unfollow
        # the artist on the service", which may come first.
        await pilot.press("ctrl+p")
        await pilot.press(*f"Unfollow {found.username}")
        await until(pilot, lambda: f"Unfollow {found.username}" in _palette_text(app),
                    "the Unfollow entry")
        await pilot.press("enter")
        await until(pilot, lambda: found.urn not in app.discovery_control.following,
                    "the user unfollowed")
        assert found.urn not in await _followed(app)


async def _follow_from_users_reposts(pilot: Pilot[None], app: MinionApp, url: str) -> User:
    """Once Trending is listed, open the likes of the user at ``url`` from the source box,
    highlight that user's reposts source among those it offers and press f: the user, once
    followed."""
    await listed_at_start(pilot)
    user = await app.service.catalog.resolve(url)
    assert isinstance(user, User)
    tracks = app.query_one("#browse-tracks", TrackList)
    await pilot.click("#source-input")
    await pilot.press(*f"{url}/likes", "enter")
    await until(pilot, lambda: len(tracks.tracks) > 0, "the user's likes")
    sources = app.query_one(SourceList)
    sources.focus()
    sources.highlight(next(k for k, ref in sources.listed() if ref.listing == "reposts"))
    await pilot.pause()
    await pilot.press("f")
    await until(pilot, lambda: user.urn in app.discovery_control.following, "the user followed")
    return user


async def test_f_on_a_users_source_in_browse_follows_that_user(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        user = await _follow_from_users_reposts(pilot, app, shared_emulator.examples["user"])
        assert user.urn in await _followed(app)
        assert app.discovery_control.following[user.urn] == user.username


def _palette_text(app: MinionApp) -> str:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    return "\n".join(str(option.prompt) for option_list in lists
                     for option in option_list.options)


def _track_count(app: MinionApp) -> int:
    with sqlite3.connect(app.service.data_dir / "minion.db") as db:
        return int(db.execute("SELECT count(*) FROM tracks").fetchone()[0])


def _busy_artists(emulator: RunningEmulator, n: int) -> list[str]:
    """URNs of ``n`` artists with liked or reposted tracks, the busiest first."""
    social = emulator.social
    ranked = sorted(emulator.catalog.artists,
                    key=lambda a: (-len(social.likes.get(a, [])), a))
    return [f"soundcloud:users:{a}" for a in ranked
            if any(x.kind == "track" for x in social.likes.get(a, []))][:n]


async def test_sync_shows_its_progress_and_a_summary_with_the_stores_counts(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    async with started(app, (120, 40)) as pilot:
        await app.service.discovery.follow(_busy_artists(shared_emulator, 2))
        before = _track_count(app)
        shown: list[str] = []
        app.watch(app, "sub_title", lambda text: shown.append(text), init=False)

        app.action_sync_discovery()
        app.action_sync_discovery()  # while it runs: said so, not a second sync
        await pilot.pause()
        assert any(t.startswith("A sync is already running") for t in _toasts(app))
        await until(pilot, lambda: any(t.endswith("synced)") for t in _toasts(app)),
                    "the summary toast")

        sources = await app.service.discovery.sources()
        new = _track_count(app) - before
        updated = sum(1 for s in sources if s.tracks)
        assert new > 0 and updated == 4
        assert f"{new} new tracks from {updated} sources (4 synced)" in _toasts(app)
        assert any(re.fullmatch(r"Syncing \d of 4 sources…", t) for t in shown), shown
        assert shown[-1] == "" and app.sub_title == ""

        # Again with the key: up to date, so nothing new.
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "0 new tracks from 0 sources (4 synced)" in _toasts(app),
                    "the second summary")
        assert _track_count(app) == before + new


def _queue(app: MinionApp) -> list[str]:
    with sqlite3.connect(app.service.data_dir / "minion.db") as db:
        return [urn for (urn,) in db.execute("SELECT track_urn FROM queue ORDER BY position")]


SIZE = 8


@pytest.mark.mpv
async def test_radio_plays_from_the_track_and_tops_itself_up_near_the_end(
        make_app: AppFactory, shared_emulator: RunningEmulator,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DiscoveryControl, "radio_size", SIZE)
    app = make_app()
    app.service.player.audio_output = "null"
    async with started(app, (120, 40)) as pilot:
        (seed,) = await resolve_examples(app.service, shared_emulator, "track_full")
        # Tracks the radio would pick after its first ones: marked not interested, they must
        # never be queued.
        later = [e.track.urn for e in await app.service.inbox.radio(seed.urn, size=3 * SIZE)
                 ][SIZE:SIZE + 3]
        assert later
        for urn in later:
            await app.service.library.rate(urn, Judgment.NOT_INTERESTED)
        expected = [e.track.urn for e in await app.service.inbox.radio(seed.urn, size=SIZE)]
        assert len(expected) == SIZE
        list_in_browse(app, [seed])
        await pilot.pause()

        await pilot.press("R")
        await until(pilot, lambda: _queue(app) == expected, "the radio queued")
        await until(pilot, lambda: _playing(app) is not None, "the radio playing")
        assert _playing(app) == expected[0]
        await pilot.pause(0.3)
        assert len(_queue(app)) == SIZE  # seven left after the first: not topped up yet

        # `>` until two or fewer are left after the one playing: the radio grows.
        for _ in range(SIZE):
            if len(_queue(app)) > SIZE:
                break
            await pilot.press("greater_than_sign")
            await pilot.pause(0.3)
        await until(pilot, lambda: len(_queue(app)) > SIZE, "the radio topped up")
        assert _playing(app) in expected[SIZE - 1 - TOP_UP_WHEN_LEFT:]
        grown = _queue(app)
        assert grown[:SIZE] == expected
        assert len(grown) == len(set(grown))
        assert not set(later) & set(grown)
        assert seed.urn not in grown
        assert _playing(app) in grown
        # Part of the list playing, so enter on another list replaces all of it.
        with sqlite3.connect(app.service.data_dir / "minion.db") as db:
            origins = {o for (o,) in db.execute("SELECT origin FROM queue")}
        assert origins == {"context"}


def _playing(app: MinionApp) -> str | None:
    now = app.service.player.now_playing()[0]
    return now.track.urn if now is not None else None


async def test_the_palette_offers_follow_sync_and_radio_for_the_highlighted_track(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    from minion_tui.tui.commands import DiscoveryCommands

    async with started(app, (120, 40)) as pilot:
        (track,) = await resolve_examples(app.service, shared_emulator, "track_full")
        list_in_browse(app, [track])
        await pilot.pause()
        texts = [c.text for c in await DiscoveryCommands(app.screen).commands()]
        assert texts == [f"Follow {track.uploader}", "Sync followed artists",
                         "Radio from this track", "Radio from this artist"]

        await pilot.press("f")
        await until(pilot, lambda: track.uploader_urn in app.discovery_control.following,
                    "the artist followed")
        texts = [c.text for c in await DiscoveryCommands(app.screen).commands()]
        assert texts[0] == f"Unfollow {track.uploader}"
        assert f"Follow {track.uploader}" not in texts


async def test_the_palettes_follow_on_a_followed_users_source_keeps_them_followed(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    # A user's source names them by profile URL, not by the URN the follows are kept by, so
    # "Follow <name>" can be offered for someone already followed: it must follow, not
    # toggle them off.
    from minion_tui.tui.commands import DiscoveryCommands

    async with app.run_test(size=(120, 40)) as pilot:
        user = await _follow_from_users_reposts(pilot, app, shared_emulator.examples["user"])

        offered = {c.text: c for c in await DiscoveryCommands(app.screen).commands()}
        follow = offered.get(f"Follow {user.username}")
        assert follow is not None
        follow.run()
        await pilot.pause()  # the message handled: its worker started
        await app.workers.wait_for_complete()
        assert user.urn in app.discovery_control.following
        assert user.urn in await _followed(app)
