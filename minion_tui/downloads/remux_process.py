"""The AAC remux in a child process, fed segment by segment while the download runs.

Why a process and not a thread: PyAV's packet loop is Python code (a 60-minute mix is ~155,000
AAC frames), so a remux thread holds the GIL for most of its 0.4 s and the event loop that
drives the segment requests waits for it. Measured with bench/download.py (359 segments,
8 at a time, 50 ms per request): fetch alone 2.47 s, fetch beside a remux thread 2.64-2.74 s;
in a child process the remux no longer slows the fetch. The child starts (and imports PyAV)
while the first segments download, as soon as the tags' size is known (the artwork is fetched
beside the first segments): it reserves room for them at the front of the file.

``python -m minion_tui.downloads.remux_process TARGET SECONDS ROOM`` (remux.remux_to_m4a's
arguments; SECONDS 0 means faststart). Protocol on the child's stdin, one path per line: every
segment file in playlist order, a blank line, then each file's path again as it is complete on
disk (in any order). End of input before every file arrived means the parent stopped; the child
exits non-zero with the reason on stderr and leaves no output (the parent owns
``<name>.part``); status NOT_AUDIO says the segments were not audio (InvalidMedia).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from minion_tui.errors import DownloadError, InvalidMedia

#: The child's exit status when the segments are not audio (remux.py's InvalidMedia): the
#: parent raises the same error, with the child's message, instead of a remux failure.
NOT_AUDIO = 3


class RemuxProcess:
    """The child, told which segments are ready. Use :meth:`start`, :meth:`ready` per
    segment, then :meth:`finish` (or :meth:`stop` when the download fails, pauses or is
    cancelled)."""

    def __init__(self, paths: Sequence[Path], target: Path, *, seconds: float = 0.0,
                 room: asyncio.Future[int] | None = None) -> None:
        """``seconds``: the playlist's duration, to reserve the moov's space at the front
        (remux.remux_to_m4a) with ``room`` bytes for the tags, known once the artwork is in:
        the child starts then (segments that land meanwhile wait in the journal)."""
        self.paths = list(paths)
        self.target = target
        self.seconds = seconds
        self.room = room
        self._proc: asyncio.subprocess.Process | None = None
        self._spawn: asyncio.Future[None] | None = None

    async def start(self) -> None:
        self._spawn = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        room = await self.room if self.room is not None else 0
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, str(self.target), f"{self.seconds:.3f}", str(room),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        assert self._proc.stdin is not None
        # Segments already in the journal (a resumed download, or ones that landed before
        # the child started) count as ready in the child's SegmentFeed, which looks at the
        # journal itself after reading this listing.
        listing = "".join(f"{path}\n" for path in self.paths) + "\n"
        self._proc.stdin.write(listing.encode())

    def ready(self, path: Path) -> None:
        """A segment file is complete (renamed into place)."""
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.write(f"{path}\n".encode())

    async def finish(self) -> None:
        """Every segment is ready: wait for the child to write the file."""
        assert self._spawn is not None
        await self._spawn
        assert self._proc is not None and self._proc.stdin is not None
        await self._proc.stdin.drain()
        self._proc.stdin.close()
        _, said = await self._proc.communicate()
        if self._proc.returncode != 0:
            reason = said.decode(errors="replace").strip().splitlines()
            if self._proc.returncode == NOT_AUDIO and reason:
                message, _, hint = reason[-1].partition("\t")
                raise InvalidMedia(message, hint=hint or None)
            raise DownloadError(
                f"Remuxing the AAC stream failed: {reason[-1] if reason else 'no reason given'}",
                hint="Run the same download again: the segments are kept and only the "
                     "remux is repeated.")

    async def stop(self) -> None:
        """The download stopped: end the child and wait for it."""
        if self._spawn is not None and not self._spawn.done():
            if self.room is not None and not self.room.done():
                self._spawn.cancel()  # still waiting for the tags' size: no child yet
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._spawn  # (or starting: it is ended below)
        if self._proc is None or self._proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        await self._proc.wait()


def _child(target: Path, seconds: float, room: int) -> int:
    from minion_tui.downloads.remux import SegmentFeed, remux_to_m4a

    paths = []
    for line in sys.stdin:
        if not line.strip():
            break
        paths.append(Path(line.rstrip("\n")))
    feed = SegmentFeed(paths)

    def listen() -> None:
        for line in sys.stdin:
            feed.ready(Path(line.rstrip("\n")))
        feed.abort("the download stopped before every segment arrived")

    threading.Thread(target=listen, daemon=True).start()
    try:
        remux_to_m4a(feed, target, seconds=seconds, room=room)
    except InvalidMedia as error:
        return child_failed(target, f"{error.message}\t{error.hint or ''}", NOT_AUDIO)
    except Exception as error:  # reported to the parent through stderr and the exit code
        return child_failed(target, f"{type(error).__name__}: {error}", 1)
    return 0


def child_failed(output: Path, reason: str, status: int) -> int:
    """A child's end on a failure (this one's and convert.py's): its output removed, the
    reason on stderr for the parent, the exit status to leave with."""
    output.unlink(missing_ok=True)
    print(reason, file=sys.stderr)
    return status


if __name__ == "__main__":
    code = _child(Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]))
    sys.stderr.flush()
    # The output is closed and fsynced (or removed) by now. Skipping the interpreter's
    # teardown of PyAV and the rest saves ~30 ms that the parent would spend waiting for
    # this process to exit, at the very end of every AAC download.
    os._exit(code)
