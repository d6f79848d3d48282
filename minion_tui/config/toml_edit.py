"""Writing config.toml: the commented file ``config init`` writes, and setting one key while
keeping every comment and other key. tomlkit is imported only here, and only when writing.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import textwrap
import tomllib
from pathlib import Path
from typing import Any

from minion_tui.config import file_text
from minion_tui.config.paths import config_path, private_dirs
from minion_tui.config.schema import (
    OPEN_TABLES,
    SECTION_TYPES,
    SETTINGS,
    SETTINGS_BY_KEY,
    TABLE_HELP,
)
from minion_tui.config.toml_lines import line_of, locate_keys
from minion_tui.config.values import (
    Folder,
    Invalid,
    check_origin,
    check_replacement,
    did_you_mean,
    shown,
)
from minion_tui.errors import ConfigError, MinionError

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
    private_dirs(path.parent)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # 0600, as it stays
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


def init_config(path: Path | None = None, *, force: bool = False) -> Path:
    """Write a commented config.toml listing every setting (all commented out, so it changes
    nothing until edited). Refuses to replace an existing file unless ``force``."""
    path = config_path() if path is None else Path(path)
    if path.exists() and not force:
        raise MinionError(
            f"A configuration file already exists at {path}; it was left as it is.",
            hint="Edit it, or run `minion-tui config init --force` to replace it with a fresh "
            "commented file (the settings in it are lost).",
        )
    try:
        write_atomically(path, render_initial())
    except OSError as exc:
        raise MinionError(f"Could not write {path}: {exc.strerror or exc}.",
                          hint="Check that the folder is writable.") from exc
    return path


def set_config_value(
    dotted_key: str, value: str | int | float | bool, *, path: Path | None = None
) -> None:
    """Set one key in config.toml, keeping every comment and other key (the file and its
    table are created when missing). The key and value are checked as load_settings would;
    a string is parsed as an environment variable would be ("5" for a number)."""
    path = config_path() if path is None else Path(path)
    section, _, key = dotted_key.partition(".")

    def problem(text: str) -> ConfigError:
        return ConfigError([text], path=str(path))

    try:
        if section in OPEN_TABLES and key:
            if not isinstance(value, str) or not value.strip():
                raise Invalid(f"must be a non-empty string, got {shown(value)}")
            if section == "endpoints":
                key, to_write = check_origin(key), check_replacement(value)
            else:
                to_write = value.strip()
        else:
            setting = SETTINGS_BY_KEY.get(dotted_key)
            if setting is None:
                hint = did_you_mean(dotted_key, SETTINGS_BY_KEY)
                raise problem(f"unknown setting {dotted_key}{hint}")
            kind = setting.kind
            typed = kind.from_text(value) if isinstance(value, str) else kind.from_toml(value)
            if isinstance(kind, Folder):  # keep "~" as written: the file may move machines
                to_write = str(value).strip()
            else:
                to_write = "" if typed is None else kind.to_toml(typed)
    except Invalid as exc:
        raise problem(f"[{section}] {key} {exc}") from None

    try:
        text = file_text.read_text(path) or ""
        file_text.parse(text)  # tomllib's verdict first: the same problem as loading gives
        updated = edit_value(text, section, key, to_write)
    except ValueError as exc:  # file_text.Unusable included
        raise problem(str(exc)) from None
    except RecursionError:  # tomlkit recurses deeper per level than tomllib
        raise problem(str(file_text.too_deep(text))) from None
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        write_atomically(path, updated)
        if mode is not None:
            os.chmod(path, mode)
    except OSError as exc:
        raise MinionError(f"Could not write {path}: {exc.strerror or exc}.",
                          hint="Check that the folder is writable.") from exc
