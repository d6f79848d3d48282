"""What the service itself lists, to compare a tool's items with: the tool tests ask the
same Service the MCP server runs on, so a tool's page must be the service's, item for item."""

from __future__ import annotations

from typing import Any

from minion_tui.service import Service


async def browsed(service: Service, listing: str, target: str | None = None, *,
                  n: int | None = None, provider: str | None = None) -> list[Any]:
    """The items of ``service.catalog.browse(listing, target)``: every page's, or the first
    ``n``."""
    found: list[Any] = []
    async for page in service.catalog.browse(listing, target, provider=provider):
        found += page.items
        if n is not None and len(found) >= n:
            break
    return found if n is None else found[:n]
