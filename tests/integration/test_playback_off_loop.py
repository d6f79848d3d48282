"""The first play never holds up the event loop: libmpv is mapped by a foreign call (ctypes
releases the GIL for those; its own CDLL keeps the GIL through the whole dlopen), and mpv is
created and initialised on a worker thread. Checked in a fresh interpreter with an audit hook
on ctypes, so what is seen is what the service really does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.mpv

PROBE = r"""
import asyncio, json, sys, threading
from pathlib import Path

dlopens, created_on = [], []

def libmpv_mapped():
    return any("libmpv" in line for line in open("/proc/self/maps"))

def hook(event, args):
    if event == "ctypes.dlopen" and "mpv" in str(args[0]):
        dlopens.append(libmpv_mapped())

def profile(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_qualname == "MPV.__init__":
        created_on.append(threading.get_ident())

sys.addaudithook(hook)
sys.setprofile(profile)
threading.setprofile(profile)
from minion_tui.service import Service

async def main():
    service = Service.open(data_dir=Path(sys.argv[1]))
    service.player.audio_output = "null"
    try:
        await service.player.start()
    finally:
        await service.aclose()

asyncio.run(main())
print(json.dumps({"dlopens": dlopens, "created_on": created_on,
                  "loop": threading.get_ident()}))
"""


def test_libmpv_is_mapped_without_the_gil_and_mpv_created_off_the_loop(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "data")],
                         capture_output=True, text=True, check=True, timeout=60)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["dlopens"], "python-mpv never loaded libmpv"
    # python-mpv's CDLL (under the GIL) only ever finds libmpv already mapped.
    assert found["dlopens"] == [True] * len(found["dlopens"])
    # mpv_create and mpv_initialize (inside python-mpv's MPV()) ran off the loop's thread.
    assert len(found["created_on"]) == 1 and found["created_on"] != [found["loop"]]
