"""``--format opus`` against the emulator's legacy ``opus_0_0`` HLS
(docs/soundcloud.md §2.2, §3.5): Ogg Opus segments joined by concatenation into a tagged
``.opus``; a track without Opus fails with the reason and the batch goes on."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from pathlib import Path
from typing import Any

import av
from mutagen.flac import Picture
from mutagen.oggopus import OggOpus

from minion_tui.models import Outcome, StreamChoice, Track
from minion_tui.service import Service


def _decoded(path: Path) -> tuple[str, float]:
    """(codec name, decoded seconds) with PyAV, every frame decoded."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return stream.codec_context.name, samples / stream.codec_context.sample_rate


async def _choices(url: str) -> tuple[StreamChoice, StreamChoice]:
    service = Service.open()
    try:
        track = await service.catalog.resolve(url)
        assert isinstance(track, Track)
        opus = await service.catalog.stream(track, require_full=True, prefer="opus")
        best = await service._core.provider("soundcloud").stream(track, require_full=True)
        return opus, best
    finally:
        await service.aclose()


async def _download(targets: list[str], folder: Path) -> tuple[Track, list[Outcome]]:
    service = Service.open(data_dir=folder / "data")
    try:
        track = await service.catalog.resolve(targets[-1])
        assert isinstance(track, Track)
        outcomes = await service.downloads.download(targets, directory=folder / "out",
                                                    format="opus")
        return track, outcomes
    finally:
        await service.aclose()


def test_opus_is_chosen_only_when_asked(sc_env: Any) -> None:
    opus, best = asyncio.run(_choices(sc_env.examples["track_opus"]))
    assert (opus.codec, opus.preset, opus.protocol) == ("opus", "opus_0_0", "hls")
    assert opus.url.startswith("https://cf-hls-opus-media.sndcdn.com/playlist/")
    assert ".64.opus/playlist.m3u8?" in opus.url and "Policy=" in opus.url
    assert best.codec == "aac"  # the default never settles for the legacy Opus


def test_format_opus_downloads_a_tagged_ogg_opus(sc_env: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    track, [outcome] = asyncio.run(_download([sc_env.examples["track_opus"]], tmp_path))
    assert outcome.state == "done", outcome
    path = Path(outcome.path)
    assert path == out / f"{track.artist} - {track.title}.opus"
    assert sorted(p.name for p in out.iterdir()) == [path.name]  # no .part / journal left
    assert path.read_bytes()[:4] == b"OggS"
    codec, seconds = _decoded(path)
    assert codec == "opus"
    assert abs(seconds - track.duration_ms / 1000) < 0.1
    audio = OggOpus(path)
    assert audio.tags is not None
    assert audio.tags["TITLE"] == [track.title]
    assert audio.tags["ARTIST"] == [track.artist]
    assert audio.tags["CONTACT"] == [track.url]
    assert abs(audio.info.length - track.duration_ms / 1000) < 0.1
    picture = Picture(base64.b64decode(audio.tags["METADATA_BLOCK_PICTURE"][0]))
    assert picture.type == 3 and picture.mime in ("image/jpeg", "image/png")
    assert len(picture.data) > 100
    if picture.mime == "image/jpeg":
        assert picture.data[:3] == b"\xff\xd8\xff"
    with sqlite3.connect(tmp_path / "data" / "minion.db") as conn:
        codecs = [row[0] for row in conn.execute("SELECT codec FROM download_archive")]
    assert codecs == ["opus"]


def test_format_opus_fails_tracks_without_opus_and_goes_on(sc_env: Any,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, outcomes = asyncio.run(_download(
        [sc_env.examples[name] for name in ("track_full", "track_drm", "track_opus")],
        tmp_path))
    by_state = {o.state: o for o in outcomes}
    assert sorted(by_state) == ["done", "failed", "skipped"]
    assert "DRM" in by_state["skipped"].reason  # DRM-only stays a skip, whatever the format
    failed = by_state["failed"]
    assert "No Opus stream is offered" in failed.reason
    assert "stopped serving Opus in April 2026" in failed.reason
    assert "--format best" in failed.reason
    assert failed.path == ""
    assert Path(by_state["done"].path).suffix == ".opus"
    assert [p.suffix for p in out.iterdir()] == [".opus"]  # nothing saved for the AAC-only one
