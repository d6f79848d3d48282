"""``minion-tui ctl``'s two ways in: MPRIS on the session bus where there is one and an
instance on it, else the running instance's private socket.

The socket is ``$XDG_RUNTIME_DIR/minion-tui/instance-<pid>.sock`` (without an absolute
XDG_RUNTIME_DIR: ``<data dir>/run/``), its folder 0700 and itself 0600. The protocol is one
JSON line each way, then the connection closes::

    → {"command": "seek", "seconds": 30}
    ← {"ok": true, "status": {"state": "playing", "title": …, "position": 30.0, …}}
    ← {"error": {"type": "invalid_argument", "message": "…"}}

Commands: play, pause, toggle, next, prev, seek (``seconds`` from the start), status.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui import config
from minion_tui.errors import InvalidArgument, MinionError, NotRunning, PlaybackError

if TYPE_CHECKING:
    from minion_tui.desktop.control import Controller

log = logging.getLogger(__name__)

COMMANDS = ("play", "pause", "toggle", "next", "prev", "seek", "status")
LINE_LIMIT = 64 * 1024
#: A Unix socket's path must fit in sun_path (108 bytes on Linux, with its NUL).
PATH_LIMIT = 107


def socket_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / config.APP_NAME
    return config.data_dir() / "run"


def socket_path(pid: int | None = None) -> Path:
    return socket_dir() / f"instance-{os.getpid() if pid is None else pid}.sock"


def not_running() -> NotRunning:
    return NotRunning("No minion-tui is running to control (none on the session bus, no "
                      f"control socket in {socket_dir()}).",
                      hint="Start the TUI (`minion-tui`) or `minion-tui play TARGET` first.")


# -- the server (in the running instance) ------------------------------------------------------


class ControlSocket:
    def __init__(self, controller: Controller) -> None:
        self._controller = controller
        self._server: asyncio.AbstractServer | None = None
        self.path = socket_path()

    async def start(self) -> bool:
        """Listen; False (with one log line) when the socket cannot be made."""
        path = self.path
        if len(os.fsencode(path)) > PATH_LIMIT:
            log.warning("no ctl socket: its path is too long for a Unix socket: %s", path)
            return False
        try:
            config.private_dirs(path.parent)
            os.chmod(path.parent, 0o700)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # our pid's: left by a process that had it before us
            self._server = await asyncio.start_unix_server(self._client, path,
                                                           limit=LINE_LIMIT)
            os.chmod(path, 0o600)
        except OSError as exc:
            log.warning("no ctl socket at %s: %s", path, exc)
            return False
        return True

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> None:
        try:
            try:
                line = await asyncio.wait_for(reader.readline(), 5)
                reply = await self.answer(line)
            except (ValueError, asyncio.LimitOverrunError):
                reply = InvalidArgument("The request line is too long.").to_json()
            except TimeoutError:
                return
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        except (ConnectionError, OSError) as exc:
            log.info("ctl client left: %s", exc)
        finally:
            writer.close()

    async def answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            return InvalidArgument("The request is not one JSON object.").to_json()
        try:
            await self._run(request)
        except MinionError as exc:
            return exc.to_json()
        return {"ok": True, "status": self._controller.status()}

    async def _run(self, request: dict[str, Any]) -> None:
        command, control = request.get("command"), self._controller
        if command == "play":
            await control.play()
        elif command == "pause":
            await control.pause()
        elif command == "toggle":
            await control.toggle()
        elif command == "next":
            await control.next()
        elif command == "prev":
            await control.previous()
        elif command == "seek":
            seconds = request.get("seconds")
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise InvalidArgument("seek needs a number of seconds.")
            await control.seek_to(float(seconds))
        elif command != "status":
            raise InvalidArgument(f"Unknown command {str(command)[:100]!r}.",
                                  hint="Use one of: " + ", ".join(COMMANDS) + ".")


# -- the client (minion-tui ctl) ---------------------------------------------------------------


def sockets() -> list[Path]:
    """The instances' sockets, the newest first."""
    try:
        found = [p for p in socket_dir().glob("instance-*.sock") if p.is_socket()]
    except OSError:
        return []

    def age(path: Path) -> float:
        try:
            return -path.stat().st_mtime
        except OSError:
            return 0.0

    return sorted(found, key=age)


async def over_socket(command: str, seconds: float | None = None) -> dict[str, Any]:
    """Send ``command`` to the newest instance that answers; NotRunning when none does."""
    request: dict[str, Any] = {"command": command}
    if seconds is not None:
        request["seconds"] = seconds
    for path in sockets():
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(path, limit=LINE_LIMIT), 2)
        except (OSError, TimeoutError):
            continue  # a socket left by an instance that was killed
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 30)
        except (OSError, TimeoutError, ValueError):
            continue
        finally:
            writer.close()
        try:
            reply = json.loads(line)
        except ValueError:
            continue
        if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
            raise _error_of(reply["error"].get("type"), str(reply["error"].get("message")))
        if isinstance(reply, dict) and isinstance(reply.get("status"), dict):
            return {**reply["status"], "via": "socket"}
    raise not_running()


def _error_of(kind: object, message: str) -> MinionError:
    """A MinionError of the instance's ``type`` (the one error hierarchy has it)."""
    todo: list[type[MinionError]] = [MinionError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.type == kind and sub.__init__ is MinionError.__init__:
                return sub(message)
            todo.append(sub)
    error = MinionError(message)
    error.type = str(kind) if isinstance(kind, str) and kind.isidentifier() else "error"
    return error


async def over_mpris(command: str, seconds: float | None = None) -> dict[str, Any] | None:
    """Do ``command`` through MPRIS; None when there is no session bus or no instance."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        return None
    from dbus_fast import BusType, DBusError, Message, MessageType, Variant
    from dbus_fast.aio import MessageBus

    from minion_tui.desktop import mpris

    try:
        bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), 3)
    except (OSError, TimeoutError, EOFError, ValueError, DBusError) as exc:
        log.info("no session bus for ctl: %s", exc)
        return None
    try:
        async def call(destination: str, path: str, interface: str, member: str,
                       signature: str = "", body: list[Any] | None = None) -> Any:
            reply = await asyncio.wait_for(bus.call(Message(
                destination=destination, path=path, interface=interface, member=member,
                signature=signature, body=body or [])), 30)
            if reply is None:
                raise NotRunning("The instance did not answer on the session bus.")
            if reply.message_type == MessageType.ERROR:
                name = reply.error_name or ""
                text = str(reply.body[0]) if reply.body else name
                if name.startswith(mpris.ERROR_PREFIX):
                    raise _error_of(name[len(mpris.ERROR_PREFIX):], text)
                raise PlaybackError(f"The instance refused {member}: {text}")
            return reply.body

        names = (await call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus", "ListNames"))[0]
        ours = sorted(n for n in names if n.startswith(mpris.BUS_PREFIX))
        if not ours:
            return None
        newest = [f"{mpris.BUS_PREFIX}{p.stem.removeprefix('instance-')}" for p in sockets()]
        name = next((n for n in newest if n in ours), ours[0])

        async def properties() -> dict[str, Any]:
            body = await call(name, mpris.OBJECT_PATH, "org.freedesktop.DBus.Properties",
                              "GetAll", "s", [mpris.PLAYER_INTERFACE])
            return {k: v.value if isinstance(v, Variant) else v for k, v in body[0].items()}

        player = (name, mpris.OBJECT_PATH, mpris.PLAYER_INTERFACE)
        if command == "seek":
            assert seconds is not None
            found = await properties()
            meta = _plain(found.get("Metadata", {}))
            length = meta.get("mpris:length")
            track = meta.get("mpris:trackid", mpris.NO_TRACK)
            if track == mpris.NO_TRACK or not length:
                raise PlaybackError("Nothing is playing, so there is nothing to seek in.",
                                    hint="Play a track first, then seek.")
            if not math.isfinite(seconds) or seconds < 0 or seconds * 1e6 > length:
                raise InvalidArgument(
                    f"{seconds:g} s is past the end of the track ({length / 1e6:.0f} s long).",
                    hint=f"Give a number of seconds from 0 to {math.floor(length / 1e6)}.")
            await call(*player, "SetPosition", "ox", [track, int(seconds * 1e6)])
        elif command != "status":
            member = {"play": "Play", "pause": "Pause", "toggle": "PlayPause",
                      "next": "Next", "prev": "Previous"}[command]
            await call(*player, member)
        return {**_status(await properties(), name), "via": "mpris"}
    finally:
        bus.disconnect()


def _plain(meta: Any) -> dict[str, Any]:
    from dbus_fast import Variant

    if not isinstance(meta, dict):
        return {}
    return {k: v.value if isinstance(v, Variant) else v for k, v in meta.items()}


def _status(found: dict[str, Any], name: str) -> dict[str, Any]:
    """The MPRIS properties as ``ctl status --json`` prints them (the socket's shape)."""
    from minion_tui.desktop import mpris

    meta = _plain(found.get("Metadata", {}))
    artists = meta.get("xesam:artist") or [""]
    length = meta.get("mpris:length")
    pid = name.removeprefix(mpris.BUS_PREFIX)
    volume = found.get("Volume")
    return {
        "state": str(found.get("PlaybackStatus", "Stopped")).lower(),
        "title": meta.get("xesam:title", ""),
        "artist": artists[0] if artists else "",
        "url": meta.get("xesam:url", ""),
        "urn": mpris.urn_of(str(meta.get("mpris:trackid", ""))),
        "position": round(int(found.get("Position", 0)) / 1e6, 3),
        "duration": length / 1e6 if length else None,
        "volume": round(volume * 100) if isinstance(volume, float) else None,
        "pid": int(pid) if pid.isdigit() else None,
    }


async def control(command: str, seconds: float | None = None) -> dict[str, Any]:
    """What ``ctl`` does: MPRIS first, the socket next, else NotRunning."""
    if command not in COMMANDS:
        raise InvalidArgument(f"Unknown command {command!r}.")
    if command == "seek" and (seconds is None or not math.isfinite(seconds) or seconds < 0):
        raise InvalidArgument(f"Cannot seek to {seconds!r} seconds.",
                              hint="Give a number of seconds, 0 or more.")
    found = await over_mpris(command, seconds)
    if found is not None:
        return found
    return await over_socket(command, seconds)
