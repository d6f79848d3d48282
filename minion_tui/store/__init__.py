"""SQLite store: tracks, users, judgments, provenance, sources, searches (and, as tables for
later issues, the play queue, play history and downloads with their segment journal)."""

from minion_tui.store.records import Provenance
from minion_tui.store.schema import MIGRATIONS, SCHEMA_VERSION
from minion_tui.store.store import Store

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Provenance", "Store"]
