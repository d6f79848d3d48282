"""The emulated API's routes from a table: path → ``fn(ctx, request)``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from minion_tui.emulator.soundcloud.context import ApiContext, handler

Endpoint = Callable[[ApiContext, Request], Coroutine[Any, Any, Response]]


def api_routes(ctx: ApiContext, table: Mapping[str, Endpoint]) -> list[Route]:
    """One route a path of ``table``, each answered by its function through :func:`handler`
    (on a worker thread), in the table's order."""
    return [Route(path, handler(ctx, fn)) for path, fn in table.items()]
