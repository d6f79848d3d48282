"""Waveform: a track's peaks drawn with block characters, the played part in another colour;
a click seeks to that point.

The peaks (any number, 0..1) are folded to one value per column, keeping each column's
loudest peak so short hits stay visible. The widget only repaints when the played part
crosses a column boundary (``played_columns``), so a position update several times a second
costs nothing while the cursor stays in the same column.

Colours: the theme variables ``waveform-played`` and ``waveform-rest`` when a theme defines
them (a ``[variables]`` entry, like the rating colours), else the component classes below.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from minion_tui.tui.widgets.theme_colour import theme_colour
from minion_tui.tui.widgets.widget_message import WidgetMessage

BLOCKS = " ▁▂▃▄▅▆▇█"


def fold_peaks(peaks: Sequence[float], columns: int) -> list[float]:
    """One level per column: the mean of the slice of ``peaks`` under each column, scaled so
    the loudest column is full height (a column between two peaks takes the nearer one, so
    short waveforms stretch). The mean rather than the maximum: with dozens of SoundCloud
    samples under a column, nearly every column's maximum is full height and a one-line
    waveform would be a flat bar with no intro, breakdown or drop to see."""
    if columns <= 0:
        return []
    if not peaks:
        return [0.0] * columns
    count = len(peaks)
    folded: list[float] = []
    for column in range(columns):
        start = column * count // columns
        end = max(start + 1, (column + 1) * count // columns)
        folded.append(sum(peaks[start:end]) / (end - start))
    loudest = max(folded)
    return [level / loudest for level in folded] if loudest > 0 else folded


def block_for(level: float) -> str:
    """The block character for a level in 0..1; any sound at all shows at least ▁."""
    if level <= 0:
        return BLOCKS[1]  # a flat line rather than a gap: the track still runs there
    return BLOCKS[max(1, min(len(BLOCKS) - 1, round(level * (len(BLOCKS) - 1))))]


def waveform_text(peaks: Sequence[float], columns: int) -> str:
    return "".join(block_for(level) for level in fold_peaks(peaks, columns))


class Waveform(Widget):
    """One line of peaks; ``fraction`` (0..1) is how much of the track has played."""

    COMPONENT_CLASSES = {"waveform--played", "waveform--rest"}

    DEFAULT_CSS = """
    Waveform { height: 1; width: 1fr; }
    Waveform > .waveform--played { color: $accent; }
    Waveform > .waveform--rest { color: $foreground-muted; }
    """

    played_columns: reactive[int] = reactive(0)

    class Seek(WidgetMessage["Waveform"]):
        """A click on the waveform: seek to ``fraction`` (0..1) of the track."""

        def __init__(self, waveform: Waveform, fraction: float) -> None:
            super().__init__(waveform)
            self.waveform = waveform
            self.fraction = fraction

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._peaks: tuple[float, ...] = ()
        self._fraction = 0.0
        self._text_cache: tuple[int, str] | None = None

    @property
    def peaks(self) -> tuple[float, ...]:
        return self._peaks

    def set_peaks(self, peaks: Sequence[float]) -> None:
        self._peaks = tuple(peaks)
        self._text_cache = None
        self.refresh()

    @property
    def fraction(self) -> float:
        return self._fraction

    def set_fraction(self, fraction: float) -> None:
        """Move the played part; repaints only when it reaches another column."""
        self._fraction = max(0.0, min(1.0, fraction))
        self.played_columns = self.columns_played(self.size.width)

    def columns_played(self, width: int) -> int:
        return int(self._fraction * width)

    def on_resize(self, event: events.Resize) -> None:
        self._text_cache = None
        self.played_columns = self.columns_played(self.size.width)

    def on_click(self, event: events.Click) -> None:
        width = self.size.width
        if width > 0 and self._peaks:
            event.stop()
            self.post_message(self.Seek(self, (event.x + 0.5) / width))

    # -- drawing ---------------------------------------------------------------------------

    def _text(self, width: int) -> str:
        if self._text_cache is None or self._text_cache[0] != width:
            text = waveform_text(self._peaks, width) if self._peaks else " " * width
            self._text_cache = (width, text)
        return self._text_cache[1]

    def _colour(self, variable: str, component: str) -> Style:
        colour = theme_colour(self, variable)
        if colour is not None:
            return colour
        return self.get_component_rich_style(component, partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, base)
        text = self._text(width)
        played = min(width, self.played_columns)
        segments = []
        if played:
            segments.append(Segment(text[:played],
                                    base + self._colour("waveform-played", "waveform--played")))
        if played < width:
            segments.append(Segment(text[played:],
                                    base + self._colour("waveform-rest", "waveform--rest")))
        return Strip(segments, width)
