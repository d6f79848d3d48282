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


def duration(path: str) -> float:
    """The first audio stream's duration in seconds (0.0 when the container does not say),
    read from the headers."""
    from minion_tui.analysis.decode import stream_duration

    return stream_duration(path)


def loudness_part(path: str, start: float, end: float | None) -> dict[str, Any]:
    """measure.loudness_part in the worker: one part of a long file, for :func:`combine`. Its
    steps travel as float64 bytes: the parent, which hands them on, never imports numpy."""
    from minion_tui.analysis.measure import loudness_part as part

    found = part(path, start, end)
    return {**found, "steps": found["steps"].astype("<f8").tobytes()}


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """measure.combine in the worker, of what :func:`loudness_part` returned."""
    import numpy as np

    from minion_tui.analysis.measure import combine as join

    return join([{**p, "steps": np.frombuffer(p["steps"], dtype="<f8")} for p in parts])


def album(paths: list[str]) -> dict[str, Any]:
    """measure.album_loudness in the worker."""
    from minion_tui.analysis.measure import album_loudness

    return album_loudness(paths)
