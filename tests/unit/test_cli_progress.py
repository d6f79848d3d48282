"""The CLI's download progress: bars on a terminal, final lines in a pipe, JSON lines."""

from __future__ import annotations

import io
import json
import re

from minion_tui.cli.progress import JsonLines, ProgressView
from minion_tui.models import DownloadEvent, Outcome

ANSI = re.compile(r"\x1b\[\d*[A-Za-z]")


def screen(text: str) -> list[str]:
    """What a terminal shows after ``text``: lines, with the two escapes the view uses
    (ESC[nF: to the start of the line n up; ESC[J: clear to the end of the screen)."""
    lines, row = [""], 0
    for token in re.split(r"(\x1b\[\d*[FJ]|\n)", text):
        if token == "\n":
            row += 1
            if row == len(lines):
                lines.append("")
        elif token.endswith("F") and token.startswith("\x1b["):
            row -= int(token[2:-1] or 1)
        elif token == "\x1b[J":
            del lines[row + 1:]
            lines[row] = ""
        else:
            lines[row] += token
    return lines[:-1] if lines[-1] == "" else lines


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _events() -> list[tuple[float, DownloadEvent]]:
    """Two tracks: an HLS one (segments) that finishes and a progressive one half-way."""
    return [
        (0.0, DownloadEvent("start", "sc:1", "Alpha - One", "/music/Alpha - One.m4a")),
        (0.0, DownloadEvent("start", "sc:2", "Beta - Two", "/music/Beta - Two.mp3")),
        (1.0, DownloadEvent("segment", "sc:1", "Alpha - One", "/music/Alpha - One.m4a",
                            bytes_done=1_000_000, segments_done=5, segments_total=10,
                            speed=1_000_000, eta=1.0)),
        (1.05, DownloadEvent("bytes", "sc:2", "Beta - Two", "/music/Beta - Two.mp3",
                             bytes_done=2_000_000, bytes_total=8_000_000)),
        (2.0, DownloadEvent("bytes", "sc:2", "Beta - Two", "/music/Beta - Two.mp3",
                            bytes_done=4_000_000, bytes_total=8_000_000, speed=2_000_000,
                            eta=2.0)),
        (2.0, DownloadEvent("done", "sc:1", "Alpha - One", "/music/Alpha - One.m4a",
                            bytes_done=2_000_000, bytes_total=2_000_000)),
        (2.5, DownloadEvent("skipped", "sc:3", "Gamma - Three", reason="preview only")),
    ]


def _feed(view: ProgressView, clock: Clock) -> None:
    for at, event in _events():
        clock.now = 100.0 + at
        view(event)


def test_terminal_draws_bars_per_item_and_overall() -> None:
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, terminal=True, width=100, clock=clock)
    _feed(view, clock)
    text = out.getvalue()
    # t=1.0: Alpha at 5/10 segments → 50 %, bar half filled; 1 MB in 1 s.
    lines = ANSI.sub("", text).splitlines()
    alpha_half = [ln for ln in lines if ln.startswith("Alpha - One") and " 50%" in ln]
    assert alpha_half and "[############------------]" in alpha_half[0]
    assert "5/10 seg" in alpha_half[0] and "1.0 MB/s" in alpha_half[0]
    assert "ETA 0:01" in alpha_half[0]  # 1 MB left of an estimated 2 MB, at 1 MB/s
    # t=1.05 is throttled (< 0.1 s after the last frame): Beta at 25 % is never drawn.
    assert not [ln for ln in lines if ln.startswith("Beta - Two") and " 25%" in ln]
    # t=2.0: Beta at 50 % of 8 MB, 2 MB/s, 2 s left; Alpha finished scrolls up as a final line.
    beta = [ln for ln in lines if ln.startswith("Beta - Two") and " 50%" in ln]
    assert beta and "4.0 MB/8.0 MB" in beta[0] and "2.0 MB/s" in beta[0]
    assert "ETA 0:02" in beta[0]
    assert "done     Alpha - One  /music/Alpha - One.m4a" in lines
    # t=2.0's "done" is throttled; t=2.5 draws it: Alpha done, Gamma skipped, Beta at 50 %.
    overall = [ln for ln in lines if ln.startswith("overall 2/3")]
    assert overall and " 83%" in overall[0]  # (100 % + 50 % + 100 %) / 3
    # Every redraw moves up over exactly the bar lines drawn before, then clears below.
    assert "\x1b[3F\x1b[J" in text  # two items + overall
    shown = screen(text)  # final lines above, the running item's bar and the overall bar
    assert shown[:2] == ["done     Alpha - One  /music/Alpha - One.m4a",
                         "skipped  Gamma - Three  (preview only)"]
    assert [ln.split()[0] for ln in shown[2:]] == ["Beta", "overall"]
    view.close([Outcome("sc:1", "done", "/music/Alpha - One.m4a")])
    # The last frame's bars are cleared: what stays on screen is the final lines + summary.
    assert screen(out.getvalue()) == [
        "done     Alpha - One  /music/Alpha - One.m4a",
        "skipped  Gamma - Three  (preview only)",
        "1 done, 1 skipped",
    ]


def test_not_a_terminal_prints_only_final_lines() -> None:
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, terminal=False, width=100, clock=clock)
    _feed(view, clock)
    view.close([Outcome("sc:1", "done", "/music/Alpha - One.m4a",
                        "original not available (no token); best stream instead")])
    assert out.getvalue().splitlines() == [
        "done     Alpha - One  /music/Alpha - One.m4a",
        "skipped  Gamma - Three  (preview only)",
        "note     sc:1: original not available (no token); best stream instead",
        "1 done, 1 skipped",
    ]


def test_many_running_items_are_summed_up() -> None:
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, terminal=True, width=80, clock=clock, interval=0)
    for n in range(12):
        view(DownloadEvent("start", f"sc:{n}", f"Track {n:02d}"))
    lines = ANSI.sub("", out.getvalue()).splitlines()
    last_frame = lines[-10:]
    assert [ln.split()[1] for ln in last_frame[:8]] == [f"{n:02d}" for n in range(8)]
    assert last_frame[8] == "… and 4 more"
    assert last_frame[9].startswith("overall 0/12") and "  0%" in last_frame[9]


def test_json_lines_carry_every_event_field() -> None:
    out = io.StringIO()
    view = JsonLines(out)
    for _, event in _events():
        view(event)
    view.close([])
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in rows] == ["start", "start", "segment", "bytes", "bytes", "done",
                                          "skipped"]
    assert rows[2] == DownloadEvent("segment", "sc:1", "Alpha - One", "/music/Alpha - One.m4a",
                                    bytes_done=1_000_000, segments_done=5,
                                    segments_total=10, speed=1_000_000, eta=1.0).to_json()
    assert rows[-1]["reason"] == "preview only"


def test_bar_lines_never_wrap_and_keep_the_first_title() -> None:
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, terminal=True, width=80, clock=clock, interval=0)
    view(DownloadEvent("queued", "sc:9", "Some Artist - " + "Very Long Title " * 6))
    view(DownloadEvent("start", "sc:9", "Very Long Title"))
    clock.now += 1
    view(DownloadEvent("segment", "sc:9", "Very Long Title", bytes_done=123_456_789,
                       segments_done=999, segments_total=3000, speed=123_456_789, eta=2.0))
    shown = screen(out.getvalue())
    assert len(shown) == 2 and all(len(line) <= 79 for line in shown)
    assert shown[0].startswith("Some Artist… [")
    assert "33%" in shown[0] and "ETA 0:02" in shown[0]  # 247 MB left at 123 MB/s


def test_what_runs_after_the_downloads_is_said_once_on_a_terminal_only() -> None:
    for terminal in (True, False):
        out, clock = io.StringIO(), Clock()
        view = ProgressView(out, terminal=terminal, width=100, clock=clock, interval=0,
                            after_done="then each finished file is measured")
        _feed(view, clock)
        view.close([])
        lines = ANSI.sub("", out.getvalue()).splitlines()
        said = [ln for ln in lines if "then each finished file is measured" in ln]
        if terminal:
            # Right under the first finished item's line, indented as its path is.
            at = lines.index(said[0])
            assert len(said) == 1 and lines[at - 1].startswith("done     Alpha - One")
            assert said[0] == " " * 9 + "then each finished file is measured"
        else:
            assert said == []
