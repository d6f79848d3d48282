"""One download per target file at a time, across processes: an OS lock on ``.<name>.lock``.

Two processes (the TUI and a CLI batch, two scripts) downloading the same file into one folder
would share its journal and its ``.part`` and corrupt both. The engine holds
``fcntl.flock`` on a lock file beside the target for the whole download; a second process
finds it held and fails at once with :class:`DownloadBusy` saying what to do, touching
nothing. The lock goes with the process, however it ends (a kill included), so a crash never
leaves a stale lock behind.

The lock file is removed by its holder on release. A process that opened it just before the
removal would hold a lock on a file no longer in the folder, so after locking it checks that
the path still names the file it locked, and tries again when not.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from minion_tui.errors import DownloadBusy


def lock_path(target: Path) -> Path:
    # Shorter than the partial names naming.PARTIAL_ROOM leaves room for.
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def target_lock(target: Path) -> Iterator[None]:
    """Hold the lock of ``target`` (DownloadBusy when another process holds it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DownloadBusy(
                f"Another download is writing {target} right now (it holds {path.name}).",
                hint="Let it finish, then run this download again: it skips the file when it "
                     "is complete, or resumes it.") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # removed by its last holder after we opened it: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)
