"""Colour themes.

Only the built-in default lives here for now; themes read from themes/*.toml (shipped and in
the user's config dir) will be registered the same way, through :func:`choose_theme`.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.theme import Theme

DEFAULT_THEME = "minion-dark"

MINION_DARK = Theme(
    name=DEFAULT_THEME,
    primary="#FF7A2F",  # close to SoundCloud orange, readable on a dark background
    secondary="#5FB3B3",
    accent="#FFB454",
    foreground="#E6E1DC",
    background="#16161C",
    surface="#1E1E26",
    panel="#2A2A35",
    success="#8BD17C",
    warning="#F2C45A",
    error="#F0616D",
    dark=True,
)

BUILTIN_THEMES: tuple[Theme, ...] = (MINION_DARK,)


def choose_theme(wanted: str, available: Iterable[str]) -> tuple[str, str | None]:
    """The theme to use for the configured name, and a problem to report if it is unknown."""
    names = sorted(available)
    if wanted in names:
        return wanted, None
    return DEFAULT_THEME, (
        f"There is no theme called {wanted!r}; using {DEFAULT_THEME}. "
        f"Set [ui] theme in config.toml to one of: {', '.join(names)}."
    )
