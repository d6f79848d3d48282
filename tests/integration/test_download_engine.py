"""The download engine against the emulator: containers, tags, resume and fault profiles."""

from __future__ import annotations

import asyncio
import errno
import time
from pathlib import Path
from typing import Any

import av
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from minion_tui.downloads.engine import DownloadOptions, download_stream, final_path
from minion_tui.downloads.mp4_moov import top_level_atoms
from minion_tui.models import DownloadEvent, StreamChoice, Track
from minion_tui.service import Service
from tests.integration.full_disk import FullDisk


class Stop(Exception):
    """Raised by a listener to interrupt a download mid-way (a crash stand-in)."""


async def _download(url: str, folder: Path, *, prefer: str | None = None,
                    listener: Any = None, segments: int = 4,
                    opener: Any = None) -> tuple[Path, Track, StreamChoice]:
    service = Service.open()
    try:
        track = await service.catalog.resolve(url)
        assert isinstance(track, Track)
        choice = await service.catalog.stream(track, require_full=True, prefer=prefer)
        options = DownloadOptions(folder, segments=segments, listener=listener)
        if opener is not None:
            options = DownloadOptions(folder, segments=segments, listener=listener,
                                      opener=opener)
        target = final_path(track, choice, options)
        path = await download_stream(service.downloads._source, track, choice, target, options)
        return path, track, choice
    finally:
        await service.aclose()


def _duration(path: Path) -> float:
    """Decode every frame with PyAV; the decoded duration in seconds."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = 0
        rate = stream.codec_context.sample_rate
        for frame in container.decode(stream):
            samples += frame.samples
    return samples / rate


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part")
                  or p.name.endswith(".parts") or p.name.endswith(".tmp"))


def test_hls_aac_to_tagged_m4a(sc_env: Any, tmp_path: Path) -> None:
    path, track, choice = asyncio.run(_download(sc_env.examples["track_full"], tmp_path))
    assert choice.protocol == "hls" and choice.codec == "aac"
    assert path.suffix == ".m4a" and path.parent == tmp_path
    tags = MP4(path).tags
    assert tags is not None
    assert tags["\xa9nam"] == [track.title]
    assert tags["\xa9ART"] == [track.artist]
    assert tags["covr"] and len(bytes(tags["covr"][0])) > 100
    assert abs(_duration(path) - track.duration_ms / 1000) < 0.1
    assert _leftovers(tmp_path) == []
    # Written once: the moov in the room reserved at the front, the tags (cover included)
    # in the rest of it, what is left a free atom before the audio.
    with path.open("rb") as file:
        names = [name for name, _, _ in top_level_atoms(file)]
    assert names[:3] == [b"ftyp", b"moov", b"free"] and names[-1] == b"mdat"


def test_progressive_mp3_to_tagged_mp3(sc_env: Any, tmp_path: Path) -> None:
    path, track, _ = asyncio.run(
        _download(sc_env.examples["track_full"], tmp_path, prefer="mp3"))
    assert path.suffix == ".mp3"
    id3 = ID3(path)
    assert id3.version[:2] == (2, 4)
    assert str(id3["TIT2"]) == track.title
    assert str(id3["TPE1"]) == track.artist
    assert id3.getall("APIC")[0].mime in ("image/jpeg", "image/png")
    assert id3.getall("WOAS")[0].url == track.url
    assert abs(_duration(path) - track.duration_ms / 1000) < 0.1
    assert _leftovers(tmp_path) == []


def test_interrupted_hls_resumes_byte_identical(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    whole, _, _ = asyncio.run(_download(url, tmp_path / "whole"))

    seen: list[DownloadEvent] = []

    def crash_after_three(event: DownloadEvent) -> None:
        seen.append(event)
        if event.kind == "segment" and event.segments_done >= 3:
            raise Stop()

    with pytest.raises(Stop):
        asyncio.run(_download(url, tmp_path / "resumed", listener=crash_after_three,
                              segments=1))
    folder = tmp_path / "resumed"
    assert not (folder / whole.name).exists()  # no partial file under the final name
    journal = next(folder.glob(".*.parts"))
    kept = sorted(journal.glob("*.seg"))
    assert len(kept) == 3
    # Segments are not fsynced one by one: after a power loss one may read back empty. An
    # empty journal file counts as missing.
    kept[-1].write_bytes(b"")

    second: list[DownloadEvent] = []
    resumed, _, _ = asyncio.run(_download(url, folder, listener=second.append))
    fetched = [e for e in second if e.kind == "segment"]
    total = fetched[-1].segments_total
    assert len(fetched) == total - 2  # only the missing (and the empty) segments
    assert resumed.read_bytes() == whole.read_bytes()


@pytest.mark.parametrize("profile", ["drop:n=1,5xx-burst:n=3,rate-limit:n=5:window=60"])
def test_fault_profile_still_byte_identical(sc_env: Any, tmp_path: Path, profile: str) -> None:
    url = sc_env.examples["track_full"]
    clean, _, _ = asyncio.run(_download(url, tmp_path / "clean"))
    sc_env.state.set_faults(profile)
    faulty, _, _ = asyncio.run(_download(url, tmp_path / "faulty"))
    sc_env.state.set_faults("")
    assert faulty.read_bytes() == clean.read_bytes()


def test_url_expiry_half_way_re_signs(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    clean, _, _ = asyncio.run(_download(url, tmp_path / "clean"))
    # Long enough that a fresh signature outlives one playlist fetch on a loaded machine,
    # short enough to expire during the pause below.
    sc_env.state.media_ttl = 3.0
    sc_env.state.reset_counters()
    slow: list[DownloadEvent] = []

    def pause(event: DownloadEvent) -> None:
        slow.append(event)
        if event.kind == "segment" and event.segments_done == 2:
            time.sleep(3.5)  # let the signed URLs expire half-way

    expired, _, _ = asyncio.run(_download(url, tmp_path / "expired", listener=pause,
                                          segments=1))
    sc_env.state.media_ttl = None
    signs = [path for path in sc_env.state.api_calls if path.endswith("/stream/hls")]
    assert len(signs) >= 2  # the first signature plus at least one re-sign after the 403
    assert expired.read_bytes() == clean.read_bytes()


def test_disk_full_fails_keeps_partial_and_resumes(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    clean, _, _ = asyncio.run(_download(url, tmp_path / "clean"))
    folder = tmp_path / "full"
    with pytest.raises(OSError) as failure:
        asyncio.run(_download(url, folder, segments=1, opener=FullDisk(600_000)))
    assert failure.value.errno == errno.ENOSPC
    assert not (folder / clean.name).exists()  # nothing under the final name
    journal = next(folder.glob(".*.parts"))
    assert list(journal.glob("*.seg"))  # partial data kept for resume
    resumed, _, _ = asyncio.run(_download(url, folder))
    assert resumed.read_bytes() == clean.read_bytes()
