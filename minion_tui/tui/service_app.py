"""The app as the panes, widgets and palette providers see it: an :class:`App` holding the
service façade. A leaf module, so any part of the TUI can reach a typed ``service`` without
importing ``tui/app.py`` (which imports them all)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

if TYPE_CHECKING:
    from minion_tui.service import Service


class ServiceApp(App[None]):
    """An app over an open :class:`~minion_tui.service.Service` (MinionApp is one)."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service


def service_of(app: App[Any]) -> Service:
    """The service of the running app; widgets shown in a bare test app have none."""
    if not isinstance(app, ServiceApp):
        raise TypeError(f"{type(app).__name__} holds no service (a ServiceApp does)")
    return app.service
