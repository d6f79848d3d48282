"""minion_tui/config/ is used through its public face only: code outside the package imports
``minion_tui.config`` and the names in its ``__all__``, never one of its modules, so the
package can be rearranged without touching its users."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from minion_tui import config

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "minion_tui"
CONFIG = PACKAGE / "config"
SCANNED = ("minion_tui", "tests", "bench", "scripts")
PUBLIC = frozenset(config.__all__)
_TARGET = re.compile(r"minion_tui\.config\.(\w+)(?:\.\w+)*")


def _module_of(path: Path) -> tuple[str, ...]:
    return path.relative_to(ROOT).with_suffix("").parts


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = _module_of(path)  # a package's __init__ counts as a module inside it
    base = parts[: len(parts) - node.level]
    return ".".join((*base, node.module or "")).rstrip(".")


def violations(path: Path, source: str) -> list[str]:
    """Each way ``source`` (the text of ``path``) reaches past the package's public face, in
    line order."""
    return [f"line {line}: {what}" for line, what in sorted(_reaches(path, source))]


def _reaches(path: Path, source: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source, filename=str(path))
    aliases: set[str] = set()  # local names bound to the minion_tui.config package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("minion_tui.config."):
                    yield node.lineno, f"import {alias.name}"
                elif alias.name == "minion_tui.config" and alias.asname:
                    aliases.add(alias.asname)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            if module.startswith("minion_tui.config."):
                yield node.lineno, f"from {module} import ..."
            elif module == "minion_tui.config":
                for alias in node.names:
                    if alias.name not in PUBLIC:
                        yield node.lineno, f"from minion_tui.config import {alias.name}"
            elif module == "minion_tui":
                aliases.update(a.asname or a.name for a in node.names if a.name == "config")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in aliases:
            reached = node.attr
        elif (isinstance(owner, ast.Attribute) and owner.attr == "config"
              and isinstance(owner.value, ast.Name) and owner.value.id == "minion_tui"):
            reached = node.attr
        else:
            continue
        if reached not in PUBLIC:
            yield node.lineno, f"config.{reached}"
    for node in ast.walk(tree):  # mock.patch / monkeypatch.setattr targets
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _TARGET.fullmatch(node.value)
            if match and match[1] not in PUBLIC:
                yield node.lineno, f"{node.value!r}"


def _scanned_files() -> list[Path]:
    files = [p for top in SCANNED for p in sorted((ROOT / top).rglob("*.py"))]
    # This file is left out: its samples are the very imports it looks for.
    return [p for p in files if CONFIG not in p.parents and p != Path(__file__).resolve()]


def test_nothing_outside_the_config_package_imports_its_modules() -> None:
    files = _scanned_files()
    assert len(files) > 100  # the scan really covers the repository
    found = {
        str(p.relative_to(ROOT)): problems
        for p in files
        if (problems := list(violations(p, p.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_the_scan_catches_each_way_in() -> None:
    outside = ROOT / "minion_tui" / "tui" / "example.py"
    source = "\n".join([
        "import minion_tui.config.schema",
        "from minion_tui.config.values import Whole",
        "from minion_tui.config import schema, Settings",
        "from ..config import toml_edit",
        "from minion_tui import config",
        "import minion_tui.config as cfg",
        "config.load_settings()",
        "config.settings.ENDPOINTS_ENV",
        "cfg.paths.LOG_NAME",
        "minion_tui.config.values.Whole",
        "mock.patch('minion_tui.config.load_settings')",
        "monkeypatch.setattr('minion_tui.config.toml_edit.write_atomically', None)",
    ])
    assert list(violations(outside, source)) == [
        "line 1: import minion_tui.config.schema",
        "line 2: from minion_tui.config.values import ...",
        "line 3: from minion_tui.config import schema",
        "line 4: from minion_tui.config import toml_edit",
        "line 8: config.settings",
        "line 9: config.paths",
        "line 10: config.values",
        "line 12: 'minion_tui.config.toml_edit.write_atomically'",
    ]


def test_the_public_names_exist() -> None:
    assert [name for name in config.__all__ if not hasattr(config, name)] == []
