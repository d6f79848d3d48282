"""The service a command runs over: the user's, or with ``--demo`` one over the in-process
emulator whose data stays in a temporary directory (or ``--demo-data DIR``)."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui import config

if TYPE_CHECKING:
    from minion_tui.service import Service


@contextmanager
def demo(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], Path | None]]:
    """Run the emulator in-process for --demo and keep data in a temporary directory unless
    --demo-data says otherwise."""
    from minion_tui.emulator.server import run_in_thread

    data_dir: Path | None = getattr(args, "demo_data", None)
    temp = None if data_dir else Path(tempfile.mkdtemp(prefix="minion-demo-"))
    # The emulator's audio cache sits in the app's cache folder: made private like the rest.
    emulator = run_in_thread(cache_dir=config.private_dirs(config.cache_dir()) / "emulator")
    try:
        yield emulator.endpoints, data_dir or temp
    finally:
        emulator.stop()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


@contextmanager
def open_service(args: argparse.Namespace) -> Iterator[Service]:
    """The service for ``args`` (``--demo``, ``--demo-data``); the caller closes it."""
    from minion_tui.service import Service

    if getattr(args, "demo", False):
        with demo(args) as (endpoints, data_dir):
            assert data_dir is not None
            # The user's settings (keymap, theme) apply, but what the demo writes stays with
            # its data: downloads and a theme choice never reach ~/Music or config.toml.
            settings = config.load_settings()
            settings = dataclasses.replace(
                settings, path=data_dir / "config.toml",
                downloads=dataclasses.replace(settings.downloads, dir=data_dir / "Music"))
            yield Service.open(settings=settings, demo=True, data_dir=data_dir,
                               endpoints=endpoints)
    else:
        yield Service.open()


@asynccontextmanager
async def session(args: argparse.Namespace) -> AsyncIterator[Service]:
    """The service for one scriptable command, closed (HTTP client, database) however the
    command ends."""
    with open_service(args) as service:
        service.on_warning(_warn)
        try:
            yield service
        finally:
            await service.aclose()


def _warn(text: str) -> None:
    """A write the command did along the way failed; its answer still stands (stdout stays
    the JSON or the table)."""
    print(f"minion-tui: warning: {text}", file=sys.stderr)
