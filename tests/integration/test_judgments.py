"""Judgments as a record: `minion-tui rate` keeps every change in the history, and
`export judgments` → `import judgments` into a fresh database gives identical rows in both
tables (json and csv); importing into a database with ratings merges without overruling a
newer one. Real SQLite files, the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from minion_tui import config
from minion_tui.cli import main
from minion_tui.errors import InvalidArgument
from minion_tui.models import Judgment
from minion_tui.service import DB_FILENAME, Service
from tests.integration.discovery_seed import service

__all__ = ["service"]  # fixture


def rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("judgments", "judgment_history")}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_a_fresh_database_gives_identical_rows(
        fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["rate", "soundcloud:tracks:1", "liked"],
                 ["rate", "soundcloud:tracks:2", "not_interested"],
                 ["rate", "soundcloud:tracks:1", "not_quite"],
                 ["rate", "soundcloud:tracks:3", "liked"],
                 ["rate", "soundcloud:tracks:3", "clear"],
                 ["rate", "soundcloud:tracks:4", "not_quite"]):
        assert run(capsys, *argv)[0] == 0
    source = config.data_dir() / DB_FILENAME
    code, text = run(capsys, "export", "judgments", "--format", fmt)
    assert code == 0
    exported = tmp_path / f"judgments.{fmt}"
    exported.write_text(text, encoding="utf-8")

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    code, out = run(capsys, "import", "judgments", str(exported), "--json")

    assert code == 0 and json.loads(out) == {"added": 6, "known": 0, "tracks": 4}
    fresh = config.data_dir() / DB_FILENAME
    assert fresh != source
    before, after = rows(source), rows(fresh)
    assert len(before["judgment_history"]) == 6 and len(before["judgments"]) == 3
    assert after == before
    # Importing the same file again changes nothing.
    assert json.loads(run(capsys, "import", "judgments", str(exported), "--json")[1]) == {
        "added": 0, "known": 6, "tracks": 0}
    assert rows(fresh) == before


def test_rate_prints_the_whole_history_of_the_track(capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    run(capsys, "rate", "soundcloud:tracks:7", "liked")
    run(capsys, "rate", "soundcloud:tracks:7", "clear")
    code, out = run(capsys, "rate", "soundcloud:tracks:7", "not_interested", "--json")

    document = json.loads(out)
    assert code == 0 and document["urn"] == "soundcloud:tracks:7"
    assert document["judgment"] == "not_interested"
    assert [(c["judgment"], c["origin"]) for c in document["history"]] == [
        ("liked", "user"), (None, "user"), ("not_interested", "user")]
    assert set(document["history"][0]) == {"id", "urn", "judgment", "origin", "at"}


def test_rate_refuses_a_verdict_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "soundcloud:tracks:7", "meh"]) == 2  # a usage error, as argparse's
    assert ("invalid choice: 'meh' (choose from 'liked', 'not_interested', 'not_quite', "
            "'clear')") in capsys.readouterr().err


async def test_an_older_export_merged_in_never_overrules_a_newer_rating(
        service: Service, tmp_path: Path) -> None:
    await service.library.rate("soundcloud:tracks:1", Judgment.LIKED)
    old = tmp_path / "old.json"
    old.write_text(await service.library.export_judgments("json"), encoding="utf-8")
    other = Service.open(settings=service.settings, data_dir=tmp_path / "other")
    try:
        await other.library.rate("soundcloud:tracks:2", Judgment.NOT_QUITE)
        await other.library.rate("soundcloud:tracks:1", Judgment.NOT_INTERESTED)  # newer
        counts = await other.library.import_judgments(old)
        history = await other.library.history("soundcloud:tracks:1")
        store = await other._core.db()
        current = await store.call(store.judgments, ["soundcloud:tracks:1",
                                                     "soundcloud:tracks:2"])
    finally:
        await other.aclose()
    assert counts == {"added": 1, "known": 0, "tracks": 1}
    assert [c.judgment for c in history] == [Judgment.NOT_INTERESTED, Judgment.LIKED]
    assert current == {"soundcloud:tracks:1": Judgment.NOT_INTERESTED,
                       "soundcloud:tracks:2": Judgment.NOT_QUITE}


@pytest.mark.parametrize(("text", "why"), [
    ("id,urn,judgment,origin,at\n1,soundcloud:tracks:1,loved,user,2026-01-01T00:00:00.000Z\n",
     "line 2 has the judgment 'loved'"),
    ("urn,judgment\n", "its first line is not the header id,urn,judgment,origin,at"),
    ('{"format": "minion-tui judgments", "version": 1, "history": [{"id": 1}]}',
     "history entry 1 has no urn"),
    ('{"format": "something else"}', "it is not a judgments export"),
    ("id,urn,judgment,origin,at\n1,a,,user,x\n1,b,,user,y\n", "the id 1 is there twice"),
])
async def test_a_bad_file_is_refused_saying_where_and_nothing_is_imported(
        service: Service, tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidArgument) as caught:
        await service.library.import_judgments(path)
    assert why in caught.value.message and "nothing was imported" in caught.value.text
    assert await service.library.history() == []


def test_import_of_a_missing_file_is_an_invalid_argument(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "import", "judgments", str(tmp_path / "nope.json"), "--json")
    assert code == 1 and json.loads(out)["error"]["type"] == "invalid_argument"




def test_rate_by_url_resolves_the_track_and_stores_it(
        sc_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "rate", sc_env.examples["track_full"], "liked", "--json")
    document = json.loads(out)
    assert code == 0 and document["urn"].startswith("soundcloud:tracks:")
    with sqlite3.connect(config.data_dir() / DB_FILENAME) as conn:
        stored = conn.execute("SELECT t.url, j.judgment FROM tracks t JOIN judgments j "
                              "ON j.urn = t.urn").fetchall()
    assert stored == [(sc_env.examples["track_full"], "liked")]
