"""The MP3/Opus join thread: segments that arrive in any order are appended in playlist order
while the rest are still missing (the join overlaps the download), each leading ID3 tag
stripped; stopped early, the thread ends and says why."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest

from minion_tui.downloads.remux import JoinThread


def _id3(payload: bytes) -> bytes:
    size = len(payload)
    syncsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + syncsafe + payload


class Segments:
    """Journal segments that do not exist until they "arrive" (a segment already on disk
    counts as ready from the start: that is how a resume skips them)."""

    def __init__(self, folder: Path, count: int) -> None:
        self.paths = [folder / f"{n:05d}.seg" for n in range(count)]
        # MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each), random inside
        self.audio = [b"".join(b"\xff\xfb\x90\x64" + os.urandom(413) for _ in range(7))
                      + os.urandom(n) for n in range(count)]

    def arrive(self, joiner: JoinThread, n: int) -> None:
        self.paths[n].write_bytes(_id3(b"PRIV" + bytes([n]) * 20) + self.audio[n])
        joiner.ready(self.paths[n])


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_appends_in_order_while_later_segments_are_missing(tmp_path: Path) -> None:
    seg = Segments(tmp_path, 4)
    target = tmp_path / "out.mp3.part"
    joiner = JoinThread(seg.paths, target, mp3=True)
    await joiner.start()
    seg.arrive(joiner, 1)  # out of order: nothing can be appended before segment 0
    await asyncio.sleep(0.05)
    assert not target.exists() or target.stat().st_size == 0
    seg.arrive(joiner, 0)
    # Segments 0 and 1 land on disk while 2 and 3 have not even arrived.
    await _until(lambda: target.stat().st_size == len(seg.audio[0]) + len(seg.audio[1]),
                 "the first two segments appended")
    seg.arrive(joiner, 3)
    seg.arrive(joiner, 2)
    await joiner.finish()
    assert target.read_bytes() == b"".join(seg.audio)  # in playlist order, every ID3 stripped


async def test_opus_segments_are_joined_as_they_are(tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"{n:05d}.seg"
        path.write_bytes(b"OggS" + bytes([n]) * 100)
        paths.append(path)
    target = tmp_path / "out.opus.part"
    joiner = JoinThread(paths, target, mp3=False)
    await joiner.start()
    for path in reversed(paths):
        joiner.ready(path)
    await joiner.finish()
    assert target.read_bytes() == b"".join(p.read_bytes() for p in paths)


async def test_stop_ends_the_thread_and_finish_reports_why(tmp_path: Path) -> None:
    seg = Segments(tmp_path, 3)
    target = tmp_path / "out.mp3.part"
    joiner = JoinThread(seg.paths, target, mp3=True)
    await joiner.start()
    seg.arrive(joiner, 0)
    await _until(lambda: target.exists() and target.stat().st_size == len(seg.audio[0]),
                 "the first segment appended")
    await joiner.stop()  # returns only once the thread has ended
    with pytest.raises(OSError, match="stopped before every segment arrived"):
        await joiner.finish()
    assert target.read_bytes() == seg.audio[0]  # what was appended stays; the engine owns .part


async def test_the_head_is_written_first_once_it_is_known(tmp_path: Path) -> None:
    # An MP3's ID3 tag waits for the artwork: segments that arrive meanwhile wait in the
    # journal, and the tag still comes first.
    seg = Segments(tmp_path, 3)
    target = tmp_path / "out.mp3.part"
    head: Future[bytes] = Future()
    joiner = JoinThread(seg.paths, target, mp3=True, head=head)
    await joiner.start()
    for n in range(3):
        seg.arrive(joiner, n)
    await asyncio.sleep(0.05)
    assert not target.exists() or target.stat().st_size == 0  # nothing before the head
    head.set_result(b"ID3-the-tag")
    await joiner.finish()
    assert target.read_bytes() == b"ID3-the-tag" + b"".join(seg.audio)


async def test_stop_wakes_a_join_still_waiting_for_its_head(tmp_path: Path) -> None:
    seg = Segments(tmp_path, 2)
    head: Future[bytes] = Future()
    joiner = JoinThread(seg.paths, tmp_path / "out.mp3.part", mp3=True, head=head)
    await joiner.start()
    seg.arrive(joiner, 0)
    await joiner.stop()  # returns only once the thread has ended
    with pytest.raises(OSError, match="stopped before its tag was known"):
        await joiner.finish()
