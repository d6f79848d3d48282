"""`minion-tui ctl` over hostile inputs, and the control socket over hostile request lines:
always the JSON error (invalid_argument, not_running, playback_error), never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import pytest

from minion_tui.cli import main
from minion_tui.config import Settings
from minion_tui.desktop.control import Controller
from minion_tui.desktop.ctl import ControlSocket, over_socket
from minion_tui.service import Service


@pytest.mark.parametrize(("value", "types"), [
    ("nan", {"invalid_argument"}), ("inf", {"invalid_argument"}),
    ("-inf", {"invalid_argument"}), ("-5", {"invalid_argument"}),
    ("1e309", {"invalid_argument"}), ("", {"invalid_argument"}),
    ("abc", {"invalid_argument"}), ("1e300", {"not_running"}), ("12", {"not_running"}),
])
def test_ctl_seek_hostile_values(value: str, types: set[str],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ctl", "seek", value, "--json"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert code in (1, 2)
    assert json.loads(out.out)["error"]["type"] in types


@pytest.mark.parametrize("action", ["play", "pause", "next", "prev", "status"])
def test_ctl_with_nothing_running_is_not_running(
        action: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ctl", action, "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "not_running" and "minion-tui play" in error["message"]


async def _ask(path: Path, line: bytes) -> dict[str, object]:
    reader, writer = await asyncio.open_unix_connection(path, limit=1 << 20)
    writer.write(line)
    await writer.drain()
    reply = await reader.readline()
    writer.close()
    return dict(json.loads(reply))


async def test_the_socket_refuses_hostile_lines_and_answers_status(tmp_path: Path) -> None:
    service = Service.open(settings=Settings(path=tmp_path / "config.toml"),
                           data_dir=tmp_path / "data")
    server = ControlSocket(Controller(service))
    assert await server.start()
    try:
        path = server.path
        assert path.parent == Path(os.environ["XDG_RUNTIME_DIR"], "minion-tui")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        cases = {
            b"not json\n": "invalid_argument",
            b"[1, 2]\n": "invalid_argument",
            b'{"command": "dance"}\n': "invalid_argument",
            b'{"command": "seek"}\n': "invalid_argument",
            b'{"command": "seek", "seconds": "10"}\n': "invalid_argument",
            b'{"command": "seek", "seconds": true}\n': "invalid_argument",
            b'{"command": "seek", "seconds": NaN}\n': "invalid_argument",
            b'{"command": "seek", "seconds": -5}\n': "invalid_argument",
            b'{"command": "seek", "seconds": 10}\n': "playback_error",  # nothing plays
            b"\xff\xfe\n": "invalid_argument",
            b"x" * 70_000 + b"\n": "invalid_argument",
        }
        for line, kind in cases.items():
            reply = await _ask(path, line)
            assert reply["error"]["type"] == kind, (line[:60], reply)  # type: ignore[index]
        reply = await _ask(path, b'{"command": "status"}\n')
        assert reply["ok"] is True
        status = reply["status"]
        assert status["state"] == "stopped" and status["pid"] == os.getpid()  # type: ignore[index]
        # the client side: the same status, said to come through the socket
        found = await over_socket("status")
        assert found["via"] == "socket" and found["state"] == "stopped"
    finally:
        await server.aclose()
        await service.aclose()
    assert not path.exists()
