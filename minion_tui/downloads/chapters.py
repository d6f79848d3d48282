"""A show's tracklist as chapters of the downloaded file and as a cue sheet beside it.

A Mixcloud show's sections (``Section``: a track with artist and title, or a chapter with a
name) become MP4 chapters (Nero ``chpl`` in ``moov/udta``, which mutagen, ffmpeg and most
players read; mp4_moov.py puts it there), ID3 ``CHAP`` + ``CTOC`` frames for an MP3 (tags.py)
and ``NAME.cue`` (docs/downloads.md §8). A section without a start time cannot be placed: it
is left out of the chapters and of the cue sheet (the tracklist still lists it).
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from minion_tui.errors import MinionError
from minion_tui.models import Section, Track

log = logging.getLogger(__name__)

#: chpl stores its count in one byte and each title's length in one byte.
MAX_CHAPTERS = 255
MAX_TITLE_BYTES = 255


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    title: str
    artist: str = ""

    @property
    def label(self) -> str:
        """"Artist - Title" for a track, the chapter's name alone otherwise."""
        return f"{self.artist} - {self.title}" if self.artist and self.title else (
            self.title or self.artist)


def chapters_of(sections: Iterable[Section], duration_ms: int = 0) -> tuple[Chapter, ...]:
    """The sections that have a start time (inside the show when its length is known), in
    order of time; of two at the same time the first listed is kept."""
    kept: dict[int, Chapter] = {}
    for section in sections:
        start = section.start_ms
        if start is None or start < 0 or (duration_ms and start >= duration_ms):
            continue
        artist = section.artist if section.kind == "track" else ""
        kept.setdefault(start, Chapter(start, section.title, artist))
    return tuple(kept[start] for start in sorted(kept))[:MAX_CHAPTERS]


def chpl_atom(chapters: Iterable[Chapter]) -> bytes:
    """A Nero chapter list: version 1, flags, 4 reserved bytes, a count byte, then per
    chapter its start in 100 ns units (8 bytes) and a length-prefixed UTF-8 title."""
    body = bytearray()
    count = 0
    for chapter in list(chapters)[:MAX_CHAPTERS]:
        title = _clipped(chapter.label)
        body += struct.pack(">QB", chapter.start_ms * 10_000, len(title)) + title
        count += 1
    payload = struct.pack(">B3sIB", 1, b"\0\0\0", 0, count) + bytes(body)
    return struct.pack(">I4s", 8 + len(payload), b"chpl") + payload


def _clipped(text: str) -> bytes:
    raw = text.encode("utf-8")
    if len(raw) <= MAX_TITLE_BYTES:
        return raw
    return raw[:MAX_TITLE_BYTES].decode("utf-8", "ignore").encode("utf-8")


def cue_time(ms: int) -> str:
    """MM:SS:FF with 75 frames a second (minutes may pass 99: a 3-hour show)."""
    frames = ms * 75 // 1000
    return f"{frames // 4500:02d}:{frames // 75 % 60:02d}:{frames % 75:02d}"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ") + '"'


def cue_sheet(audio_name: str, *, title: str, performer: str,
              chapters: Iterable[Chapter]) -> str:
    """The cue sheet of ``audio_name`` (the file beside it), one TRACK per chapter."""
    kind = "MP3" if audio_name.lower().endswith(".mp3") else "WAVE"
    lines = [f"PERFORMER {_quoted(performer)}", f"TITLE {_quoted(title)}",
             f"FILE {_quoted(audio_name)} {kind}"]
    for number, chapter in enumerate(chapters, start=1):
        lines += [f"  TRACK {number:02d} AUDIO", f"    TITLE {_quoted(chapter.title)}"]
        lines.append(f"    PERFORMER {_quoted(chapter.artist or performer)}")
        lines.append(f"    INDEX 01 {cue_time(chapter.start_ms)}")
    return "\n".join(lines) + "\n"


def cue_path(target: Path) -> Path:
    return target.with_suffix(".cue")


def write_cue(target: Path, *, title: str, performer: str,
              chapters: tuple[Chapter, ...]) -> Path | None:
    """``NAME.cue`` beside ``target`` (atomically: a temporary name, then a rename), or
    nothing when no section has a start time."""
    if not chapters:
        return None
    path = cue_path(target)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(cue_sheet(target.name, title=title, performer=performer,
                             chapters=chapters), encoding="utf-8")
    os.replace(tmp, path)
    return path


class SectionSource(Protocol):
    """A source that knows tracklists too (service/downloads.py): a show's sections become
    the file's chapters and its cue sheet (chapters.py)."""

    async def sections(self, track: Track) -> list[Section]: ...


async def fetch_chapters(source: object, track: Track
                         ) -> tuple[Chapter, ...]:
    """The track's sections with a start time as chapters; none when its source keeps no
    tracklists or the request fails (the audio matters more than its chapters)."""
    sections = getattr(source, "sections", None)
    if sections is None:
        return ()
    try:
        return chapters_of(await sections(track), track.duration_ms)
    except MinionError as error:
        log.warning("no chapters for %s: %s", track.urn, error)
        return ()
