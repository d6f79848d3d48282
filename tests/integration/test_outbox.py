"""The outbox of remote actions (docs/accounts.md §8): likes queued in the real database and
sent over real HTTP to a loopback likes server (the emulator has no like endpoint in this
branch), which keeps one effect per idempotency key as a careful service does. Down, then up:
every like arrives once, in order. Killed mid-drain: the next drain resends the one in flight
under the same key, nothing is lost and nothing doubled. A refusal for good does not block the
ones after it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest

from minion_tui import config
from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.service import Service
from minion_tui.store.outbox import OutboxItem
from tests.integration.local_server import QuietHandler, serving_with
from tests.integration.outbox_sender import like_sender, plain_http

ROOT = Path(__file__).resolve().parents[2]
A, B, C, D = (f"soundcloud:tracks:{n}" for n in (101, 102, 103, 104))


@dataclass
class LikesServer:
    """Likes by urn, one effect per idempotency key; every request recorded."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, urn, key)
    effects: list[tuple[str, str]] = field(default_factory=list)  # (action, urn), in order
    keys: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)  # urns answered 404
    kill_on: int | None = None  # kill this pid's process at that request, after its effect
    kill_pid: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, path: str, key: str) -> int | None:
        urn = unquote(path.removeprefix("/likes/tracks/"))
        with self.lock:
            self.requests.append((method, urn, key))
            if urn in self.gone:
                return 404
            if key not in self.keys:
                self.keys.add(key)
                self.effects.append(("like" if method == "POST" else "unlike", urn))
            if self.kill_on is not None and len(self.requests) == self.kill_on and self.kill_pid:
                os.kill(self.kill_pid, signal.SIGKILL)  # done on the service, never answered
                return None
        return 200


@contextmanager
def likes_server(state: LikesServer, port: int = 0) -> Iterator[str]:
    class Handler(QuietHandler):
        def _any(self) -> None:
            status = state.handle(self.command, self.path, self.headers.get("Idempotency-Key",
                                                                             ""))
            if status is not None:
                self.answer(status, b"{}", {"Content-Type": "application/json"})

        do_POST = do_DELETE = _any

    with serving_with(Handler, port) as base:
        yield base


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
async def service(isolated_env: Path) -> AsyncIterator[Service]:
    opened = Service.open(settings=config.load_settings())
    yield opened
    await opened.aclose()


async def test_down_then_up_every_like_once_in_order(service: Service) -> None:
    for action, urn in (("like", A), ("like", B), ("unlike", A), ("like", C)):
        await service.outbox.enqueue(action, urn)
    port = free_port()  # nobody listens there: the service is down
    http = plain_http()
    try:
        down = await service.outbox.drain(like_sender(http, f"http://127.0.0.1:{port}"))
        assert (down.sent, down.failed, down.pending) == (0, 0, 4)
        assert down.stopped
        first, *rest = await service.outbox.items()
        assert first.attempts == 1 and first.last_error and first.state == "pending"
        assert all(item.attempts == 0 for item in rest)  # the later ones wait their turn
        state = LikesServer()
        with likes_server(state, port) as base:
            up = await service.outbox.drain(like_sender(http, base))
            assert (up.sent, up.failed, up.pending, up.stopped) == (4, 0, 0, None)
            again = await service.outbox.drain(like_sender(http, base))
            assert (again.sent, again.pending) == (0, 0)
    finally:
        await http.aclose()
    assert state.effects == [("like", A), ("like", B), ("unlike", A), ("like", C)]
    assert len(state.requests) == 4  # nothing sent twice, nothing sent after it was done
    items = await service.outbox.items()
    assert [i.state for i in items] == ["done"] * 4
    assert all(i.done_at and i.last_error is None for i in items)
    assert len({i.idempotency_key for i in items}) == 4


async def test_queueing_twice_is_one_item_but_order_of_changes_is_kept(
        service: Service) -> None:
    one = await service.outbox.enqueue("like", A)
    assert (await service.outbox.enqueue("like", f"  {A} ")).id == one.id
    unlike = await service.outbox.enqueue("unlike", A)
    relike = await service.outbox.enqueue("like", A)
    assert len({one.id, unlike.id, relike.id}) == 3
    assert [(i.action, i.target) for i in await service.outbox.items("pending")] == [
        ("like", A), ("unlike", A), ("like", A)]
    with pytest.raises(InvalidArgument):
        await service.outbox.enqueue("repost", A)
    for bad in ("", "   ", "soundcloud:tracks:", "x" * 70_000):
        with pytest.raises((InvalidArgument, InvalidURL)):
            await service.outbox.enqueue("like", bad)
    with pytest.raises(InvalidArgument):
        await service.outbox.items("sent")
    assert len(await service.outbox.items()) == 3


async def test_a_refusal_for_good_does_not_block_the_rest(service: Service) -> None:
    for urn in (A, B, C):
        await service.outbox.enqueue("like", urn)
    state = LikesServer(gone={B})
    http = plain_http()
    try:
        with likes_server(state) as base:
            drained = await service.outbox.drain(like_sender(http, base))
    finally:
        await http.aclose()
    assert (drained.sent, drained.failed, drained.pending) == (2, 1, 0)
    assert state.effects == [("like", A), ("like", C)]
    failed = await service.outbox.items("failed")
    assert [i.target for i in failed] == [B] and failed[0].last_error


async def test_a_like_that_cannot_be_sent_yet_stays_pending(service: Service) -> None:
    """The service's own sender is the write action's like: signed out, the item waits
    (auth_required may pass); a sender given later sends it."""
    await service.outbox.enqueue("like", A)
    drained = await service.outbox.drain()
    assert drained.pending == 1 and drained.sent == 0
    assert "minion-tui auth login soundcloud" in (drained.stopped or "")
    sent: list[str] = []

    async def record(item: OutboxItem) -> None:
        sent.append(item.target)

    service.outbox.register("soundcloud", "like", record)
    assert (await service.outbox.drain()).sent == 1 and sent == [A]


def test_killed_mid_drain_loses_nothing_and_doubles_nothing(isolated_env: Path) -> None:
    async def queue() -> None:
        service = Service.open(settings=config.load_settings())
        try:
            for urn in (A, B, C, D):
                await service.outbox.enqueue("like", urn)
        finally:
            await service.aclose()

    asyncio.run(queue())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    state = LikesServer(kill_on=2)
    with likes_server(state) as base:
        command = [sys.executable, "-m", "tests.integration.outbox_sender", base]
        killed = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        state.kill_pid = killed.pid
        _, err = killed.communicate(timeout=60)
        assert killed.returncode == -signal.SIGKILL, err
        assert state.effects == [("like", A), ("like", B)]  # B took effect, unanswered
        state.kill_on = None
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert done.stdout.split() == ["sent", "3", "pending", "0"]
    assert state.effects == [("like", A), ("like", B), ("like", C), ("like", D)]
    methods_and_urns = [(m, u) for m, u, _ in state.requests]
    assert methods_and_urns == [("POST", A), ("POST", B), ("POST", B), ("POST", C),
                                ("POST", D)]  # only the one in flight was sent again…
    assert state.requests[1][2] == state.requests[2][2]  # …under the same key

    async def read() -> list[tuple[str, int]]:
        service = Service.open(settings=config.load_settings())
        try:
            return [(i.state, i.attempts) for i in await service.outbox.items()]
        finally:
            await service.aclose()

    assert asyncio.run(read()) == [("done", 1), ("done", 2), ("done", 1), ("done", 1)]


@pytest.mark.parametrize("sync", [True, False])
async def test_a_like_rated_with_sync_likes_is_queued_with_the_rating(
        isolated_env: Path, sync: bool) -> None:
    import dataclasses

    from minion_tui.models import Judgment

    settings = config.load_settings()
    assert settings.accounts.sync_likes is False  # the default
    settings = dataclasses.replace(settings, accounts=config.AccountSettings(sync_likes=sync))
    service = Service.open(settings=settings)
    try:
        await service.library.rate(A, Judgment.LIKED)
        await service.library.rate(A, Judgment.LIKED)  # rated again: still one like owed
        await service.library.rate(B, Judgment.NOT_INTERESTED)  # never anything remote
        await service.library.rate(C, Judgment.LIKED)
        await service.library.rate(C, None)  # cleared: the like already owed stays queued
        queued = [(i.action, i.target) for i in await service.outbox.items()]
        judged = await service.library.history()
    finally:
        await service.aclose()
    assert queued == ([("like", A), ("like", C)] if sync else [])
    assert [c.judgment for c in judged if c.urn == B] == [Judgment.NOT_INTERESTED]
