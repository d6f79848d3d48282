"""A Mixcloud show through the real player: libmpv (ao=null) against the emulator, through the
loopback stream proxy. Mixcloud's HLS is a master playlist whose variant carries AAC in
MPEG-TS (docs/mixcloud.md §4.5): the proxy must follow it to the variant and pass the TS
segments through. Waits are event-driven (Player.wait_for); no wall-clock assertions."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import PlaybackError
from minion_tui.models import PlayerState
from minion_tui.playback.stream_proxy import best_variant, is_transport_stream
from minion_tui.service import Service
from tests.integration.playing import played

pytestmark = [pytest.mark.mpv]


def playing_past(seconds: float) -> Callable[[PlayerState], bool]:
    return lambda s: s.state == "playing" and s.position > seconds


@pytest.fixture
def progressive_only(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    emulator.mixcloud.offer_hls = False
    yield emulator
    emulator.mixcloud.offer_hls = True


@pytest.mark.asyncio
async def test_show_plays_over_hls_and_a_seek_lands(service: Service,
                                                    emulator: RunningEmulator) -> None:
    now = await service.player.play(emulator.examples["mc_show_tracks"])
    assert now.choice.protocol == "hls"
    assert now.track.provider == "mixcloud"
    playback = await service.player._engine()
    player = playback.player
    first = await player.wait_for(playing_past(0.2), within=30)
    later = await player.wait_for(lambda s: s.position > first.position + 0.3, within=30)
    assert later.error == ""
    # 62 minutes: mpv read the variant's whole segment list, not the master's one line
    assert later.duration is not None and later.duration > 60 * 60
    await service.player.seek(1800)
    landed = await player.wait_for(lambda s: abs(s.position - 1800) < 1.0, within=30)
    assert abs(landed.position - 1800) < 1.0
    resumed = await player.wait_for(lambda s: s.position > landed.position + 0.3, within=30)
    assert resumed.state == "playing"


@pytest.mark.asyncio
async def test_show_served_progressively_plays(service: Service,
                                               progressive_only: RunningEmulator) -> None:
    now = await service.player.play(progressive_only.examples["mc_show_short"])
    assert now.choice.protocol == "progressive"
    player = (await service.player._engine()).player
    first = await player.wait_for(playing_past(0.2), within=30)
    later = await player.wait_for(lambda s: s.position > first.position + 0.3, within=30)
    assert later.error == ""


@pytest.mark.asyncio
async def test_seek_with_nothing_playing_says_so(service: Service) -> None:
    with pytest.raises(PlaybackError) as raised:
        await service.player.seek(30)
    assert "Nothing is playing" in raised.value.message
    assert raised.value.hint and "Play" in raised.value.hint


def test_play_mixcloud_url_json_prints_advancing_positions(
    sc_env: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = played(sc_env.examples["mc_show_tracks"], capsys)
    assert code == 0, lines
    assert len(lines) >= 2
    positions = [line["position"] for line in lines]
    assert positions[-1] > positions[0]
    assert lines[-1]["duration"] > 60 * 60
    assert lines[-1]["state"] == "stopped"


def test_master_playlist_is_followed_to_its_highest_bandwidth_variant() -> None:
    master = ("#EXTM3U\n"
              '#EXT-X-STREAM-INF:BANDWIDTH=70000,CODECS="mp4a.40.2"\nlow/index.m3u8\n'
              '#EXT-X-STREAM-INF:CODECS="mp4a.40.2",BANDWIDTH=320000\nhigh/index.m3u8\n'
              '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=900000,BANDWIDTH=128000\nmid.m3u8\n')
    base = "https://audio4.mixcloud.com/secure/hls/a/b.m4a/index.m3u8"
    assert best_variant(master, base) == \
        "https://audio4.mixcloud.com/secure/hls/a/b.m4a/high/index.m3u8"
    media = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nseg-1.ts\n#EXT-X-ENDLIST\n"
    assert best_variant(media, base) is None


def test_transport_stream_segments_are_told_apart() -> None:
    packet = b"\x47" + bytes(187)
    assert is_transport_stream(packet * 4)
    assert not is_transport_stream(b"\x00\x00\x00\x18ftypmp42" + bytes(400))  # fMP4
    assert not is_transport_stream(b"ID3" + bytes(400))  # MP3
    assert not is_transport_stream(packet + b"\x00" + bytes(187))
