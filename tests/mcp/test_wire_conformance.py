"""The server against the MCP specification (2025-11-25, and clients asking 2025-06-18 or
2025-03-26), spoken raw: JSON-RPC lines to ``minion-tui mcp --demo`` on stdio and plain HTTP
to ``--http 127.0.0.1:PORT --demo``, no SDK client, so only what the protocol says counts."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

LATEST = "2025-11-25"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("minion-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]


def _init(ident: int = 1, version: str = LATEST) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {},
                       "clientInfo": {"name": "wire-test", "version": "1"}}}


class Stdio:
    """One ``mcp --demo`` process; every stdout line must be a JSON-RPC 2.0 message."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen([*_command(), "mcp", "--demo"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, cwd=cwd)
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any] | str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((message if isinstance(message, str) else json.dumps(message))
                              + "\n")
        self.proc.stdin.flush()

    def next(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "stdout closed; stderr: " + (self.proc.stderr.read()
                                                   if self.proc.stderr else "")
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0", message
        if "method" in message:  # a request (with an id) or a notification (without)
            assert isinstance(message["method"], str), message
        else:  # a response: its id, and exactly one of result and error
            assert "id" in message and ("result" in message) != ("error" in message), message
        self.seen.append(message)
        return dict(message)

    def answer(self, ident: int) -> dict[str, Any]:
        while True:
            message = self.next()
            if message.get("id") == ident and "method" not in message:
                return message

    def call(self, ident: int, method: str, params: Any = None) -> dict[str, Any]:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.answer(ident)

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def stdio(tmp_path: Path) -> Any:
    server = Stdio(tmp_path)
    yield server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])
def test_initialize_answers_a_version_it_supports(stdio: Stdio, version: str) -> None:
    result = stdio.call(1, "initialize", _init(1, version)["params"])["result"]
    assert result["protocolVersion"] == version  # all four are ones the SDK speaks
    assert result["serverInfo"]["name"] == "minion-tui" and result["serverInfo"]["version"]
    assert isinstance(result["instructions"], str) and result["instructions"]
    caps = result["capabilities"]
    assert "tools" in caps and caps["resources"]["subscribe"] is True


def test_an_unknown_future_version_gets_the_latest(stdio: Stdio) -> None:
    # 2025-11-25 Lifecycle, Version Negotiation: "If the server supports the requested
    # protocol version, it MUST respond with the same version. Otherwise, the server MUST
    # respond with another protocol version it supports."
    result = stdio.call(1, "initialize", _init(1, "2099-01-01")["params"])["result"]
    assert result["protocolVersion"] == LATEST


def test_json_rpc_basics(stdio: Stdio) -> None:
    stdio.send(_init())
    stdio.answer(1)
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    # Notifications never get a reply: the next message is ping's answer.
    stdio.send({"jsonrpc": "2.0", "method": "notifications/no_such_thing", "params": {}})
    stdio.send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
    first = stdio.next()
    assert first == {"jsonrpc": "2.0", "id": 2, "result": {}}
    unknown = stdio.call(3, "no/such/method", {})
    assert unknown["id"] == 3 and unknown["error"]["code"] == -32601
    stdio.send("{this is not json")
    # A parse error answered with id null, or nothing; the next request is still answered.
    stdio.send({"jsonrpc": "2.0", "id": 4, "method": "ping"})
    message = stdio.next()
    if "error" in message:
        assert message["error"]["code"] == -32700 and message.get("id") is None
        message = stdio.next()
    assert message == {"jsonrpc": "2.0", "id": 4, "result": {}}
    wrong = stdio.call(5, "tools/call", {"name": 5, "arguments": "nope"})
    assert wrong["id"] == 5 and wrong["error"]["code"] == -32602
    assert stdio.close() == 0


def test_before_initialize_it_neither_crashes_nor_hangs(stdio: Stdio) -> None:
    stdio.send({"jsonrpc": "2.0", "id": 1, "method": "ping"})  # ping is allowed before
    assert stdio.answer(1) == {"jsonrpc": "2.0", "id": 1, "result": {}}
    early = stdio.call(2, "tools/list")
    assert "error" in early or "result" in early
    assert "result" in stdio.call(3, "initialize", _init(3)["params"])


def test_tools_list_shapes(stdio: Stdio) -> None:
    stdio.call(1, "initialize", _init()["params"])
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools: list[dict[str, Any]] = []
    cursor = None
    for ident in range(2, 50):
        page = stdio.call(ident, "tools/list", {"cursor": cursor} if cursor else {})["result"]
        tools += page["tools"]
        cursor = page.get("nextCursor")
        if not cursor:
            break
    assert len(tools) > 10 and len({t["name"] for t in tools}) == len(tools)
    for tool in tools:
        name = tool["name"]
        assert tool["title"] and tool["description"], name
        schema = tool["inputSchema"]
        assert schema["type"] == "object", name
        for prop, spec in schema.get("properties", {}).items():
            assert spec.get("description"), (name, prop)
        assert tool["outputSchema"]["type"] == "object", name
        hints = tool["annotations"]
        for hint in ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"):
            assert isinstance(hints[hint], bool), (name, hint)


def _tool(stdio: Stdio, ident: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return stdio.call(ident, "tools/call", {"name": name, "arguments": arguments})


def test_tools_call_pages_errors_and_unknown_tools(stdio: Stdio) -> None:
    stdio.call(1, "initialize", _init()["params"])
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    names: list[str] = []
    cursor = None
    ident = 10
    while True:
        ident += 1
        args: dict[str, Any] = {"query": "rain", "limit": 50}
        if cursor is not None:
            args["cursor"] = cursor
        result = _tool(stdio, ident, "search_tracks", args)["result"]
        assert result["isError"] is False
        content = result["structuredContent"]
        assert set(content) >= {"items", "next_cursor"}
        names += [json.dumps(item, sort_keys=True) for item in content["items"]]
        cursor = content["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and "client_id" not in cursor and "http" not in cursor
        assert ident < 400, "paging never ended"
    assert len(names) > 2 and len(set(names)) == len(names)
    failed = _tool(stdio, 80, "search_tracks", {"query": "rain", "limit": 2,
                                                "cursor": "not-a-cursor"})["result"]
    assert failed["isError"] is True
    error = failed["structuredContent"]["error"]
    assert set(error) >= {"type", "message", "retry_after"}
    assert error["type"] == "invalid_argument" and error["retry_after"] is None
    assert isinstance(error["message"], str) and error["message"]
    # 2025-11-25 Tools, Error Handling: "Unknown tools" are a protocol error (-32602).
    unknown = _tool(stdio, 81, "no_such_tool", {})
    assert "result" not in unknown and unknown["error"]["code"] == -32602
    assert "no_such_tool" in unknown["error"]["message"]


def test_resources_and_subscription(stdio: Stdio) -> None:
    stdio.call(1, "initialize", _init()["params"])
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    listed = stdio.call(2, "resources/list")["result"]["resources"]
    uris = [r["uri"] for r in listed]
    assert "minion://now-playing" in uris and "minion://queue" in uris
    for ident, uri in enumerate(uris, start=10):
        contents = stdio.call(ident, "resources/read", {"uri": uri})["result"]["contents"]
        assert contents[0]["mimeType"] == "application/json", uri
        json.loads(contents[0]["text"])
    stdio.call(3, "resources/templates/list")["result"]["resourceTemplates"]
    assert stdio.call(4, "resources/subscribe", {"uri": "minion://queue"})["result"] == {}
    found = _tool(stdio, 5, "search_tracks", {"query": "rain", "limit": 1})["result"]
    track = found["structuredContent"]["items"][0]
    answered = _tool(stdio, 6, "queue_add", {"targets": [track["urn"]]})
    assert answered["result"]["isError"] is False, answered
    ping = stdio.call(7, "ping")  # the update was sent before or with the answer
    assert ping["result"] == {}
    updates = [m for m in stdio.seen if m.get("method") == "notifications/resources/updated"]
    assert [m["params"]["uri"] for m in updates if m["params"]["uri"] == "minion://queue"]


def test_closing_stdin_ends_the_process(stdio: Stdio) -> None:
    stdio.call(1, "initialize", _init()["params"])
    assert stdio.close() == 0
    assert stdio.proc.stderr is not None
    assert "Traceback" not in stdio.proc.stderr.read()


# --- Streamable HTTP ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def http_url(tmp_path: Path) -> Any:
    proc = subprocess.Popen([*_command(), "mcp", "--http", f"127.0.0.1:{_free_port()}",
                             "--demo"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert proc.stderr is not None
    url = None
    for line in proc.stderr:
        if "serving http" in line:
            url = line.split("serving ", 1)[1].strip()
            break
    assert url, "the HTTP server did not start"
    yield url
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


ACCEPT = {"Accept": "application/json, text/event-stream"}


def _json_or_sse(response: httpx.Response) -> dict[str, Any]:
    if response.headers["content-type"].startswith("application/json"):
        return dict(response.json())
    for line in response.text.splitlines():
        if line.startswith("data:"):
            return dict(json.loads(line[5:]))
    raise AssertionError(response.text)


def test_http_sessions_versions_and_origin(http_url: str) -> None:
    with httpx.Client(timeout=10) as http:
        init = http.post(http_url, json=_init(), headers=ACCEPT)
        assert init.status_code == 200
        session = init.headers["mcp-session-id"]
        assert session and all(0x21 <= ord(c) <= 0x7E for c in session)
        assert _json_or_sse(init)["result"]["protocolVersion"] == LATEST
        headers = {**ACCEPT, "Mcp-Session-Id": session, "MCP-Protocol-Version": LATEST}
        note = http.post(http_url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                         headers=headers)
        assert note.status_code == 202
        ping = http.post(http_url, json={"jsonrpc": "2.0", "id": 2, "method": "ping"},
                         headers=headers)
        assert ping.status_code == 200 and _json_or_sse(ping)["result"] == {}
        # Without the session header: 400; with one the server never issued: 404.
        bare = {**ACCEPT, "MCP-Protocol-Version": LATEST}
        assert http.post(http_url, json={"jsonrpc": "2.0", "id": 3, "method": "ping"},
                         headers=bare).status_code == 400
        assert http.post(http_url, json={"jsonrpc": "2.0", "id": 4, "method": "ping"},
                         headers={**bare, "Mcp-Session-Id": "nope"}).status_code == 404
        # An unsupported MCP-Protocol-Version: 400 Bad Request.
        assert http.post(http_url, json={"jsonrpc": "2.0", "id": 5, "method": "ping"},
                         headers={**headers, "MCP-Protocol-Version": "1999-01-01"}
                         ).status_code == 400
        # Transports, Security Warning: "If the Origin header is present and invalid,
        # servers MUST respond with HTTP 403 Forbidden."
        foreign = http.post(http_url, json={"jsonrpc": "2.0", "id": 6, "method": "ping"},
                            headers={**headers, "Origin": "http://evil.example"})
        assert foreign.status_code == 403
        local = http.post(http_url, json={"jsonrpc": "2.0", "id": 7, "method": "ping"},
                          headers={**headers, "Origin": http_url.rsplit("/", 1)[0]})
        assert local.status_code == 200
        # GET opens an SSE stream or answers 405.
        with http.stream("GET", http_url, headers={"Accept": "text/event-stream",
                                                   "Mcp-Session-Id": session,
                                                   "MCP-Protocol-Version": LATEST}) as get:
            assert get.status_code in (200, 405)
            if get.status_code == 200:
                assert get.headers["content-type"].startswith("text/event-stream")
        gone = http.delete(http_url, headers={"Mcp-Session-Id": session,
                                              "MCP-Protocol-Version": LATEST})
        assert gone.status_code in (200, 204, 405)
        if gone.status_code != 405:
            after = http.post(http_url, json={"jsonrpc": "2.0", "id": 8, "method": "ping"},
                              headers=headers)
            assert after.status_code == 404


def test_http_post_without_the_accept_types_is_refused(http_url: str) -> None:
    with httpx.Client(timeout=10) as http:
        refused = http.post(http_url, json=_init(), headers={"Accept": "application/json"})
        assert refused.status_code in (400, 406)
        assert "Traceback" not in refused.text
