"""Fixtures for the TUI tests: the app over a real Service whose data lives in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator, run_in_thread
from minion_tui.tui.app import MinionApp
from tests.tui.harness import open_app

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
        return open_app(shared_emulator, tmp_path, keymap=keymap or {}, theme=theme,
                        demo=demo, demo_notice=demo_notice)

    return build


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "own_emulator: the app fixture runs over the test's own "
                            "emulator and data dir (make_isolated_app), not the shared one")


@pytest.fixture
def app(request: pytest.FixtureRequest) -> MinionApp:
    """The app of make_app, for a test that starts it once; in a module marked
    ``own_emulator``, that of make_isolated_app, over the test's own emulator."""
    own = request.node.get_closest_marker("own_emulator") is not None
    build: Callable[[], MinionApp] = request.getfixturevalue(
        "make_isolated_app" if own else "make_app")
    return build()


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The SoundCloud emulator over HTTP (seed 1). The audio cache is the one
    tests/integration/conftest.py uses, so the loops are encoded once per run."""
    cache = tmp_path_factory.getbasetemp().parent / "emulator-audio-cache"
    emu = run_in_thread(seed=1, cache_dir=cache)
    yield emu
    emu.stop()


@pytest.fixture
def make_isolated_app(emulator: RunningEmulator, tmp_path: Path) -> Callable[[], MinionApp]:
    """A fresh app (and Service) over the test's own emulator, which it may change, and the
    same data dir each call: a restart."""
    return lambda: open_app(emulator, tmp_path)
