"""Playback across a session and between sessions, with real libmpv against the emulator:
the audio output setting (and what is said when no output opens), mpv's messages going to the
log, relative volume steps, seconds listened up to a track's end, the queue position and the
volume surviving a restart, and unplayable queue entries skipped with the reason."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from minion_tui import config
from minion_tui.cli import main
from minion_tui.config import PlaybackSettings, Settings, load_settings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import PlaybackError
from minion_tui.models import PlayerState, Toast
from minion_tui.service import Service
from tests.examples import resolve_examples


@pytest.fixture
def open_service(emulator: RunningEmulator, tmp_path: Path
                 ) -> Callable[..., Service]:
    def make(audio_output: str | None = "null", **playback: object) -> Service:
        settings = Settings(playback=PlaybackSettings(**playback),  # type: ignore[arg-type]
                            path=tmp_path / "config.toml")
        svc = Service.open(settings=settings, endpoints=emulator.endpoints,
                           data_dir=tmp_path / "data")
        svc.player.audio_output = audio_output
        return svc

    return make


@pytest.fixture
async def service(open_service: Callable[..., Service]) -> AsyncIterator[Service]:
    svc = open_service()
    yield svc
    await svc.aclose()


def playing_past(seconds: float) -> Callable[[PlayerState], bool]:
    return lambda s: s.state == "playing" and s.position > seconds


def _sql(data: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "minion.db") as db:
        return list(db.execute(query))


# -- the audio output ---------------------------------------------------------------------------


def test_audio_output_setting_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[playback]\naudio_output = "pulse"\n', encoding="utf-8")
    assert load_settings(path=path, environ={}).playback.audio_output == "pulse"
    overridden = load_settings(path=path, environ={"MINION_MPV_AO": "null"})
    assert overridden.playback.audio_output == "null"
    assert overridden.origin("playback.audio_output") == "env MINION_MPV_AO"
    assert load_settings(path=tmp_path / "none.toml", environ={}).playback.audio_output is None
    # The setting drives the service (TUI and CLI alike); an explicit choice beats it.
    service = Service.open(settings=overridden, data_dir=tmp_path / "data")
    assert service.player.audio_output == "null"
    service.player.audio_output = "alsa"
    assert service.player.audio_output == "alsa"


@pytest.mark.mpv
def test_cli_play_uses_the_configured_audio_output(
    sc_env: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    # No --ao and no MINION_MPV_AO: config.toml alone chooses the silent output (without it
    # mpv's automatic choice finds no sound card on a CI machine and the play fails).
    path = config.config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[playback]\naudio_output = "null"\n', encoding="utf-8")
    code = main(["play", sc_env.examples["track_full"], "--json", "--for", "3"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0, lines
    assert max(line["position"] for line in lines) > 0


@pytest.mark.mpv
async def test_no_audio_output_says_what_to_set_and_mpv_messages_reach_the_log(
    open_service: Callable[..., Service], emulator: RunningEmulator,
    caplog: pytest.LogCaptureFixture
) -> None:
    service = open_service(audio_output="nosuchoutput")
    caplog.set_level(logging.WARNING, logger="minion_tui.mpv")
    try:
        await service.player.play(emulator.examples["track_full"])
        player = (await service.player._engine()).player
        with pytest.raises(PlaybackError) as raised:
            await player.wait_for(playing_past(0.1))
    finally:
        await service.aclose()
    assert raised.value.text == (
        "No audio output could be opened (tried: nosuchoutput). Set [playback] audio_output "
        'in config.toml — e.g. "pulse", "pipewire", "alsa", or "null" to play silently.')
    # mpv's own complaint went to Python logging (the log file), not to the terminal.
    mpv_records = [r for r in caplog.records if r.name == "minion_tui.mpv"]
    assert any("nosuchoutput" in r.getMessage() for r in mpv_records), \
        [r.getMessage() for r in mpv_records]


# -- relative volume ----------------------------------------------------------------------------


@pytest.mark.mpv
async def test_volume_steps_in_a_burst_all_count(service: Service,
                                                 emulator: RunningEmulator) -> None:
    await service.player.play(emulator.examples["track_full"])
    player = (await service.player._engine()).player
    start = (await player.wait_for(playing_past(0.1))).volume
    for _ in range(3):  # before mpv reports any of them back
        await service.player.change_volume(-5)
    await player.wait_for(lambda s: s.volume == start - 15)
    await service.player.toggle_pause()
    await service.player.toggle_pause()
    await service.player.toggle_pause()
    paused = await player.wait_for(lambda s: s.paused)
    assert paused.volume == start - 15


# -- seconds listened ---------------------------------------------------------------------------


@pytest.mark.mpv
async def test_a_track_played_to_its_end_records_its_length_as_listened(
    open_service: Callable[..., Service], emulator: RunningEmulator, tmp_path: Path
) -> None:
    service = open_service()
    # Four times the normal speed: the 30 s preview ends in 8 s while time-pos still walks
    # through every second of it (in steps under a second).
    service.player.mpv_options = {"speed": "4"}
    service.player.readahead = 60.0
    try:
        now = await service.player.play(emulator.examples["track_preview"])
        playback = await service.player._engine()
        duration = (await playback.player.wait_for(
            lambda s: s.duration is not None and s.duration > 2)).duration or 0.0
        await playback.player.wait_for(lambda s: playback.now is None, within=60)
    finally:
        await service.aclose()
    listened = _sql(tmp_path / "data", "SELECT track_urn, seconds_listened FROM play_history")
    assert listened[0][0] == now.track.urn
    assert abs(float(listened[0][1]) - duration) <= 1.0, (listened, duration)  # type: ignore[arg-type]


@pytest.mark.mpv
async def test_seeks_and_pauses_are_not_listening(
    service: Service, emulator: RunningEmulator, tmp_path: Path
) -> None:
    await service.player.play(emulator.examples["track_long"])
    player = (await service.player._engine()).player
    await player.wait_for(playing_past(1.0))
    await service.player.seek(120, relative=True)
    await player.wait_for(lambda s: s.position > 121.5 and not s.buffering, within=20)
    await service.player.play(emulator.examples["track_full"])  # ends the first play's history
    await player.wait_for(playing_past(0.1))
    rows = _sql(tmp_path / "data", "SELECT seconds_listened FROM play_history ORDER BY id")
    first = float(rows[0][0])  # type: ignore[arg-type]
    assert 1.0 <= first < 10.0, first  # played ~1.5 s around a 120 s jump


# -- between sessions ---------------------------------------------------------------------------


@pytest.mark.mpv
async def test_restart_continues_after_the_last_entry_and_keeps_the_volume(
    open_service: Callable[..., Service], emulator: RunningEmulator
) -> None:
    first = open_service(volume=80)
    urls = [emulator.examples[n] for n in ("track_full", "track_downloadable", "track_long")]
    try:
        queue = await first.player.queue_add(urls)
        await first.player.play_queue(queue[1].id)
        player = (await first.player._engine()).player
        await player.wait_for(playing_past(0.1))
        await first.player.set_volume(42)
        await player.wait_for(lambda s: s.volume == 42)
    finally:
        await first.aclose()

    second = open_service(volume=80)
    try:
        assert await second.player.queue_current() == queue[1].id  # before any play: remembered
        now = await second.player.next_track()
        assert now is not None and now.queue_entry_id == queue[2].id
        state = await (await second.player._engine()).player.wait_for(playing_past(0.1))
        assert state.volume == 42
        assert await second.player.queue_current() == queue[2].id
        previous = await second.player.previous_track()
        assert previous is not None and previous.queue_entry_id == queue[1].id
    finally:
        await second.aclose()


# -- unplayable entries -------------------------------------------------------------------------


@pytest.mark.mpv
async def test_drm_and_geo_blocked_queue_entries_are_skipped_with_the_reason(
    service: Service, emulator: RunningEmulator
) -> None:
    names = ("track_drm", "track_blocked", "track_full")
    tracks = await resolve_examples(service, emulator, *names)
    drm, blocked, full = tracks
    queue = await service.player.queue_add(tracks)
    playback = await service.player._engine()
    toasts: list[Toast] = []
    playback.on_toast(toasts.append)
    now = await service.player.play_queue(queue[0].id)
    assert now is not None and now.track.urn == full.urn and now.queue_entry_id == queue[2].id
    await playback.player.wait_for(playing_past(0.1))
    assert [t.text for t in toasts] == [
        f"Skipped {drm.title}: it is DRM-protected and cannot be played here.",
        f"Skipped {blocked.title}: it is not available in your country and cannot be "
        "played here.",
    ]
