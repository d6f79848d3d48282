"""The range journal of a progressive download (ranges.py): which byte ranges of the
``.part`` are on disk, of which file, and where the file's bytes sit in the ``.part``.

Saved only after the bytes it describes are on disk (fdatasync), atomically (a temporary
name, then a rename): a kill leaves a journal that claims nothing that is missing.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL = "ranges.json"


@dataclass
class RangeJournal:
    """Which byte ranges of the ``.part`` are on disk (half-open, sorted, merged), of which
    total and validator. ``tagging``: the audio was complete and tagging began, so the
    ``.part`` no longer holds the server's bytes alone (a resume starts over)."""

    path: Path
    total: int | None = None
    validator: str | None = None
    done: list[tuple[int, int]] = field(default_factory=list)
    tagging: bool = False
    # The layout (ranges.py): the server's bytes from ``moov_end`` on sit ``room`` bytes
    # further into the .part, leaving a ``free`` atom for the tags. None: not yet known.
    moov_end: int | None = None
    room: int = 0

    @classmethod
    def load(cls, path: Path) -> RangeJournal:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict):
            return cls(path)
        total = data.get("total")
        done = [(int(a), int(b)) for a, b in data.get("done") or [] if 0 <= int(a) < int(b)]
        moov = data.get("moov_end")
        room = data.get("room")
        return cls(path, total if isinstance(total, int) else None,
                   str(data["validator"]) if data.get("validator") else None,
                   _merged(done), bool(data.get("tagging")),
                   moov if isinstance(moov, int) else None,
                   room if isinstance(room, int) and room >= 0 else 0)

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"total": self.total, "validator": self.validator,
                                   "done": self.done, "tagging": self.tagging,
                                   "moov_end": self.moov_end, "room": self.room}),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def add(self, start: int, end: int) -> None:
        if end > start:
            self.done = _merged([*self.done, (start, end)])

    def covered(self) -> int:
        return sum(b - a for a, b in self.done)

    def complete(self) -> bool:
        return self.total == 0 or (self.total is not None and self.done == [(0, self.total)])

    def missing(self, end: int) -> list[tuple[int, int]]:
        """The gaps of ``[0, end)`` not on disk."""
        gaps, at = [], 0
        for a, b in self.done:
            if a > at:
                gaps.append((at, min(a, end)))
            at = max(at, b)
        if at < end:
            gaps.append((at, end))
        return [(a, b) for a, b in gaps if b > a]


def mark_tagging(work: Path) -> None:
    """Record that the ``.part`` is complete and is about to be tagged (see RangeJournal)."""
    journal = RangeJournal.load(work / JOURNAL)
    if journal.total is not None:
        journal.tagging = True
        journal.save()


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def moov_end(head: bytes) -> int | None:
    """Where the moov of the MP4 starting with ``head`` ends; 0 when it is not an MP4 whose
    moov comes before its audio (nothing to make room for), None when ``head`` is too short
    to tell."""
    at = 0
    while at + 8 <= len(head):
        size, name = struct.unpack_from(">I4s", head, at)
        if size < 8 or name in (b"moof", b"mdat") or not name.isalnum():
            return 0
        if name == b"moov":
            return at + int(size)
        at += size
    return None if len(head) < 1024 * 1024 else 0
