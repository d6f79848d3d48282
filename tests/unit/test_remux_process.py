"""The remux child process: fed segment by segment, it writes the M4A; given bytes that are
not AAC it fails with the demuxer's reason and leaves no output; stopped early, it exits."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from minion_tui.downloads.mp4_moov import top_level_atoms
from minion_tui.downloads.remux_process import RemuxProcess
from minion_tui.errors import DownloadError, InvalidMedia


def _fmp4_segments(folder: Path, seconds: float = 3.0) -> list[Path]:
    """A short AAC tone as fragmented MP4, cut into an init segment and fragments."""
    whole = folder / "whole.mp4"
    with av.open(str(whole), "w", format="mp4",
                 options={"movflags": "frag_keyframe+empty_moov+default_base_moof",
                          "frag_duration": "500000"}) as out:
        stream = out.add_stream("aac", rate=44100)
        stream.layout = "stereo"  # type: ignore[attr-defined]
        samples = int(seconds * 44100)
        tone = (np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100) * 0.3).astype("float32")
        frame = av.AudioFrame.from_ndarray(np.vstack([tone, tone]), format="fltp",
                                           layout="stereo")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    data = whole.read_bytes()
    cuts = [i for i in range(len(data) - 4) if data[i + 4:i + 8] == b"moof"]
    bounds = [0, *cuts, len(data)]
    paths = []
    for n, (a, b) in enumerate(itertools.pairwise(bounds)):
        path = folder / f"{n:05d}.seg"
        path.write_bytes(data[a:b])
        paths.append(path)
    return paths


async def test_segments_fed_in_any_order_become_one_m4a(tmp_path: Path) -> None:
    paths = _fmp4_segments(tmp_path)
    assert len(paths) > 3
    target = tmp_path / "out.m4a.part"
    remuxer = RemuxProcess(paths, target)
    await remuxer.start()
    for path in reversed(paths):  # the reader waits for each next one in order
        remuxer.ready(path)
    await remuxer.finish()
    with av.open(str(target)) as done:
        assert done.streams.audio[0].codec_context.name == "aac"
        assert abs(float(done.duration or 0) / 1e6 - 3.0) < 0.1


async def test_bytes_that_are_not_audio_fail_with_the_reason(tmp_path: Path) -> None:
    junk = tmp_path / "00000.seg"
    junk.write_bytes(b"<html>403 Forbidden</html>" * 10)
    target = tmp_path / "out.m4a.part"
    remuxer = RemuxProcess([junk], target)
    await remuxer.start()
    remuxer.ready(junk)
    with pytest.raises(InvalidMedia, match=r"The segments of out\.m4a are not audio: ") as caught:
        await remuxer.finish()
    assert isinstance(caught.value, DownloadError) and caught.value.type == "invalid_media"
    assert caught.value.hint and "not audio" not in caught.value.hint
    assert not target.exists()


async def test_a_stopped_download_ends_the_child(tmp_path: Path) -> None:
    paths = _fmp4_segments(tmp_path)
    remuxer = RemuxProcess(paths, tmp_path / "out.m4a.part")
    await remuxer.start()
    remuxer.ready(paths[0])
    await asyncio.wait_for(remuxer.stop(), timeout=10)
    assert remuxer._proc is not None and remuxer._proc.returncode is not None


async def _waiting_for_room(tmp_path: Path
                            ) -> tuple[list[Path], Path, asyncio.Future[int], RemuxProcess]:
    """A started remux of 3 s of fMP4 whose tags' size (``room``) is not known yet."""
    paths = _fmp4_segments(tmp_path)
    target = tmp_path / "out.m4a.part"
    room: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    remuxer = RemuxProcess(paths, target, seconds=3.0, room=room)
    await remuxer.start()
    return paths, target, room, remuxer


async def test_stopped_before_the_tags_size_is_known_no_child_starts(tmp_path: Path) -> None:
    _, target, _, remuxer = await _waiting_for_room(tmp_path)
    await asyncio.sleep(0.05)
    assert remuxer._proc is None  # waiting for the artwork's size
    await asyncio.wait_for(remuxer.stop(), timeout=10)
    assert remuxer._proc is None and not target.exists()


async def test_the_moov_is_written_first_into_reserved_space(tmp_path: Path) -> None:
    # With the playlist's duration the child reserves the moov's space (and the tags') at
    # the front: the moov comes before the audio without a faststart pass, free space after
    # it for the tags.
    paths, target, room, remuxer = await _waiting_for_room(tmp_path)
    room.set_result(5000)
    for path in paths:
        remuxer.ready(path)
    await remuxer.finish()
    with target.open("rb") as file:
        atoms = top_level_atoms(file)
    names = [name for name, _, _ in atoms]
    assert names[:3] == [b"ftyp", b"moov", b"free"] and names[-1] == b"mdat"
    assert sum(size for name, _, size in atoms if name == b"free") >= 5000
    with av.open(str(target)) as done:
        assert abs(float(done.duration or 0) / 1e6 - 3.0) < 0.1
