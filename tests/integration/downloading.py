"""Downloads as the download tests drive them: `minion-tui download` as a subprocess (the
command line, its JSON events, an uninterrupted reference run and a run killed part-way),
and a Service download whose first job is paused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import DownloadEvent, Outcome
from minion_tui.service import Service


def cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "minion_tui", "download", *argv]


def json_events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def download_whole(url: str, tmp_path: Path, *, timeout: float) -> Path:
    """Download ``url`` uninterrupted into tmp_path/clean, the reference a resumed run is
    compared with: the file it wrote. It gets its own database: the download archive of a
    shared one would (rightly) skip the track in the second folder."""
    clean_env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "clean-data")}
    clean = subprocess.run(cli(url, "--json", "--dir", str(tmp_path / "clean")),
                           capture_output=True, text=True, timeout=timeout, env=clean_env)
    assert clean.returncode == 0, clean.stderr + clean.stdout
    [whole] = [Path(e["path"]) for e in json_events(clean.stdout) if e["event"] == "done"]
    return whole


def kill_download_when(url: str, folder: Path, env: dict[str, str],
                       stop: Callable[[dict[str, Any]], bool]) -> None:
    """Download ``url`` one segment at a time into ``folder`` and SIGKILL the process at
    its first JSON event that ``stop`` accepts."""
    proc = subprocess.Popen(cli(url, "--json", "--segments", "1", "--dir", str(folder)),
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if stop(json.loads(line)):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()


async def download_pausing_first(service: Service, emulator: RunningEmulator, url: str,
                                 kinds: tuple[str, ...], **options: Any) -> list[Outcome]:
    """Download ``url`` with the emulator slowed (slow:ms=60) and pause the first job to send
    an event of one of ``kinds``: the outcomes, once the pause is done."""
    stopping: list[asyncio.Task[None]] = []

    def listen(event: DownloadEvent) -> None:
        if event.kind in kinds and event.job_id is not None and not stopping:
            stopping.append(asyncio.get_running_loop().create_task(
                service.downloads.pause(event.job_id)))

    unsubscribe = service.downloads.on_event(listen)
    emulator.state.set_faults("slow:ms=60")
    try:
        outcomes = await service.downloads.download([url], **options)
        await asyncio.gather(*stopping)
    finally:
        emulator.state.set_faults("")
        unsubscribe()
    return outcomes
