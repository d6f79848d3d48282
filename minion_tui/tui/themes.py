"""Colour themes as data: ``themes/*.toml`` in the repository (built in) and in the user's
config dir, each turned into a :class:`textual.theme.Theme`.

A theme file holds the Theme fields (name, primary, secondary, accent, foreground, background,
surface, panel, success, warning, error, boost, dark) and a ``[variables]`` table of extra CSS
variables — notably the rating colours ``rating-liked``, ``rating-not-interested`` and
``rating-not-quite`` that widgets use as ``$rating-liked`` and so on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from minion_tui.config import BUILTIN_THEME_DIR

DEFAULT_THEME = "minion-dark"


# Every theme must define these, so widgets can use them without a fallback.
RATING_VARIABLES: tuple[str, ...] = ("rating-liked", "rating-not-interested", "rating-not-quite")

_COLOUR_FIELDS = ("primary", "secondary", "accent", "foreground", "background", "surface",
                  "panel", "success", "warning", "error", "boost")
_DEFAULT_VARIABLES = {  # used where a (user) theme leaves a rating colour out
    "rating-liked": "$success",
    "rating-not-interested": "$foreground-muted",
    "rating-not-quite": "$warning",
}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class ThemeProblem:
    """A theme file that was skipped, and why (reported as one warning at start)."""

    path: Path
    problem: str

    @property
    def text(self) -> str:
        return f"Skipped theme file {self.path}: {self.problem}"


def theme_from_toml(text: str) -> Theme:
    """Parse one theme file; raises :class:`ThemeFileError` saying what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"not valid TOML ({exc})") from exc
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ThemeFileError("missing 'name' (a string such as \"my-theme\")")
    if "primary" not in data:
        raise ThemeFileError("missing 'primary' (a colour such as \"#FF7A2F\")")
    known = {*_COLOUR_FIELDS, "name", "dark", "variables"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThemeFileError(f"unknown key(s) {', '.join(unknown)}; expected some of "
                             f"{', '.join(sorted(known))}")
    colours: dict[str, str] = {}
    for key in _COLOUR_FIELDS:
        if key in data:
            colours[key] = _colour(key, data[key])
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError("'dark' must be true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(v, str) for v in variables.values()
    ):
        raise ThemeFileError("[variables] must map names to colour strings")
    return Theme(name=name, dark=dark, variables={**_DEFAULT_VARIABLES, **variables},
                 primary=colours["primary"], secondary=colours.get("secondary"),
                 accent=colours.get("accent"), foreground=colours.get("foreground"),
                 background=colours.get("background"), surface=colours.get("surface"),
                 panel=colours.get("panel"), success=colours.get("success"),
                 warning=colours.get("warning"), error=colours.get("error"),
                 boost=colours.get("boost"))


def _colour(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{key!r} must be a colour string, not {value!r}")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ThemeFileError(f"{key!r} = {value!r} is not a colour") from exc
    return value


def with_rating_colours(theme: Theme) -> Theme:
    """Textual's own themes, given the extra variables our stylesheet relies on."""
    return replace(theme, variables={**_DEFAULT_VARIABLES, **theme.variables})


def load_theme_dir(directory: Path) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every ``*.toml`` theme in a directory (sorted by file name) and the files skipped."""
    themes: list[Theme] = []
    problems: list[ThemeProblem] = []
    if not directory.is_dir():
        return themes, problems
    for path in sorted(directory.glob("*.toml")):
        try:
            themes.append(theme_from_toml(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ThemeFileError) as exc:
            problems.append(ThemeProblem(path, str(exc)))
    return themes, problems


def load_themes(user_dir: Path | None) -> tuple[list[Theme], list[ThemeProblem]]:
    """Built-in themes, then the user's (a user theme with a built-in name replaces it)."""
    themes, problems = load_theme_dir(BUILTIN_THEME_DIR)
    if user_dir is not None:
        user_themes, user_problems = load_theme_dir(user_dir)
        themes += user_themes
        problems += user_problems
    return themes, problems


def choose_theme(wanted: str, available: Iterable[str]) -> tuple[str, str | None]:
    """The theme to use for the configured name, and a problem to report if it is unknown."""
    names = sorted(available)
    if wanted in names:
        return wanted, None
    return DEFAULT_THEME, (
        f"There is no theme called {wanted!r}; using {DEFAULT_THEME}. "
        f"Set [ui] theme in config.toml to one of: {', '.join(names)}."
    )
