"""An extended M3U (UTF-8, ``.m3u8``) playlist of a downloaded set, with relative paths."""

from __future__ import annotations

import os
from pathlib import Path

from minion_tui.models import Track


def write_m3u8(target: Path, paths: list[Path], tracks: list[Track]) -> None:
    lines = ["#EXTM3U"]
    for path, track in zip(paths, tracks, strict=True):
        lines.append(f"#EXTINF:{round(track.duration_ms / 1000)},{track.artist} - {track.title}")
        lines.append(os.path.relpath(path, target.parent))
    tmp = target.with_name(target.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, target)
