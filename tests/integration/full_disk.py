"""A simulated full disk for the download tests: the engine opens every file through
``DownloadOptions.opener``, so a write error can be injected without a real full filesystem."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO


class FullDisk:
    """An opener whose files raise ENOSPC once ``budget`` bytes were written in total."""

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def __call__(self, path: Path, mode: str) -> BinaryIO:
        disk = self
        raw = open(path, mode)  # wrapped; Limited.__exit__ closes it

        class Limited:
            def __enter__(self) -> Limited:
                return self

            def __exit__(self, *exc: object) -> None:
                raw.close()

            def write(self, data: bytes) -> int:
                if len(data) > disk.budget:
                    raise OSError(errno.ENOSPC, "No space left on device", str(path))
                disk.budget -= len(data)
                return raw.write(data)

            def flush(self) -> None:
                raw.flush()

            def fileno(self) -> int:
                return raw.fileno()

        return Limited()  # type: ignore[return-value]
