"""Emulator fixtures for integration tests: a real SoundCloud emulator over loopback HTTP.

The audio loop cache is shared by every test of a session (it is deterministic and written
atomically), so only the first test that asks for a stream pays for encoding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator, run_in_thread


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
