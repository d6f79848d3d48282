"""Pure track-list logic: formatting, sort keys with missing values, filtering."""

from __future__ import annotations

from minion_tui.models import Availability, Counts, Judgment, Track, format_duration
from minion_tui.tui.widgets.track_list_model import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    TrackListModel,
    cells,
    column_widths,
    format_date,
    format_plays,
)


def track(i: int, title: str = "", plays: int | None = None, created: str | None = None,
          judgment: Judgment | None = None, genre: str = "", tags: tuple[str, ...] = ()) -> Track:
    return Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}", url="",
                 title=title or f"t{i}", artist=f"a{i}", uploader="u", duration_ms=1000 * i,
                 genre=genre, tags=tags, counts=Counts(plays=plays), created_at=created,
                 judgment=judgment)


def test_formatting() -> None:
    def length(ms: int | None) -> str:  # the length column: a track's duration_ms
        return format_duration(None if ms is None else ms / 1000, unknown="")

    assert length(187_000) == "3:07"
    assert length(3_723_000) == "1:02:03"
    assert length(None) == ""
    assert [format_plays(p) for p in (None, 999, 1234, 34_000, 1_500_000)] == [
        "", "999", "1.2k", "34k", "1.5M"]
    assert format_date("2026-01-27T03:47:23Z") == "2026-01-27"
    assert format_date(None) == ""


def test_cells_mark_availability_and_badge() -> None:
    preview = Track(provider="soundcloud", id="1", urn="u1", url="", title="Go", artist="A",
                    uploader="u", duration_ms=60_000, availability=Availability.PREVIEW,
                    judgment=Judgment.LIKED)
    row = cells(preview)
    assert row[0] == "♥"
    assert row[1] == "Go [preview]"
    assert row[3] == "1:00"


def test_sort_keeps_missing_values_last_both_ways() -> None:
    model = TrackListModel()
    model.set_tracks([track(1, plays=5), track(2, plays=None), track(3, plays=50)])
    model.sort_by("plays")
    assert [t.id for t in model.tracks] == ["1", "3", "2"]
    model.sort_by("plays", reverse=True)
    assert [t.id for t in model.tracks] == ["3", "1", "2"]
    model.sort_by("date")
    assert [t.id for t in model.tracks] == ["3", "1", "2"]  # all missing: order kept


def test_sort_title_case_insensitive() -> None:
    model = TrackListModel()
    model.set_tracks([track(1, "beta"), track(2, "Alpha"), track(3, "gamma")])
    model.sort_by("title")
    assert [t.title for t in model.tracks] == ["Alpha", "beta", "gamma"]


def test_filter_narrows_and_widens() -> None:
    model = TrackListModel()
    model.set_tracks([track(1, "Deep House", genre="house"), track(2, "Techno", tags=("dub",)),
                      track(3, "Dub Step")])
    model.set_filter("d")
    assert [t.id for t in model.visible] == ["1", "2", "3"]
    model.set_filter("DUB")
    assert [t.id for t in model.visible] == ["2", "3"]
    model.set_filter("dubs")
    assert model.visible == []
    model.set_filter("hou")
    assert [t.id for t in model.visible] == ["1"]
    model.set_filter("")
    assert len(model.visible) == 3


def test_hide_not_interested_and_rejudge() -> None:
    model = TrackListModel(hide_not_interested=True)
    model.set_tracks([track(1), track(2, judgment=Judgment.NOT_INTERESTED)])
    assert [t.id for t in model.visible] == ["1"]
    assert model.replace_judgment("soundcloud:tracks:1", Judgment.NOT_INTERESTED)
    assert model.visible == []
    model.hide_not_interested = False
    model.refilter()
    assert [t.judgment for t in model.visible] == [Judgment.NOT_INTERESTED] * 2


def test_column_widths_fill_the_width() -> None:
    widths = column_widths(120)
    shown = [w for w in widths if w]  # the optional BPM, Key and Camelot columns are off
    assert sum(shown) + len(shown) - 1 == 120
    assert widths[1] > widths[2]


def test_narrow_lists_give_up_columns_before_the_title() -> None:
    names = [c.name for c in COLUMNS]
    widths = dict(zip(names, column_widths(50), strict=True))
    # Browse next to the details panel: source, date and genre go; the title stays readable.
    assert [n for n in names if widths[n]] == ["rating", "title", "artist", "duration",
                                              "plays"]
    assert widths["title"] >= 20
    assert sum(w for w in widths.values() if w) + 4 == 50
    assert column_widths(56)[names.index("genre")] > 0
    assert all(w for w, c in zip(column_widths(200), COLUMNS, strict=True)
               if c.name not in OPTIONAL_COLUMNS)
    assert all(column_widths(200, frozenset(OPTIONAL_COLUMNS)))


def sounded(i: int, bpm: float | None, key: str | None, camelot: str | None) -> Track:
    from dataclasses import replace

    return replace(track(i), bpm=bpm, key=key, camelot=camelot)


def test_the_sound_columns_are_off_by_default_and_fit_when_asked_for() -> None:
    names = [c.name for c in COLUMNS]
    off = dict(zip(names, column_widths(120), strict=True))
    assert [off[n] for n in OPTIONAL_COLUMNS] == [0, 0, 0]
    on = dict(zip(names, column_widths(120, frozenset({"bpm", "camelot"})), strict=True))
    assert on["bpm"] == 5 and on["camelot"] == 3 and on["key"] == 0
    shown = [w for w in on.values() if w]
    assert sum(shown) + len(shown) - 1 == 120
    row = dict(zip(names, cells(sounded(1, 128.04, "A minor", "8A")), strict=True))
    assert (row["bpm"], row["key"], row["camelot"]) == ("128.0", "A min", "8A")
    assert cells(track(2))[-3:] == ("", "", "")


def test_sorting_by_bpm_and_key_keeps_unanalysed_tracks_last() -> None:
    model = TrackListModel()
    model.set_tracks([sounded(1, 140.0, "F# major", "2B"), sounded(2, None, None, None),
                      sounded(3, 96.5, "E minor", "9A"), sounded(4, 126.0, "A minor", "10A")])
    model.sort_by("bpm")
    assert [t.id for t in model.visible] == ["3", "4", "1", "2"]
    model.sort_by("bpm", reverse=True)
    assert [t.id for t in model.visible] == ["1", "4", "3", "2"]
    model.sort_by("key")  # round the wheel: 2B, 9A, 10A (not "10A" < "2B" as text)
    assert [t.id for t in model.visible] == ["1", "3", "4", "2"]
    assert model.replace_sound("soundcloud:tracks:2", 90.0, "C major", "8B")
    model.sort_by("bpm")
    assert [t.id for t in model.visible] == ["2", "3", "4", "1"]
    assert model.cells(model.visible[0])[-3:] == ("90.0", "C maj", "8B")


def test_the_filter_s_sound_terms_keep_analysed_tracks_in_range_key_or_mixing() -> None:
    from dataclasses import replace

    model = TrackListModel()
    model.set_tracks([replace(sounded(1, 126.0, "A minor", "8A"), title="deep one"),
                      sounded(2, 128.0, "E minor", "9A"), sounded(3, 100.0, "C major", "8B"),
                      sounded(4, 140.0, "F# major", "2B"), sounded(5, None, None, None)])

    def shown(text: str) -> list[str]:
        model.set_filter(text)
        return [t.id for t in model.visible]

    assert shown("bpm:120-130") == ["1", "2"]
    assert shown("bpm:128") == ["1", "2"]  # within 3 %
    assert shown("BPM:139-141") == ["4"]
    assert shown("key:am") == shown("key:8A") == ["1"]
    assert shown("mixes:8a") == ["1", "2", "3"]  # 8A, 9A and the relative 8B; not 2B
    assert shown("mixes:8a bpm:120-200") == ["1", "2"]
    assert shown("deep mixes:am") == ["1"]  # with words, as before
    for unfinished in ("bpm:", "bpm:12-", "bpm:abc", "bpm:200-100", "bpm:nan", "key:h",
                       "mixes:"):
        assert shown(unfinished) == [], unfinished
    assert shown("bpm:1") == []  # typing on from here widens again: no stale narrowing
    assert shown("bpm:126") == ["1", "2"]
    assert shown("") == ["1", "2", "3", "4", "5"]
    assert shown("a5") == ["5"]  # plain text still matches as it did
