"""The palette's other writes through Pilot against the emulator, signed in: the playlist
being browsed renamed, made private and public, a track added to it (the chooser of your
playlists), moved, taken out of it and the playlist deleted (each of the destructive ones
asked first, and a no changes nothing); your own track retitled, retagged, described and
deleted; an upload from a path and a title; not signed in, the sign-in toast and nothing
changed. Each asserts on the emulator's state."""

from __future__ import annotations

from pathlib import Path

from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.screens.confirm_write import ChoosePlaylist, ConfirmWrite, TextPrompt
from minion_tui.tui.widgets.source_list import SourceRef
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.test_upload_form_tui import both_apps_registered, upload_through_form
from tests.tui.test_writes_tui import (
    _answered,
    _app,
    _highlighted,
    _signed_in,
    _toast,
    _toasts,
)
from tests.tui.waiting import listed_at_start, until


async def _answer(pilot: object, app: MinionApp, text: str, *, clear: bool = True) -> None:
    """Type ``text`` into the text box in front (its old value cleared first)."""
    from textual.widgets import Input

    await until(pilot, lambda: isinstance(app.screen, TextPrompt)  # type: ignore[arg-type]
                and bool(app.screen.query(Input)) and app.screen.query_one(Input).has_focus,
                "the text box")
    box = app.screen.query_one(Input)
    if clear:
        box.value = ""
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]


async def _open_playlist(pilot: object, app: MinionApp, urn: str) -> TrackList:
    browse = app.query_one(BrowsePane)
    browse.open_ref(SourceRef("playlist", urn, "Mine"))
    tracks = app.query_one("#browse-tracks", TrackList)
    await until(pilot, lambda: browse.source is not None and browse.source.target == urn  # type: ignore[arg-type]
                and len(tracks.tracks) >= 2, "the playlist listed")
    tracks.focus()
    return tracks


async def test_the_browsed_playlist_renamed_privacy_add_move_remove_delete(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    app = _app(emulator, tmp_path)
    me = int(emulator.oauth.user)
    async with _signed_in(app) as pilot:
        listed = [t for t in emulator.catalog.listed_tracks() if t.user_id != me]
        a, b, c = listed[:3]
        made = await app.service.writes.playlist_create("Dawn drive", tracks=[
            f"soundcloud:tracks:{a.id}", f"soundcloud:tracks:{b.id}"])
        set_id = int(made.target.rsplit(":", 1)[1])
        tracks = await _open_playlist(pilot, app, made.target)

        app.action_playlist_write("rename")
        await _answer(pilot, app, "Dusk drive")
        await _toast(pilot, app, "Renamed the playlist on SoundCloud")
        assert emulator.social.track_set(set_id).title == "Dusk drive"  # type: ignore[union-attr]
        browse = app.query_one(BrowsePane)
        await until(pilot, lambda: browse.source is not None
                    and browse.source.title == "Dusk drive", "Browse showing the new title")

        app.action_playlist_write("private")
        await _toast(pilot, app, "Made private on SoundCloud")
        assert set_id in emulator.social.private_sets
        app.action_playlist_write("public")
        await _toast(pilot, app, "Made public on SoundCloud")
        assert set_id not in emulator.social.private_sets

        # add: the highlighted track, to a playlist chosen among yours
        await _highlighted(pilot, app, await app.service.catalog.resolve(
            f"soundcloud:tracks:{c.id}"))
        app.action_add_to_playlist()
        await until(pilot, lambda: isinstance(app.screen, ChoosePlaylist), "the chooser")
        chooser = app.screen
        assert isinstance(chooser, ChoosePlaylist)
        urns = [u for u, _ in chooser.playlists]
        assert urns[0] == made.target  # newest first, as browse myplaylists gives them
        await pilot.press("enter")
        await _toast(pilot, app, "Added to the playlist on SoundCloud")
        assert emulator.social.track_set(set_id).track_ids == (a.id, b.id, c.id)  # type: ignore[union-attr]

        tracks = await _open_playlist(pilot, app, made.target)
        await until(pilot, lambda: len(tracks.tracks) == 3, "three listed")
        tracks.cursor_row = 2
        await pilot.pause()
        assert tracks.highlighted is not None and tracks.highlighted.urn.endswith(f":{c.id}")
        app.action_playlist_write("move")
        await _answer(pilot, app, "1")
        await _toast(pilot, app, "Moved the track in the playlist on SoundCloud")
        assert emulator.social.track_set(set_id).track_ids == (c.id, a.id, b.id)  # type: ignore[union-attr]
        # Browse lists the playlist again, in its new order
        await until(pilot, lambda: [t.urn.rsplit(":", 1)[1] for t in tracks.tracks]
                    == [str(c.id), str(a.id), str(b.id)], "the new order listed")
        tracks.focus()
        tracks.cursor_row = 0
        await pilot.pause()

        # remove: asked; no leaves it, yes takes it out
        await _answered(pilot, app, lambda: app.action_playlist_write("remove"), "n")
        await _toast(pilot, app, "Left as it was")
        assert emulator.social.track_set(set_id).track_ids == (c.id, a.id, b.id)  # type: ignore[union-attr]
        await _answered(pilot, app, lambda: app.action_playlist_write("remove"), "y")
        await _toast(pilot, app, "Took the track out of the playlist on SoundCloud")
        assert emulator.social.track_set(set_id).track_ids == (a.id, b.id)  # type: ignore[union-attr]
        await until(pilot, lambda: [t.urn.rsplit(":", 1)[1] for t in tracks.tracks]
                    == [str(a.id), str(b.id)], "the playlist listed without it")

        assert "Delete the playlist" in await _answered(
            pilot, app, lambda: app.action_playlist_write("delete"), "n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmWrite), "the answer")
        await pilot.pause()
        assert emulator.social.track_set(set_id) is not None
        await _answered(pilot, app, lambda: app.action_playlist_write("delete"), "y")
        await _toast(pilot, app, "Deleted the playlist on SoundCloud")
        assert emulator.social.track_set(set_id) is None
        assert set_id not in emulator.social.set_ids(me)


async def test_upload_then_your_track_retitled_retagged_described_deleted(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    audio = tmp_path / "late set.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500)
    app = _app(emulator, tmp_path)
    me = int(emulator.oauth.user)
    async with _signed_in(app) as pilot:
        before = emulator.social.track_ids(me)

        # a folder is refused before anything is sent
        await upload_through_form(pilot, app, file=str(tmp_path))
        await _toast(pilot, app, f"The file {tmp_path} is a folder")
        assert emulator.social.track_ids(me) == before

        # the title left empty: the file's name
        await upload_through_form(pilot, app, file=str(audio))
        await _toast(pilot, app, "Uploaded to SoundCloud: late set")
        mine = emulator.social.track_ids(me)
        assert len(mine) == len(before) + 1
        (tid,) = set(mine) - set(before)
        assert emulator.social.track(tid).title == "late set"  # type: ignore[union-attr]
        pages = app.service.catalog.browse("tracks", f"soundcloud:users:{me}", limit=3)
        first = [t async for page in pages for t in page.items]
        assert first[0].urn == f"soundcloud:tracks:{tid}"  # in your tracks, first

        await _highlighted(pilot, app, await app.service.catalog.resolve(
            f"soundcloud:tracks:{tid}"))
        app.action_track_write("title")
        await _answer(pilot, app, "Early set")
        await _toast(pilot, app, "Changed your track on SoundCloud: Early set")
        assert emulator.social.track(tid).title == "Early set"  # type: ignore[union-attr]
        app.action_track_write("tags")
        await _answer(pilot, app, "deep house, dub")
        await until(pilot, lambda: emulator.social.track(tid).tags == ("deep house", "dub"),  # type: ignore[union-attr]
                    "the tags changed")
        app.action_track_write("description")
        await _answer(pilot, app, "Recorded at dawn")
        await until(pilot, lambda: emulator.social.track(tid).description  # type: ignore[union-attr]
                    == "Recorded at dawn", "the description changed")
        assert emulator.social.track(tid).title == "Early set"  # type: ignore[union-attr]

        await _answered(pilot, app, lambda: app.action_track_write("delete"), "n")
        await _toast(pilot, app, "Left as it was")
        assert emulator.social.track(tid) is not None
        await _answered(pilot, app, lambda: app.action_track_write("delete"), "y")
        await _toast(pilot, app, "Deleted your track on SoundCloud")
        assert emulator.social.track(tid) is None


async def test_not_signed_in_the_playlist_writes_say_so_and_change_nothing(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    me = int(emulator.oauth.user)
    set_id = emulator.social.set_ids(me)[0]
    title = emulator.social.track_set(set_id).title  # type: ignore[union-attr]
    app = _app(emulator, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await listed_at_start(pilot)
        await _open_playlist(pilot, app, f"soundcloud:playlists:{set_id}")
        app.action_playlist_write("rename")
        await _answer(pilot, app, "Not mine to name")
        await until(pilot, lambda: any("auth login soundcloud" in t for t in _toasts(app)),
                    "the sign-in toast")
        app.action_add_to_playlist()
        await until(pilot, lambda: sum("auth login soundcloud" in t for t in _toasts(app))
                    >= 2, "the sign-in toast again")
    assert emulator.social.track_set(set_id).title == title  # type: ignore[union-attr]


async def test_mixcloud_listen_later_and_taking_it_back_asks(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    mc = emulator.mixcloud
    who = "quietlistener"
    later = {e.who.lower() for e in mc.writes.listen_later.get(who, [])}
    show = next(s for s in mc.catalog.shows.values() if s.key.lower() not in later
                and s.owner.lower() != who)
    app = both_apps_registered(emulator, tmp_path)
    async with _signed_in(app, "mixcloud") as pilot:
        await _highlighted(pilot, app, await app.service.catalog.resolve(  # type: ignore[arg-type]
            f"https://www.mixcloud.com{show.key}"))
        app.action_write("listen_later")
        await _toast(pilot, app, "Listen later on Mixcloud")
        assert mc.writes.listen_later[who][0].who == show.key
        await _answered(pilot, app, lambda: app.action_write("unlisten_later"), "n")
        await _toast(pilot, app, "Left as it was")
        assert mc.writes.listen_later[who][0].who == show.key
        await _answered(pilot, app, lambda: app.action_write("unlisten_later"), "y")
        await _toast(pilot, app, "Took it out of listen later on Mixcloud")
        assert all(e.who != show.key for e in mc.writes.listen_later[who])


async def test_the_palette_offers_each_write_and_runs_rename(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    from minion_tui.tui.commands import WriteCommands

    me = int(emulator.oauth.user)
    app = _app(emulator, tmp_path)
    async with _signed_in(app) as pilot:
        made = await app.service.writes.playlist_create("Palette made", tracks=[
            f"soundcloud:tracks:{t.id}" for t in emulator.catalog.listed_tracks()[:2]])
        set_id = int(made.target.rsplit(":", 1)[1])
        texts = {c.text for c in await WriteCommands(app.screen).commands()}
        assert {"Add to playlist", "Remove from playlist", "Move in playlist",
                "Rename playlist", "Make playlist public", "Make playlist private",
                "Delete playlist", "Retitle your track", "Retag your track",
                "Describe your track", "Delete your track", "Upload a track",
                "Listen later"} <= texts, texts
        await _open_playlist(pilot, app, made.target)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Rename playlist")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await _answer(pilot, app, "Renamed by palette")
        await _toast(pilot, app, "Renamed the playlist on SoundCloud")
        assert emulator.social.track_set(set_id).title == "Renamed by palette"  # type: ignore[union-attr]
        assert set_id in emulator.social.set_ids(me)
