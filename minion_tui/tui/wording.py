"""Counts in words that agree with them ("1 track", "335 tracks"), and providers by the
tags they declare, for every label, status line and toast of the TUI."""

from __future__ import annotations

from minion_tui.service import provider_capabilities


def provider_short(provider: str) -> str:
    """A provider's tag in a track list's source column ("SC")."""
    return provider_capabilities(provider).short or provider[:3]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` in agreement. ``noun`` may be given in the plural (a search
    kind such as "users"); ``plural`` is for nouns that do not just take an "s"."""
    singular = noun[:-1] if plural is None and noun.endswith("s") else noun
    many = plural or f"{singular}s"
    return f"{count:,} {singular if count == 1 else many}"
