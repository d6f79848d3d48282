"""How the store reaches its file, and what a failed write means to the user
(docs/downloads.md §5.4).

A healthy database the user cannot write (a read-only file, or a folder where SQLite cannot
create its ``-wal``/``-shm`` files) is opened read-only instead of failing: ``mode=ro``, and
``immutable=1`` when the folder is not writable and no ``-shm`` exists to share (SQLite
cannot read a WAL database read-only without one; a cleanly closed database has its WAL
checkpointed into the main file, so nothing is missed). Every write is then refused with
:class:`StoreReadOnly` naming the file or folder and the chmod that fixes it.

A write that SQLite refuses is translated by :func:`write_failure`: locked (another process
writes longer than the busy timeout; :mod:`lock_owner` names it), read-only, disk full, I/O
error. Only a file SQLite cannot parse is "move it aside": nothing here ever advises
discarding a database that is fine.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from minion_tui import config
from minion_tui.errors import StoreError, StoreLocked, StoreReadOnly
from minion_tui.store import lock_owner

#: Seconds a write waits for another process's write lock before it is refused.
BUSY_TIMEOUT = 5.0
#: What SQLite says for a file that is not (or no longer) a database.
_UNREADABLE = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def connect(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A connection to the database at ``path`` (created, private to the user, when missing)
    and, when it had to be opened read-only, what is not writable: the file or its folder."""
    folder = path.parent
    if not path.exists():
        _create(path)
        return _connect(str(path), uri=False), None
    if not os.access(folder, os.W_OK | os.X_OK):
        blocked = folder
    elif not os.access(path, os.W_OK):
        blocked = path
    else:
        return _connect(str(path), uri=False), None
    url = f"file:{quote(path.as_posix())}?mode=ro"
    shm = Path(f"{path}-shm")
    if blocked == folder and not shm.exists():
        return _connect(url + "&immutable=1", uri=True), blocked
    conn = _connect(url, uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if not _named(exc, "SQLITE_READONLY", "SQLITE_CANTOPEN"):
            conn.close()
            raise
        conn.close()  # a -shm it may not use: read the main file as it is
        return _connect(url + "&immutable=1", uri=True), blocked
    return conn, blocked


def _connect(target: str, *, uri: bool) -> sqlite3.Connection:
    return sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None,
                           check_same_thread=False, uri=uri)


def _create(path: Path) -> None:
    folder = path.parent
    try:
        config.private_dirs(folder)
        fd = config.private_opener(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return  # another process created it first
    except PermissionError as exc:
        nearest = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        raise StoreError(
            f"Could not create the database {path}: the folder {nearest} is not writable.",
            hint=f"Make it writable (chmod u+w {nearest}) or set XDG_DATA_HOME to a folder you "
            "can write.",
        ) from exc
    except OSError as exc:
        raise StoreError(f"Could not create the database {path}: {exc.strerror or exc}.",
                         hint=f"Check the folder {folder} and the free disk space.") from exc
    os.close(fd)  # an empty file is an empty database; SQLite gives -wal and -shm its mode


def read_only(path: Path, blocked: Path, *, doing: str = "nothing was saved") -> StoreReadOnly:
    what = "folder" if blocked != path else "file"
    return StoreReadOnly(
        f"The database {path} is read-only (the {what} {blocked} is not writable); {doing}.",
        hint=f"Make it writable (chmod u+w {blocked}) and try again; reading works meanwhile.",
    )


def locked(path: Path) -> StoreLocked:
    found = lock_owner.holder(path)
    if found is None:
        return StoreLocked(
            f"The database {path} is locked by another process, which is writing to it; "
            "nothing was saved.",
            hint=f"Close the other minion-tui (`fuser {path} {path}-shm` lists who has it "
            "open), or wait for it to finish, and try again.",
        )
    pid, program = found
    return StoreLocked(
        f"The database {path} is locked by process {pid} ({program}), which is writing to "
        "it; nothing was saved.",
        hint="Close the other minion-tui (or whatever that process is), or wait for it to "
        "finish, and try again.",
    )


def write_failure(exc: sqlite3.Error, path: Path, blocked: Path | None) -> StoreError | None:
    """The user-facing error of a write SQLite refused, or None when the failure is not about
    the file (a constraint, a bug in a statement: those stay as they are)."""
    if _named(exc, "SQLITE_BUSY", "SQLITE_LOCKED") or "database is locked" in str(exc):
        return locked(path)
    if _named(exc, "SQLITE_READONLY"):
        return read_only(path, blocked or _not_writable(path))
    if _named(exc, "SQLITE_FULL"):
        return StoreError(f"The database {path} could not grow: the disk is full; nothing "
                          "was saved.", hint="Free some disk space and try again.")
    if _named(exc, "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM"):
        return StoreError(f"Could not write to the database {path}: {exc}; nothing was saved.",
                          hint=f"Check the disk and the permissions of {path.parent}, and try "
                          "again.")
    return None


def open_failure(exc: sqlite3.Error, path: Path, blocked: Path | None) -> StoreError:
    """The user-facing error of a database that could not be opened or upgraded."""
    if _named(exc, *_UNREADABLE):
        return StoreError(
            f"The database {path} cannot be read: {exc}.",
            hint="Move the file aside (minion_tui will create a fresh one) and keep it for a "
            "bug report.",
        )
    return write_failure(exc, path, blocked) or StoreError(
        f"Could not open the database {path}: {exc}.",
        hint=f"Check the file and its folder {path.parent}, and try again.",
    )


def _not_writable(path: Path) -> Path:
    folder = path.parent
    return folder if not os.access(folder, os.W_OK | os.X_OK) else path


def _named(exc: sqlite3.Error, *prefixes: str) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(prefixes)
