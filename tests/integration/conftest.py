"""Emulator fixtures for integration tests: a real SoundCloud emulator over loopback HTTP.

The audio loop cache is shared by every test of a session (it is deterministic and written
atomically), so only the first test that asks for a stream pays for encoding."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator, run_in_thread
from minion_tui.service import Service


@pytest.fixture(scope="session")
def emulator_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp().parent / "emulator-audio-cache"


@pytest.fixture
def emulator_factory(emulator_cache: Path) -> Iterator[Callable[..., RunningEmulator]]:
    running: list[RunningEmulator] = []

    def start(**kwargs: Any) -> RunningEmulator:
        kwargs.setdefault("cache_dir", emulator_cache)
        emu = run_in_thread(**kwargs)
        running.append(emu)
        return emu

    yield start
    for emu in running:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., RunningEmulator]) -> RunningEmulator:
    return emulator_factory(seed=1)


@pytest.fixture
def sc_env(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningEmulator:
    """Points every command of this test at the emulator through MINION_ENDPOINTS."""
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    return emulator


class EmulatorHttp:
    """Plain httpx against the emulator (not our net layer): maps real-origin URLs to the
    emulator and adds the current client_id to api-v2 calls, like a careful client would."""

    def __init__(self, emulator: RunningEmulator, user_agent: str | None = None) -> None:
        import httpx

        self.emulator = emulator
        headers = {"user-agent": user_agent} if user_agent else {}
        self.client = httpx.Client(headers=headers, timeout=30)

    def local(self, url: str) -> str:
        for origin, replacement in self.emulator.endpoints.items():
            if url == origin or url.startswith((origin + "/", origin + "?")):
                return replacement + url[len(origin):]
        raise AssertionError(f"not an emulated origin: {url}")

    def get(self, url: str, /, *, client_id: str | None = "current", headers: dict[str, str]
            | None = None, **params: Any) -> Any:
        """GET a real-origin URL (or an api-v2 path); `params` are added to its query."""
        from urllib.parse import urlencode

        if url.startswith("/"):
            url = "https://api-v2.soundcloud.com" + url
        extra = {k.replace("__", "."): v for k, v in params.items()}
        if client_id == "current" and url.startswith("https://api-v2.soundcloud.com"):
            client_id = self.emulator.state.client_id
        if client_id not in (None, "current"):
            extra["client_id"] = client_id
        local = self.local(url)
        if extra:
            local += ("&" if "?" in local else "?") + urlencode(extra)
        return self.client.get(local, headers=headers)

    def json(self, url: str, /, **params: Any) -> Any:
        response = self.get(url, **params)
        assert response.status_code == 200, (url, response.status_code, response.text[:200])
        return response.json()

    def pages(self, url: str, /, **params: Any) -> list[dict[str, Any]]:
        """Every page of a collection, following next_href until it is null or absent."""
        pages = [self.json(url, **params)]
        while pages[-1].get("next_href"):
            assert len(pages) < 500, "next_href never ends"
            pages.append(self.json(pages[-1]["next_href"]))
        return pages


@pytest.fixture
def sc_http(emulator: RunningEmulator) -> Iterator[EmulatorHttp]:
    http = EmulatorHttp(emulator)
    yield http
    http.client.close()


@pytest.fixture
def mc_rest(emulator: RunningEmulator) -> Iterator[Callable[..., Any]]:
    """GET a path of the Mixcloud emulator's REST API with plain httpx (not our net layer),
    ``params`` as its query: the JSON answer (a 200 is asserted), what a Service or a CLI
    answer is checked against."""
    import httpx

    local = emulator.endpoints["https://api.mixcloud.com"]
    with httpx.Client(timeout=60) as client:
        def get(path: str, **params: Any) -> Any:
            answer = client.get(local + path, params=params or None)
            assert answer.status_code == 200, (path, answer.status_code)
            return answer.json()
        yield get


@pytest.fixture
async def service(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    """A Service over the emulator, its data in tmp_path, playing to mpv's null output (no
    sound device in tests). Modules that need another one define their own."""
    svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path)
    svc.player.audio_output = "null"
    yield svc
    await svc.aclose()


@pytest.fixture
async def discover(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    """A Service over the emulator, its data in tmp_path, as discovery's tests use it (no
    player set up)."""
    svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path)
    yield svc
    await svc.aclose()
