"""Fixtures of the MCP tests (helpers in harness.py): ``mcp_service``, a Service over the
emulator (player on mpv's null output), and ``mcp``, a real MCP ClientSession connected
in-process to our server over it, initialized (protocol 2025-11-25)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.service import Service
from tests.integration.conftest import emulator, emulator_cache, emulator_factory
from tests.mcp.harness import connect

__all__ = ["emulator", "emulator_cache", "emulator_factory"]


@pytest.fixture
async def mcp_service(emulator: Any, tmp_path: Path) -> AsyncIterator[Service]:
    svc = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path / "data")
    svc.player.audio_output = "null"
    yield svc
    await svc.aclose()


@pytest.fixture
async def mcp(mcp_service: Service) -> AsyncIterator[ClientSession]:
    async with connect(mcp_service) as session:
        yield session
