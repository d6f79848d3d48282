"""The firm rules of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "minion_tui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # resolve relative imports against the module's package
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
                base = parts[: len(parts) - node.level]
                names.add(".".join((*base, node.module or "")).rstrip("."))
            elif node.module:
                names.add(node.module)
    return names


def _modules(sub: str = "") -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py"))


def test_only_tui_imports_textual_or_rich() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(
            n for n in _imports(p) if n.split(".")[0] in {"textual", "rich", "textual_image"}
        )
        for p in _modules()
        if "tui" not in p.relative_to(PACKAGE).parts[:1]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_emulator_and_providers_never_import_each_other() -> None:
    def crossing(sub: str, forbidden: str) -> dict[str, list[str]]:
        found = {
            str(p.relative_to(PACKAGE)): sorted(
                n for n in _imports(p) if n.startswith(f"minion_tui.{forbidden}")
            )
            for p in _modules(sub)
        }
        return {k: v for k, v in found.items() if v}

    assert crossing("emulator", "providers") == {}
    assert crossing("providers", "emulator") == {}


def test_importing_the_service_loads_neither_textual_nor_rich() -> None:
    code = (
        "import json, sys, minion_tui.service, minion_tui.cli\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'textual', 'rich', 'av', 'mpv', 'mutagen', 'keyring'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    """The AST scan must be able to fail: it finds an import of textual in a sample file."""
    sample = tmp_path / "probe.py"
    sample.write_text("from textual.app import App\nimport rich\n", encoding="utf-8")
    assert {"textual.app", "rich"} <= _imports(sample)
