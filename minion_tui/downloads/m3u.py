"""Extended M3U (UTF-8, ``.m3u8``) playlists: a downloaded set with relative paths, and a
list of track URLs (a saved radio) that ``minion-tui download`` reads back as its URL list
(``#`` lines are comments there, downloads/targets.py)."""

from __future__ import annotations

import os
from pathlib import Path

from minion_tui.models import Track


def write_m3u8(target: Path, paths: list[Path], tracks: list[Track]) -> None:
    _write(target, [os.path.relpath(path, target.parent) for path in paths], tracks)


def write_url_m3u8(target: Path, tracks: list[Track]) -> None:
    """``tracks`` by their web URLs, into ``target`` (its folder created if need be)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, [track.url for track in tracks], tracks)


def url_m3u8_text(tracks: list[Track]) -> str:
    """The text of an extended M3U of ``tracks`` by their web URLs (what
    :func:`write_url_m3u8` writes)."""
    return m3u8_text([track.url for track in tracks], tracks)


def m3u8_text(locations: list[str], tracks: list[Track]) -> str:
    lines = ["#EXTM3U"]
    for location, track in zip(locations, tracks, strict=True):
        title = " ".join(f"{track.artist} - {track.title}".split())  # one line, always
        lines.append(f"#EXTINF:{round(track.duration_ms / 1000)},{title}")
        lines.append(location)
    return "\n".join(lines) + "\n"


def _write(target: Path, locations: list[str], tracks: list[Track]) -> None:
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(m3u8_text(locations, tracks), encoding="utf-8")
    os.replace(tmp, target)
