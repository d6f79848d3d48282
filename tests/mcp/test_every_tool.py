"""Every registered tool is called by a test: each tests/mcp/test_tools_<group>.py declares
``CALLED = {...}`` (names only, read here without importing the module) and really calls each
name with ``call(...)`` or ``call_error(...)``; together they cover the registry. Helpers
adding a group add their own module and edit nothing shared."""

from __future__ import annotations

import ast
from pathlib import Path

from minion_tui.mcp.registry import tools

HERE = Path(__file__).parent


def _declared_and_called(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declared: set[str] = set()
    called: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "CALLED" for t in node.targets):
            declared = set(ast.literal_eval(node.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"call", "call_error", "page_all"} and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            called.add(node.args[1].value)
    return declared, called


def test_every_registered_tool_is_called_by_a_test() -> None:
    covered: set[str] = set()
    for path in sorted(HERE.glob("test_tools_*.py")):
        declared, called = _declared_and_called(path)
        assert declared, f"{path.name} declares no CALLED set"
        assert declared <= called, (path.name, sorted(declared - called))
        covered |= declared
    registered = {t.name for t in tools()}
    assert sorted(registered - covered) == []
    assert sorted(covered - registered) == []


def test_the_checker_sees_a_tool_declared_but_not_called(tmp_path: Path) -> None:
    sample = tmp_path / "test_tools_x.py"
    sample.write_text('CALLED = {"a", "b"}\nasync def t(s):\n    await call(s, "a", {})\n')
    declared, called = _declared_and_called(sample)
    assert declared == {"a", "b"} and called == {"a"}
