"""Every error type the app can print is in README.md's list, so a scripter can rely on it:
the subclasses of MinionError, and types declared beside them in providers."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import minion_tui
from minion_tui.errors import MinionError

README = Path(__file__).resolve().parents[2] / "README.md"


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def _error_types() -> set[str]:
    for module in pkgutil.walk_packages(minion_tui.__path__, "minion_tui."):
        if (".emulator" in module.name or module.name.startswith("minion_tui.tui")
                or module.name.endswith("__main__")):
            continue  # the emulator's own errors never reach a user; the TUI shows toasts
        importlib.import_module(module.name)
    return {c.type for c in _all_subclasses(MinionError) | {MinionError}
            if c.__module__.startswith("minion_tui.")}


def _documented() -> set[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("Error types")
    paragraph = text[start:text.index("`config`", start) + len("`config`")]  # the list's end
    return set(re.findall(r"`([a-z_]+)`", paragraph))


def test_every_error_type_is_listed_in_the_readme() -> None:
    types = _error_types()
    assert {"not_found", "store", "playback_error", "format_unavailable"} <= types
    assert sorted(types - _documented()) == []


def test_the_readme_lists_no_type_the_code_lacks() -> None:
    assert sorted(_documented() - _error_types()) == []
