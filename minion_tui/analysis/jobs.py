"""What the parent hands the worker processes (pool.py): module-level functions taking paths,
so the parent pickles a name and a path. Importing this module loads nothing heavy; numpy
and PyAV are imported inside the worker."""

from __future__ import annotations

from typing import Any


def analyse(path: str, max_seconds: float | None, loudness: bool = True) -> dict[str, Any]:
    """measure.analyse_file in the worker, with the audio's digest added."""
    from minion_tui.analysis.measure import analyse_file, digest_file

    result = analyse_file(path, max_seconds, loudness=loudness)
    result["digest"] = digest_file(path)
    return result


def digest(path: str) -> str:
    from minion_tui.analysis.measure import digest_file

    return digest_file(path)


def method() -> int:
    from minion_tui.analysis.measure import METHOD_VERSION

    return METHOD_VERSION


def loudness(path: str) -> dict[str, Any]:
    """measure.loudness_file in the worker."""
    from minion_tui.analysis.measure import loudness_file

    return loudness_file(path)


def album(paths: list[str]) -> dict[str, Any]:
    """measure.album_loudness in the worker."""
    from minion_tui.analysis.measure import album_loudness

    return album_loudness(paths)
