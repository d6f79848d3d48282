"""The MCP harness (fixtures in conftest.py): a real MCP ``ClientSession`` (the official
SDK's client) connected in-process, over the SDK's memory streams, to our server over a
service opened against the emulator — the same code path as ``minion-tui mcp --demo``, with
no mock of our own code.

* ``mcp_service`` — the Service over the emulator (player on mpv's null output);
* ``mcp`` — a connected, initialized ClientSession (protocol 2025-11-25);
* ``connect(service, **client_options)`` — another session (an elicitation callback, say);
* ``call(session, name, args)`` — call a tool, assert it succeeded and that its structured
  content validates against the tool's outputSchema (jsonschema), return it;
* ``call_error(session, name, args)`` — call it, assert a tool error, return
  ``structuredContent["error"]``.

Each ``tests/mcp/test_tools_<group>.py`` declares ``CALLED = {...}``, the tools it calls with
``call``/``call_error``; tests/mcp/test_every_tool.py checks that every registered tool is in
one of them (and is called there).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import jsonschema
from mcp.client.session import ClientSession
from mcp.shared.memory import create_client_server_memory_streams

from minion_tui.mcp.server import build_server
from minion_tui.service import Service

_SCHEMAS: dict[int, dict[str, dict[str, Any]]] = {}


@asynccontextmanager
async def connect(service: Service, **client_options: Any) -> AsyncIterator[ClientSession]:
    """A ClientSession connected in-process to a server over ``service``, initialized and
    with the tools listed (their output schemas kept for :func:`call`). The session and the
    server run in a task of their own, so a fixture may open it in one task and close it in
    another."""
    ready: asyncio.Future[ClientSession] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()

    async def own() -> None:
        server = build_server(service)
        async with create_client_server_memory_streams() as (client, served):
            async with anyio.create_task_group() as group:
                group.start_soon(lambda: server.run(served[0], served[1],
                                                    server.create_initialization_options()))
                try:
                    async with ClientSession(client[0], client[1], **client_options) as session:
                        await session.initialize()
                        listed = await session.list_tools()
                        _SCHEMAS[id(session)] = {t.name: t.output_schema or {}
                                                 for t in listed.tools}
                        ready.set_result(session)
                        await stop.wait()
                finally:
                    group.cancel_scope.cancel()

    task = asyncio.create_task(own())
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises what stopped it
    session = ready.result()
    try:
        yield session
    finally:
        stop.set()
        await task
        _SCHEMAS.pop(id(session), None)


async def call(session: ClientSession, name: str, args: dict[str, Any] | None = None,
               **options: Any) -> dict[str, Any]:
    """Call a tool; assert success and that structuredContent validates against the tool's
    outputSchema; return structuredContent."""
    result = await session.call_tool(name, args or {}, **options)
    assert not result.is_error, (name, result.structured_content, result.content)
    assert result.content and result.content[0].type == "text" and result.content[0].text
    content = result.structured_content
    assert isinstance(content, dict), (name, content)
    schema = _SCHEMAS[id(session)][name]
    assert schema.get("type") == "object", (name, schema)
    jsonschema.Draft202012Validator(schema).validate(content)
    return content


async def call_error(session: ClientSession, name: str, args: dict[str, Any] | None = None,
                     **options: Any) -> dict[str, Any]:
    """Call a tool; assert it is a tool error in the CLI's error form; return the error."""
    result = await session.call_tool(name, args or {}, **options)
    assert result.is_error, (name, result.structured_content)
    content = result.structured_content
    assert isinstance(content, dict) and set(content) == {"error"}, content
    error = content["error"]
    assert set(error) == {"type", "message", "retry_after"}, error
    assert isinstance(error["type"], str) and error["message"], error
    return dict(error)


async def page_all(session: ClientSession, name: str, args: dict[str, Any],
                   *, most: int = 100) -> list[dict[str, Any]]:
    """Every item of a list tool, cursor after cursor to the end (null)."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(most):
        page = await call(session, name, {**args, **({"cursor": cursor} if cursor else {})})
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found
        assert isinstance(cursor, str) and cursor
    raise AssertionError(f"{name} did not end within {most} pages")


Caller = Callable[..., Any]
