"""Schema migrations by ``PRAGMA user_version`` (docs/downloads.md §5.2).

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the bump of
``user_version``; SQLite DDL is transactional, so a failure or a crash part-way leaves the
database exactly at the previous version. Before the first migration of an existing database
a copy is taken with the online backup API (consistent even with a WAL in use; beets does the
same before its migrations), named ``<db>.v<old>-<UTC time>.bak`` next to the database.

Processes that find the database behind (the TUI and a command started at once on a first
run) migrate one at a time under an exclusive ``flock`` on ``.<db>.migrating`` beside it (gone
again afterwards); each reads the version again once it holds the lock, so the later ones find
the work done.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from minion_tui.config import private_opener
from minion_tui.errors import StoreError

log = logging.getLogger(__name__)

#: A step is one SQL statement or a function for data migrations. Neither may commit.
Step = str | Callable[[sqlite3.Connection], None]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    steps: tuple[Step, ...]


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> Path | None:
    """Bring the database at ``path`` (open on ``conn``, autocommit mode) to the newest version.

    Returns the path of the backup taken before migrating, or None when none was needed
    (already current, or a brand-new empty file).
    """
    _check_numbering(migrations)
    target = migrations[-1].version if migrations else 0
    current = user_version(conn)
    if current > target:
        raise StoreError(
            f"The database {path} has schema version {current}, newer than this minion_tui "
            f"knows (version {target}).",
            hint="Upgrade minion_tui, or move the database aside to start a fresh one.",
        )
    if current == target:
        return None
    with _one_at_a_time(path):
        current = user_version(conn)  # another process may have migrated while we waited
        if current == target:
            return None
        backup = backup_copy(conn, path, current) if _has_content(conn) else None
        for migration in migrations:
            if migration.version <= current:
                continue
            _apply(conn, path, migration, backup)
            log.info("database %s migrated to v%d (%s)", path, migration.version,
                     migration.name)
    return backup


@contextlib.contextmanager
def _one_at_a_time(path: Path) -> Iterator[None]:
    """An exclusive lock shared by every process migrating ``path``. The holder removes the
    lock file before letting go, so a waiter that then holds the lock of a removed file
    (its inode no longer the path's) opens the path again."""
    lock = path.parent / f".{path.name}.migrating"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # a folder we may not create in: SQLite's own locks still hold
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)  # closing releases the lock


def _apply(
    conn: sqlite3.Connection, path: Path, migration: Migration, backup: Path | None
) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in migration.steps:
            if isinstance(step, str):
                conn.execute(step)
            else:
                step(conn)
        # PRAGMA takes no bound parameters; the version is an int we own.
        conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        conn.execute("COMMIT")
    except BaseException as exc:
        conn.execute("ROLLBACK")
        if not isinstance(exc, Exception):
            raise
        copy = f" A copy taken before upgrading is at {backup}." if backup else ""
        raise StoreError(
            f"Could not upgrade the database {path} to schema version {migration.version} "
            f"({migration.name}): {exc}.",
            hint=f"The database was left at version {migration.version - 1}, unchanged.{copy} "
            "Please report this as a bug.",
        ) from exc


def backup_copy(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the database next to itself as ``<name>.v<version>-<UTC time>.bak``.

    Written to a ``.part`` file first and renamed, so a crash never leaves a half copy under
    the final name.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    n = 2
    while dest.exists():  # two upgrades within a second (tests, or a retry)
        dest = path.with_name(f"{path.name}.v{version}-{stamp}-{n}.bak")
        n += 1
    part = dest.with_name(dest.name + ".part")
    try:
        # Created first so the copy is as private as the database (SQLite would use the umask).
        os.close(private_opener(str(part), os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
        target = sqlite3.connect(part)
        try:
            conn.backup(target)
        finally:
            target.close()
        os.replace(part, dest)
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise StoreError(
            f"Could not copy the database {path} to {dest} before upgrading it: {exc}.",
            hint="Check free disk space and permissions of that folder; nothing was changed.",
        ) from exc
    return dest


def _has_content(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return bool(row[0]) or user_version(conn) > 0


def _check_numbering(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1..n in order, got {versions}")
