"""SoundCloud as the registry knows it: its capabilities, the targets it claims, and how it
is built. Light on purpose (no client import until a provider is created): the front ends
read the capabilities at start-up to build their choices."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from minion_tui.providers.base import ProviderContext, ProviderEntry
from minion_tui.providers.soundcloud import urls
from minion_tui.providers.soundcloud.capabilities import CAPABILITIES

if TYPE_CHECKING:
    from minion_tui.providers.base import Provider

def claims(target: str) -> bool:
    """soundcloud.com / m. / on.soundcloud.com URLs (with or without a scheme), API uris and
    ``soundcloud:…`` URNs."""
    return urls.is_soundcloud(target) or _bare_host(target.strip())


def _bare_host(text: str) -> bool:
    """``soundcloud.com/artist/track`` pasted without a scheme."""
    try:
        host = (urlsplit("https://" + text).hostname or "").lower()
    except ValueError:
        return False
    return "://" not in text and host.endswith("soundcloud.com")


def validate(target: str) -> None:
    urls.parse_target(target.strip())  # raises InvalidURL with the reason


def create(context: ProviderContext) -> Provider:
    from minion_tui.providers.soundcloud.client import SoundCloud

    sc = context.settings.soundcloud
    return SoundCloud(context.http, cache_dir=context.cache_dir, client_id=sc.client_id,
                      oauth_token=sc.access_token, account=context.account,
                      budget=context.budget)


ENTRY = ProviderEntry("soundcloud", CAPABILITIES, claims=claims, validate=validate,
                      create=create, web_ref=urls.web_ref)
