"""Playback with real libmpv (ao=null) against the emulator over HTTP, through the loopback
stream proxy. Waits are event-driven (Player.wait_for); no wall-clock assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import MinionError, PlaybackError
from minion_tui.models import PlayerState, Track
from minion_tui.service import Service

pytestmark = [pytest.mark.mpv, pytest.mark.asyncio]


def playing_past(seconds: float) -> Callable[[PlayerState], bool]:
    return lambda s: s.state == "playing" and s.position > seconds


async def test_play_advances_and_pause_holds(service: Service,
                                             emulator: RunningEmulator) -> None:
    now = await service.player.play(emulator.examples["track_full"])
    player = (await service.player._engine()).player
    first = await player.wait_for(playing_past(0.2))
    later = await player.wait_for(lambda s: s.position > first.position + 0.3)
    assert later.duration and later.duration > 1
    assert now.choice.protocol in ("hls", "progressive")
    await service.player.pause()
    paused = await player.wait_for(lambda s: s.paused)
    held = paused.position
    await asyncio.sleep(0.6)
    assert player.state.paused
    assert abs(player.state.position - held) < 0.1
    await service.player.resume()
    await player.wait_for(lambda s: not s.paused and s.position > held + 0.2)


async def test_seek_lands_within_half_a_second(service: Service,
                                               emulator: RunningEmulator) -> None:
    await service.player.play(emulator.examples["track_full"])
    player = (await service.player._engine()).player
    state = await player.wait_for(playing_past(0.1))
    target = min(30.0, (state.duration or 40) / 2)
    await service.player.seek(target)
    landed = await player.wait_for(lambda s: abs(s.position - target) < 0.5)
    assert abs(landed.position - target) < 0.5


async def test_expired_url_keeps_playing(service: Service, emulator: RunningEmulator) -> None:
    # Signed URLs live 2 s here and mpv reads only 4 s ahead, so later segments are fetched
    # with an expired URL: the proxy must re-sign and mpv must never notice.
    emulator.state.media_ttl = 2.0
    service.player.readahead = 4.0
    await service.player.play(emulator.examples["track_full"])
    playback = await service.player._engine()
    state = await playback.player.wait_for(playing_past(11.0), within=40)
    assert state.error == ""
    assert playback.proxy.total_refreshes >= 1


async def test_end_of_track_plays_next_in_queue(service: Service,
                                                emulator: RunningEmulator) -> None:
    service.player.readahead = 60.0  # the whole 30 s preview is buffered: the seek is local
    urls = [emulator.examples["track_preview"], emulator.examples["track_full"]]
    queue = await service.player.queue_add(urls)
    await service.player.play_queue(queue[0].id)
    playback = await service.player._engine()
    player = playback.player
    state = await player.wait_for(playing_past(0.1))
    assert playback.now is not None and playback.now.choice.preview
    await player.wait_for(lambda s: s.duration is not None and s.duration > 2)
    await service.player.seek((player.state.duration or 30) - 1.5)
    second = queue[1].track_urn
    await player.wait_for(
        lambda s: playback.now is not None and playback.now.track.urn == second
        and s.state == "playing", within=30)
    history = await service.player.history()
    assert [h.track_urn for h in history][:2] == [second, queue[0].track_urn]
    assert state.position > 0


async def test_broken_stream_is_a_clear_error(service: Service,
                                              emulator: RunningEmulator) -> None:
    playback = await service.player._engine()
    playback.player.load(f"http://127.0.0.1:{playback.proxy.port}/s/nope/playlist.m3u8")
    with pytest.raises(PlaybackError) as raised:
        await playback.player.wait_for(playing_past(0.1))
    assert "mpv could not play" in raised.value.text
    # the app (service, player) is alive: it plays a real stream afterwards
    await service.player.play(emulator.examples["track_full"])
    state = await playback.player.wait_for(playing_past(0.1))
    assert state.error == ""


async def test_drm_track_is_refused_with_reason(service: Service,
                                                emulator: RunningEmulator) -> None:
    track = await service.catalog.resolve(emulator.examples["track_drm"])
    assert isinstance(track, Track)
    with pytest.raises(MinionError) as raised:
        await service.player.play(track)
    assert "drm" in raised.value.text.lower()
