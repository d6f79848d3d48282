"""Shared fixtures: every test runs with its own XDG directories and no SOUNDCLOUD_* /
MIXCLOUD_* / MINION_* variables from the developer's shell, so nothing leaks in or out."""

from __future__ import annotations

import ctypes.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unprivileged import reachable_tmp

__all__ = ["reachable_tmp"]  # a fixture for every test: a folder the unprivileged user reaches

_ISOLATED_PREFIXES = ("SOUNDCLOUD_", "MIXCLOUD_", "MINION_")
_KEEP = {"MINION_REQUIRE_MPV", "MINION_REQUIRE_DBUS"}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES) and name not in _KEEP:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "xdg"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    # Sign-in tokens never reach the developer's own keyring: no keyring, so the private
    # file in the test's data dir (a test that wants one chooses keyrings.alt's).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # No test publishes on the developer's session bus or leaves a ctl socket in the real
    # runtime dir: tests that want a bus start their own (tests/integration/test_desktop.py).
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    yield home


def libmpv_available() -> bool:
    return ctypes.util.find_library("mpv") is not None


def dbus_tools_available() -> bool:
    import shutil

    return all(shutil.which(tool) for tool in ("dbus-daemon", "dbus-monitor", "playerctl"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.mpv` tests skip without libmpv, unless MINION_REQUIRE_MPV=1 (CI), where
    they run and fail loudly instead; `@pytest.mark.dbus` likewise without the D-Bus tools,
    unless MINION_REQUIRE_DBUS=1."""
    if not dbus_tools_available() and os.environ.get("MINION_REQUIRE_DBUS") != "1":
        no_dbus = pytest.mark.skip(reason="dbus-daemon, dbus-monitor or playerctl is missing "
                                   "(apt-get install dbus-daemon dbus-bin playerctl)")
        for item in items:
            if "dbus" in item.keywords:
                item.add_marker(no_dbus)
    if libmpv_available() or os.environ.get("MINION_REQUIRE_MPV") == "1":
        return
    skip = pytest.mark.skip(reason="libmpv is not installed (apt-get install libmpv2)")
    for item in items:
        if "mpv" in item.keywords:
            item.add_marker(skip)
