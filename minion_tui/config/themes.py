"""Which names ``[ui] theme`` may hold, checked without loading Textual: the app's own themes
(``minion_tui/themes/*.toml``), the user's (``themes/*.toml`` in the config dir) and
Textual's built-in ones, which the app registers too (tui/app.py).

``config show`` reports an unknown name as a configuration problem (exit 2), naming the
themes there are; the TUI, which must start, falls back to minion-dark and says so in a
toast instead (tui/themes.py ``choose_theme``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import minion_tui
from minion_tui.config.paths import config_dir
from minion_tui.errors import ConfigError

#: ``textual.theme.BUILTIN_THEMES``' names, kept here so the check needs no Textual import
#: (350 ms); tests/integration/test_cli_scripting.py checks the two agree.
TEXTUAL_THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)

# minion_tui/themes links to the top-level themes/ (ARCHITECTURE.md), so a wheel ships them
# too; tui/themes.py loads them from here.
BUILTIN_THEME_DIR = Path(minion_tui.__file__).resolve().parent / "themes"


def theme_names(user_dir: Path | None = None) -> list[str]:
    """Every theme name the app can use, sorted: its own, Textual's and the user's
    (``user_dir``, default the config dir's ``themes``). A file that does not parse names
    nothing (the TUI reports it when it starts)."""
    folders = [BUILTIN_THEME_DIR, config_dir() / "themes" if user_dir is None else user_dir]
    names = set(TEXTUAL_THEMES)
    for folder in folders:
        names.update(_names_in(folder))
    return sorted(names)


def _names_in(folder: Path) -> list[str]:
    try:
        files = sorted(folder.glob("*.toml"))
    except OSError:
        return []
    found = []
    for path in files:
        try:
            name = tomllib.loads(path.read_text(encoding="utf-8")).get("name", path.stem)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(name, str) and name:
            found.append(name)
    return found


def check_theme(theme: str, origin: str, *, path: Path) -> None:
    """Raise ConfigError when ``theme`` (from ``origin``: "default", "file P:LINE", "env
    NAME") is not a theme the app has, listing the ones it has."""
    names = theme_names()
    if theme in names:
        return
    found = re.fullmatch(r"file (.*?)(?::(\d+))?", origin)
    if found:  # the file it came from: the demo's own config.toml holds a theme chosen there
        path, where = Path(found.group(1)), f"line {found.group(2)}: " if found.group(2) else ""
    else:
        where = f"{origin.removeprefix('env ')}: " if origin.startswith("env ") else ""
    raise ConfigError([f"{where}[ui] theme {theme!r} is not a theme; use one of "
                       f"{', '.join(names)} (or add {theme}.toml to {config_dir() / 'themes'})"],
                      path=str(path), exists=found is not None)
