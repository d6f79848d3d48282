"""Fixtures for the TUI tests: the app over a real Service whose data lives in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from minion_tui.config import Settings, UiSettings
from minion_tui.emulator.server import RunningEmulator, run_in_thread
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp

AppFactory = Callable[..., MinionApp]


@pytest.fixture(scope="session")
def shared_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator for the apps of make_app: Browse opens Trending at start, and without a
    service to ask it would reach for the real one (and a failure toast would race the
    test). Tests that change the emulator's state use the ``emulator`` fixture instead."""
    cache = tmp_path_factory.getbasetemp().parent / "emulator-audio-cache"
    emu = run_in_thread(seed=1, cache_dir=cache)
    yield emu
    emu.stop()


@pytest.fixture
def make_app(tmp_path: Path, shared_emulator: RunningEmulator) -> AppFactory:
    """Build the app over a fresh Service against the shared emulator (demo only marks it);
    options set the keymap, theme and demo mode."""

    def build(
        *,
        keymap: Mapping[str, str] | None = None,
        theme: str = "minion-dark",
        demo: bool = False,
        demo_notice: str | None = None,
    ) -> MinionApp:
        settings = Settings(keymap=dict(keymap or {}), ui=UiSettings(theme=theme, artwork=False),
                            path=tmp_path / "config.toml")
        service = Service.open(settings=settings, demo=demo, data_dir=tmp_path / "data",
                               demo_notice=demo_notice,
                               endpoints=shared_emulator.endpoints)
        return MinionApp(service)

    return build


@pytest.fixture
def app(make_app: AppFactory) -> MinionApp:
    return make_app()


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The SoundCloud emulator over HTTP (seed 1). The audio cache is the one
    tests/integration/conftest.py uses, so the loops are encoded once per run."""
    cache = tmp_path_factory.getbasetemp().parent / "emulator-audio-cache"
    emu = run_in_thread(seed=1, cache_dir=cache)
    yield emu
    emu.stop()
