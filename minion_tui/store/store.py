"""The SQLite store: one connection, one writer thread, short transactions.

Concurrency model (docs/downloads.md §5.1): the store owns ONE connection and ONE
dedicated worker thread. Async code (the service, the TUI through the service) reaches the
database with ``await store.call(fn, ...)``, which runs ``fn`` on that thread, so the event
loop never waits on SQLite. The sync methods are also safe from any other thread (an internal
re-entrant lock serializes them), but a *write* attempted on a thread that runs an asyncio
event loop raises ``RuntimeError``: that is the "writes never run on the UI loop" rule,
enforced rather than hoped for.

Durability: WAL + ``synchronous=NORMAL`` means a committed transaction survives the app being
killed; only a power loss can roll back the newest commits. The user's own judgments are
committed with ``synchronous=FULL`` for that one transaction (an fsync of a few ms, at human
rate), as §5.1 suggests when losing the last rating is unacceptable.

Other processes and permissions (docs/downloads.md §5.4, store/access.py): reads run in
:meth:`snapshot` read transactions, which neither take the write lock nor wait for one, so
they work while another process writes and on a database opened read-only; a write SQLite
refuses becomes a ``store`` error saying who holds the lock or what is not writable.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from minion_tui.errors import StoreError
from minion_tui.models import Judgment, SearchEntry, Source, Track, User
from minion_tui.store import access, rows
from minion_tui.store.migrations import Migration, migrate, user_version
from minion_tui.store.records import Provenance, utc_now, write_verdict
from minion_tui.store.schema import MIGRATIONS

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Stay well under SQLITE_MAX_VARIABLE_NUMBER (999 on SQLite < 3.32) in ``IN (...)`` lists.
_CHUNK = 500
#: Searches kept in the history; older ones are dropped on insert.
SEARCH_HISTORY_SIZE = 500


class Store:
    """The app's SQLite database. Create with :meth:`open`, release with :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, backup: Path | None,
                 *, blocked: Path | None = None) -> None:
        self.path = path
        #: The copy taken before the migrations run by :meth:`open` (None if none ran).
        self.backup = backup
        #: When the database was opened read-only: what is not writable (the file or its
        #: folder); every write then raises StoreReadOnly.
        self.blocked = blocked
        self._conn = conn
        self._lock = threading.RLock()
        self._depth = 0  # transaction nesting on the thread holding the lock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minion-store")
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        """Open (creating folders and file as needed), set the pragmas and migrate. A
        database the user may not write is opened read-only (store/access.py).

        ``migrations`` is for tests of the migration machinery; the app uses the default.
        """
        path = Path(path)
        try:
            conn, blocked = access.connect(path)
        except sqlite3.Error as exc:
            raise access.open_failure(exc, path, None) from exc
        except OSError as exc:
            raise StoreError(
                f"Could not open the database {path}: {exc.strerror or exc}.",
                hint=f"Check that the folder {path.parent} exists and that you may use it.",
            ) from exc
        try:
            _set_pragmas(conn, writable=blocked is None)
            if blocked is not None:
                _refuse_to_migrate(conn, path, blocked, migrations)
            backup = migrate(conn, path, migrations)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise access.open_failure(exc, path, blocked) from exc
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, backup, blocked=blocked)

    def close(self) -> None:
        """Finish queued calls, checkpoint the WAL into the main file and close. Idempotent.

        The checkpoint does not wait for another process's lock (that process checkpoints
        when it closes), and a failure of it is only logged: nothing the user did is lost."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        with self._lock:
            try:
                if self.blocked is None:
                    self._conn.execute("PRAGMA busy_timeout = 0")
                    self._conn.execute("PRAGMA optimize")
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.info("closing %s without a checkpoint: %s", self.path, exc)
            finally:
                self._conn.close()

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the store's worker thread and return its result."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        except RuntimeError as exc:  # the executor was shut down by close()
            raise StoreError(
                f"The database {self.path} is already closed.",
                hint="This is a bug in minion_tui; please report it.",
            ) from exc
        return await future

    @contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); nested uses become savepoints.

        Commits on success, rolls back on any exception. ``durable`` fsyncs the commit
        (``synchronous=FULL``) so it survives a power loss too.
        """
        _refuse_on_event_loop()
        with self._lock:
            conn = self._conn
            depth = self._depth
            outer = depth == 0
            if outer and self.blocked is not None:
                raise access.read_only(self.path, self.blocked)
            try:
                if outer:
                    if durable:
                        conn.execute("PRAGMA synchronous = FULL")
                    conn.execute("BEGIN IMMEDIATE")
                else:
                    conn.execute(f"SAVEPOINT nested_{depth}")
                self._depth += 1
                try:
                    yield conn
                    conn.execute("COMMIT" if outer else f"RELEASE nested_{depth}")
                except BaseException:
                    if not outer:
                        conn.execute(f"ROLLBACK TO nested_{depth}")
                        conn.execute(f"RELEASE nested_{depth}")
                    elif conn.in_transaction:  # also when COMMIT itself failed
                        conn.execute("ROLLBACK")
                    raise
                finally:
                    self._depth = depth
                    if outer and durable:
                        conn.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as exc:
                failure = access.write_failure(exc, self.path, self.blocked) if outer else None
                if failure is None:
                    raise
                raise failure from exc

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that see one state of the database: a deferred (read) transaction, or the
        transaction already open on this thread. It takes no write lock, so it works on a
        read-only database and never waits for another process's writer (WAL). Nothing
        inside may write."""
        with self._lock:
            conn = self._conn
            if self._depth:
                yield conn
                return
            conn.execute("BEGIN")
            self._depth += 1
            try:
                yield conn
            finally:
                self._depth = 0
                conn.execute("COMMIT")  # ends the read; nothing was written

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Writes inside wait at most ``seconds`` for another process's lock (instead of
        access.BUSY_TIMEOUT): for writes a read does along the way, which may be skipped."""
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
            try:
                yield
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {int(access.BUSY_TIMEOUT * 1000)}")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- tracks and users --------------------------------------------------------------------

    def upsert_tracks(self, tracks: Iterable[Track]) -> int:
        """Insert or update tracks (and their uploaders, as far as known) in one transaction.

        Returns the number of tracks written."""
        now = utc_now()
        track_rows: list[tuple[Any, ...]] = []
        uploaders: dict[str, tuple[Any, ...]] = {}
        for track in tracks:
            track_rows.append(rows.track_row(track, now))
            uploader = rows.uploader_row(track, now)
            if uploader is not None:
                uploaders[uploader[0]] = uploader
        if not track_rows:
            return 0
        with self.transaction() as conn:
            conn.executemany(rows.UPSERT_UPLOADER, uploaders.values())
            conn.executemany(rows.UPSERT_TRACK, track_rows)
        return len(track_rows)

    def upsert_users(self, users: Iterable[User]) -> int:
        now = utc_now()
        user_rows = [rows.user_row(u, now) for u in users]
        if user_rows:
            with self.transaction() as conn:
                conn.executemany(rows.UPSERT_USER, user_rows)
        return len(user_rows)

    def get_user(self, urn: str) -> User | None:
        found = self._read(f"{rows.SELECT_USER} WHERE urn = ?", (urn,))
        return rows.user_from_row(found[0]) if found else None

    def get_track(self, urn: str) -> Track | None:
        found = self._read(f"{rows.SELECT_TRACK} WHERE t.urn = ?", (urn,))
        return rows.track_from_row(found[0]) if found else None

    def get_tracks(self, urns: Sequence[str]) -> list[Track]:
        """The stored tracks among ``urns``, in the same order; unknown URNs are skipped."""
        found: dict[str, Track] = {}
        for chunk in _chunks(list(dict.fromkeys(urns))):
            marks = ", ".join("?" * len(chunk))
            for row in self._read(f"{rows.SELECT_TRACK} WHERE t.urn IN ({marks})", chunk):
                found[row[0]] = rows.track_from_row(row)
        return [found[u] for u in urns if u in found]

    # -- judgments ---------------------------------------------------------------------------

    def set_judgment(
        self, urn: str, judgment: Judgment | None, *, origin: str = "user"
    ) -> None:
        """Record (None: clear) the verdict on a track. A history row is always appended;
        the change is committed (and fsynced) before this returns."""
        verdict = Judgment(judgment).value if judgment is not None else None
        now = utc_now()
        with self.transaction(durable=True) as conn:
            history_id = conn.execute(
                "INSERT INTO judgment_history (urn, judgment, origin, at) VALUES (?, ?, ?, ?)",
                (urn, verdict, origin, now),
            ).lastrowid
            write_verdict(conn, urn, verdict, origin, now, history_id)

    def judgments(self, urns: Iterable[str]) -> dict[str, Judgment]:
        """The current verdicts of those of ``urns`` that have one."""
        result: dict[str, Judgment] = {}
        for chunk in _chunks(list(dict.fromkeys(urns))):
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT urn, judgment FROM judgments WHERE urn IN ({marks})"
            result.update((urn, Judgment(j)) for urn, j in self._read(sql, chunk))
        return result

    def judgment_history(self, urn: str) -> list[tuple[str, Judgment | None, str]]:
        """Every change of the verdict on a track as (at, judgment or None, origin), oldest
        first."""
        found = self._read(
            "SELECT at, judgment, origin FROM judgment_history WHERE urn = ? ORDER BY id", (urn,)
        )
        return [(at, Judgment(j) if j else None, origin) for at, j, origin in found]

    def tracks_by_judgment(
        self, judgments: Collection[Judgment], *, limit: int | None = None
    ) -> list[Track]:
        """Stored tracks whose current verdict is one of ``judgments``, newest verdict first.
        Judged URNs whose track is not stored are left out."""
        verdicts = [Judgment(j).value for j in judgments]
        if not verdicts:
            return []
        marks = ", ".join("?" * len(verdicts))
        found = self._read(
            f"{rows.SELECT_TRACK} WHERE j.judgment IN ({marks})\n"
            "ORDER BY j.decided_at DESC, j.history_id DESC LIMIT ?",
            (*verdicts, -1 if limit is None else limit),
        )
        return [rows.track_from_row(r) for r in found]

    # -- search history ----------------------------------------------------------------------

    def add_search(self, query: str, kind: str, filters: Mapping[str, str]) -> None:
        """Remember a search; repeating one (same query ignoring case, kind and filters) moves
        it to the top instead of adding a row."""
        query = " ".join(query.split())
        if not query:
            return
        encoded = json.dumps(dict(filters), sort_keys=True, separators=(",", ":"))
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM search_history WHERE query = ? AND kind = ? AND filters = ?",
                (query, kind, encoded),
            )
            conn.execute(
                "INSERT INTO search_history (query, kind, filters, at) VALUES (?, ?, ?, ?)",
                (query, kind, encoded, utc_now()),
            )
            conn.execute(
                "DELETE FROM search_history WHERE id <= "
                "(SELECT id FROM search_history ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (SEARCH_HISTORY_SIZE,),
            )

    def recent_searches(self, limit: int = 20) -> list[SearchEntry]:
        found = self._read(
            "SELECT query, kind, filters, at FROM search_history ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [SearchEntry(q, k, json.loads(f), at) for q, k, f, at in found]

    # -- provenance and sources --------------------------------------------------------------

    def add_provenance(self, rows_: Iterable[Provenance]) -> int:
        """Record how tracks were surfaced; a sighting already recorded (same track, source,
        actor and action) is kept as first seen. The tracks must be stored already (in the
        same transaction is fine). Returns the number of new rows."""
        now = utc_now()
        params = [(p.track_urn, p.source, p.actor_urn or "", p.action, p.at, now) for p in rows_]
        if not params:
            return 0
        try:
            with self.transaction() as conn:
                before = conn.total_changes
                conn.executemany(
                    "INSERT INTO provenance (track_urn, source, actor_urn, action, at, "
                    "recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    params,
                )
                return conn.total_changes - before
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                f"Could not record where tracks came from: {exc} (a track is not stored).",
                hint="This is a bug in minion_tui (tracks must be stored before their "
                "provenance); please report it.",
            ) from exc

    def provenance(self, urn: str) -> list[Provenance]:
        """How a track was surfaced, newest first."""
        found = self._read(
            "SELECT track_urn, source, actor_urn, action, at FROM provenance\n"
            "WHERE track_urn = ? ORDER BY at DESC, id DESC",
            (urn,),
        )
        return [Provenance(t, s, a or None, act, at) for t, s, a, act, at in found]

    def upsert_source(self, source: Source) -> int:
        """Store a discovery source and return its id. Without an id, the source with the
        same kind and target is updated if there is one."""
        values = (source.kind, source.target, source.title, int(source.pinned), source.cursor,
                  source.synced_at)
        with self.transaction() as conn:
            if source.id is None:
                row = conn.execute(
                    "INSERT INTO sources (kind, target, title, pinned, cursor, synced_at, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)\n"
                    "ON CONFLICT (kind, target) DO UPDATE SET title = excluded.title,\n"
                    "  pinned = excluded.pinned, cursor = excluded.cursor,\n"
                    "  synced_at = excluded.synced_at\n"
                    "RETURNING id",
                    (*values, utc_now()),
                ).fetchone()
                return int(row[0])
            updated = conn.execute(
                "UPDATE sources SET kind = ?, target = ?, title = ?, pinned = ?, cursor = ?,\n"
                "  synced_at = ? WHERE id = ?",
                (*values, source.id),
            ).rowcount
            if not updated:
                raise StoreError(
                    f"The discovery source #{source.id} ({source.kind} {source.target}) "
                    "no longer exists.",
                    hint="Reload the list of sources and try again.",
                )
            return source.id

    def sources(self, *, pinned_only: bool = False) -> list[Source]:
        where = "WHERE pinned = 1 " if pinned_only else ""
        found = self._read(
            "SELECT id, kind, target, title, pinned, cursor, synced_at FROM sources "
            f"{where}ORDER BY id"
        )
        return [Source(i, k, t, title, bool(p), c, s) for i, k, t, title, p, c, s in found]

    def remove_source(self, source_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def _set_pragmas(conn: sqlite3.Connection, *, writable: bool) -> None:
    # journal_mode=WAL persists in the file; the others are per connection. A read-only
    # connection changes nothing in the file. The busy timeout comes first: switching a new
    # file to WAL takes its lock, and a second process opening it at that moment must wait,
    # not fail.
    conn.execute(f"PRAGMA busy_timeout = {int(access.BUSY_TIMEOUT * 1000)}")
    if writable:
        _into_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _into_wal(conn: sqlite3.Connection) -> None:
    """``journal_mode = WAL``, waiting like any other write: SQLite answers "database is
    locked" at once, without its busy handler, when another process is switching the same new
    file at that moment; by the next try it is WAL already."""
    deadline = time.monotonic() + access.BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _refuse_to_migrate(
    conn: sqlite3.Connection, path: Path, blocked: Path, migrations: Sequence[Migration]
) -> None:
    """A read-only database this version would have to upgrade first is refused, saying so."""
    current, target = user_version(conn), (migrations[-1].version if migrations else 0)
    if current < target:
        raise access.read_only(path, blocked, doing=(
            f"it is at schema version {current} and this minion_tui needs {target}, so it "
            "must be upgraded first; it was left as it is"))


def _refuse_on_event_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        "a store write ran on an asyncio event loop thread; use `await store.call(...)`"
    )


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
