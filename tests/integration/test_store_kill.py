"""A writer killed with SIGKILL mid-batch leaves a readable database holding every committed row
and no partial batch; a judgment is durable as soon as set_judgment returns."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from minion_tui.models import Judgment
from minion_tui.store import Store

BATCH = 500

# Upserts batches of BATCH tracks forever, announcing each commit on stdout.
WRITER = """
import sys
from pathlib import Path
from minion_tui.models import Track
from minion_tui.store import Store

store = Store.open(Path(sys.argv[1]))
batch_size = int(sys.argv[2])
batch = 0
while True:
    tracks = [
        Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
              url=f"https://soundcloud.com/a/{n}", title=f"Song {n}", artist="A",
              uploader="a", duration_ms=n, uploader_urn=f"soundcloud:users:{n % 50}",
              raw={"id": n, "padding": "x" * 2000, "batch": batch})
        for n in range(batch * batch_size, (batch + 1) * batch_size)
    ]
    store.upsert_tracks(tracks)
    print(f"committed {batch}", flush=True)
    batch += 1
"""

# Sets a judgment, says so, then keeps a big write transaction busy until killed.
JUDGE = """
import sys
from pathlib import Path
from minion_tui.models import Judgment, Track
from minion_tui.store import Store

store = Store.open(Path(sys.argv[1]))
store.set_judgment("soundcloud:tracks:42", Judgment.LIKED)
print("judged", flush=True)
n = 0
while True:
    store.upsert_tracks(
        Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}", url="u",
              title="t", artist="a", uploader="a", duration_ms=1, raw={"p": "y" * 4000})
        for i in range(n, n + 2000)
    )
    n += 2000
"""


def spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def read_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:  # the child died: show why
        assert proc.stderr is not None
        pytest.fail(f"writer exited early: {proc.stderr.read()}")
    return line.strip()


def kill_while_writing(proc: subprocess.Popen[str], path: Path) -> None:
    """SIGKILL the writer while it holds the write lock, i.e. in the middle of a batch: a
    second connection that cannot take the lock at once knows a write transaction is open.
    The lock must be seen held twice, 2 ms apart, so the kill lands well inside the batch
    (a writer that committed row by row would be caught between its rows)."""
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:

        def locked() -> bool:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # "database is locked"
                return True
            probe.execute("ROLLBACK")
            return False

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if locked():
                time.sleep(0.002)
                if locked():
                    kill(proc)
                    return
    kill(proc)
    pytest.fail("never caught the writer inside a transaction")


@pytest.mark.parametrize("moment", ["inside_a_transaction", "inside_a_transaction_again",
                                    "right_after_a_commit"])
def test_sigkill_mid_batch_keeps_every_committed_batch_and_no_partial_one(
    tmp_path: Path, moment: str
) -> None:
    path = tmp_path / "minion.db"
    proc = spawn(WRITER, str(path), str(BATCH))
    try:
        reported = [read_line(proc) for _ in range(3)]
        if moment.startswith("inside"):
            kill_while_writing(proc, path)
    finally:
        if proc.poll() is None:
            kill(proc)
    assert reported == ["committed 0", "committed 1", "committed 2"]
    if moment == "right_after_a_commit":  # killed with a live WAL: nothing checkpointed it
        assert path.with_name("minion.db-wal").stat().st_size > 0

    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
        ids = {int(r[0]) for r in conn.execute("SELECT id FROM tracks")}
        batches = {r[0] for r in conn.execute(
            "SELECT json_extract(raw, '$.batch') FROM tracks")}
    assert set(range(3 * BATCH)) <= ids  # every row of every reported batch
    assert count % BATCH == 0 and count >= 3 * BATCH  # no partial batch
    assert ids == set(range(count)) and batches == set(range(count // BATCH))

    store = Store.open(path)  # and the app opens it normally afterwards
    try:
        assert len(store.get_tracks([f"soundcloud:tracks:{n}" for n in range(3 * BATCH)])) \
            == 3 * BATCH
    finally:
        store.close()


def test_a_judgment_survives_sigkill_right_after_set_judgment_returns(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    proc = spawn(JUDGE, str(path))
    try:
        assert read_line(proc) == "judged"
    finally:
        kill(proc)
    store = Store.open(path)
    try:
        assert store.judgments(["soundcloud:tracks:42"]) == {"soundcloud:tracks:42":
                                                             Judgment.LIKED}
        assert [(j, o) for _, j, o in store.judgment_history("soundcloud:tracks:42")] == [
            (Judgment.LIKED, "user")]
    finally:
        store.close()
