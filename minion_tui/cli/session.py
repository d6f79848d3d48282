"""The service a command runs over: the user's, or with ``--demo`` one over the in-process
emulator. The demo's data (ratings, queue, history, downloads, its theme choice) is kept
between runs in ``<data dir>/demo/``, beside but apart from the real data, or in
``--demo-data DIR``; ``--demo-fresh`` runs on a temporary directory deleted at the end, and
says so."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from minion_tui import config

if TYPE_CHECKING:
    from minion_tui.service import Service


def wants_demo(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "demo", False) or getattr(args, "demo_fresh", False))


@contextmanager
def demo(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], Path, bool]]:
    """Run the emulator in-process for --demo: its endpoint map, the data directory and
    whether that directory is thrown away at the end (--demo-fresh)."""
    from minion_tui.emulator.server import run_in_thread

    kept = demo_data_dir(args)
    temp = Path(tempfile.mkdtemp(prefix="minion-demo-")) if kept is None else None
    data_dir = kept or temp
    assert data_dir is not None
    # The emulator's audio cache sits in the app's cache folder: made private like the rest.
    emulator = run_in_thread(cache_dir=config.private_dirs(config.cache_dir()) / "emulator")
    try:
        yield emulator.endpoints, data_dir, temp is not None
    finally:
        emulator.stop()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def demo_data_dir(args: argparse.Namespace) -> Path | None:
    """The folder the demo of ``args`` keeps its data in: ``--demo-data DIR``, else
    ``<data dir>/demo``; None for ``--demo-fresh`` alone (a temporary one, made at start)."""
    given: Path | None = getattr(args, "demo_data", None)
    if given is not None:
        return given
    return None if getattr(args, "demo_fresh", False) else config.data_dir() / "demo"


def demo_settings(data_dir: Path) -> config.Settings:
    """The user's settings (keymap, audio output…), except that what the demo writes stays
    with its data: downloads go to its Music folder, and a theme chosen in the demo is saved
    to, and restored from, its own config.toml, never the user's; and signing in uses the
    apps registered on the emulator. Their origins say so (``config show``)."""
    settings = config.load_settings()
    own = data_dir / "config.toml"
    ui = settings.ui
    origins = {**settings.origins, "downloads.dir": "demo"}
    if own.exists():
        saved = config.load_settings(path=own, environ={})
        if saved.origin("ui.theme").startswith("file"):
            ui = dataclasses.replace(ui, theme=saved.ui.theme)
            origins["ui.theme"] = saved.origin("ui.theme")
    # Signing in goes to the emulator's OAuth servers, with the apps registered there.
    from minion_tui.emulator import apps

    for key in ("soundcloud.app_id", "soundcloud.client_secret", "mixcloud.client_id",
                "mixcloud.client_secret"):
        origins[key] = "demo"
    soundcloud = dataclasses.replace(settings.soundcloud, app_id=apps.SOUNDCLOUD_APP_ID,
                                     client_secret=apps.SOUNDCLOUD_APP_SECRET)
    mixcloud = dataclasses.replace(settings.mixcloud, client_id=apps.MIXCLOUD_APP_ID,
                                   client_secret=apps.MIXCLOUD_APP_SECRET)
    return dataclasses.replace(
        settings, path=own, ui=ui, origins=MappingProxyType(origins),
        soundcloud=soundcloud, mixcloud=mixcloud,
        downloads=dataclasses.replace(settings.downloads, dir=data_dir / "Music"))


def demo_notice(data_dir: Path) -> str:
    return (f"Demo on throwaway data ({data_dir}): ratings, queue, downloads and the theme "
            "are deleted when you quit. Without --demo-fresh the demo keeps them in "
            f"{config.data_dir() / 'demo'}.")


@contextmanager
def open_service(args: argparse.Namespace) -> Iterator[Service]:
    """The service for ``args`` (``--demo``, ``--demo-data``, ``--demo-fresh``); the caller
    closes it."""
    from minion_tui.service import Service

    if wants_demo(args):
        with demo(args) as (endpoints, data_dir, fresh):
            yield Service.open(settings=demo_settings(data_dir), demo=True,
                               data_dir=data_dir, endpoints=endpoints,
                               demo_notice=demo_notice(data_dir) if fresh else None)
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
