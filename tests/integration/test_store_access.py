"""A database another process holds locked, a read-only database file, a database in a folder
that is not writable: reads go on, writes fail with a `store` error that says who holds the
lock or what is read-only and what to do, and nothing advises discarding a healthy file.

The lock is a real second process holding ``BEGIN EXCLUSIVE``; read-only is real permission
bits, honoured by running the CLI as an unprivileged user (tests/unprivileged.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from minion_tui import config
from minion_tui.errors import StoreError, StoreLocked, StoreReadOnly
from minion_tui.models import Judgment, Track
from minion_tui.store import Store
from tests.unprivileged import (
    hand_over,
    require_permission_bits,
    run_cli,
    run_python,
    xdg_env,
)

URN = "soundcloud:tracks:1"

# Holds the database's write lock until its stdin closes.
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE judgments SET judgment = judgment")
print("holding", flush=True)
sys.stdin.read()
"""


def a_track(n: int = 1) -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                 url=f"https://soundcloud.com/a/{n}", title=f"Song {n}", artist="A",
                 uploader="a", duration_ms=1000)


def make_db(path: Path) -> None:
    """A healthy database with one rated track."""
    with closing(Store.open(path)) as store:
        store.upsert_tracks([a_track()])
        store.set_judgment(URN, Judgment.LIKED)


@pytest.fixture
def holder() -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    path = config.data_dir() / "minion.db"  # the database the CLI of these tests opens
    make_db(path)
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == "holding\n"
    try:
        yield path, process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


# -- locked by another process ---------------------------------------------------------------


def test_reads_go_on_while_another_process_holds_the_write_lock(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, _ = holder
    with closing(Store.open(path)) as store:
        assert store.get_track(URN) == dataclasses.replace(a_track(), judgment=Judgment.LIKED)
        assert store.judgments([URN]) == {URN: Judgment.LIKED}


def test_a_write_names_the_process_holding_the_lock(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, process = holder
    with closing(Store.open(path)) as store:
        with store.patience(0.2), pytest.raises(StoreLocked) as caught:
            store.set_judgment(URN, Judgment.NOT_QUITE)
    error = caught.value
    assert error.type == "store" and isinstance(error, StoreError)
    assert error.message == (
        f"The database {path} is locked by process {process.pid} "
        f"({Path(sys.executable).name} -c …), which is writing to it; nothing was saved.")
    assert error.hint == ("Close the other minion-tui (or whatever that process is), or wait "
                          "for it to finish, and try again.")
    with sqlite3.connect(path) as conn:  # the verdict before stays
        assert conn.execute("SELECT judgment FROM judgments").fetchall() == [("liked",)]


def test_search_answers_and_warns_while_the_database_is_locked(
    holder: tuple[Path, subprocess.Popen[str]], emulator: Any,
) -> None:
    path, process = holder
    env = {**os.environ, "MINION_ENDPOINTS": emulator.endpoints_env}
    done = subprocess.run([str(Path(sys.executable).with_name("minion-tui")), "search", "deep",
                           "--limit", "3", "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    tracks = json.loads(done.stdout)
    assert len(tracks) == 3 and all(t["kind"] == "track" for t in tracks)
    assert f"is locked by process {process.pid}" in done.stderr
    assert "minion-tui: warning: the search history was not saved:" in done.stderr
    assert done.stderr.count("warning:") == 1  # one lock, one warning (tracks seen skipped too)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM search_history").fetchone() == (0,)


# -- read-only file or folder ------------------------------------------------------------------


def read_only_home(reachable_tmp: Path, emulator: Any, *, folder: bool) -> tuple[Path, Any]:
    """A data folder with a healthy database the CLI's user cannot write: the file
    (``folder=False``) or the folder around it (``folder=True``, the file itself writable)."""
    require_permission_bits()
    env = xdg_env(reachable_tmp, {"MINION_ENDPOINTS": emulator.endpoints_env,
                                  "SOUNDCLOUD_DOWNLOAD_DIR": str(reachable_tmp / "Music")})
    for name in ("config", "data", "cache", "state", "Music"):
        (reachable_tmp / name).mkdir()
    db = reachable_tmp / "data" / "minion-tui" / "minion.db"
    db.parent.mkdir()
    make_db(db)
    hand_over(*(reachable_tmp / n for n in ("config", "data", "cache", "state", "Music")))
    if folder:
        db.parent.chmod(0o555)
    else:
        db.chmod(0o444)
    return db, env


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
def test_a_read_only_database_still_answers_a_search(
    reachable_tmp: Path, emulator: Any, folder: bool,
) -> None:
    db, env = read_only_home(reachable_tmp, emulator, folder=folder)
    done = run_cli("search", "deep", "--limit", "3", "--json", env=env)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3
    what = f"the folder {db.parent} is not writable" if folder else f"the file {db} is " \
        "not writable"
    assert f"minion-tui: warning: the search history was not saved: The database {db} is " \
        f"read-only ({what})" in done.stderr
    assert "aside" not in done.stderr
    assert done.stderr.count("warning:") == 1
    if folder:  # nothing could be created beside it; nothing was tried
        assert sorted(p.name for p in db.parent.iterdir()) == ["minion.db"]


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
def test_a_write_to_a_read_only_database_is_a_store_error_saying_so(
    reachable_tmp: Path, emulator: Any, folder: bool,
) -> None:
    db, env = read_only_home(reachable_tmp, emulator, folder=folder)
    done = run_cli("download", emulator.examples["track_full"], "--json", env=env)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout.splitlines()[-1])["error"]
    assert error["type"] == "store"
    what = (f"the folder {db.parent} is not writable" if folder
            else f"the file {db} is not writable")
    assert error["message"].startswith(f"The database {db} is read-only ({what}); nothing "
                                       "was saved.")
    fix = (f"chmod u+w {db.parent}" if folder else f"chmod u+w {db}")
    assert fix in error["message"]
    assert "aside" not in error["message"]
    with sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) as conn:
        assert conn.execute("SELECT judgment FROM judgments").fetchall() == [("liked",)]


def test_a_corrupt_file_is_still_the_one_case_to_move_aside(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    path.write_bytes(b"this is not a database, just text" * 200)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert not isinstance(caught.value, StoreReadOnly | StoreLocked)
    assert "cannot be read" in caught.value.message and "Move the file aside" in caught.value.text


def test_a_missing_database_in_a_folder_not_writable_says_so(reachable_tmp: Path) -> None:
    require_permission_bits()
    folder = reachable_tmp / "data" / "minion-tui"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    done = run_python(
        "import asyncio, json\n"
        "from minion_tui.service import Service\n"
        "from minion_tui.errors import MinionError\n"
        "async def main():\n"
        "    service = Service.open()\n"
        "    try:\n"
        "        await service.library.recent_searches()\n"
        "    except MinionError as exc:\n"
        "        print(json.dumps(exc.to_json()))\n"
        "    finally:\n"
        "        await service.aclose()\n"
        "asyncio.run(main())\n", env=xdg_env(reachable_tmp))
    assert "Traceback" not in done.stderr, done.stderr
    error = json.loads(done.stdout)["error"]
    db = folder / "minion.db"
    assert error == {"type": "store", "message": (
        f"Could not create the database {db}: the folder {folder} is not writable. Make it "
        f"writable (chmod u+w {folder}) or set XDG_DATA_HOME to a folder you can write.")}
