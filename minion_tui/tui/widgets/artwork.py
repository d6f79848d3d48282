"""Cover art at the top of the details panel, drawn by textual-image.

textual-image is imported on the first picture, never at start (it brings PIL, and the first
frame must come fast: tests/tui/test_imports.py), and from a worker thread. Two of its
import-time habits clash with a running Textual app, so the import is done carefully here:

- ``textual_image.renderable`` probes the terminal for Sixel and Kitty graphics by writing
  escape sequences and *reading stdin* for the answer; once Textual runs, its input thread owns
  stdin, so the answer would arrive as stray key presses (and the probe would time out).
  While it is imported, ``sys.__stdout__`` is shown to it as "not a terminal" so it skips the
  probe; the renderer is chosen here from the environment instead (:func:`pick_renderer`).
- ``textual_image.widget`` asks for the terminal's cell size in pixels; its escape-sequence
  fallback reads stdin too, so the size is measured here with the ioctl alone and handed to
  its cache first (the cell size keeps pictures square on Sixel and Kitty terminals).

Why the picture did not follow a resize: textual-image draws it at the size its widget is
given (a constant 26 cells across here, so 13 rows whatever the window), and measures the
cell size in pixels once, on import. So the picture is sized to the panel it sits in
(:meth:`ArtworkView.fit`, called on every resize of the panel: as wide as the panel, at most
40 % of its height), and the cell size is measured again on every resize
(:func:`remeasure_cell_size`): a font zoom arrives as a resize, and with the old cell size
Sixel and Kitty pictures would be drawn at the old pixel scale (textual-image's Sixel cache
is keyed on it, so it would not even miss).
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from textual.containers import Center
from textual.widget import Widget

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

#: Renderer names: Kitty's graphics protocol, Sixel, coloured half blocks.
RENDERERS = ("tgp", "sixel", "halfcell")
#: Cells across until the panel has a size (then :func:`fitted_width` decides).
ARTWORK_WIDTH = 26
#: The share of the panel's height the picture may take: 13 rows of the 34 at 120×40, the
#: 26×13 cells it always had there.
ARTWORK_HEIGHT_SHARE = 0.4
#: The smallest picture worth drawing, in cells across.
ARTWORK_MIN_WIDTH = 8
_SIXEL_PROGRAMS = {"wezterm", "iterm.app", "mlterm", "konsole", "contour", "blackbox"}
_SIXEL_TERMS = ("foot", "mlterm", "yaft", "contour", "wezterm")
_import_lock = threading.Lock()


def pick_renderer(environ: Mapping[str, str], *, headless: bool = False) -> str:
    """The best renderer the terminal is known to support, judged from its environment.

    Kitty (and Ghostty) draw Kitty graphics with the unicode placeholders textual-image uses;
    WezTerm, iTerm2, foot, mlterm, Konsole, Contour and Windows Terminal draw Sixel. Inside
    tmux or screen graphics need passthrough that is rarely set up, so half blocks are used
    there, as in a headless app and on any other terminal."""
    term = environ.get("TERM", "").lower()
    program = environ.get("TERM_PROGRAM", "").lower()
    if headless or environ.get("TMUX") or term.startswith(("screen", "tmux")):
        return "halfcell"
    if environ.get("KITTY_WINDOW_ID") or term == "xterm-kitty" or program == "ghostty" \
            or term == "xterm-ghostty":
        return "tgp"
    if (program in _SIXEL_PROGRAMS or term.startswith(_SIXEL_TERMS) or "sixel" in term
            or environ.get("KONSOLE_VERSION") or environ.get("WT_SESSION")):
        return "sixel"
    return "halfcell"


def artwork_size(renderer: str) -> str:
    """The artwork size worth fetching: half blocks draw 26×26 pixels, so "small" (~300 px)
    is ample; Sixel and Kitty draw real pixels (26 cells ≈ 260 px and up) and get "large"
    (~500 px)."""
    return "small" if renderer == "halfcell" else "large"


def decode(data: bytes) -> Picture:
    """Decode image bytes (JPEG/PNG...) into an RGB picture; call it off the event loop."""
    from PIL import Image as PILImage

    picture = PILImage.open(io.BytesIO(data))
    picture.load()
    return picture.convert("RGB")


class _NotATerminal:
    """``sys.__stdout__`` as textual-image's import sees it: not a TTY, so it does not probe."""

    def __init__(self, real: IO[str]) -> None:
        self._real = real

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def image_class(renderer: str) -> type[Widget]:
    """textual-image's widget class for ``renderer``, importing textual-image the first time
    (call it from a worker thread: the first call imports textual-image and PIL)."""
    with _import_lock:
        if "textual_image.widget" not in sys.modules:
            _import_quietly()
        from textual_image.widget import HalfcellImage, SixelImage, TGPImage

    chosen: dict[str, type[Widget]] = {"tgp": TGPImage, "sixel": SixelImage,
                                       "halfcell": HalfcellImage}
    return chosen.get(renderer, HalfcellImage)


def remeasure_cell_size() -> bool:
    """Measure the terminal's cell size again and hand it to textual-image's cache; True
    when it changed. Nothing happens before textual-image is loaded (it measures on import)."""
    terminal = sys.modules.get("textual_image._terminal")
    if terminal is None:
        return False
    measured = _measured_cell_size(terminal)
    if getattr(terminal.get_cell_size, "_result", None) == measured:
        return False
    terminal.get_cell_size._result = measured
    return True


def cell_aspect() -> float:
    """A cell's height over its width in pixels (2.0 for the VT340's 10×20 textual-image
    assumes); the same before textual-image is loaded."""
    terminal = sys.modules.get("textual_image._terminal")
    size = getattr(terminal.get_cell_size, "_result", None) if terminal else None
    if size is None or not size.width or not size.height:
        return 2.0
    return float(size.height / size.width)


def fitted_width(space_width: int, space_height: int, picture_width: int,
                 picture_height: int, aspect: float = 2.0) -> int:
    """Cells across for a picture in a panel of ``space_width`` × ``space_height`` cells: the
    panel's width, narrowed until its rows (the picture's shape over the cells' ``aspect``)
    take at most :data:`ARTWORK_HEIGHT_SHARE` of the height; never under
    :data:`ARTWORK_MIN_WIDTH` (nor over the width)."""
    if space_width <= 0:
        return 0
    rows = max(1, int(space_height * ARTWORK_HEIGHT_SHARE))
    shape = (picture_height / picture_width if picture_width > 0 else 1.0) / aspect
    across = int(rows / shape) if shape > 0 else space_width
    return max(min(ARTWORK_MIN_WIDTH, space_width), min(space_width, across))


def _import_quietly() -> None:
    from textual_image import _terminal

    if not hasattr(_terminal.get_cell_size, "_result"):
        _terminal.get_cell_size._result = _measured_cell_size(_terminal)  # type: ignore[attr-defined]
    real = sys.__stdout__
    if real is not None:
        setattr(sys, "__stdout__", _NotATerminal(real))  # noqa: B010 (a final name for mypy)
    try:
        import textual_image.widget  # noqa: F401
    finally:
        setattr(sys, "__stdout__", real)  # noqa: B010


def _measured_cell_size(terminal: Any) -> Any:
    """The cell size from the TIOCGWINSZ ioctl (no reply to read), else $TEXTUAL_CELL_*,
    else the VT340's 10×20 that textual-image assumes too."""
    out = sys.__stdout__
    if out is not None and out.isatty():
        try:
            rows, columns, width, height = terminal.get_tiocgwinsz()
            if rows and columns and width and height:
                return terminal.CellSize(width // columns, height // rows)
        except OSError:
            pass
    cell_w, cell_h = os.environ.get("TEXTUAL_CELL_WIDTH", ""), os.environ.get(
        "TEXTUAL_CELL_HEIGHT", "")
    if cell_w.isdigit() and cell_h.isdigit() and int(cell_w) and int(cell_h):
        return terminal.CellSize(int(cell_w), int(cell_h))
    return terminal.CellSize(10, 20)


class ArtworkView(Center):
    """Holds the picture of the highlighted track (hidden while there is none)."""

    DEFAULT_CSS = f"""
    ArtworkView {{ height: auto; width: 100%; margin-bottom: 1; display: none; }}
    ArtworkView > * {{ width: {ARTWORK_WIDTH}; height: auto; }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picture: Picture | None = None
        #: The space the picture is fitted to (the panel's content size, in cells).
        self.space: tuple[int, int] | None = None

    def fit(self, width: int, height: int) -> None:
        """Size the picture to a panel of ``width`` × ``height`` cells (call it on every
        resize of the panel): textual-image draws at the size its widget is given, so a
        picture left at one size would keep it however the window changes."""
        rescaled = remeasure_cell_size()
        self.space = (width, height)
        self._apply_fit()
        if rescaled:  # the same cells, other pixels: drawn again at the new scale
            for child in self.children:
                child.refresh(layout=True)

    def _apply_fit(self) -> None:
        if self.space is None:
            return
        picture = self.picture
        shape = picture.size if picture is not None else (1, 1)
        across = fitted_width(*self.space, *shape, aspect=cell_aspect())
        for child in self.children:
            if child.styles.width is None or child.styles.width.value != across:
                child.styles.width = across

    async def show(self, picture: Picture, image_widget: type[Widget]) -> None:
        """Show ``picture`` (an existing image widget of the same kind is reused)."""
        current = next(iter(self.children), None)
        if isinstance(current, image_widget):
            current.image = picture  # type: ignore[attr-defined]
            current.visible = True
        else:
            await self.remove_children()
            factory = cast(Callable[["Picture"], Widget], image_widget)
            await self.mount(factory(picture))
        self.display = True
        self.picture = picture
        self._apply_fit()

    def hold(self) -> None:
        """Hide the picture but keep its room (the next one is on its way)."""
        self.picture = None
        for child in self.children:
            child.visible = False

    def clear(self) -> None:
        """No picture, no room for one."""
        self.picture = None
        self.display = False
