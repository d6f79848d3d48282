"""File names for downloads: templates filled with track fields, made safe for every filesystem.

A name never escapes the download folder (no ``..``, no absolute parts), carries no control
characters or Windows-reserved names, fits in 255 bytes of UTF-8 per path component, and keeps
unicode as it is (issue 6 §6).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import PurePosixPath

DEFAULT_TEMPLATE = "{artist} - {title}.{ext}"
DEFAULT_SET_TEMPLATE = "{playlist}/{index:02d} - {artist} - {title}.{ext}"

MAX_COMPONENT_BYTES = 255
# Characters refused by Windows/macOS/Linux filesystems, plus the path separators.
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


def safe_component(name: str, *, max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """One path component made safe; never empty, never ``.``/``..``, never a reserved name."""
    cleaned = _FORBIDDEN.sub("_", name).strip().rstrip(".")
    # Leading dots would hide the file (and "..", "..." would be traversal-looking names).
    cleaned = cleaned.lstrip(".").strip()
    if not cleaned:
        cleaned = "_"
    stem = cleaned.split(".", 1)[0]
    if stem.upper() in _RESERVED:
        cleaned = "_" + cleaned
    return _fit(cleaned, max_bytes)


def _fit(name: str, max_bytes: int) -> str:
    """Cut to ``max_bytes`` of UTF-8 without splitting a character, keeping the extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    room = max_bytes - len(suffix.encode())
    cut = stem.encode()[:room].decode(errors="ignore").rstrip()
    return (cut or "_") + suffix


def render(template: str, fields: Mapping[str, str | int]) -> PurePosixPath:
    """Fill ``template`` and return a relative, safe path (``/`` in a template makes folders).

    Field *values* are sanitised before substitution, so a title containing ``/`` or ``..``
    cannot create folders or climb out of the download folder.
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
    parts = [safe_component(part) for part in filled.split("/") if part.strip()]
    if not parts:
        parts = ["_"]
    return PurePosixPath(*parts)
