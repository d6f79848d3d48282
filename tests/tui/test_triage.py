"""Triage in the TUI, through Pilot with real libmpv (ao=null) against the emulator: follow
three artists and sync them through the service, and the app opens on the Inbox, listing
service.inbox's tracks best first; enter plays, and each l / x / n stores the judgment, takes
the track out of the list in place (the cursor keeps its row, which now holds the next track)
and plays that next track. Nothing followed: the app opens on Trending. The details panel says
who liked or reposted the highlighted track, and how long ago."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Availability
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.evidence import age_words
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_service
from tests.tui.waiting import until

pytestmark = pytest.mark.mpv


def _service(emulator: RunningEmulator, tmp_path: Path) -> Service:
    return open_service(emulator, tmp_path, null_audio=True)


def _artists(emulator: RunningEmulator, n: int = 3) -> list[int]:
    """``n`` artists who like and repost tracks, the busiest first."""
    social = emulator.social
    ranked = sorted(emulator.catalog.artists, key=lambda a: (-len(social.likes.get(a, [])), a))
    return [a for a in ranked if any(x.kind == "track" for x in social.reposts.get(a, []))][:n]


async def _follow_and_sync(emulator: RunningEmulator, tmp_path: Path, *,
                           sync: bool = True) -> list[int]:
    """Follow three artists and sync them (unless not ``sync``), as `minion-tui discover
    follow/sync` would."""
    artists = _artists(emulator)
    seeding = _service(emulator, tmp_path)
    try:
        await seeding.discovery.follow([f"soundcloud:users:{a}" for a in artists])
        if sync:
            await seeding.discovery.sync()
    finally:
        await seeding.aclose()
    return artists


@asynccontextmanager
async def _triaging(emulator: RunningEmulator, tmp_path: Path, size: tuple[int, int] = (140, 40)
                    ) -> AsyncIterator[tuple[MinionApp, Pilot[None], TrackList]]:
    """Three artists followed and synced, the app started on its Inbox, listed: the app, its
    pilot and the Inbox's track list."""
    await _follow_and_sync(emulator, tmp_path)
    app = MinionApp(_service(emulator, tmp_path))
    async with app.run_test(size=size) as pilot:
        await _inbox_listed(pilot, app)
        yield app, pilot, app.query_one("#browse-tracks", TrackList)


def _judgments(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        return dict(db.execute("SELECT urn, judgment FROM judgments"))


def _status(app: MinionApp) -> str:
    return str(app.query_one("#browse-status").render())


async def _inbox_listed(pilot: object, app: MinionApp) -> None:
    await until(pilot, lambda: _status(app).startswith("Inbox — ")  # type: ignore[arg-type]
                and "loading" not in _status(app), "the Inbox listed at start")


async def test_the_app_opens_on_the_inbox_and_l_x_n_judge_remove_and_play_the_next(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with _triaging(emulator, tmp_path) as (app, pilot, tracks):
        browse = app.query_one(BrowsePane)
        bar = app.query_one(NowPlayingBar)
        assert browse.source_title == "Inbox"
        assert app.query_one(SourceList).highlighted_ref == browse.source
        expected = [e.track.urn for e in await app.service.inbox.list(limit=300)]
        listed = [t.urn for t in tracks.tracks]
        assert len(listed) >= 8
        assert listed[:10] == expected[:10]  # best first, as service.inbox ranks them
        assert _status(app).startswith(f"Inbox — {len(listed)} tracks · enter plays")
        assert app.focused is tracks

        await pilot.press("j", "enter")  # triage starts on the second row
        first = tracks.visible_tracks[1]
        await until(pilot, lambda: bar.view.urn == first.urn, "the second row playing")

        judged: dict[str, str] = {}
        for key, verdict in zip("lxnlx", ["liked", "not_interested", "not_quite", "liked",
                                          "not_interested"], strict=True):
            row = tracks.cursor_row
            rated, following = tracks.visible_tracks[row], tracks.visible_tracks[row + 1]
            before = len(tracks.tracks)
            await pilot.press(key)
            await until(pilot, lambda f=following: bar.view.urn == f.urn  # type: ignore[misc]
                        and bar.view.state == "playing", f"{key}: the next track playing")
            judged[rated.urn] = verdict
            assert _judgments(tmp_path) == judged
            assert rated.urn not in [t.urn for t in tracks.tracks]
            assert len(tracks.tracks) == before - 1
            assert tracks.cursor_row == row == 1
            assert tracks.highlighted is not None and tracks.highlighted.urn == following.urn
            now = app.service.player.now_playing()[0]
            assert now is not None and now.track.urn == following.urn
            assert bar.view.title == following.title
            assert _status(app).startswith(f"Inbox — {before - 1} tracks")
        # The rows left, as the toast after x elsewhere would say: here it has nothing to say.
        assert not [n for n in app._notifications if "hidden" in n.message
                    or "still listed" in n.message]

        # Opened again (a refresh), none of the judged tracks comes back.
        browse.open_ref(browse.source)  # type: ignore[arg-type]
        await _inbox_listed(pilot, app)
        again = {t.urn for t in tracks.tracks}
        assert again and not again & set(judged)


async def test_without_triage_a_rating_in_the_inbox_only_removes_the_row(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with _triaging(emulator, tmp_path) as (app, pilot, tracks):
        await pilot.press("j", "j")
        rated, following = tracks.visible_tracks[2], tracks.visible_tracks[3]
        await pilot.press("n")
        await until(pilot, lambda: rated.urn not in [t.urn for t in tracks.tracks],
                    "the rated row gone")
        assert _judgments(tmp_path) == {rated.urn: "not_quite"}
        assert tracks.cursor_row == 2
        assert tracks.highlighted is not None and tracks.highlighted.urn == following.urn
        assert app.service.player.now_playing()[0] is None  # nothing was playing: none starts


async def test_triage_on_the_last_row_removes_it_and_starts_nothing_else(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with _triaging(emulator, tmp_path) as (app, pilot, tracks):
        bar = app.query_one(NowPlayingBar)
        # The unplayable tracks come last: judged away first (before enter, x only removes).
        await pilot.press("G")
        cleared: dict[str, str] = {}
        while (last := tracks.visible_tracks[-1]).availability is not Availability.FULL:
            await pilot.press("x")
            await until(pilot, lambda t=last: tracks.visible_tracks[-1] is not t,  # type: ignore[misc]
                        "an unplayable row gone")
            cleared[last.urn] = "not_interested"
        assert app.service.player.now_playing()[0] is None
        await pilot.press("enter")
        above = tracks.visible_tracks[-2]
        await until(pilot, lambda: bar.view.urn == last.urn and bar.view.state == "playing",
                    "the last row playing")
        count = len(tracks.tracks)
        await pilot.press("l")
        await until(pilot, lambda: len(tracks.tracks) == count - 1, "the last row gone")
        assert _judgments(tmp_path) == {**cleared, last.urn: "liked"}
        # The cursor stops on the new last row, passed over on the way down: it does not play.
        assert tracks.cursor_row == count - 2
        assert tracks.highlighted is not None and tracks.highlighted.urn == above.urn
        await pilot.pause(0.3)
        now = app.service.player.now_playing()[0]
        assert now is not None and now.track.urn == last.urn
        assert bar.view.urn == last.urn


async def test_with_nothing_followed_the_app_opens_on_trending(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    app = MinionApp(_service(emulator, tmp_path))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: _status(app).startswith("Trending — ")
                    and "loading" not in _status(app), "Trending listed at start")
        browse = app.query_one(BrowsePane)
        assert browse.source is not None and browse.source.listing == "trending"
        assert app.query_one(SourceList).highlighted_ref == browse.source
        labels = [str(o.prompt) for o in app.query_one(SourceList).options]
        assert labels[:3] == ["Discover", "  Inbox", "  Trending"]


async def test_an_empty_inbox_says_where_its_tracks_come_from(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    # Nothing followed and Trending not listed (every chart request dropped): nothing in the
    # store surfaced any track, so the Inbox is empty.
    emulator.state.set_faults("drop:n=1000:prefix=/sc-api-v2/charts")
    try:
        app = MinionApp(_service(emulator, tmp_path))
        async with app.run_test(size=(140, 40)) as pilot:
            await until(pilot, lambda: "not loaded" in _status(app), "Trending failing")
            app.query_one(SourceList).focus()
            await pilot.press("k", "enter")  # the Inbox, above Trending
            await until(pilot, lambda: _status(app) == "Inbox — 0 tracks",
                        f"the empty Inbox, not {_status(app)!r}")
            tracks = app.query_one("#browse-tracks", TrackList)
            assert tracks.tracks == []
            assert tracks.empty_text.startswith("Nothing to judge: the Inbox lists what the "
                                                "artists you follow liked and reposted")
            assert tracks.render_line(1).text.strip().startswith("Nothing to judge")
    finally:
        emulator.state.set_faults("")


async def test_the_details_panel_says_who_liked_and_reposted_it_and_when(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with _triaging(emulator, tmp_path, (160, 45)) as (app, pilot, tracks):
        details = app.query_one("#browse-details", TrackDetails)
        entries = await app.service.inbox.list(limit=300)
        # A track vouched for by two of the artists or more (the panel reads five sources).
        row, entry = next((i, e) for i, e in enumerate(entries)
                          if len({e.actor for e in e.provenance}) >= 2
                          and len({(e.actor, e.kind) for e in e.provenance}) <= 5)
        assert tracks.visible_tracks[row].urn == entry.track.urn
        tracks.cursor_row = row
        # What the line must say, from the evidence the inbox carries and the store's names.
        names = {p.actor: p.name for p in entry.score.parts}
        said = []
        for kind, verb in (("like", "liked by"), ("repost", "reposted by")):
            who = list(dict.fromkeys(names[e.actor] for e in entry.provenance if e.kind == kind))
            said += [f"{verb} {', '.join(who)}"] if who else []
        newest = max(e.at for e in entry.provenance if e.kind in ("like", "repost"))
        line = " · ".join([*said, age_words(newest, datetime.now(UTC).astimezone())])
        await until(pilot, lambda: details.evidence != "", "the evidence line")
        assert details.track is not None and details.track.urn == entry.track.urn
        assert details.evidence == line
        assert line in " ".join(details.text.split())


async def test_a_sync_from_the_keyboard_fills_the_inbox_that_is_open(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    # Followed but never synced: the app opens on an empty Inbox; ctrl+r syncs, and the
    # Inbox lists what came in without being opened again.
    await _follow_and_sync(emulator, tmp_path, sync=False)
    app = MinionApp(_service(emulator, tmp_path))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: _status(app) == "Inbox — 0 tracks", "the empty Inbox")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: _status(app).startswith("Inbox — ")
                    and "loading" not in _status(app) and _status(app) != "Inbox — 0 tracks",
                    "the Inbox filled by the sync")
        tracks = app.query_one("#browse-tracks", TrackList)
        expected = [e.track.urn for e in await app.service.inbox.list(limit=300)]
        assert expected and [t.urn for t in tracks.tracks] == expected
