"""Audio analyses in the store (schema_sounds.py): by audio digest, and which track is which
audio. Plain functions taking the :class:`Store`; run them on its worker thread with
``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from minion_tui.store.records import utc_now
from minion_tui.store.store import Store, _chunks

_FIELDS = ("bpm", "bpm_confidence", "key", "camelot", "key_confidence", "tuning_cents",
           "seconds_analysed", "duration", "descriptor", "method", "runs", "analysed_at",
           "loudness_lufs", "peak")
_SELECT = "SELECT s.digest, " + ", ".join(f"s.{f}" for f in _FIELDS) + " FROM sounds AS s"


def _result(row: Any) -> dict[str, Any]:
    result = dict(zip(("digest", *_FIELDS), row, strict=True))
    result["descriptor"] = json.loads(result["descriptor"] or "[]")
    return result


def by_digest(store: Store, digest: str, method: int) -> dict[str, Any] | None:
    """The analysis of the audio ``digest`` made by ``method`` (or a newer one), or None."""
    found = store._read(f"{_SELECT} WHERE s.digest = ? AND s.method >= ?", (digest, method))
    return _result(found[0]) if found else None


def by_urn(store: Store, urn: str, method: int) -> dict[str, Any] | None:
    """The analysis of the track ``urn``'s audio, or None."""
    found = store._read(f"{_SELECT} JOIN track_sounds AS t ON t.digest = s.digest "
                        "WHERE t.urn = ? AND s.method >= ?", (urn, method))
    return _result(found[0]) if found else None


def save(store: Store, digest: str, result: dict[str, Any], urn: str | None = None) -> None:
    """Keep ``result`` (measure.analyse_file's dict) as the analysis of ``digest`` (counting
    the run), and of the track ``urn`` when given."""
    values = (digest, result.get("bpm"), result.get("bpm_confidence", 0.0),
              result.get("key"), result.get("camelot"), result.get("key_confidence", 0.0),
              result.get("tuning_cents", 0.0), result.get("seconds_analysed", 0.0),
              result.get("duration", 0.0), json.dumps(result.get("descriptor", [])),
              int(result.get("method", 0)), utc_now(), result.get("loudness_lufs"),
              result.get("peak"))
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO sounds (digest, bpm, bpm_confidence, key, camelot, key_confidence, "
            "tuning_cents, seconds_analysed, duration, descriptor, method, analysed_at, "
            "loudness_lufs, peak) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE SET "
            "bpm = excluded.bpm, bpm_confidence = excluded.bpm_confidence, "
            "key = excluded.key, camelot = excluded.camelot, "
            "key_confidence = excluded.key_confidence, tuning_cents = excluded.tuning_cents, "
            "seconds_analysed = excluded.seconds_analysed, duration = excluded.duration, "
            "descriptor = excluded.descriptor, method = excluded.method, "
            "runs = sounds.runs + 1, analysed_at = excluded.analysed_at, "
            "loudness_lufs = excluded.loudness_lufs, peak = excluded.peak", values)
        if urn:
            _link(conn, urn, digest)


def save_loudness(store: Store, digest: str, lufs: float | None, peak: float | None) -> None:
    """Keep the whole file's loudness and peak beside the analysis of ``digest``."""
    with store.transaction() as conn:
        conn.execute("UPDATE sounds SET loudness_lufs = ?, peak = ? WHERE digest = ?",
                     (lufs, peak, digest))


def link(store: Store, urn: str, digest: str) -> None:
    """Say that the track ``urn``'s audio is ``digest`` (already analysed)."""
    with store.transaction() as conn:
        _link(conn, urn, digest)


def _link(conn: Any, urn: str, digest: str) -> None:
    conn.execute("INSERT INTO track_sounds (urn, digest) VALUES (?, ?) "
                 "ON CONFLICT (urn) DO UPDATE SET digest = excluded.digest", (urn, digest))


def for_urns(store: Store, urns: Iterable[str]) -> dict[str, tuple[float | None, str | None,
                                                                   str | None]]:
    """(bpm, key, camelot) of those of ``urns`` that were analysed."""
    found: dict[str, tuple[float | None, str | None, str | None]] = {}
    for chunk in _chunks(list(dict.fromkeys(urns))):
        marks = ", ".join("?" * len(chunk))
        sql = ("SELECT t.urn, s.bpm, s.key, s.camelot FROM track_sounds AS t "
               f"JOIN sounds AS s ON s.digest = t.digest WHERE t.urn IN ({marks})")
        found.update((urn, (bpm, key, cam)) for urn, bpm, key, cam in store._read(sql, chunk))
    return found


def analysed_tracks(store: Store) -> list[tuple[str, dict[str, Any]]]:
    """Every analysed track's URN with its analysis (for nearest neighbours)."""
    rows = store._read(f"SELECT t.urn, {_SELECT[len('SELECT '):]} JOIN track_sounds AS t "
                       "ON t.digest = s.digest ORDER BY t.urn", ())
    return [(row[0], _result(row[1:])) for row in rows]
