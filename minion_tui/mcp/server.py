"""The MCP server over one :class:`~minion_tui.service.Service`: the SDK's low-level
``Server`` with our handlers — tools from the registry (their schemas, argument checks and
errors ours), and the resources (resources.py).

:func:`build_server` makes it; the transports (transports.py) run it over stdio or Streamable
HTTP, the tests over the SDK's memory streams. A MinionError from a tool is a tool result with
``isError: true`` and ``structuredContent: {"error": {"type", "message", "retry_after"}}``
(the CLI's error types); an unknown tool or a request we do not serve is a JSON-RPC error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from minion_tui import __version__
from minion_tui.errors import MinionError, RateLimited
from minion_tui.mcp.context import Cursors, ToolContext
from minion_tui.mcp.registry import by_name, tools
from minion_tui.mcp.tooling import Tool, structured

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext
    from mcp.server.lowlevel.server import Server
    from mcp_types import (
        CallToolRequestParams,
        PaginatedRequestParams,
        ReadResourceRequestParams,
        SubscribeRequestParams,
        UnsubscribeRequestParams,
    )

    from minion_tui.service import Service

log = logging.getLogger(__name__)

#: The protocol revision the server is written to (and answers initialize with when asked).
PROTOCOL_VERSION = "2025-11-25"

INSTRUCTIONS = """\
minion-tui: SoundCloud and Mixcloud through one service — search, listen, queue, download, \
rate and discover music.

How to work with it:
- Resolve first: turn a pasted link (soundcloud.com, on.soundcloud.com, mixcloud.com) or a \
name into a track, playlist or user with resolve_url or search_tracks, then pass the urn \
(or url) it returns to the other tools. Never build URLs or URNs yourself.
- Lists come in pages: {items, next_cursor}. next_cursor is opaque: pass it back unchanged as \
`cursor` to the same tool for the next page; it is null on the last page. Do not page \
further than you need: every page costs requests against the services' rate limits.
- Ratings drive discovery: liking a track or marking it not interesting changes what the \
inbox and radio offer next; rate what the user tells you about.
- Destructive tools (clearing the queue, deleting, unfollowing) need the user's agreement: \
the server asks them itself when your client supports elicitation; otherwise ask the user \
and pass confirm: true only once they agreed.
- A failed call is a tool error whose structured content is {error: {type, message, \
retry_after}}: the message says what to do; on rate_limited wait retry_after seconds.
- Resources minion://now-playing, minion://queue, minion://inbox and minion://downloads \
(JSON) can be subscribed to for updates.
"""


def error_result(exc: MinionError) -> dict[str, Any]:
    """A tool error: the error's text for the model, the CLI's error form as structured
    content (``retry_after`` null unless rate limited)."""
    retry = exc.retry_after if isinstance(exc, RateLimited) else None
    body = {"type": exc.type, "message": exc.text,
            "retry_after": round(retry, 1) if retry is not None else None}
    return {"content": [{"type": "text", "text": f"{exc.type}: {exc.text}"}],
            "structuredContent": {"error": body}, "isError": True}


class ToolRunner:
    """Runs one tool call: checks the arguments, asks for confirmation, calls the handler
    and turns what it returns (or raises) into a CallToolResult."""

    def __init__(self, service: Service, cursors: Cursors | None = None,
                 changed: Callable[[str], None] | None = None) -> None:
        self.service = service
        self.cursors = cursors or Cursors()
        self._changed = changed

    def context(self, tool: str = "") -> ToolContext:
        """A context outside any request (resources read through the tools' code)."""
        return ToolContext(self.service, self.cursors, tool)

    async def call(self, tool: Tool, arguments: dict[str, Any] | None,
                   request: ServerRequestContext[Any, Any] | None = None) -> dict[str, Any]:
        try:
            args, confirmed = tool.parse(arguments)
            ctx = ToolContext(self.service, self.cursors, tool.name,
                              progress=_progress(request), ask=_asker(request))
            if tool.confirm is not None:
                await ctx.confirm(tool.confirm(args), confirmed=confirmed)
            result = structured(await tool.handler(ctx, args))
            if self._changed is not None:
                for uri in tool.changes:
                    self._changed(uri)
        except MinionError as exc:
            log.info("tool %s failed: %s", tool.name, exc.text)
            return error_result(exc)
        except Exception as exc:  # a bug: the model gets a tool error, the log the trace
            log.exception("tool %s failed", tool.name)
            return error_result(MinionError(
                f"{tool.name} failed unexpectedly ({type(exc).__name__}).",
                hint="This is a bug in minion-tui; the log has the details."))
        return {"content": [{"type": "text", "text": tool.render(result)}],
                "structuredContent": result, "isError": False}


def _progress(request: ServerRequestContext[Any, Any] | None) -> Any:
    if request is None:
        return None
    session = request.session

    async def report(done: float, total: float | None, message: str | None) -> None:
        await session.report_progress(done, total, message)  # nothing without a token

    return report


def _asker(request: ServerRequestContext[Any, Any] | None) -> Any:
    """Confirmation through elicitation, when the client declared it."""
    if request is None:
        return None
    caps = request.session.client_capabilities
    if caps is None or caps.elicitation is None:
        return None
    if caps.elicitation.form is None and caps.elicitation.url is not None:
        return None  # URL mode only: no form to answer yes or no in (an empty one is form)
    session, request_id = request.session, request.request_id

    async def ask(question: str) -> bool:
        answer = await session.elicit_form(
            question,
            {"type": "object",
             "properties": {"confirm": {"type": "boolean", "title": "Go ahead",
                                        "description": question, "default": False}},
             "required": ["confirm"]},
            related_request_id=request_id)
        return answer.action == "accept" and bool((answer.content or {}).get("confirm"))

    return ask


def build_server(service: Service, *, cursors: Cursors | None = None) -> Server[Any]:
    """The MCP server over ``service`` (which the caller opens and closes)."""
    from mcp.server.lowlevel.server import Server
    from mcp.shared.exceptions import MCPError
    from mcp_types import INTERNAL_ERROR, INVALID_PARAMS

    from minion_tui.mcp.resources import NotFoundResource, Resources

    resources: Resources | None = None

    def changed(uri: str) -> None:
        if resources is not None:
            resources.changed(uri)

    runner = ToolRunner(service, cursors, changed)
    resources = Resources(service, runner.context)
    listing = {"tools": [t.definition() for t in tools()]}

    async def list_tools(ctx: ServerRequestContext[Any, Any],
                         params: PaginatedRequestParams | None) -> dict[str, Any]:
        return listing

    async def call_tool(ctx: ServerRequestContext[Any, Any],
                        params: CallToolRequestParams) -> dict[str, Any]:
        found = by_name().get(params.name)
        if found is None:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name[:100]!r}. "
                           "tools/list names the tools this server has.")
        return await runner.call(found, params.arguments, ctx)

    async def list_resources(ctx: ServerRequestContext[Any, Any],
                             params: PaginatedRequestParams | None) -> dict[str, Any]:
        assert resources is not None
        return resources.listing()

    async def list_templates(ctx: ServerRequestContext[Any, Any],
                             params: PaginatedRequestParams | None) -> dict[str, Any]:
        assert resources is not None
        return resources.templates()

    async def read_resource(ctx: ServerRequestContext[Any, Any],
                            params: ReadResourceRequestParams) -> dict[str, Any]:
        assert resources is not None
        try:
            return await resources.read(str(params.uri))
        except MinionError as exc:
            code = (RESOURCE_NOT_FOUND if isinstance(exc, NotFoundResource)
                    or exc.type == "not_found"
                    else INVALID_PARAMS if exc.type in ("invalid_url", "invalid_argument")
                    else INTERNAL_ERROR)
            raise MCPError(code, f"{exc.type}: {exc.text}",
                           {"uri": str(params.uri), "type": exc.type}) from None

    async def subscribe(ctx: ServerRequestContext[Any, Any],
                        params: SubscribeRequestParams) -> dict[str, Any]:
        assert resources is not None
        uri = str(params.uri)
        if not resources.known(uri):
            raise MCPError(RESOURCE_NOT_FOUND, f"No resource {uri[:200]!r} to subscribe to.",
                           {"uri": uri})
        resources.subscribe(uri, ctx.session)
        return {}

    async def unsubscribe(ctx: ServerRequestContext[Any, Any],
                          params: UnsubscribeRequestParams) -> dict[str, Any]:
        assert resources is not None
        resources.unsubscribe(str(params.uri), ctx.session)
        return {}

    handlers: dict[str, Any] = {
        "on_list_tools": list_tools, "on_call_tool": call_tool,
        "on_list_resources": list_resources, "on_list_resource_templates": list_templates,
        "on_read_resource": read_resource, "on_subscribe_resource": subscribe,
        "on_unsubscribe_resource": unsubscribe}
    # Our handlers answer the wire form (dicts) directly: no model built per call.
    server: Server[Any] = Server(
        "minion-tui", version=__version__, title="minion-tui",
        description="SoundCloud and Mixcloud: search, play, queue, download, rate, discover.",
        instructions=INSTRUCTIONS, **cast(Any, handlers))
    server.middleware = []  # no tracing span per message (OpenTelemetry is not set up here)
    return server


#: The JSON-RPC error of an unknown resource (the MCP specification's).
RESOURCE_NOT_FOUND = -32002
