"""Mixcloud as the registry knows it: its capabilities, the targets it claims, and how it is
built. Light on purpose (no client import until a provider is created)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from minion_tui.providers.base import ProviderContext, ProviderEntry
from minion_tui.providers.mixcloud import urls
from minion_tui.providers.mixcloud.capabilities import CAPABILITIES

if TYPE_CHECKING:
    from minion_tui.providers.base import Provider


def claims(target: str) -> bool:
    """mixcloud.com pages (www., m., app., beta., api.; with or without a scheme) and
    ``mixcloud:…`` URNs."""
    return urls.is_mixcloud(target)


def validate(target: str) -> None:
    urls.parse_target(target.strip())  # raises InvalidURL with the reason


def create(context: ProviderContext) -> Provider:
    from minion_tui.providers.mixcloud.client import Mixcloud

    return Mixcloud(context.http, context.account)


ENTRY = ProviderEntry("mixcloud", CAPABILITIES, claims=claims, validate=validate,
                      create=create, web_ref=urls.web_ref)
