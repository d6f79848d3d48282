"""The app's own files (database, log, caches, config) are private to the user: folders it
creates are 0700 and its files 0600 under an ordinary 022 umask. Downloads are the user's
music, not the app's data: they follow the umask."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from minion_tui import config
from minion_tui.cli import setup_logging
from minion_tui.models import Judgment, Track
from minion_tui.store import MIGRATIONS, Store

MINION = str(Path(sys.executable).with_name("minion-tui"))


@pytest.fixture
def umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def modes(root: Path) -> dict[str, str]:
    """Every folder and file under ``root`` (itself included) with its permission bits."""
    return {str(p.relative_to(root.parent)): oct(stat.S_IMODE(p.lstat().st_mode))
            for p in [root, *sorted(root.rglob("*"))]}


def private(root: Path) -> dict[str, str]:
    return {name: ("0o700" if (root.parent / name).is_dir() else "0o600")
            for name in modes(root)}


def cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MINION, *argv], env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=lambda: os.umask(0o022))


def test_a_search_leaves_only_private_files_behind(
    emulator: Any, isolated_env: Path, tmp_path: Path,
) -> None:
    env = {**os.environ, "MINION_ENDPOINTS": emulator.endpoints_env}
    done = cli("search", "deep", "--limit", "3", "--json", env=env)
    assert done.returncode == 0, done.stderr
    done = cli("config", "init", env=env)
    assert done.returncode == 0, done.stderr
    roots = {name: isolated_env / name / "minion-tui"
             for name in ("data", "cache", "state", "config")}
    assert (roots["data"] / "minion.db").is_file()
    assert (roots["cache"] / "soundcloud_client_id.json").is_file()
    assert (roots["state"] / "log" / "minion-tui.log").is_file()
    assert (roots["config"] / "config.toml").is_file()
    for root in roots.values():
        assert modes(root) == private(root)


def test_downloads_follow_the_umask_while_the_database_stays_private(
    emulator: Any, isolated_env: Path, tmp_path: Path,
) -> None:
    env = {**os.environ, "MINION_ENDPOINTS": emulator.endpoints_env}
    music = tmp_path / "Music"
    done = cli("download", emulator.examples["track_full"], "--dir", str(music), "--json",
               env=env)
    assert done.returncode == 0, done.stderr
    found = modes(music)
    assert len(found) >= 2
    assert all(mode == ("0o755" if (music.parent / name).is_dir() else "0o644")
               for name, mode in found.items()), found
    data = isolated_env / "data" / "minion-tui"
    assert modes(data) == private(data)


def test_the_backup_before_a_migration_is_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "app" / "minion.db"
    old = Store.open(path, migrations=MIGRATIONS[:1])
    try:
        old.upsert_tracks([Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1",
                                 url="https://soundcloud.com/a/1", title="Song", artist="A",
                                 uploader="a", duration_ms=1)])
        old.set_judgment("soundcloud:tracks:1", Judgment.LIKED)
    finally:
        old.close()
    store = Store.open(path)
    store.close()
    assert store.backup is not None and store.backup.is_file()
    assert modes(path.parent) == private(path.parent)


def test_a_rotated_log_is_private_too(isolated_env: Path, umask_022: None) -> None:
    setup_logging(debug=False)
    handler = logging.getLogger().handlers[0]
    try:
        logging.getLogger("minion_tui.test").warning("one")
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()
        logging.getLogger("minion_tui.test").warning("two")
    finally:
        handler.close()
        logging.getLogger().handlers[:] = []
    log_root = config.log_dir().parent
    assert sorted(p.name for p in config.log_dir().iterdir()) == [
        "minion-tui.log", "minion-tui.log.1"]
    assert modes(log_root) == private(log_root)
