"""A minimal like sender for the outbox tests, against a loopback likes server that speaks
the official API's shape (``POST`` / ``DELETE /likes/tracks/{urn}``, docs/soundcloud.md §5),
each request carrying the item's ``Idempotency-Key``. Run as a module it drains the outbox of
the data dir in the environment: ``python -m tests.integration.outbox_sender BASE_URL``
(a process the test may kill mid-drain)."""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import quote

from minion_tui.net import Http, HttpOptions
from minion_tui.service.outbox import Sender
from minion_tui.store.outbox import OutboxItem


def like_sender(http: Http, base: str) -> Sender:
    async def send(item: OutboxItem) -> None:
        method = "POST" if item.action == "like" else "DELETE"
        await http.request(method, f"{base}/likes/tracks/{quote(item.target, safe='')}",
                           headers={"Idempotency-Key": item.idempotency_key})

    return send


def plain_http() -> Http:
    return Http(HttpOptions(rate_limit=0, max_retries=1, backoff_base=0.01, backoff_cap=0.02,
                            timeout=5.0, deadline=10.0))


async def main(base: str) -> None:
    from minion_tui.service import Service

    service = Service.open()
    http = plain_http()
    try:
        drained = await service.outbox.drain(like_sender(http, base))
        print(f"sent {drained.sent} pending {drained.pending}")
    finally:
        await http.aclose()
        await service.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
