"""What a download imports before its first request, and what it leaves to the preload thread
(downloads/preload.py): the playlist parser and mutagen load while the playlist request is out,
not on the way to it. Checked in fresh interpreters, where nothing is imported yet."""

from __future__ import annotations

import subprocess
import sys

from minion_tui.downloads import preload


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_the_download_stack_starts_without_mutagen_or_m3u8() -> None:
    loaded = _fresh("import sys, minion_tui.cli, minion_tui.downloads.batch, "
                    "minion_tui.downloads.direct, minion_tui.service; "
                    "print(sorted({m.split('.')[0] for m in sys.modules} & {'mutagen', 'm3u8'}))")
    assert loaded == "[]"


def test_preload_imports_them_on_its_thread() -> None:
    loaded = _fresh("import sys; from minion_tui.downloads import preload; preload.start(); "
                    "preload.imports.result(); "
                    f"print(all(m in sys.modules for m in {preload.MODULES!r}))")
    assert loaded == "True"
