"""Playing in a list's context, with real libmpv (ao=null) against the emulator: the list
becomes what plays next (queue rows in SQLite), `>` / `<` and the end of a track move along
it, tracks queued with `a` play before the list goes on, and a restart resumes the entry and
the position the last session stopped at."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import PlayerState
from minion_tui.service import Service
from tests.examples import resolve_examples

pytestmark = [pytest.mark.mpv, pytest.mark.asyncio]


def playing_past(seconds: float) -> Callable[[PlayerState], bool]:
    return lambda s: s.state == "playing" and s.position > seconds


def _queue(data: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data / "minion.db") as db:
        return list(db.execute("SELECT track_urn, origin FROM queue ORDER BY position"))


async def test_the_list_becomes_what_plays_next_and_previous_goes_back_up_it(
    service: Service, emulator: RunningEmulator, tmp_path: Path
) -> None:
    listed = await resolve_examples(service, emulator, "track_full", "track_downloadable",
                                    "track_opus")
    now = await service.player.play_context(listed, 1)
    assert now is not None and now.track.urn == listed[1].urn
    assert _queue(tmp_path) == [(t.urn, "context") for t in listed]
    player = (await service.player._engine()).player
    await player.wait_for(playing_past(0.1))

    after = await service.player.next_track()
    assert after is not None and after.track.urn == listed[2].urn
    back = await service.player.previous_track()
    assert back is not None and back.track.urn == listed[1].urn
    top = await service.player.previous_track()
    assert top is not None and top.track.urn == listed[0].urn
    assert await service.player.queue_current() == top.queue_entry_id


async def test_queued_tracks_play_before_the_list_goes_on_and_survive_a_new_list(
    service: Service, emulator: RunningEmulator, tmp_path: Path
) -> None:
    a, b, c, d, e = await resolve_examples(service, emulator, "track_full", "track_downloadable",
                                  "track_opus", "track_preview", "track_long")
    await service.player.play_context([a, b, c], 0)
    await service.player.queue_add([d])  # a: after what is queued, before the list goes on
    await service.player.queue_add([e])
    assert [urn for urn, _ in _queue(tmp_path)] == [a.urn, d.urn, e.urn, b.urn, c.urn]
    await service.player.queue_add([c], next=True)  # A: right after the one playing
    assert _queue(tmp_path) == [(a.urn, "context"), (c.urn, "user"), (d.urn, "user"),
                                (e.urn, "user"), (b.urn, "context"), (c.urn, "context")]
    nxt = await service.player.next_track()
    assert nxt is not None and nxt.track.urn == c.urn  # the queued one, then d, e, then b

    # Another list, while the first queued track plays: the old list and the queued track
    # already played go; d and e have not played, so they come right after the new choice.
    now = await service.player.play_context([e, a], 1)
    assert now is not None and now.track.urn == a.urn
    assert _queue(tmp_path) == [(e.urn, "context"), (a.urn, "context"), (d.urn, "user"),
                                (e.urn, "user")]
    nxt = await service.player.next_track()
    assert nxt is not None and nxt.track.urn == d.urn


async def test_the_end_of_a_track_plays_the_next_one_of_the_list(
    service: Service, emulator: RunningEmulator
) -> None:
    service.player.readahead = 60.0  # the whole 30 s preview is buffered: the seek is local
    preview, full = await resolve_examples(service, emulator, "track_preview", "track_full")
    await service.player.play_context([preview, full], 0)
    playback = await service.player._engine()
    player = playback.player
    await player.wait_for(lambda s: s.duration is not None and s.duration > 2
                          and s.state == "playing")
    await service.player.seek((player.state.duration or 30) - 1.5)
    await player.wait_for(lambda s: playback.now is not None
                          and playback.now.track.urn == full.urn and s.position > 0.1,
                          within=30)
    assert [h.track_urn for h in await service.player.history()][:2] == [full.urn,
                                                                         preview.urn]


async def test_after_a_restart_space_resumes_the_entry_where_it_stopped(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    def open_service() -> Service:
        svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path)
        svc.player.audio_output = "null"
        return svc

    first = open_service()
    try:
        listed = await resolve_examples(first, emulator, "track_full", "track_long", "track_opus")
        playing = await first.player.play_context(listed, 1)
        assert playing is not None
        player = (await first.player._engine()).player
        await player.wait_for(playing_past(0.1))
        await first.player.seek(40.0)
        await player.wait_for(lambda s: s.position >= 40.0)
    finally:
        await first.aclose()

    second = open_service()
    try:
        assert await second.player.queue_current() == playing.queue_entry_id
        await second.player.toggle_pause()  # space, before anything played
        now, _ = second.player.now_playing()
        assert now is not None and now.queue_entry_id == playing.queue_entry_id
        state = await (await second.player._engine()).player.wait_for(playing_past(40.0))
        assert state.position < 60.0  # resumed where it stopped, not from the start
        nxt = await second.player.next_track()
        assert nxt is not None and nxt.track.urn == listed[2].urn
    finally:
        await second.aclose()
