"""Seeking far past the buffered range of an fMP4 AAC HLS stream, with real libmpv (ao=null)
against the emulator. libavformat's HLS demuxer cannot seek in fMP4 segments (the seek used
to end the file); the stream proxy serves them as MPEG-TS (playback/transport_stream.py)."""

from __future__ import annotations

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import PlayerEvent
from minion_tui.service import Service

pytestmark = [pytest.mark.mpv, pytest.mark.asyncio]


@pytest.mark.parametrize("fraction", [0.8, 0.35])
async def test_seek_far_beyond_the_buffer_lands_and_keeps_playing(
    service: Service, emulator: RunningEmulator, fraction: float
) -> None:
    now = await service.player.play(emulator.examples["track_long"])
    assert (now.choice.protocol, now.choice.codec) == ("hls", "aac")
    player = (await service.player._engine()).player
    ends: list[PlayerEvent] = []
    player.listen(lambda e: ends.append(e) if e.kind in ("end-file", "error") else None)
    started = await player.wait_for(
        lambda s: s.state == "playing" and s.position > 0.1 and bool(s.duration))
    assert started.duration is not None and started.duration > 2 * 3600  # a 2 h 15 min mix
    target = started.duration * fraction  # hundreds of segments past mpv's 20 s read-ahead
    await service.player.seek(target)
    landed = await player.wait_for(lambda s: abs(s.position - target) < 0.5, within=20)
    assert abs(landed.position - target) < 0.5
    # and it keeps playing from there instead of ending the file
    later = await player.wait_for(lambda s: s.state == "playing" and s.position > target + 1.0,
                                  within=20)
    assert later.position < target + 30 and later.duration == started.duration
    assert ends == [] and not later.ended


async def test_seek_back_to_the_start_after_a_far_seek(
    service: Service, emulator: RunningEmulator
) -> None:
    await service.player.play(emulator.examples["track_long"])
    player = (await service.player._engine()).player
    await player.wait_for(lambda s: s.state == "playing" and s.position > 0.1)
    await service.player.seek(5000.0)
    await player.wait_for(lambda s: abs(s.position - 5000.0) < 0.5, within=20)
    await service.player.seek(12.0)
    back = await player.wait_for(lambda s: abs(s.position - 12.0) < 0.5, within=20)
    assert abs(back.position - 12.0) < 0.5
    await player.wait_for(lambda s: s.state == "playing" and s.position > 13.0, within=20)


async def test_seek_far_in_mp3_hls_lands_and_keeps_playing(
    service: Service, emulator: RunningEmulator
) -> None:
    """MP3 HLS (raw MP3 slices, no timestamps of their own) had the same failure."""
    from minion_tui.emulator.catalog.model import CLEAR

    long_ones = sorted(
        (t for t in emulator.catalog.tracks.values() if t.listed and t.availability == CLEAR
         and not t.mp3_progressive and t.duration_ms > 20 * 60_000),
        key=lambda t: t.id)
    track = await service.catalog.resolve(emulator.catalog.track_url(long_ones[0]))
    choice = await service._core.provider("soundcloud").stream(track, prefer="mp3")  # type: ignore[arg-type]
    assert (choice.protocol, choice.codec) == ("hls", "mp3")
    playback = await service.player._engine()
    player = playback.player
    player.load(playback.proxy.add(choice))
    started = await player.wait_for(
        lambda s: s.state == "playing" and s.position > 0.1 and bool(s.duration))
    assert started.duration is not None
    target = started.duration * 0.8
    await service.player.seek(target)
    landed = await player.wait_for(lambda s: abs(s.position - target) < 0.5, within=20)
    assert abs(landed.position - target) < 0.5
    later = await player.wait_for(lambda s: s.state == "playing" and s.position > target + 1.0,
                                  within=20)
    assert not later.ended and later.error == ""
