"""No import machinery on the request path: once the first requests have loaded what they
need, further requests (API calls and the downloader's streamed segments alike) must not look
for a module. A lookup that fails is never cached and scans sys.path every time: httpcore's
`import sniffio` did that several times per request while sniffio was not installed, a fifth
of a segment fetch's CPU time."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from minion_tui.net import Http
from tests.integration.local_server import answering_server


class CountingFinder:
    """A meta path finder that finds nothing and counts what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        self.asked.append(name)
        return None


async def test_requests_after_the_first_import_nothing() -> None:
    with answering_server(lambda url: (200, b"x" * 200_000, "audio/mpeg")) as base:
        http = Http()
        try:
            for _ in range(3):  # warm up: the first requests load httpx's lazy parts
                await http.get_bytes(f"{base}/warm")
                async with http.stream("GET", f"{base}/warm") as response:
                    await response.aread()
            finder = CountingFinder()
            sys.meta_path.insert(0, finder)
            try:
                for n in range(10):
                    assert len(await http.get_bytes(f"{base}/api/{n}")) == 200_000
                    async with http.stream("GET", f"{base}/segment/{n}") as response:
                        size = sum([len(chunk) async for chunk in response.aiter_bytes()])
                    assert size == 200_000
            finally:
                sys.meta_path.remove(finder)
        finally:
            await http.aclose()
    assert finder.asked == []
