"""Progress of ``minion-tui download`` on the command line: plain ANSI, no Rich (rule 1).

Three ways to show a stream of :class:`DownloadEvent`:

* on a terminal, :class:`ProgressView` draws one bar per running item and an overall bar at the
  bottom, redrawn in place at most ``1 / interval`` times a second (10/s by default: bytes
  events arrive far faster, and redrawing each would cost more than the download); finished
  items scroll up above the bars as one permanent line each;
* when stdout is not a terminal (a pipe, a log file), the same class prints only those final
  lines and the summary — no escape codes, no partial lines;
* with ``--json``, :class:`JsonLines` prints one JSON object per event, nothing else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from minion_tui.models import done_fraction, format_duration

if TYPE_CHECKING:
    from minion_tui.models import DownloadEvent, Outcome

FINAL = ("done", "skipped", "failed", "cancelled")
MAX_BARS = 8  # running items shown at once; the rest are summed up in one line
_UP_AND_CLEAR = "\x1b[{}F\x1b[J"  # cursor to the start of the line N up, clear to the end


@dataclass
class _Item:
    title: str
    bytes_done: int = 0
    bytes_total: int | None = None
    segments_done: int = 0
    segments_total: int = 0
    speed: float | None = None
    eta: float | None = None
    final: str = ""

    @property
    def fraction(self) -> float:
        if self.final:
            return 1.0
        return done_fraction(self.bytes_done, self.bytes_total, self.segments_done,
                             self.segments_total) or 0.0


class JsonLines:
    """``--json``: one JSON line per event (``DownloadEvent.to_json()``), flushed at once so a
    reader of the pipe sees progress live."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: DownloadEvent) -> None:
        self.out.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        self.out.flush()

    def close(self, outcomes: Sequence[Outcome] = ()) -> None:
        """Nothing to add: every line of --json output is an event."""


class ProgressView:
    """Bars per item and overall on a terminal; only final lines elsewhere."""

    def __init__(self, out: TextIO, *, terminal: bool, width: int = 100,
                 clock: Callable[[], float] = time.monotonic, interval: float = 0.1,
                 after_done: str | None = None) -> None:
        self.out = out
        #: Said once on a terminal, above the bars, when the first item is done: what runs
        #: on each finished file before the command returns (the analysis; a two-hour mix
        #: takes seconds the bars would otherwise leave unexplained).
        self.after_done = after_done
        self.terminal = terminal
        self.width = max(40, width)
        self.clock = clock
        self.interval = interval
        self._items: dict[object, _Item] = {}
        self._pending: list[str] = []  # final lines not yet written
        self._drawn = 0  # bar lines on screen below the permanent output
        self._last_draw: float | None = None

    # -- events ---------------------------------------------------------------------------

    def __call__(self, event: DownloadEvent) -> None:
        now = self.clock()
        key: object = event.job_id if event.job_id is not None else event.track_urn
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = _Item(event.title or event.track_urn)
        if item.title == event.track_urn and event.title:
            item.title = event.title  # the first title wins: the batch's "Artist - Title"
        if event.kind in ("segment", "bytes", "done"):
            item.bytes_done = event.bytes_done
            item.bytes_total = event.bytes_total or item.bytes_total
            item.segments_done = event.segments_done or item.segments_done
            item.segments_total = event.segments_total or item.segments_total
            # The engine's figures only (its Meter takes the first event as a baseline):
            # a rate computed here from the first event said "386 B/s, ETA 0:39" for an
            # init segment. None shows nothing until the engine knows.
            item.speed = event.speed
            item.eta = event.eta
        if event.kind in FINAL:
            item.final = event.kind
            reason = f"  ({event.reason})" if event.reason else ""
            self._pending.append(
                f"{event.kind:9}{item.title}{'  ' + event.path if event.path else ''}{reason}")
            if event.kind == "done" and self.after_done and self.terminal:
                self._pending.append(f"{'':9}{self.after_done}")
                self.after_done = None
        if not self.terminal:
            self._write_pending()
        elif self._last_draw is None or now - self._last_draw >= self.interval:
            self._draw(now)

    def close(self, outcomes: Sequence[Outcome] = ()) -> None:
        """The last frame (bars removed) and one summary line; notes of finished items."""
        if self.terminal:
            self._draw(self.clock(), bars=False)
        else:
            self._write_pending()
        notes = [f"note     {o.track_urn}: {o.reason}" for o in outcomes
                 if o.state == "done" and o.reason and o.reason != "already downloaded"]
        counts = {state: sum(1 for i in self._items.values() if i.final == state)
                  for state in FINAL}
        summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n) or "nothing to do"
        self.out.write("\n".join([*notes, summary]) + "\n")
        self.out.flush()

    # -- drawing --------------------------------------------------------------------------

    def _write_pending(self) -> None:
        if self._pending:
            self.out.write("\n".join(self._pending) + "\n")
            self.out.flush()
            self._pending.clear()

    def _draw(self, now: float, *, bars: bool = True) -> None:
        self._last_draw = now
        lines = list(self._pending)
        self._pending.clear()
        bar_lines = self._bar_lines() if bars else []
        erase = _UP_AND_CLEAR.format(self._drawn) if self._drawn else ""
        text = "\n".join(lines + bar_lines)
        self.out.write(erase + (text + "\n" if text else ""))
        self.out.flush()
        self._drawn = len(bar_lines)

    def _bar_lines(self) -> list[str]:
        running = [i for i in self._items.values() if not i.final]
        if not self._items:
            return []
        name_width = max(12, self.width - 78)
        lines = [self._line(i.title, i.fraction, i, name_width) for i in running[:MAX_BARS]]
        if len(running) > MAX_BARS:
            lines.append(f"… and {len(running) - MAX_BARS} more")
        items = list(self._items.values())
        finished = sum(1 for i in items if i.final)
        overall = sum(i.fraction for i in items) / len(items)
        speeds = [i.speed for i in running if i.speed]
        whole = _Item("overall", bytes_done=sum(i.bytes_done for i in items),
                      speed=sum(speeds) if speeds else None)
        label = f"overall {finished}/{len(items)}"
        lines.append(self._line(label, overall, whole, name_width))
        return lines

    def _line(self, title: str, fraction: float, item: _Item, name_width: int) -> str:
        # Narrow terminals shrink the bar before anything is cut off at the end.
        bar_width = max(8, min(24, self.width - 54 - name_width))
        filled = int(fraction * bar_width)
        bar = "[" + "#" * filled + "-" * (bar_width - filled) + "]"
        size = _bytes(item.bytes_done)
        if item.bytes_total:
            size += f"/{_bytes(item.bytes_total)}"
        elif item.segments_total:
            size += f" {item.segments_done}/{item.segments_total} seg"
        speed = f"{_bytes(int(item.speed))}/s" if item.speed else ""
        eta = f"ETA {format_duration(item.eta)}" if item.eta is not None and item.speed else ""
        name = _fit(title, name_width)
        line = f"{name} {bar} {fraction * 100:3.0f}% {size:>17} {speed:>10} {eta}".rstrip()
        # A bar line must never wrap: the redraw moves up by lines written, not rows shown.
        return line[: self.width - 1]


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - the loop returns

