"""Which process holds a SQLite database's write lock, so "database is locked" can say
"locked by process 1234 (minion-tui download …)" (docs/downloads.md §5.4).

SQLite locks with POSIX advisory locks (fcntl), which Linux lists in ``/proc/locks`` as
``1: POSIX ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>``. In WAL mode a writer
holds the write lock on byte 120 of the ``-shm`` file (and a checkpoint or recovery the bytes
after it); in rollback-journal mode it holds a WRITE lock on the database file itself. The
inode of either file is matched against that list. Elsewhere (no /proc/locks), or for a lock
taken by a process in another PID namespace, the holder is unknown and None is returned.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

#: The WAL index's write, checkpoint and recovery lock bytes (SQLite's WALINDEX_LOCK_OFFSET
#: is 120; the three locks that exclude a writer follow it).
_WAL_WRITER_BYTES = (120, 122)
_LOCKS = Path("/proc/locks")
_SHOWN = 60


def holder(path: Path) -> tuple[int, str] | None:
    """(pid, what it runs) of the process holding the write lock of the database at
    ``path``, or None when that cannot be told."""
    targets: dict[tuple[int, int, int], tuple[float, float]] = {}
    for candidate, window in ((path, (0.0, math.inf)),
                              (Path(f"{path}-shm"), _WAL_WRITER_BYTES)):
        try:
            info = os.stat(candidate)
        except OSError:
            continue
        key = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
        targets[key] = (float(window[0]), float(window[1]))
    try:
        listing = _LOCKS.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in listing.splitlines():
        found = _writer(line, targets)
        if found is not None and found != os.getpid():
            return found, describe(found)
    return None


def _writer(line: str, targets: dict[tuple[int, int, int], tuple[float, float]]) -> int | None:
    fields = line.split()
    if len(fields) < 8 or fields[1] == "->":  # "->": a process waiting for the lock
        return None
    mode, pid, where, start, end = fields[3], fields[4], fields[5], fields[6], fields[7]
    try:
        major, minor, inode = where.split(":")
        key = (int(major, 16), int(minor, 16), int(inode))
        first, last = float(start), math.inf if end == "EOF" else float(end)
        owner = int(pid)
    except ValueError:
        return None
    window = targets.get(key)
    if mode != "WRITE" or window is None or owner <= 0:  # OFD locks have no owner (-1)
        return None
    return owner if first <= window[1] and last >= window[0] else None


def describe(pid: int) -> str:
    """What process ``pid`` runs, shortened: "minion-tui search deep", "python -c …"."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown program"
    argv = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if not argv:
        return "unknown program"
    words = [Path(argv[0]).name, *argv[1:]]
    if words[0].startswith("python") and len(argv) > 1 and not argv[1].startswith("-"):
        words = [Path(argv[1]).name, *argv[2:]]  # a script: name it, not its interpreter
    shown: list[str] = []
    for word in words:
        first = word.strip().splitlines()[0] if word.strip() else ""
        if first != word or len(" ".join([*shown, word])) > _SHOWN:
            shown.append("…")
            break
        shown.append(word)
    return " ".join(shown)
