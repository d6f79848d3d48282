"""The TUI's first frame must come fast: importing the app must not pull in the heavy parts
(audio decoding, tagging, libmpv, the keyring, the HTTP stack, the emulator)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = {"av", "mutagen", "mpv", "keyring", "httpx", "starlette", "uvicorn", "m3u8",
         "textual_image", "PIL"}


def test_importing_the_app_loads_no_heavy_modules() -> None:
    code = (
        "import json, sys, minion_tui.tui.app, minion_tui.tui.run\n"
        # A None entry is an import blocked on purpose (minion_tui/__init__.py: httpx._main),
        # not a loaded module.
        "print(json.dumps(sorted({m.split('.')[0] for m, module in sys.modules.items()\n"
        "                         if module is not None})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    loaded = set(json.loads(out.stdout))
    assert "textual" in loaded  # the probe does see what was imported
    assert loaded & HEAVY == set()
