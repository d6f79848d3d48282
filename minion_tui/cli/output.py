"""The one place the CLI writes results: ``--json`` documents, readable tables, and failures.

With ``--json`` a result is its model's one JSON form, indented; a failure is
``{"error": {"type", "message"}}`` on stdout. Without it a result is a table sized to the
terminal, and a failure is one line on stderr. Either way the exit code is the error's own
(1; 2 for configuration problems and usage errors).

When stdout is not a terminal (``minion-tui search rain | cut -f7``) a table is TSV instead:
a header row, then one row per item, cells separated by tabs and never cut or padded, so
every URL arrives whole. Anything that is not a row of it (a set's title line, "nothing
found", the config file's path) goes to stderr there, and stdout stays one table.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from typing import Any

from minion_tui.errors import MinionError, UsageError
from minion_tui.models import format_duration


def print_result(result: Any, *, as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        print_human(result)


def print_json(document: Any, *, ensure_ascii: bool = False) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=ensure_ascii))


def print_summary(document: Any, line: str, *, as_json: bool) -> None:
    """A command's one result: ``document`` with --json, else the readable ``line``."""
    if as_json:
        print_json(document)
    else:
        print(line)


def fail(exc: MinionError, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps(exc.to_json()))
    else:
        print(f"minion-tui: {exc.text}", file=sys.stderr)
    return exc.exit_code


def fail_usage(exc: UsageError, *, as_json: bool) -> int:
    """A command line that does not parse: argparse's usage lines on stderr as always, and
    with ``--json`` the JSON error on stdout too, so a script reads one form of failure."""
    print(exc.usage, end="", file=sys.stderr)
    if as_json:
        print(json.dumps(exc.to_json()))
    return exc.exit_code


Row = Callable[[dict[str, Any]], list[str]]

#: Tables by the ``kind`` of the JSON form: the header and one row per item.
TABLES: dict[str, tuple[list[str], Row]] = {
    "track": (["title", "artist", "length", "genre", "plays", "availability", "url"],
              lambda t: [t["title"], t["artist"], format_duration(t["duration_ms"] / 1000),
                         t["genre"], count(t["counts"]["plays"]), t["availability"], t["url"]]),
    "user": (["username", "name", "followers", "tracks", "url"],
             lambda u: [u["username"], u["full_name"], count(u["followers_count"]),
                        count(u["track_count"]), u["url"]]),
    "playlist": (["title", "by", "tracks", "length", "album", "url"],
                 lambda p: [p["title"], p["uploader"], str(p["track_count"]),
                            format_duration(p["duration_ms"] / 1000),
                            "yes" if p["is_album"] else "", p["url"]]),
    "comment": (["at", "user", "comment"],
                lambda c: [comment_time(c["timestamp_ms"]), c["user"]["username"], c["body"]]),
    "tag": (["tag", "slug", "url"], lambda t: [t["name"], t["slug"], t["url"]]),
    "section": (["time", "artist", "title", "kind"],
                lambda s: [section_time(s["start_ms"]), s["artist"], s["title"], s["kind"]]),
}


def table_kind(row: dict[str, Any]) -> str | None:
    """Which table a JSON form goes in: its ``kind``, except a tracklist entry, whose kind
    says track or chapter (models.Section) and whose table is the tracklist's."""
    if "start_ms" in row and "urn" not in row:
        return "section"
    kind = row.get("kind")
    return kind if isinstance(kind, str) else None


def piped() -> bool:
    """Whether stdout is not a terminal (a pipe, a file): tables are TSV there."""
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced by something without a tty
        return True


def note(text: str) -> None:
    """A line beside the table: on stdout on a terminal; on stderr when stdout is a pipe,
    which then holds the table alone."""
    print(text, file=sys.stderr if piped() else sys.stdout)


def print_human(result: Any) -> None:
    """A result's JSON form (one item or a list) as a table; a single playlist as its title
    line over its tracks."""
    rows = result if isinstance(result, list) else [result]
    if rows and rows[0].get("kind") == "playlist" and len(rows) == 1:
        pl = rows[0]
        note(f"{pl['title']} — {pl['uploader']} ({pl['track_count']} tracks, "
             f"{format_duration(pl['duration_ms'] / 1000)})  {pl['url']}")
        rows = pl["tracks"]
    if not rows:
        note("(nothing found)")
        return
    table = TABLES.get(table_kind(rows[0]) or "")
    if table is not None:
        header, row = table
        print_table(header, [row(r) for r in rows])
    elif piped():  # a stream choice or anything without a table form: field, value
        print_table(["field", "value"], [[k, str(v)] for k, v in rows[0].items()])
    else:
        for key, value in rows[0].items():
            print(f"{key}: {value}")


def section_time(ms: int | None) -> str:
    """Where a tracklist entry starts, mm:ss (h:mm:ss from an hour on), so a column of them
    lines up; "—" when the service does not say."""
    if ms is None or ms < 0:
        return "—"
    hours, rest = divmod(ms // 1000, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def comment_time(ms: int | None) -> str:
    return "" if ms is None else format_duration(ms / 1000)


def count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns fitted to the terminal (the widest cut with an ellipsis); TSV with a header
    row when stdout is not a terminal."""
    if piped():
        print_tsv(header, rows)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    cells = [[str(c or "").replace("\n", " ") for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    # Shrink the widest columns until the table fits the terminal.
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    for row in [header, *cells]:
        print("  ".join(fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def print_tsv(header: list[str], rows: list[list[str]]) -> None:
    """Tab-separated values: the header, then each row whole. A tab or line break inside a
    cell (a title, a comment) becomes a space, so a row is always one line of len(header)
    fields."""
    for row in [header, *rows]:
        print("\t".join(_SPACE.sub(" ", str(c or "")) for c in row))


_SPACE = re.compile(r"[\t\n\r\v\f]")


def fit(text: str, width: int) -> str:
    """``text`` padded to ``width``, or cut with an ellipsis to fit it."""
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
