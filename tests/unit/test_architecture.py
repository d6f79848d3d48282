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
        "import json, sys, minion_tui.service, minion_tui.cli, minion_tui.mcp\n"
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


def _runtime_imports(path: Path) -> set[str]:
    """Every module ``path`` imports when it runs — at module level or inside functions (late
    imports count), leaving out ``if TYPE_CHECKING:`` blocks; ``from a import b`` names
    ``a.b`` when that is a module of ours, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts[:-1]  # a module's package; an __init__'s package is itself
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join((*package[: len(package) - node.level + 1], node.module or ""))
            else:
                base = node.module or ""
            base = base.rstrip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _is_module(candidate) else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    if not name.startswith("minion_tui"):
        return False
    relative = Path(*name.split("."))
    return (PACKAGE.parent / relative).with_suffix(".py").exists() or (
        PACKAGE.parent / relative / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _modules()}
    return {name: {i for i in _runtime_imports(path) if i in modules and i != name}
            for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def test_no_import_cycle_anywhere_late_imports_included() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_sees_a_late_import_cycle() -> None:
    """It must be able to fail: a cycle closed by an import inside a function is one."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    sample = PACKAGE / "service" / "core.py"
    late = _runtime_imports(sample)
    assert "minion_tui.store" in late  # imported inside Core.db(), counted


def test_httpx_and_h11_only_in_net() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(
            n for n in _imports(p) if n.split(".")[0] in {"httpx", "h11", "httpcore"})
        for p in _modules()
        if p.relative_to(PACKAGE).parts[0] != "net"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


#: What a front end may import of the package: the façade and what it speaks in.
_FRONT_END_MAY = ("minion_tui.service", "minion_tui.models", "minion_tui.errors",
                  "minion_tui.config")
#: The CLI is also the entry point: it may start the other front ends and the emulator.
_ENTRY_POINT_MAY = ("minion_tui.tui", "minion_tui.emulator", "minion_tui.mcp",
                    "minion_tui.desktop")


def _front_end_offenders(front: str, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in _modules(front):
        bad = sorted(
            n for n in _imports(path)
            if n.startswith("minion_tui") and n != "minion_tui"
            and not n.startswith((f"minion_tui.{front}", *allowed)))
        if bad:
            found[str(path.relative_to(PACKAGE))] = bad
    return found


def test_front_ends_import_only_the_service_models_errors_and_config() -> None:
    assert _front_end_offenders("tui", _FRONT_END_MAY) == {}
    assert _front_end_offenders("cli", (*_FRONT_END_MAY, *_ENTRY_POINT_MAY)) == {}
    assert _front_end_offenders("desktop", _FRONT_END_MAY) == {}
    assert _front_end_offenders("mcp", _FRONT_END_MAY) == {}


def test_the_mcp_server_and_its_tools_load_neither_textual_nor_the_media_libraries() -> None:
    """Building the whole tool registry (every group module) and the server module loads
    none of the TUI's or the media libraries' modules."""
    code = (
        "import json, sys, minion_tui.mcp.server, minion_tui.mcp.registry as r\n"
        "r.tools()\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'textual', 'rich', 'av', 'mpv', 'mutagen', 'keyring'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
