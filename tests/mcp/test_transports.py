"""The server as clients we did not write reach it: ``minion-tui mcp --demo`` as a subprocess
on stdio (raw JSON-RPC lines, and the SDK's own stdio client), and ``--http`` (Streamable
HTTP at /mcp with the SDK's HTTP client; a bearer token off loopback, 401 without it)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw-test", "version": "1"}}}


def _command() -> list[str]:
    script = Path(sys.executable).with_name("minion-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]


def _send(proc: subprocess.Popen[str], message: dict[str, Any]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()


def _answer(proc: subprocess.Popen[str], ident: int) -> dict[str, Any]:
    """The response to request ``ident``; every line before it must be JSON-RPC too."""
    assert proc.stdout is not None
    for line in proc.stdout:
        message = json.loads(line)  # stdout carries only JSON-RPC
        assert message["jsonrpc"] == "2.0", message
        if message.get("id") == ident:
            return dict(message)
    said = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"no answer to {ident}; stderr: {said}")


def test_stdio_raw_json_rpc_and_exit_when_stdin_closes(tmp_path: Path) -> None:
    proc = subprocess.Popen([*_command(), "mcp", "--demo"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    try:
        _send(proc, INIT)
        init = _answer(proc, 1)["result"]
        assert init["protocolVersion"] == "2025-11-25"
        assert init["serverInfo"]["name"] == "minion-tui"
        assert "cursor" in init["instructions"] and "resolve" in init["instructions"].lower()
        assert init["capabilities"]["resources"]["subscribe"] is True
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "no/such/method", "params": {}})
        unknown = _answer(proc, 2)
        assert unknown["error"]["code"] == -32601
        _send(proc, {"jsonrpc": "2.0", "id": 3, "method": "prompts/list"})
        assert _answer(proc, 3)["error"]["code"] == -32601
        _send(proc, {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                     "params": {"name": "no_such_tool", "arguments": {}}})
        assert "error" in _answer(proc, 4)
        _send(proc, {"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                     "params": {"name": "search_tracks",
                                "arguments": {"query": "rain", "limit": 2}}})
        found = _answer(proc, 5)["result"]
        assert found["isError"] is False and len(found["structuredContent"]["items"]) == 2
        _send(proc, {"jsonrpc": "2.0", "id": 6, "method": "resources/read",
                     "params": {"uri": "minion://now-playing"}})
        content = _answer(proc, 6)["result"]["contents"][0]
        assert content["mimeType"] == "application/json"
        assert json.loads(content["text"])["state"] == "idle"
        assert proc.stdin is not None
        proc.stdin.close()
        code = proc.wait(timeout=15)  # the contract's bound is 2 s; this only catches a hang
        assert code == 0
        assert proc.stdout is not None and proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()


async def test_stdio_with_the_sdk_client(tmp_path: Path) -> None:
    command = _command()
    params = StdioServerParameters(command=command[0], args=[*command[1:], "mcp", "--demo"],
                                   env=dict(os.environ), cwd=str(tmp_path))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        assert init.protocol_version == "2025-11-25"
        names = {t.name for t in (await session.list_tools()).tools}
        assert {"search_tracks", "resolve_url", "queue_list", "now_playing"} <= names
        found = await session.call_tool("search_tracks", {"query": "rain", "limit": 1})
        assert not found.is_error
        track = found.structured_content["items"][0]  # type: ignore[index]
        resolved = await session.call_tool("resolve_url", {"url": track["url"]})
        assert resolved.structured_content["urn"] == track["urn"]  # type: ignore[index]
        queue = await session.call_tool("queue_list", {})
        assert queue.structured_content == {"items": [], "next_cursor": None}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_http(tmp_path: Path, address: str) -> tuple[subprocess.Popen[str], str, str]:
    """Start ``mcp --http ADDRESS --demo``; its URL (from stderr) and what stderr said."""
    proc = subprocess.Popen([*_command(), "mcp", "--http", address, "--demo"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    said = []
    assert proc.stderr is not None
    for line in proc.stderr:
        said.append(line)
        if "serving http" in line:
            return proc, line.split("serving ", 1)[1].strip(), "".join(said)
    proc.wait()
    raise AssertionError("the HTTP server did not start: " + "".join(said))


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()


async def test_http_on_loopback_with_the_sdk_client(tmp_path: Path) -> None:
    proc, url, said = _serve_http(tmp_path, str(_free_port()))
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        assert "token" not in said
        async with streamable_http_client(url) as (read, write), \
                ClientSession(read, write) as session:
            assert (await session.initialize()).protocol_version == "2025-11-25"
            found = await session.call_tool("search_tracks", {"query": "rain", "limit": 2})
            assert len(found.structured_content["items"]) == 2  # type: ignore[index]
            nothing = await session.call_tool("search_tracks", {"query": ""})
            assert nothing.is_error
    finally:
        assert _stop(proc) == 0


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: only picks the interface
            found = str(sock.getsockname()[0])
    except OSError:
        return None
    return None if found.startswith("127.") else found


async def test_http_off_loopback_needs_the_bearer_token(tmp_path: Path) -> None:
    host = _non_loopback_address()
    if host is None:
        pytest.skip("this machine has no address but loopback")
    proc, url, said = _serve_http(tmp_path, f"{host}:{_free_port()}")
    try:
        token = said.split("bearer token", 1)[1].split(": ", 1)[1].split()[0]
        assert len(token) >= 40
        init = {**INIT, "params": {**INIT["params"]}}
        headers = {"Accept": "application/json, text/event-stream",
                   "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as http:
            refused = await http.post(url, json=init, headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.json()["error"]["type"] == "auth"
            wrong = await http.post(url, json=init,
                                    headers={**headers, "Authorization": "Bearer nope"})
            assert wrong.status_code == 401
        async with streamable_http_client(url, http_client=httpx.AsyncClient(
                headers={"Authorization": f"Bearer {token}"}, timeout=30)) as (read, write), \
                ClientSession(read, write) as session:
            assert (await session.initialize()).protocol_version == "2025-11-25"
            listed = await session.list_tools()
            assert any(t.name == "search_tracks" for t in listed.tools)
    finally:
        assert _stop(proc) == 0
    again, _, said_again = _serve_http(tmp_path, f"{host}:{_free_port()}")
    try:
        assert token not in said_again  # printed once, when it was made
    finally:
        _stop(again)
