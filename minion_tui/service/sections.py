"""The tracklist an upload sends (Mixcloud's ``sections-X-…`` fields, docs/mixcloud.md §3
"Upload"): typed as lines, one section each, checked before anything is read or sent.

A line is ``MM:SS Artist - Song`` (or ``H:MM:SS …``): the time the section starts, then the
track, its artist and title split at the first " - ". A line without " - " is a chapter
(``12:00 Second hour``). Mixcloud takes ``start_time`` as an integer number of seconds, so
times are whole seconds; they must increase from one section to the next (a tracklist is in
playing order). The notes give no other limit: the count and the lengths below are the app's
own bounds, so a pasted file cannot make a request without end.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence

from minion_tui.errors import InvalidArgument
from minion_tui.models import Section

#: The app's bounds (the notes give none): sections per upload, characters per field.
MAX_SECTIONS = 500
MAX_SECTION_TEXT = 200
#: The largest tracklist file read.
MAX_TRACKLIST_BYTES = 1024 * 1024
_LINE = re.compile(r"\s*(?:(\d{1,3}):)?(\d{1,2}):([0-5]\d)(?:\s+(.*?))?\s*")


def _time(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else \
        f"{rest // 60}:{rest % 60:02d}"


def _field(text: str, what: str, n: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidArgument(f"Section {n} has no {what}.",
                              hint="Write it as MM:SS Artist - Song, or MM:SS Chapter name.")
    if len(text) > MAX_SECTION_TEXT:
        raise InvalidArgument(f"Section {n}'s {what} is too long ({len(text)} characters; at "
                              f"most {MAX_SECTION_TEXT}).")
    if any(not c.isprintable() for c in text):
        raise InvalidArgument(f"Section {n}'s {what} has control characters in it.")
    return text


def parse_section(line: str, n: int = 1) -> Section:
    """One line → a Section (``start_ms`` whole seconds); InvalidArgument saying what is
    wrong with it (``n``: its number, for the message)."""
    text = line if isinstance(line, str) else ""
    shown = text.strip()[:60]
    match = _LINE.fullmatch(text) if len(text) <= 4 * MAX_SECTION_TEXT else None
    if match is None:
        raise InvalidArgument(f"Section {n} ({shown!r}) does not start with its time.",
                              hint="Write it as MM:SS Artist - Song (H:MM:SS past an hour), "
                              "or MM:SS Chapter name.")
    hours, minutes, seconds, rest = match.groups()
    if hours is not None and int(minutes) > 59:
        raise InvalidArgument(f"Section {n} ({shown!r}): minutes past 59 in H:MM:SS.")
    start = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
    body = rest or ""
    # padded, so a side left empty ("- Song", "Artist -") is still a split, and refused
    artist, dash, song = f" {body} ".partition(" - ")
    if not dash:
        return Section("chapter", start * 1000, "", _field(body, "name", n))
    return Section("track", start * 1000, _field(artist, "artist", n), _field(song, "song", n))


def parse_sections(lines: Sequence[str]) -> tuple[Section, ...]:
    """Lines (``--section`` values, a tracklist file's lines; blank ones skipped) → the
    sections, checked: each one's form, at most MAX_SECTIONS, start times increasing."""
    found: list[Section] = []
    for line in lines:
        if not (line if isinstance(line, str) else "").strip():
            continue
        if len(found) >= MAX_SECTIONS:
            raise InvalidArgument(f"At most {MAX_SECTIONS} sections in one tracklist.")
        section = parse_section(line, len(found) + 1)
        if found and (section.start_ms or 0) <= (found[-1].start_ms or 0):
            before = (found[-1].start_ms or 0) // 1000
            raise InvalidArgument(
                f"Section {len(found) + 1} starts at {_time((section.start_ms or 0) // 1000)}, "
                f"not after section {len(found)} ({_time(before)}).",
                hint="Start times must increase: list the sections in playing order.")
        found.append(section)
    return tuple(found)


def regular_file(value: str | None, name: str, limit: int) -> tuple[str, str]:
    """A file named on the command line, checked on disk before it is read: (its path, the
    name as shown in messages). Blank, not a path, missing, a folder, not a regular file or
    larger than ``limit`` bytes is InvalidArgument saying which (the tracklist here, and the
    audio and picture of an upload, service/writes.py)."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument(f"{name} is empty.", hint=f"Give {name} as a file's path.")
    if len(text) > 4096 or any(not c.isprintable() for c in text):
        raise InvalidArgument(f"{name} is not a file's path (too long, or control "
                              "characters).")
    path, shown = os.path.expanduser(text), text[:200]
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InvalidArgument(f"{name} {shown}: no such file.") from None
    except OSError as problem:
        raise InvalidArgument(f"{name} {shown}: {problem.strerror or problem}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidArgument(f"{name} {shown} is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidArgument(f"{name} {shown} is not a regular file.")
    if info.st_size > limit:
        raise InvalidArgument(f"{name} {shown} is too big ({info.st_size} bytes; at most "
                              f"{limit}).")
    return path, shown


def read_tracklist(value: str | None, name: str = "--tracklist") -> list[str]:
    """The lines of a tracklist file (UTF-8 text, at most 1 MiB), checked on disk: missing,
    a folder, not a regular file, unreadable, empty or not text is InvalidArgument."""
    path, shown = regular_file(value, name, MAX_TRACKLIST_BYTES)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_TRACKLIST_BYTES + 1)
    except OSError as problem:
        raise InvalidArgument(f"{name} {shown} cannot be read: "
                              f"{problem.strerror or problem}.") from None
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InvalidArgument(f"{name} {shown} is not UTF-8 text.") from None
    if not any(line.strip() for line in lines):
        raise InvalidArgument(f"{name} {shown} is empty.",
                              hint="One section a line: MM:SS Artist - Song.")
    return lines


def tracklist_of(lines: Sequence[str] = (), file: str | None = None
                 ) -> tuple[Section, ...] | None:
    """The sections of a tracklist file (first) and ``--section`` lines (after it), or None
    when neither was given."""
    if file is None and not lines:
        return None
    return parse_sections([*(read_tracklist(file) if file is not None else []), *lines])


__all__ = ["MAX_SECTIONS", "parse_section", "parse_sections", "read_tracklist",
           "tracklist_of"]
