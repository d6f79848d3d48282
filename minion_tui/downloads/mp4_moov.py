# mypy: allow-untyped-calls
"""An MP4's top-level atoms and its moov: tags and chapters written into the moov in one pass,
whatever follows it, and the chunk offsets (stco/co64) kept pointing at the audio.

mutagen writes the ``ilst`` but no chapters, and tagging a file then inserting ``chpl`` would
move every byte of the audio twice. Here the moov alone (with everything before it) is tagged
by mutagen in memory, the chapter list is added to its ``udta``, and the result is put back:
over the moov and the ``free`` room after it when it fits (the audio does not move; remux.py
reserves that room), otherwise the audio after it is moved once by the difference and the
chunk offsets (stco/co64) follow it. A fragmented MP4 (Mixcloud's progressive file) has
no chunk offsets in its moov, and its fragments address their data relative to their own
``moof`` (default-base-is-moof), so moving them is harmless (docs/downloads.md §2.5).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any, BinaryIO

from minion_tui.downloads.chapters import Chapter, chpl_atom


def tag_moov(path: Path, tags: Any, cover: Any, chapters: tuple[Chapter, ...],
             fill: Any) -> bool:
    """Tag ``path`` (``fill(audio)`` sets mutagen's atoms) and give it ``chapters``; False
    when the moov does not come before the audio (the caller tags it the usual way)."""
    from mutagen import MutagenError
    from mutagen._util import resize_bytes
    from mutagen.mp4 import MP4

    with open(path, "rb+") as file:
        atoms = top_level_atoms(file)
        names = [name for name, _, _ in atoms]
        if b"moov" not in names:
            return False
        at = names.index(b"moov")
        if b"mdat" in names[:at] or b"moof" in names[:at]:
            return False
        _, moov_start, moov_size = atoms[at]
        room = free_after(atoms, at)
        file.seek(0)
        head = file.read(moov_start + moov_size)
        copy = io.BytesIO(head)
        try:
            audio = MP4(copy)
            fill(audio)
            audio.save(copy, padding=lambda info: 0)
        except MutagenError:
            return False
        tagged = bytearray(copy.getvalue())
        # mutagen moved the chunk offsets as if the audio had moved by what the moov grew:
        # back to where the audio is now; moved again below if it has to move.
        shift_chunk_offsets(tagged, moov_start, len(head) - len(tagged))
        if chapters:
            tagged = with_chapters(tagged, moov_start, chapters)
        grown = len(tagged) - len(head)
        left = room - grown
        if left == 0 or left >= 8:
            file.seek(0)
            file.write(tagged)
            if left:
                file.write(struct.pack(">I4s", left, b"free") + bytes(left - 8))
            return True
        # Too little room: the free atoms go and the audio moves by what is still missing.
        moved = grown - room
        shift_chunk_offsets(tagged, moov_start, moved)
        resize_bytes(file, len(head) + room, len(tagged), 0)
        file.seek(0)
        file.write(tagged)
    return True


def with_chapters(data: bytearray, moov_start: int,
                  chapters: tuple[Chapter, ...]) -> bytearray:
    """``data`` with a ``chpl`` at the end of the moov's ``udta`` (one made when missing);
    the sizes of both updated."""
    atom = chpl_atom(chapters)
    moov_size = struct.unpack_from(">I", data, moov_start)[0]
    end = moov_start + moov_size
    child = moov_start + 8
    while child + 8 <= end:
        size, name = struct.unpack_from(">I4s", data, child)
        if size < 8:
            break
        if name == b"udta":
            at = child + size
            struct.pack_into(">I", data, child, size + len(atom))
            struct.pack_into(">I", data, moov_start, moov_size + len(atom))
            return data[:at] + atom + data[at:]
        child += size
    udta = struct.pack(">I4s", 8 + len(atom), b"udta") + atom
    struct.pack_into(">I", data, moov_start, moov_size + len(udta))
    return data[:end] + udta + data[end:]


def chapters_room(chapters: tuple[Chapter, ...]) -> int:
    """Bytes the chapter list adds to the moov (udta header included)."""
    return len(chpl_atom(chapters)) + 8 if chapters else 0


def top_level_atoms(file: BinaryIO) -> list[tuple[bytes, int, int]]:
    """(name, offset, size) of each top-level atom of an MP4."""
    end = file.seek(0, io.SEEK_END)
    atoms, offset = [], 0
    while offset + 8 <= end:
        file.seek(offset)
        head = file.read(16)
        if len(head) < 16 and head[:4] == b"\0\0\0\1":
            break  # a 64-bit size cut off
        name, size, _ = _atom(head, 0, end - offset)
        if size < 8:
            break  # not an MP4 we understand: the caller lets mutagen handle it
        atoms.append((name, offset, size))
        offset += size
    return atoms


_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl"})


def shift_chunk_offsets(data: bytearray, start: int, delta: int, end: int = 0) -> None:
    """Add ``delta`` to every stco/co64 entry of the atom at ``start`` and inside it."""
    name, size, header = _atom(data, start, end or len(data))
    if name in _CONTAINERS:
        child = start + header
        while child + 8 <= start + size:
            shift_chunk_offsets(data, child, delta, start + size)
            child += _atom(data, child, start + size)[1]
    elif name in (b"stco", b"co64"):
        count = struct.unpack_from(">I", data, start + header + 4)[0]
        table = f">{count}{'I' if name == b'stco' else 'Q'}"
        first = start + header + 8  # after version, flags and the entry count
        entries = struct.unpack_from(table, data, first)
        struct.pack_into(table, data, first, *(entry + delta for entry in entries))


def _atom(data: bytes | bytearray, start: int, end: int) -> tuple[bytes, int, int]:
    """(name, size, header size) of the atom at ``start`` of a parent ending at ``end``."""
    size, name = struct.unpack_from(">I4s", data, start)
    if size == 1:
        return name, struct.unpack_from(">Q", data, start + 8)[0], 16
    return name, (size or end - start), 8


def free_after(atoms: list[tuple[bytes, int, int]], at: int) -> int:
    """Bytes of the ``free`` atoms right after the top-level atom ``atoms[at]``: the room a
    grown moov may take without moving what follows."""
    room = 0
    for name, _, size in atoms[at + 1:]:
        if name != b"free":
            break
        room += size
    return room
