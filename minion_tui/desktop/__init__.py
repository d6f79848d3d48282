"""Desktop integration while the TUI or ``minion-tui play`` runs: MPRIS2 on the session bus
(mpris.py), desktop notifications with the terminal's own as the fallback (notify.py), and
the private socket ``minion-tui ctl`` talks to where there is no bus (ctl.py).

A front end of its own over the service façade: it imports only ``minion_tui.service``,
``.models``, ``.errors`` and ``.config`` (tests/unit/test_architecture.py), and everything
runs on the loop of the app that starts it — dbus-fast is asyncio, the socket is asyncio's,
and the player is followed through its listeners (no thread, no blocking call, no polling:
``player.on_started`` says when the player exists, ``player.listen`` every change after).
Without a session bus MPRIS and D-Bus notifications stay off, with one log line.

    desktop = Desktop(service, terminal=write)
    await desktop.start()
    ...
    await desktop.aclose()

or ``await Desktop(service).run()`` in a task that is cancelled at the end (the TUI's worker).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from minion_tui.desktop.control import Controller

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

    from minion_tui.desktop.ctl import ControlSocket
    from minion_tui.desktop.mpris import Mpris
    from minion_tui.desktop.notify import Notifier
    from minion_tui.models import PlayerEvent
    from minion_tui.service import Service

log = logging.getLogger(__name__)


async def session_bus() -> MessageBus | None:
    """The session bus, or None (with the one log line) when there is none. dbus-fast is
    imported on a worker thread (~65 ms of module loading the loop need not wait for)."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        log.warning("desktop integration is off: no session D-Bus "
                    "(DBUS_SESSION_BUS_ADDRESS is not set)")
        return None
    try:
        await asyncio.to_thread(importlib.import_module, "minion_tui.desktop.mpris")
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus
    except ImportError as exc:
        log.warning("desktop integration is off: dbus-fast is not installed (%s)", exc)
        return None
    try:
        return await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), 5)
    except Exception as exc:  # dbus-fast raises several kinds (auth, address, OS errors)
        log.warning("desktop integration is off: the session D-Bus did not answer (%s)", exc)
        return None


class Desktop:
    """MPRIS, notifications and the ctl socket for one running service."""

    def __init__(self, service: Service, *, terminal: Callable[[str], None] | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.service = service
        self.controller = Controller(service)
        self._terminal = terminal
        self._environ = environ
        self.bus: MessageBus | None = None
        self.mpris: Mpris | None = None
        self.notifier: Notifier | None = None
        self.socket: ControlSocket | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self._history: int | None = None
        self._closed = False

    async def start(self) -> None:
        from minion_tui.desktop.ctl import ControlSocket
        from minion_tui.desktop.notify import Notifier

        settings = self.service.settings.desktop
        wants_bus = settings.mpris or settings.notify_track or settings.notify_downloads \
            or settings.notify_sync
        self.bus = await session_bus() if wants_bus else None
        if self.bus is not None and settings.mpris:
            from minion_tui.desktop.mpris import Mpris

            mpris = Mpris(self.bus, self.controller, self._spawn)
            try:
                await mpris.publish()
            except Exception as exc:  # a name taken, a bus that went away
                log.warning("MPRIS is off: %s", exc)
            else:
                self.mpris = mpris
        self.notifier = Notifier(self.service, self.bus, terminal=self._terminal,
                                 environ=self._environ)
        if settings.control_socket:
            socket = ControlSocket(self.controller)
            if await socket.start():
                self.socket = socket
        if self.bus is not None:
            self._spawn(self._watch(self.bus))
        self._unsubscribe.append(self.service.downloads.on_event(self.notifier.download_event))
        self._unsubscribe.append(self.service.discovery.on_synced(self.notifier.synced))
        self.service.player.on_started(self._follow)

    async def run(self, terminal: Callable[[str], None] | None = None) -> None:
        """start(), then wait until cancelled, then aclose(); ``terminal`` (the TUI's
        writer) replaces the one given to the constructor."""
        if terminal is not None:
            self._terminal = terminal
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.aclose()

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("desktop task failed: %r", task.exception())

    async def _watch(self, bus: MessageBus) -> None:
        """The bus went away (a logout, the daemon killed): nothing more is sent on it.
        dbus-fast closes its socket then, and a write after that would act on whatever
        socket reuses the descriptor (seen: it stalled the stream proxy's)."""
        try:
            await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
        except Exception as exc:  # it ends with the error that cut the connection
            log.warning("the session D-Bus went away (%r): MPRIS and D-Bus notifications "
                        "are off", exc)
        self._bus_gone()

    def _bus_gone(self) -> None:
        self.mpris = None
        if self.notifier is not None:
            self.notifier.bus_gone()

    def _follow(self) -> None:
        """The player exists (it is made on the first play): listen to it."""
        if self._closed:
            return
        self._unsubscribe.append(self.service.player.listen(self._on_event))
        self._changed("start")

    def _on_event(self, event: PlayerEvent) -> None:
        self._changed(event.kind)

    def _changed(self, kind: str) -> None:
        now = self.service.player.now_playing()[0]
        if kind == "start-file":
            self.controller.stopped = False
        if self.mpris is not None and not self.mpris.bus.connected:
            self._bus_gone()
        if self.mpris is not None:
            try:
                self.mpris.player.refresh(kind)
            except Exception as exc:  # the bus went away (a logout): MPRIS ends, play goes on
                log.warning("MPRIS is off: publishing failed (%r)", exc)
                self.mpris = None
        if now is not None and now.history_id != self._history:
            self._history = now.history_id
            if self.mpris is not None:
                self._spawn(self.mpris.read_loop_status())
            if self.notifier is not None:
                self._spawn(self.notifier.track(now.track))

    async def aclose(self) -> None:
        self._closed = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.notifier is not None:
            await self.notifier.aclose()
        if self.socket is not None:
            await self.socket.aclose()
            self.socket = None
        if self.mpris is not None and self.mpris.bus.connected:
            await self.mpris.aclose()
        self.mpris = None
        if self.bus is not None and self.bus.connected:
            self.bus.disconnect()
        self.bus = None


__all__ = ["Controller", "Desktop", "session_bus"]
