"""What the emulator's Mixcloud apps (the REST API, the GraphQL schema) stand on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minion_tui.emulator.mixcloud.catalog import McCatalog
    from minion_tui.emulator.mixcloud.service import Mixcloud


class OnService:
    """An app over the one :class:`Mixcloud` service; ``catalog`` is the service's as it is
    now (read at each use, never kept)."""

    def __init__(self, service: Mixcloud) -> None:
        self.service = service

    @property
    def catalog(self) -> McCatalog:
        return self.service.catalog
