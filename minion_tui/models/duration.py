"""The one formatter for durations, positions, comment times and ETAs, in the TUI and the CLI."""

from __future__ import annotations


def format_duration(seconds: float | None, *, unknown: str = "-:--") -> str:
    """A time in a track as a listener reads it: ``m:ss``, ``h:mm:ss`` from an hour on (whole
    seconds, rounded down); ``unknown`` when there is no time (None, or below zero)."""
    if seconds is None or seconds < 0:
        return unknown
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
