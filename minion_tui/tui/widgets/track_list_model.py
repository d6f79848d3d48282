"""The track list's pure logic: columns, cell formatting, sort keys and filtering.

No Textual here, so the 50k-row numbers (sort, filter) are unit-testable and benchable on
their own. The widget keeps one ``TrackListModel`` and renders only the rows on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from minion_tui.models import Availability, Judgment, Track, format_duration
from minion_tui.tui.wording import provider_short

COLUMN_NAMES: tuple[str, ...] = (
    "rating", "title", "artist", "duration", "genre", "plays", "date", "provider",
    "bpm", "key", "camelot",
)
#: Columns shown only when asked for (``[ui] columns``, or the palette): the analysis's
#: tempo, key and Camelot code (docs/analysis.md §10).
OPTIONAL_COLUMNS: tuple[str, ...] = ("bpm", "key", "camelot")

BADGES: dict[Judgment | None, str] = {
    Judgment.LIKED: "♥",
    Judgment.NOT_INTERESTED: "✕",
    Judgment.NOT_QUITE: "~",
    None: " ",
}

# A dim marker after the title; full tracks carry none so the common case stays quiet.
AVAILABILITY_MARKS: dict[Availability, str] = {
    Availability.FULL: "",
    Availability.PREVIEW: "preview",
    Availability.DRM: "DRM",
    Availability.BLOCKED: "blocked",
    Availability.EXCLUSIVE: "exclusive",
    Availability.UNAVAILABLE: "n/a",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    label: str
    min_width: int
    flex: int  # share of the spare width; 0 = fixed
    right: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("rating", "", 1, 0),
    Column("title", "Title", 12, 5),
    Column("artist", "Artist", 8, 3),
    Column("duration", "Time", 7, 0, right=True),
    Column("genre", "Genre", 6, 2),
    Column("plays", "Plays", 6, 0, right=True),
    Column("date", "Date", 10, 0),
    Column("provider", "Src", 3, 0),
    Column("bpm", "BPM", 5, 0, right=True),
    Column("key", "Key", 8, 0),
    Column("camelot", "Cam", 3, 0, right=True),
)


def parse_columns(text: str | None) -> tuple[frozenset[str], list[str]]:
    """``[ui] columns`` ("bpm, key, camelot", any case, commas or spaces) → (the optional
    columns named, the names that are none)."""
    names = [n for n in (text or "").replace(",", " ").lower().split() if n]
    return (frozenset(n for n in names if n in OPTIONAL_COLUMNS),
            [n for n in names if n not in OPTIONAL_COLUMNS])


def format_plays(plays: int | None) -> str:
    """Compact counts so the column stays narrow: 999, 1.2k, 34k, 1.5M."""
    if plays is None:
        return ""
    if plays < 1000:
        return str(plays)
    for limit, suffix in ((1_000_000, "k"), (1_000_000_000, "M"), (10**15, "B")):
        if plays < limit:
            value = plays / (limit // 1000)
            return f"{value:.1f}{suffix}" if value < 10 else f"{int(value)}{suffix}"
    return str(plays)


def format_date(created_at: str | None) -> str:
    """The ISO date part (``2026-01-27``); blank when unknown."""
    return created_at[:10] if created_at else ""


def cells(track: Track) -> tuple[str, ...]:
    """The text of every column for one row, in COLUMNS order."""
    mark = AVAILABILITY_MARKS.get(track.availability, "")
    return (
        BADGES.get(track.judgment, " "),
        track.title + (f" [{mark}]" if mark else ""),
        track.artist,
        # A live stream has no length (Mixcloud's "Live now"): say so rather than 0:00.
        "live" if track.urn.startswith("mixcloud:live:") and not track.duration_ms
        else format_duration(track.duration_ms / 1000, unknown=""),
        track.genre,
        format_plays(track.counts.plays),
        format_date(track.created_at),
        provider_short(track.provider),
        f"{track.bpm:.1f}" if track.bpm else "",
        short_key(track.key),
        track.camelot or "",
    )


def short_key(key: str | None) -> str:
    """"A minor" → "A min", "F# major" → "F# maj": the Key column stays narrow."""
    if not key:
        return ""
    tonic, _, mode = key.partition(" ")
    return f"{tonic} {mode[:3]}" if mode else tonic


def camelot_order(code: str | None) -> tuple[int, str] | None:
    """"8A" → (8, "A"): the wheel's order, not the text's ("10A" after "9A")."""
    if not code or not code[:-1].isdigit():
        return None
    return int(code[:-1]), code[-1]


def search_text(track: Track) -> str:
    """What ``/`` matches against: title, artist, genre and tags, lowercased once."""
    return "\n".join((track.title, track.artist, track.genre, *track.tags)).lower()


_JUDGMENT_ORDER = {Judgment.LIKED: 0, Judgment.NOT_QUITE: 1, Judgment.NOT_INTERESTED: 2}


def _missing_last(value: Any) -> tuple[bool, Any]:
    # Missing values sort after present ones in ascending order, without comparing None.
    return (value is None or value == "", value if value is not None else 0)


SORT_KEYS: dict[str, Callable[[Track], Any]] = {
    "rating": lambda t: _missing_last(_JUDGMENT_ORDER.get(t.judgment) if t.judgment else None),
    "title": lambda t: _missing_last(t.title.casefold()),
    "artist": lambda t: _missing_last(t.artist.casefold()),
    "duration": lambda t: _missing_last(t.duration_ms),
    "genre": lambda t: _missing_last(t.genre.casefold()),
    "plays": lambda t: _missing_last(t.counts.plays),
    "date": lambda t: _missing_last(t.created_at),
    "provider": lambda t: _missing_last(t.provider),
    "bpm": lambda t: _missing_last(t.bpm),
    # By Camelot code, so relative and neighbouring keys sit together.
    "key": lambda t: _missing_last(camelot_order(t.camelot)),
    "camelot": lambda t: _missing_last(camelot_order(t.camelot)),
}


#: Columns given up, in this order, when the list is too narrow for all of them with a
#: readable title (the details panel leaves Browse about 50 cells at 120 columns).
DROP_ORDER = ("provider", "date", "genre", "plays")
#: Cells the title should get beyond its minimum before the next column is given up.
TITLE_ROOM = 10


def column_widths(width: int, extra: frozenset[str] | None = None) -> list[int]:
    """Fit the columns into ``width`` cells (one space between shown columns); a column that
    does not fit gets width 0 and is not drawn, and so does an optional one not in
    ``extra``."""
    return list(_column_widths(width, frozenset(extra or ())))


@lru_cache(maxsize=64)
def _column_widths(width: int, extra: frozenset[str]) -> tuple[int, ...]:
    shown = [c for c in COLUMNS if c.name not in OPTIONAL_COLUMNS or c.name in extra]
    for name in (*DROP_ORDER, *(n for n in OPTIONAL_COLUMNS if n in extra)):
        if sum(c.min_width for c in shown) + len(shown) - 1 + TITLE_ROOM <= width:
            break
        shown = [c for c in shown if c.name != name]
    gaps = len(shown) - 1
    spare = width - sum(c.min_width for c in shown) - gaps
    total_flex = sum(c.flex for c in shown)
    widths = {c.name: c.min_width + max(spare, 0) * c.flex // total_flex for c in shown}
    if spare > 0:
        widths["title"] += width - gaps - sum(widths.values())  # rounding leftovers
    return tuple(widths.get(c.name, 0) for c in COLUMNS)


class TrackListModel:
    """Rows in sort order plus the filtered view; all the widget's work that is not drawing."""

    def __init__(self, *, hide_not_interested: bool = True) -> None:
        self.tracks: list[Track] = []
        # Keyed by id(track); the track is kept in the value so its id cannot be reused.
        self._search: dict[int, tuple[Track, str]] = {}
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.filter_text = ""
        #: The ``/`` filter's sound terms (bpm:, key:, mixes:) as a test, or None.
        self._sound: Callable[[Track], bool] | None = None
        self.hide_not_interested = hide_not_interested
        self.visible: list[Track] = []
        self._cells: dict[int, tuple[Track, tuple[str, ...]]] = {}

    # --- rows -----------------------------------------------------------------------
    def set_tracks(self, tracks: Sequence[Track]) -> None:
        self.tracks = list(tracks)
        self._search = {}
        self._cells = {}
        self._sort()
        self.refilter()

    def append_tracks(self, tracks: Sequence[Track]) -> None:
        if self.sort_column is not None:
            self.tracks.extend(tracks)
            self._sort()
            self.refilter()
            return
        self.tracks.extend(tracks)
        needle = sound_filter(self.filter_text)[0]
        self.visible.extend(t for t in tracks if self._keeps(t, needle))

    def replace_sound(self, urn: str, bpm: float | None, key: str | None,
                      camelot: str | None) -> bool:
        """Swap in copies of every row with ``urn`` carrying a new analysis (tempo, key,
        Camelot); True when any row changed. Their cells are rendered again."""
        from dataclasses import replace

        changed: dict[int, Track] = {}
        for index, track in enumerate(self.tracks):
            if track.urn == urn and (track.bpm, track.key, track.camelot) != (bpm, key,
                                                                              camelot):
                new = replace(track, bpm=bpm, key=key, camelot=camelot)
                changed[id(track)] = new
                self.tracks[index] = new
        if not changed:
            return False
        self.visible = [changed.get(id(t), t) for t in self.visible]
        if self.sort_column in ("bpm", "key", "camelot"):
            self._sort()
            self.refilter()
        return True

    def replace_judgment(self, urn: str, judgment: Judgment | None) -> bool:
        """Swap in re-judged copies of every row with ``urn``; True when any row changed."""
        from dataclasses import replace

        changed: dict[int, Track] = {}
        for index, track in enumerate(self.tracks):
            if track.urn == urn and track.judgment != judgment:
                new = replace(track, judgment=judgment)
                changed[id(track)] = new
                self.tracks[index] = new
        if not changed:
            return False
        self.visible = [changed.get(id(t), t) for t in self.visible]
        if self.hide_not_interested or self.sort_column == "rating":
            self._sort()
            self.refilter()
        return True

    def remove(self, urn: str) -> bool:
        """Drop every row with ``urn`` (the inbox after a rating); True when any was there."""
        kept = [t for t in self.tracks if t.urn != urn]
        if len(kept) == len(self.tracks):
            return False
        self.tracks = kept
        self.visible = [t for t in self.visible if t.urn != urn]
        return True

    # --- derived text ---------------------------------------------------------------
    def cells(self, track: Track) -> tuple[str, ...]:
        found = self._cells.get(id(track))
        if found is None:
            found = self._cells[id(track)] = (track, cells(track))
        return found[1]

    def _search_text(self, track: Track) -> str:
        found = self._search.get(id(track))
        if found is None:
            found = self._search[id(track)] = (track, search_text(track))
        return found[1]

    # --- sort and filter ------------------------------------------------------------
    def sort_by(self, column: str, *, reverse: bool = False) -> None:
        if column not in SORT_KEYS:
            raise ValueError(f"unknown column {column!r}; pick one of {', '.join(COLUMN_NAMES)}")
        self.sort_column, self.sort_reverse = column, reverse
        self._sort()
        self.refilter()

    def _sort(self) -> None:
        if self.sort_column is None:
            return
        key = SORT_KEYS[self.sort_column]
        # Missing values stay last in both directions: sort present/missing separately.
        present = [t for t in self.tracks if not key(t)[0]]
        missing = [t for t in self.tracks if key(t)[0]]
        present.sort(key=key, reverse=self.sort_reverse)
        self.tracks = present + missing

    def _keeps(self, track: Track, needle: str) -> bool:
        if self.hide_not_interested and track.judgment is Judgment.NOT_INTERESTED:
            return False
        if self._sound is not None and not self._sound(track):
            return False
        return not needle or needle in self._search_text(track)

    def set_filter(self, text: str) -> None:
        needle, previous = text.lower(), self.filter_text.lower()
        self.filter_text = text
        if previous and needle.startswith(previous) and not has_sound_terms(needle):
            # The new filter extends the old one: only the rows that matched can match.
            self.visible = [t for t in self.visible if needle in self._search_text(t)]
        else:
            self.refilter()

    def refilter(self) -> None:
        needle, self._sound = sound_filter(self.filter_text)
        keeps = self._keeps
        self.visible = [t for t in self.tracks if keeps(t, needle)]


_SOUND_TERMS = ("bpm:", "key:", "mixes:")


def has_sound_terms(text: str) -> bool:
    return any(word.startswith(_SOUND_TERMS) for word in text.lower().split())


def sound_filter(text: str) -> tuple[str, Callable[[Track], bool] | None]:
    """The ``/`` filter's words about sound taken out of ``text``: ``bpm:120-130`` (or
    ``bpm:128``, within 3 %), ``key:Am`` / ``key:8A`` (that key), ``mixes:8A`` (a key that
    mixes with it: same code, one step round the wheel, its relative). (the text left,
    lowercased; a test of a track's analysis, or None). A term that does not parse keeps no
    row (it is being typed). Tracks not analysed never match a sound term."""
    if not has_sound_terms(text):
        return text.lower(), None
    from minion_tui.service import key_code, mixing_codes

    tests: list[Callable[[Track], bool]] = []
    rest = []
    for word in text.lower().split():
        name, _, value = word.partition(":")
        if name == "bpm" and word.startswith("bpm:"):
            tests.append(_in_span(_bpm_span(value)))
        elif name in ("key", "mixes") and word.startswith(_SOUND_TERMS):
            code = key_code(value)
            codes = () if code is None else (code,) if name == "key" else mixing_codes(code)
            tests.append(_in_codes(frozenset(codes)))
        else:
            rest.append(word)
    return " ".join(rest), lambda t: all(test(t) for test in tests)


def _in_span(span: tuple[float, float] | None) -> Callable[[Track], bool]:
    def test(track: Track) -> bool:
        return span is not None and track.bpm is not None and span[0] <= track.bpm <= span[1]
    return test


def _in_codes(codes: frozenset[str]) -> Callable[[Track], bool]:
    def test(track: Track) -> bool:
        return track.camelot in codes
    return test


def _bpm_span(value: str) -> tuple[float, float] | None:
    low, dash, high = value.partition("-")
    try:
        span = (float(low), float(high)) if dash else (float(low) / 1.03, float(low) * 1.03)
    except ValueError:
        return None
    if not all(v == v and abs(v) != float("inf") for v in span) or not 0 < span[0] <= span[1]:
        return None
    return span
