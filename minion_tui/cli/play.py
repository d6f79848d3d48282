"""``play TARGET [--start S] [--for S] [--json]``: playback without the TUI.

Prints the player state once per second: JSON lines ``{position, duration, state}`` with
``--json`` (for scripts and tests), a ``\\r``-updated line on a terminal otherwise. Stops after
``--for`` seconds (the last line then says ``stopped``, at the position reached) or when the
track ends (``ended``); mpv errors become the CLI's JSON error contract. A ``--start`` past
the end of the track is an ``invalid_argument`` before anything plays (a negative one is
refused by the parser).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from minion_tui.cli.command import Command, audio_output, seconds
from minion_tui.cli.session import session
from minion_tui.errors import NO_AUDIO_OUTPUT, InvalidArgument, PlaybackError
from minion_tui.models import Availability, PlayerState, Track, format_duration

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.service import Service


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    play = sub.add_parser("play", parents=[common], help="play a track without the TUI")
    play.add_argument("target", metavar="TARGET")
    play.add_argument("--start", type=seconds(zero=True), default=0.0, metavar="SECONDS")
    play.add_argument("--for", dest="play_for", type=seconds(zero=False), metavar="SECONDS",
                      help="stop after this many seconds (default: at the end)")
    # mpv audio output, e.g. null in tests
    play.add_argument("--ao", type=audio_output, help=argparse.SUPPRESS)


async def _play(args: argparse.Namespace) -> int:
    from minion_tui.desktop import Desktop

    async with session(args) as service:
        # MPRIS, notifications and the ctl socket while it plays (off without a bus).
        # Started beside the track's resolution, so playing does not wait for the bus.
        desktop = Desktop(service, terminal=_terminal_writer())
        starting = asyncio.create_task(desktop.start())
        try:
            return await play_command(service, args.target, start=args.start,
                                      play_for=args.play_for, as_json=args.json, ao=args.ao)
        finally:
            try:
                await starting
            except Exception as exc:  # the desktop side never fails the playing
                logging.getLogger(__name__).warning("desktop integration failed: %r", exc)
            finally:
                await desktop.aclose()


def _terminal_writer() -> Callable[[str], None] | None:
    """Where a terminal notification (OSC 9 / 777) goes: stderr, when it is a terminal
    (stdout may be --json for a script)."""
    stream = sys.stderr
    if not stream.isatty():
        return None

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    return write


def _status(state: PlayerState, as_json: bool, *, word: str | None = None) -> None:
    """One status line; ``word`` replaces the state's own (``stopped`` after ``--for``)."""
    if as_json:
        document = state.to_json()
        if word is not None:
            document["state"] = word
        print(json.dumps(document), flush=True)
    elif sys.stdout.isatty():
        at, length = format_duration(state.position), format_duration(state.duration)
        print(f"\r{word or state.state:9} {at} / {length}  ", end="", flush=True)


async def _playable(service: Service, target: str, start: float) -> Track | str:
    """The track ``target`` names, checked that ``start`` is inside what will play (the
    preview's 30 s for a preview-only track); ``target`` itself when it is no track, for
    ``play`` to say why. Checked before mpv starts: past the end it only fails with a bare
    "mpv error -16" after printing positions."""
    found = await service.catalog.resolve(target)
    if not isinstance(found, Track):
        return target
    preview_ms = found.preview_ms if found.availability == Availability.PREVIEW else None
    length = (preview_ms or found.duration_ms) / 1000
    if length > 0 and start >= length:
        what = "the preview of " if preview_ms else ""
        last = max(0, math.ceil(length) - 1)
        raise InvalidArgument(
            f"--start {start:g} is past the end of {what}{found.title!r} "
            f"({format_duration(length)} long).",
            hint=f"Give a start from 0 to {last} seconds.")
    return found


async def play_command(service: Service, target: str, *, start: float,
                       play_for: float | None, as_json: bool, ao: str | None) -> int:
    if ao:  # --ao beats the setting (and MINION_MPV_AO) for this run
        service.player.audio_output = ao
    now = await service.player.play(await _playable(service, target, start), start=start)
    player = service.player
    if not as_json:
        label = " (30 s preview)" if now.choice.preview else ""
        print(f"Playing {now.track.title}{label}", flush=True)
    finished = asyncio.Event()
    failure: list[str] = []

    def on_event(event: object) -> None:
        state = player.state
        if state.error:
            failure.append(state.error)
            finished.set()
        elif state.ended:
            finished.set()

    stop_listening = player.listen(on_event)
    loop = asyncio.get_running_loop()
    deadline = None if play_for is None else loop.time() + play_for
    try:
        while not finished.is_set():
            remaining = 1.0 if deadline is None else min(1.0, deadline - loop.time())
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(finished.wait(), remaining)
            except TimeoutError:
                pass
            if not finished.is_set():
                _status(player.state, as_json)
    finally:
        stop_listening()
    if failure:
        hint = (None if failure[0].startswith(NO_AUDIO_OUTPUT)  # it says what to set
                else "Try `minion-tui stream TARGET` to check the stream.")
        raise PlaybackError(failure[0], hint=hint)
    final = player.state
    if finished.is_set():
        final = PlayerState(position=final.position, duration=final.duration, ended=True,
                            idle=False)
        _status(final, as_json)
    else:  # --for ran out: the position reached, and nothing plays on while closing
        await service.player.pause()
        _status(final, as_json, word="stopped")
    if not as_json and sys.stdout.isatty():
        print()
    return 0


COMMANDS = (Command("play", _setup, _play),)
