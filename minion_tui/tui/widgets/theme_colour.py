"""A colour a widget takes from the theme, where the theme sets it."""

from __future__ import annotations

from rich.style import Style
from textual.color import Color, ColorParseError
from textual.widget import Widget


def theme_colour(widget: Widget, variable: str) -> Style | None:
    """The theme's ``variable`` (``rating-liked``, …) as a foreground colour; None when the
    theme does not set it or sets no colour, so the caller falls back to its CSS class."""
    value = widget.app.theme_variables.get(variable)
    if value and not value.startswith("$"):
        try:
            return Style(color=Color.parse(value).rich_color)
        except ColorParseError:  # a malformed theme colour falls back to the CSS class
            pass
    return None
