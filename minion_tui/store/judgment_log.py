"""The user's judgments as a file: export the whole history, import it elsewhere.

The history (``judgment_history``, append-only) is the record; the current verdicts
(``judgments``) follow from it, each the newest change of its track, exactly as
``Store.set_judgment`` writes them. So an export carries every change with its id, and an
import appends the changes the database lacks and re-derives the verdicts of the tracks they
touch. Into an empty history the ids are kept as they were, which makes export → import into
a fresh database give identical rows in both tables; into a history that has rows already,
the new changes get new ids and a track's verdict is its newest change by time, so merging
an older export never overrules a newer rating.

Formats: JSON ``{"format": "minion-tui judgments", "version": 1, "judgments": [...],
"history": [...]}`` (``judgments`` is for the reader; the import derives them) and CSV with
the header ``id,urn,judgment,origin,at`` (an empty judgment is a clear).

Plain functions taking the :class:`Store`; run them with ``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.models import Judgment, JudgmentChange
from minion_tui.store.records import write_verdict
from minion_tui.store.store import Store

FORMAT = "minion-tui judgments"
VERSION = 1
CSV_COLUMNS = ("id", "urn", "judgment", "origin", "at")
FORMATS = ("json", "csv")


def history(store: Store, urn: str | None = None) -> list[JudgmentChange]:
    """Every change (of one track, or of all), oldest first."""
    where, params = ("WHERE urn = ? ", (urn,)) if urn is not None else ("", ())
    with store.snapshot() as conn:
        found = conn.execute("SELECT id, urn, judgment, origin, at FROM judgment_history "
                             f"{where}ORDER BY id", params).fetchall()
    return [JudgmentChange(i, u, Judgment(j) if j else None, o, at) for i, u, j, o, at in found]


def dump(store: Store, fmt: str) -> str:
    """The whole history (and, in JSON, the current verdicts) as the text of a file."""
    changes = history(store)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for c in changes:
            writer.writerow([c.id, c.urn, c.judgment.value if c.judgment else "", c.origin, c.at])
        return out.getvalue()
    if fmt != "json":
        raise InvalidArgument(f"Unknown export format {fmt!r}.", hint="Use json or csv.")
    with store.snapshot() as conn:
        current = conn.execute("SELECT urn, judgment, origin, decided_at FROM judgments "
                               "ORDER BY history_id").fetchall()
    document = {
        "format": FORMAT, "version": VERSION,
        "judgments": [{"urn": u, "judgment": j, "origin": o, "decided_at": at}
                      for u, j, o, at in current],
        "history": [c.to_json() for c in changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse(text: str, *, name: str) -> list[JudgmentChange]:
    """The changes in the text of an exported file (JSON or CSV, told apart by the first
    character); InvalidArgument naming the first bad entry of ``name``."""
    text = text.removeprefix("\ufeff")
    changes = _parse_json(text, name) if text.lstrip().startswith("{") else _parse_csv(text, name)
    twice = [i for i, n in Counter(c.id for c in changes).items() if n > 1]
    if twice:
        raise _bad(name, f"the id {twice[0]} is there twice")
    return changes


def merge(store: Store, changes: Sequence[JudgmentChange]) -> dict[str, int]:
    """Append the changes the history lacks (same track, verdict, origin and time) and
    re-derive the verdicts they touch, in one durable transaction. Returns the counts of
    changes ``added`` and ``known`` (already there) and of ``tracks`` touched."""
    with store.transaction(durable=True) as conn:
        fresh = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM judgment_history)").fetchone()[0]
        seen = set(conn.execute("SELECT urn, judgment, origin, at FROM judgment_history"))
        ordered = (sorted(changes, key=lambda c: c.id) if fresh
                   else sorted(changes, key=lambda c: (c.at, c.id)))
        added: list[JudgmentChange] = []
        for c in ordered:
            key = (c.urn, c.judgment.value if c.judgment else None, c.origin, c.at)
            if key not in seen:
                seen.add(key)
                added.append(c)
        conn.executemany(
            "INSERT INTO judgment_history (id, urn, judgment, origin, at) VALUES (?, ?, ?, ?, ?)",
            [(c.id if fresh else None, c.urn, c.judgment.value if c.judgment else None,
              c.origin, c.at) for c in added])
        newest = "id DESC" if fresh else "at DESC, id DESC"
        touched = sorted({c.urn for c in added})
        for urn in touched:
            row = conn.execute("SELECT id, judgment, origin, at FROM judgment_history "
                               f"WHERE urn = ? ORDER BY {newest} LIMIT 1", (urn,)).fetchone()
            history_id, verdict, origin, at = row
            write_verdict(conn, urn, verdict, origin, at, history_id)
    return {"added": len(added), "known": len(changes) - len(added), "tracks": len(touched)}


def _parse_json(text: str, name: str) -> list[JudgmentChange]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(name, f"it is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad(name, f'it is not a judgments export (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise _bad(name, f"its version {document.get('version')!r} is not {VERSION}")
    entries = document.get("history")
    if not isinstance(entries, list):
        raise _bad(name, 'it has no "history" list')
    return [_change(entry, f"history entry {n}", name) for n, entry in enumerate(entries, 1)]


def _parse_csv(text: str, name: str) -> list[JudgmentChange]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != CSV_COLUMNS:
        raise _bad(name, f"its first line is not the header {','.join(CSV_COLUMNS)}")
    changes = []
    for number, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != len(CSV_COLUMNS):
            raise _bad(name, f"line {number} has {len(row)} fields, not {len(CSV_COLUMNS)}")
        changes.append(_change(dict(zip(CSV_COLUMNS, row, strict=True)), f"line {number}",
                               name))
    return changes


def _change(entry: Any, where: str, name: str) -> JudgmentChange:
    if not isinstance(entry, dict):
        raise _bad(name, f"{where} is not an object")
    try:
        change_id = int(entry.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(name, f"{where} has no whole-number id") from None
    urn, origin, at = entry.get("urn"), entry.get("origin"), entry.get("at")
    for field, value in (("urn", urn), ("origin", origin), ("at", at)):
        if not isinstance(value, str) or not value.strip():
            raise _bad(name, f"{where} has no {field}")
    verdict = entry.get("judgment") or None
    if verdict is not None and verdict not in {j.value for j in Judgment}:
        raise _bad(name, f"{where} has the judgment {verdict!r}, not one of "
                         f"{', '.join(j.value for j in Judgment)} or empty")
    return JudgmentChange(change_id, str(urn), Judgment(verdict) if verdict else None,
                          str(origin), str(at))


def _bad(name: str, why: str) -> InvalidArgument:
    return InvalidArgument(f"Could not import judgments from {name}: {why}.",
                           hint="Import a file written by `minion-tui export judgments` "
                           "(--format json or csv); nothing was imported.")
