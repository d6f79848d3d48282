"""Where each key of a config.toml text sits, and tomllib's syntax errors in the same
"line N, column M" words, so every problem report gives a line.

Values are parsed by ``tomllib``; neither it nor tomlkit reports where a value was written, so
:func:`locate_keys` scans the raw text.
"""

from __future__ import annotations

import json
import re

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
