"""File names for downloads: templates filled with track fields, made safe for every filesystem.

A name never escapes the download folder (no ``..``, no absolute parts), carries no control
characters (C0, C1), no bidi controls that would make it read differently from what it is, no
Windows-reserved names (``CON``, ``con.txt``, ``COM¹``, ``CONIN$`` — also with trailing spaces
or an extension), no trailing dots or spaces, and keeps unicode letters and emoji as they are.
Every component fits in 255 bytes of UTF-8; a file name leaves room for the
partial names the engine derives from it (see :data:`PARTIAL_ROOM`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import PurePosixPath

DEFAULT_TEMPLATE = "{artist} - {title}.{ext}"
DEFAULT_SET_TEMPLATE = "{playlist}/{index:02d} - {artist} - {title}.{ext}"

MAX_COMPONENT_BYTES = 255
#: Bytes the partial names add to a final name: ``<name>.part`` (engine.partial_paths),
#: ``.<name>.parts/`` (the HLS journal) and, longest, ``<name>.part.validator`` (progressive.py's
#: If-Range validator next to original.py's ``.part``). A final name longer than
#: 255 − this could be written but never downloaded: its ``.part`` would fail with ENAMETOOLONG.
PARTIAL_ROOM = len(".part.validator")
MAX_NAME_BYTES = MAX_COMPONENT_BYTES - PARTIAL_ROOM
# Characters refused by Windows/macOS/Linux filesystems, the path separators, and the C0/C1
# control characters (U+0080–U+009F are invisible and break terminals and some filesystems).
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]')
# Bidi controls (LRM/RLM, embeddings, overrides, isolates): "evil\u202egpj.exe" shows as
# "evilexe.jpg". Dropped, not replaced: they carry no visible text.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SUPERSCRIPT = str.maketrans({"\u00b9": "1", "\u00b2": "2", "\u00b3": "3"})
# Windows device names (Microsoft "Naming Files, Paths, and Namespaces"): reserved whatever
# the extension and case, COM/LPT also with the superscript digits ¹²³.
_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
    *(f"COM{n}" for n in range(10)),
    *(f"LPT{n}" for n in range(10)),
}


def safe_component(name: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """One path component made safe; never empty, never ``.``/``..``, never a reserved name.

    ``max_bytes`` defaults to a file name's budget (room left for the partial names); folder
    components may use :data:`MAX_COMPONENT_BYTES`.
    """
    cleaned = _BIDI.sub("", _FORBIDDEN.sub("_", name))
    # Leading dots would hide the file (and "..", "..." would be traversal-looking names);
    # Windows drops trailing dots and spaces, so "a." and "a" would collide there.
    cleaned = cleaned.strip().lstrip(".").strip().rstrip(". ")
    if not cleaned:
        cleaned = "_"
    if _is_reserved(cleaned):
        cleaned = "_" + cleaned
    return _fit(cleaned, max_bytes)


def safe_filename(stem: str, ext: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``<stem>.<ext>`` made safe with the stem cleaned on its own: a stem of only dots or
    spaces (``..``), or one that sanitising empties (bidi controls only), becomes ``_``
    instead of the cleaning eating into the extension (``...mp3`` would become ``mp3``)."""
    if not ext:
        return safe_component(stem, max_bytes=max_bytes)
    suffix = "." + _FORBIDDEN.sub("_", _BIDI.sub("", ext)).strip(". ")
    if suffix == ".":
        return safe_component(stem, max_bytes=max_bytes)
    cleaned = safe_component(stem, max_bytes=max(1, max_bytes - len(suffix.encode())))
    return cleaned + suffix


def numbered(name: str, n: int) -> str:
    """``name`` as the ``n``-th file of that name: ``a.mp3``, ``a (2).mp3``, ``a (3).mp3`` …
    (the stem is cut, never the number, to stay within :data:`MAX_NAME_BYTES`)."""
    if n <= 1:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    return _numbered(stem, f" ({n})" + (f".{ext}" if ext else ""), MAX_NAME_BYTES)


def numbered_folder(name: str, n: int) -> str:
    """``name`` as the ``n``-th folder of that name: ``Mix``, ``Mix (2)`` … A folder has no
    extension (``Vol. 2`` is not ``Vol`` + ``. 2``); the name is cut, never the number, to
    stay within :data:`MAX_COMPONENT_BYTES`."""
    if n <= 1:
        return name
    return _numbered(name, f" ({n})", MAX_COMPONENT_BYTES)


def _numbered(stem: str, suffix: str, limit: int) -> str:
    """``stem`` cut (at a character, without trailing dots or spaces) so that it and
    ``suffix`` fit in ``limit`` bytes, then ``suffix``."""
    room = limit - len(suffix.encode())
    return (stem.encode()[:room].decode(errors="ignore").rstrip(". ") or "_") + suffix


def _is_reserved(name: str) -> bool:
    # Windows ignores what follows the first dot, and spaces before it ("CON .mp3" is CON).
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.translate(_SUPERSCRIPT).upper() in _RESERVED


def _fit(name: str, max_bytes: int) -> str:
    """Cut to ``max_bytes`` of UTF-8 without splitting a character, keeping the extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    room = max_bytes - len(suffix.encode())
    cut = stem.encode()[:room].decode(errors="ignore").rstrip(". ")
    return (cut or "_") + suffix


def render(template: str, fields: Mapping[str, str | int]) -> PurePosixPath:
    """Fill ``template`` and return a relative, safe path (``/`` in a template makes folders).

    Field *values* are sanitised before substitution, so a title containing ``/`` or ``..``
    cannot create folders or climb out of the download folder. The last component (the file)
    is capped at :data:`MAX_NAME_BYTES`, folders at :data:`MAX_COMPONENT_BYTES`.
    """
    values: dict[str, str | int] = {
        key: value if isinstance(value, int) else _FORBIDDEN.sub("_", value)
        for key, value in fields.items()
    }
    used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = used - values.keys()
    for name in missing:
        values[name] = ""
    filled = template.format(**values)
    pieces = [part for part in filled.split("/") if part.strip()] or ["_"]
    parts = [safe_component(part, max_bytes=MAX_COMPONENT_BYTES) for part in pieces[:-1]]
    ext = values.get("ext")
    suffix = f".{ext}" if isinstance(ext, str) and ext else ""
    if suffix and pieces[-1].endswith(suffix) and template.endswith("{ext}"):
        # The extension is cleaned apart from the stem, so a title of ".." keeps it.
        parts.append(safe_filename(pieces[-1][:-len(suffix)], str(ext)))
    else:
        parts.append(safe_component(pieces[-1]))
    return PurePosixPath(*parts)
