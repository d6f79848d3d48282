"""Component styles for widgets that draw their own lines (``render_line`` with Strips): the
track list and the download list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.cache import LRUCache

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    # A plain mixin at run time: as a Widget subclass it would put Widget's own CSS type
    # before ScrollView's in the MRO, and the list would stop scrolling.
    _Base = object


class LineStyles(_Base):
    """Mixin for a line-drawing widget: :meth:`component_style` resolves a component class."""

    _line_styles: LRUCache[tuple[object, ...], Style] | None = None

    def component_style(self, name: str) -> Style:
        """Only what the component class sets (so a badge or a state colour keeps the cursor's
        background under it), but with its colours blended over the widget: a partial style
        leaves an alpha colour such as ``$text-muted`` or ``$accent 40%`` unblended, which
        drew the list header white on the light themes and the cursor row solid accent.
        Cached per theme and focus (``:focus`` rules change the cursor)."""
        if self._line_styles is None:
            self._line_styles = LRUCache(64)
        key = (name, self.app.theme, self.has_focus)
        cached = self._line_styles.get(key)
        if cached is not None:
            return cached
        partial = self.get_component_rich_style(name, partial=True)
        style = partial
        if partial.color is not None or partial.bgcolor is not None:
            full = self.get_component_rich_style(name, partial=False)
            style = partial + Style(color=full.color if partial.color else None,
                                    bgcolor=full.bgcolor if partial.bgcolor else None)
        self._line_styles[key] = style
        return style
