"""config.toml as text: where each key sits (for error reports), the commented file that
``config init`` writes, and comment-preserving edits.

Parsing for values is done by ``tomllib``; neither it nor tomlkit reports where a value was
written, so :func:`locate_keys` scans the raw text. tomlkit is imported only when writing.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
import tomllib
from pathlib import Path
from typing import Any

from minion_tui.config_schema import (
    OPEN_TABLES,
    SECTION_TYPES,
    SETTINGS,
    TABLE_HELP,
)

KeyPath = tuple[str, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SYNTAX_AT = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
_SYNTAX_END = re.compile(r"^(?P<what>.*) \(at end of document\)$")


def _read_key(text: str, i: int) -> tuple[list[str], int] | None:
    """Read a dotted TOML key starting at ``text[i]``: (parts, index after it) or None."""
    parts: list[str] = []
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return None
        if text[i] == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= len(text):
                return None
            try:  # TOML basic-string escapes are a superset of the common JSON ones
                parts.append(json.loads(text[i : j + 1]))
            except ValueError:
                parts.append(text[i + 1 : j])
            i = j + 1
        elif text[i] == "'":
            j = text.find("'", i + 1)
            if j < 0:
                return None
            parts.append(text[i + 1 : j])
            i = j + 1
        else:
            match = _BARE_KEY.match(text, i)
            if not match:
                return None
            parts.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def locate_keys(text: str) -> dict[KeyPath, int]:
    """Map every table header and key assignment to its 1-based line number.

    A header ``[a.b]`` also registers ``(a,)`` so a report about table ``a`` has a line;
    lines inside multi-line strings are skipped so their content is never taken for a key.
    """
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    open_string: str | None = None

    def register(path: KeyPath, number: int) -> None:
        for end in range(1, len(path) + 1):
            lines.setdefault(path[:end], number)

    for number, line in enumerate(text.splitlines(), start=1):
        if open_string is not None:
            if open_string in line:
                open_string = None
            continue
        stripped = line.lstrip()
        if stripped.startswith("["):
            double = stripped.startswith("[[")
            read = _read_key(stripped, 2 if double else 1)
            if read is not None:
                table = tuple(read[0])
                register(table, number)
            continue
        read = _read_key(stripped, 0)
        if read is None or not stripped[read[1] :].startswith("="):
            continue
        register((*table, *read[0]), number)
        value = stripped[read[1] + 1 :].lstrip()
        for quote in ('"""', "'''"):
            if value.startswith(quote) and quote not in value[3:]:
                open_string = quote
    return lines


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing table when the key has no line of
    its own (an inline table, for one)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def describe_syntax_error(message: str, text: str) -> str:
    """A tomllib error as 'line 3, column 5: TOML syntax error: ...'."""
    match = _SYNTAX_AT.match(message)
    if match:
        return (f"line {match['line']}, column {match['col']}: TOML syntax error: "
                f"{match['what']}")
    match = _SYNTAX_END.match(message)
    if match:
        last = max(1, len(text.splitlines()))
        return f"line {last} (end of file): TOML syntax error: {match['what']}"
    return f"TOML syntax error: {message}"


# -- writing --------------------------------------------------------------------------------

_HEADER = """\
minion-tui configuration.

Every setting below is commented out and shows its default; remove the leading "# " to
change one. Precedence: defaults < this file < environment variables (named after a
setting where one exists). `minion-tui config show` prints each effective value and where
it came from. Secrets are better kept in the environment or the system keyring."""


_OPEN_TABLE_EXAMPLES = {
    "endpoints": (
        "Environment: MINION_ENDPOINTS (origin=url,origin=url)",
        '"https://api-v2.soundcloud.com" = "http://127.0.0.1:8750/sc-api-v2"',
        '"https://soundcloud.com" = "http://127.0.0.1:8750/sc-web"',
    ),
    "keymap": ('"app.quit" = "q,ctrl+q"',),
}


def _toml_literal(value: Any) -> str:
    import tomlkit

    return str(tomlkit.item(value).as_string())


def _home_relative(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


def render_initial() -> str:
    """The commented config.toml that ``config init`` writes: every key with its help text,
    environment variable and default, commented out so the file changes nothing until edited."""
    import tomlkit

    doc = tomlkit.document()
    for line in _HEADER.splitlines():
        doc.add(tomlkit.comment(line) if line else tomlkit.comment(""))
    doc.add(tomlkit.nl())
    for section in SECTION_TYPES:
        table = tomlkit.table()
        for setting in (s for s in SETTINGS if s.section == section):
            for line in textwrap.wrap(setting.help, width=96):
                table.add(tomlkit.comment(line))
            if setting.env:
                table.add(tomlkit.comment(f"Environment: {setting.env}"))
            default = setting.default()
            if isinstance(default, Path):
                shown = _toml_literal(_home_relative(default))
            elif default is None:
                shown = '""'
            else:
                shown = _toml_literal(setting.kind.to_toml(default))
            table.add(tomlkit.comment(f"{setting.key} = {shown}"))
            table.add(tomlkit.nl())
        doc.add(section, table)
    for name in OPEN_TABLES:
        table = tomlkit.table()
        for line in textwrap.wrap(TABLE_HELP[name], width=96):
            table.add(tomlkit.comment(line))
        for example in _OPEN_TABLE_EXAMPLES[name]:
            table.add(tomlkit.comment(example))
        table.add(tomlkit.nl())
        doc.add(name, table)
    return tomlkit.dumps(doc).rstrip("\n") + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so a crash never leaves a half-written config."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def edit_value(text: str, section: str, key: str, value: Any) -> str:
    """``text`` with ``[section] key`` set to ``value``, every comment and other key kept.
    Raises ValueError (syntax, or ``section`` is not a table) with a line when known."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        doc = tomlkit.parse(text)
    except ParseError as exc:
        raise ValueError(f"line {exc.line}, column {exc.col}: TOML syntax error: {exc}") from None
    table = doc.get(section)
    if table is None:
        table = tomlkit.table()
        doc.add(section, table)
    elif not isinstance(table, dict):  # tomlkit tables are dicts; anything else is a value
        line = line_of(locate_keys(text), (section,))
        where = f"line {line}: " if line else ""
        raise ValueError(f"{where}{section} must be a table ([{section}]), not a value")
    if key not in table:
        beside = _beside_commented_default(text, section, key, value)
        if beside is not None:
            return beside
    table[key] = value
    return tomlkit.dumps(doc)


def _beside_commented_default(text: str, section: str, key: str, value: Any) -> str | None:
    """Put a new key right under its commented-out default ("# key = ...") as ``config init``
    wrote it, so the file still reads top to bottom. The result is re-parsed and used only if
    it means exactly "the old file plus this key"; otherwise the caller appends instead."""
    header = locate_keys(text).get((section,))
    if header is None:
        return None
    import tomlkit

    lines = text.splitlines(keepends=True)
    written_key = tomlkit.key(key).as_string()
    commented = re.compile(rf"^\s*#\s*{re.escape(written_key)}\s*=")
    for index in range(header, len(lines)):  # header is 1-based: this starts below it
        if lines[index].lstrip().startswith("["):
            return None
        if commented.match(lines[index]):
            if not lines[index].endswith("\n"):
                lines[index] += "\n"
            lines.insert(index + 1, f"{written_key} = {_toml_literal(value)}\n")
            candidate = "".join(lines)
            try:
                expected = tomllib.loads(text)
                expected[section][key] = tomllib.loads(f"v = {_toml_literal(value)}")["v"]
                return candidate if tomllib.loads(candidate) == expected else None
            except (tomllib.TOMLDecodeError, KeyError, TypeError):
                return None
    return None
