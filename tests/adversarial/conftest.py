"""The adversarial suite: hostile command lines and hostile servers against the real
``minion-tui`` process.

Every case runs ``minion-tui … --json`` as a subprocess (its own XDG directories and HOME,
from tests/conftest.py's ``isolated_env``) and checks the contract a hostile input must not
break: a non-zero exit for bad input, stdout with ``--json`` that is one JSON error object of a
documented type (or valid normal output when the input is acceptable), and never a
``Traceback`` on stderr. One emulator serves a whole session (per xdist worker); the hostile
servers are tests/integration/local_server.py's.

The checks are the defences; the cases are tables in the test modules, so a new hostile input
is one more row, and a new CLI command is covered without a row (test_hostile_inputs.py
derives the commands from the real argparse parser).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from minion_tui import errors
from minion_tui.emulator.server import RunningEmulator, run_in_thread
from tests.integration.conftest import emulator_cache  # noqa: F401  (a fixture, re-exported)

#: How long one command may run before the test calls it a hang.
TIMEOUT = 60.0


def documented_types() -> set[str]:
    """Every ``type`` a MinionError subclass declares (errors.py is the one hierarchy), so a
    type another change adds is accepted without editing this suite."""
    found: set[str] = set()
    todo: list[type[errors.MinionError]] = [errors.MinionError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.add(sub.type)
            todo.append(sub)
    return found


DOCUMENTED = documented_types()


def minion_command() -> list[str]:
    """The installed console script (what a user runs), else ``python -m minion_tui``."""
    script = Path(sys.executable).with_name("minion-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        shown = [a if len(a) < 120 else a[:60] + f"…({len(a)} chars)" for a in self.argv]
        return (f"argv={shown!r}\nexit={self.code}\nstdout={self.stdout[-1500:]!r}\n"
                f"stderr={self.stderr[-3000:]!r}")

    def lines(self) -> list[dict[str, Any]]:
        """stdout as JSON lines (download, play): every line must be a JSON object."""
        out = []
        for line in self.stdout.splitlines():
            value = json.loads(line)
            assert isinstance(value, dict), self.describe()
            out.append(value)
        return out


Cli = Callable[..., Run]


@pytest.fixture(scope="session")
def shared_emulator(emulator_cache: Path) -> Iterator[RunningEmulator]:  # noqa: F811
    """One emulator for every case of a session (a worker): the hostile inputs never change
    its state, and starting one per case would cost more than the cases."""
    emu = run_in_thread(seed=1, cache_dir=emulator_cache)
    yield emu
    emu.stop()


@pytest.fixture
def cli(isolated_env: Path, tmp_path: Path) -> Cli:
    """``cli(*argv, env={...}, timeout=…)`` runs ``minion-tui *argv`` with this test's XDG
    directories and a HOME of its own; returns a :class:`Run`."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)

    def run(*argv: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT,
            cwd: Path | None = None) -> Run:
        full_env = {**os.environ, "HOME": str(home), **(env or {})}
        try:
            done = subprocess.run([*minion_command(), *argv], capture_output=True, text=True,
                                  errors="replace", env=full_env, timeout=timeout,
                                  stdin=subprocess.DEVNULL, cwd=cwd or tmp_path)
        except subprocess.TimeoutExpired as hang:
            out = hang.stdout.decode(errors="replace") if isinstance(hang.stdout, bytes) \
                else (hang.stdout or "")
            err = hang.stderr.decode(errors="replace") if isinstance(hang.stderr, bytes) \
                else (hang.stderr or "")
            pytest.fail(f"minion-tui did not finish within {timeout:.0f} s (a hang):\n"
                        + Run(tuple(argv), -9, out, err).describe())
        return Run(tuple(argv), done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def sc_cli(cli: Cli, shared_emulator: RunningEmulator) -> Cli:
    """``cli`` pointed at the shared emulator through MINION_ENDPOINTS."""

    def run(*argv: str, env: dict[str, str] | None = None, **kwargs: Any) -> Run:
        return cli(*argv, env={"MINION_ENDPOINTS": shared_emulator.endpoints_env,
                               **(env or {})}, **kwargs)

    return run


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.describe()
    assert "Traceback" not in run.stdout, run.describe()


def assert_json_error(run: Run, types: Sequence[str] | None = None) -> dict[str, Any]:
    """stdout is exactly one JSON error object of a documented type with a message; the exit
    code is non-zero. ``types``: the ones this case allows (default: any documented)."""
    assert_no_traceback(run)
    assert run.code != 0, run.describe()
    try:
        body = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail("stdout is not one JSON document:\n" + run.describe())
    assert isinstance(body, dict) and set(body) == {"error"}, run.describe()
    error = body["error"]
    assert isinstance(error, dict) and set(error) >= {"type", "message"}, run.describe()
    assert error["type"] in DOCUMENTED, run.describe()
    if types is not None:
        assert error["type"] in types, run.describe()
    assert isinstance(error["message"], str) and error["message"].strip(), run.describe()
    return error


def assert_failed_events(run: Run, types: Sequence[str] | None = None
                         ) -> list[dict[str, Any]]:
    """``download --json``: every stdout line an event; at least one ``failed`` event, each
    with its reason and the error ``type`` beside it; exit code 1."""
    assert_no_traceback(run)
    assert run.code == 1, run.describe()
    try:
        events = run.lines()
    except json.JSONDecodeError:
        pytest.fail("stdout is not JSON lines:\n" + run.describe())
    failed = [e for e in events if e.get("event") == "failed"]
    assert failed, run.describe()
    for event in failed:
        assert str(event.get("reason", "")).strip(), run.describe()
        assert event.get("type") in DOCUMENTED, (
            "a failed event must carry the error type beside its reason:\n" + run.describe())
        if types is not None:
            assert event["type"] in types, run.describe()
    return failed
