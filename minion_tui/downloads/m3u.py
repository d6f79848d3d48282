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


def _write(target: Path, locations: list[str], tracks: list[Track]) -> None:
    lines = ["#EXTM3U"]
    for location, track in zip(locations, tracks, strict=True):
        title = " ".join(f"{track.artist} - {track.title}".split())  # one line, always
        lines.append(f"#EXTINF:{round(track.duration_ms / 1000)},{title}")
        lines.append(location)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, target)
