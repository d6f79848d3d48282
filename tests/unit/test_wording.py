"""Counts in the TUI's words: "1 track", "2 tracks", never "1 tracks"."""

from __future__ import annotations

from minion_tui.tui.wording import counted


def test_counts_agree_with_their_noun() -> None:
    assert counted(1, "track") == "1 track"
    assert counted(0, "track") == "0 tracks"
    assert counted(1234, "playlist") == "1,234 playlists"
    assert counted(1, "tracks") == "1 track"  # a kind named in the plural ("users")
    assert counted(2, "users") == "2 users"
    assert counted(1, "match", "matches") == "1 match"
    assert counted(3, "match", "matches") == "3 matches"
