"""A finished download's file made durable under its final name: the ``.part`` fsynced,
renamed over the target, then the folder fsynced, since the rename is durable only once the
directory entry is (POSIX; a no-op where the folder cannot be opened). Used by the engine's
HLS/progressive publish, the original file's (original.py) and --convert's (convert.py)."""

from __future__ import annotations

import os
from pathlib import Path


def rename_durably(part: Path, target: Path) -> None:
    """fsync ``part``, rename it to ``target``, fsync ``target``'s folder."""
    with open(part, "rb+") as done:
        os.fsync(done.fileno())
    os.replace(part, target)
    try:
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
