"""The download command's bounds and its progress view's figures."""

from __future__ import annotations

import io

import pytest

from minion_tui.cli import build_parser
from minion_tui.cli.progress import ProgressView
from minion_tui.config import whole_range
from minion_tui.models import DownloadEvent


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--jobs", "17", "must be from 1 to 16 (like downloads.parallel), got 17"),
    ("--jobs", "0", "must be from 1 to 16"),
    ("--segments", "33", "must be from 1 to 32 (like downloads.segments), got 33"),
    ("--segments", "-1", "must be from 1 to 32"),
    ("--segments", "many", "expected a whole number, got 'many'"),
])
def test_jobs_and_segments_are_bounded_like_the_config(
        option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["download", option, value, "https://soundcloud.com/a/b"])
    assert exited.value.code == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_bounds_come_from_the_config_schema() -> None:
    _, parallel_high = whole_range("downloads.parallel")  # TypeError unless a whole number
    _, segments_high = whole_range("downloads.segments")
    args = build_parser().parse_args(["download", "--jobs", str(parallel_high),
                                      "--segments", str(segments_high), "x"])
    assert (args.jobs, args.segments) == (16, 32)


def test_the_view_shows_only_the_engines_speed_and_eta() -> None:
    now = [100.0]
    out = io.StringIO()
    view = ProgressView(out, terminal=True, width=100, clock=lambda: now[0], interval=0)
    view(DownloadEvent("start", "sc:1", "Artist - Mix"))
    now[0] += 1.0
    # The init segment: 386 bytes; the engine's meter takes it as its baseline (speed None).
    view(DownloadEvent("segment", "sc:1", "Artist - Mix", bytes_done=386, segments_done=1,
                       segments_total=100))
    frame = out.getvalue().rsplit("\x1b[J", 1)[-1]
    mix = [line for line in frame.splitlines() if line.startswith("Artist - Mix")]
    assert mix and "/s" not in mix[0] and "ETA" not in mix[0]
    now[0] += 1.0
    view(DownloadEvent("segment", "sc:1", "Artist - Mix", bytes_done=2_000_386,
                       segments_done=11, segments_total=100, speed=2_000_000.0, eta=81.5))
    frame = out.getvalue().rsplit("\x1b[J", 1)[-1]
    mix = [line for line in frame.splitlines() if line.startswith("Artist - Mix")]
    assert mix and "2.0 MB/s" in mix[0] and mix[0].endswith("ETA 1:21")
