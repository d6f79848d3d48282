"""After the first frame (Textual's Ready) the heavy modules are still unloaded: PyAV, mutagen,
python-mpv, keyring and textual-image load on first use. (tests/tui/test_imports.py checks the
import of the app; this one runs it to Ready.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = {"av", "mutagen", "mpv", "keyring", "textual_image"}

PROBE = """
import asyncio, json, sys
from pathlib import Path
from minion_tui.config import Settings
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp

async def main() -> None:
    settings = Settings(path=Path(sys.argv[1]) / "config.toml")
    app = MinionApp(Service.open(settings=settings, data_dir=Path(sys.argv[1]) / "data"))
    ready = []
    async with app.run_test() as pilot:
        await pilot.pause()
        ready.append(app.screen.query("Footer") is not None)
        loaded = sorted({m.split(".")[0] for m in sys.modules})
    print(json.dumps({"ready": ready, "loaded": loaded}))

asyncio.run(main())
"""


def test_heavy_modules_load_only_on_first_use(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=60)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ready"] == [True]
    loaded = set(result["loaded"])
    assert "textual" in loaded  # the probe does see what was imported
    assert loaded & HEAVY == set()
