"""Short text renderings of tool results (the ``content`` beside ``structuredContent``): a
line per item, enough for a model or a person to read without the JSON."""

from __future__ import annotations

from typing import Any

from minion_tui.models import format_duration


def track_line(t: dict[str, Any]) -> str:
    length = format_duration(t["duration_ms"] / 1000)
    return f"{t['title']} — {t['artist']} ({length}) {t['urn']}"


def resource_line(r: dict[str, Any]) -> str:
    kind = r.get("kind")
    if kind == "track":
        return track_line(r)
    if kind == "playlist":
        return (f"{r['title']} — {r['uploader']} ({r['track_count']} tracks, "
                f"{format_duration(r['duration_ms'] / 1000)}) {r['urn']}")
    if kind == "user":
        return f"{r['username']} ({r['full_name'] or r['username']}) {r['urn']}"
    return str(r)


def resource(result: dict[str, Any]) -> str:
    return resource_line(result)


#: Lines of a listing's text rendering; the structured content has every item.
SHOWN = 25


def listing(result: dict[str, Any], line: Any = resource_line) -> str:
    """A page of items: one line each (the first :data:`SHOWN`), then where the next page
    is."""
    items = result["items"]
    lines = [line(i) for i in items[:SHOWN]] or ["(nothing)"]
    if len(items) > SHOWN:
        lines.append(f"… and {len(items) - SHOWN} more in the structured content")
    if result.get("next_cursor"):
        lines.append(f"(more: pass cursor {result['next_cursor']!r})")
    return "\n".join(lines)
