"""A Mixcloud-side emulator per test module, reached with plain httpx (never our client):
`mc.get(real_url)` maps a real Mixcloud URL onto the emulator like MINION_ENDPOINTS would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from minion_tui.emulator.server import RunningEmulator, run_in_thread


class McHttp:
    def __init__(self, emulator: RunningEmulator) -> None:
        self.emulator = emulator
        self.client = httpx.Client(timeout=60)
        # Longest real origin first: https://audio4… must not match https://audio4x….
        self._origins = sorted(emulator.endpoints.items(), key=lambda kv: -len(kv[0]))

    def local(self, url: str) -> str:
        for origin, local in self._origins:
            if url == origin or url.startswith(origin + "/"):
                return local + url[len(origin):]
        raise AssertionError(f"{url} is not on an emulated origin")

    def real(self, url: str) -> str:
        for origin, local in sorted(self.emulator.endpoints.items(), key=lambda kv: -len(kv[1])):
            if url.startswith(local + "/") or url == local:
                return origin + url[len(local):]
        raise AssertionError(f"{url} is not an emulator URL")

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(self.local(url), **kwargs)

    def api(self, path: str, **params: Any) -> httpx.Response:
        return self.get("https://api.mixcloud.com" + path, params=params or None)

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *,
                post: bool = False, **kwargs: Any) -> httpx.Response:
        url = self.local("https://app.mixcloud.com/graphql")
        if post:
            return self.client.post(url, json={"query": query, "variables": variables or {}},
                                    **kwargs)
        return self.client.get(url, params={"query": query}, **kwargs)


@pytest.fixture(scope="session")
def mc_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp().parent / "emulator-audio-cache"


@pytest.fixture(scope="module")
def mc(mc_cache: Path) -> Iterator[McHttp]:
    emulator = run_in_thread(seed=1, cache_dir=mc_cache)
    http = McHttp(emulator)
    yield http
    http.client.close()
    emulator.stop()


@pytest.fixture(autouse=True)
def _clean_mixcloud(request: pytest.FixtureRequest) -> Iterator[None]:
    """Knobs a test turns are put back, so module-scoped emulators stay independent."""
    yield
    if "mc" in request.fixturenames:
        mixcloud = request.getfixturevalue("mc").emulator.mixcloud
        mixcloud.set_faults("")
        mixcloud.paging_scheme = "https"
        mixcloud.old_rest_sections = False
        mixcloud.offer_hls = True
        mixcloud.throttle_rate = 256 * 1024
