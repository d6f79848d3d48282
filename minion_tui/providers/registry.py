"""Which provider handles a pasted target. Validates the target as well, so a malformed URL
or a non-music page fails here with a message saying what works."""

from __future__ import annotations

from urllib.parse import urlsplit

from minion_tui.errors import InvalidURL
from minion_tui.providers.soundcloud import urls as soundcloud_urls

PROVIDERS = ("soundcloud",)


def provider_for(target: str) -> str:
    """``"soundcloud"`` for soundcloud.com / m. / on.soundcloud.com URLs, API uris and
    ``soundcloud:…`` URNs. Raises InvalidURL otherwise (and for SoundCloud pages that are not
    a track, set or profile, e.g. soundcloud.com/discover)."""
    text = target.strip()
    if soundcloud_urls.is_soundcloud(text) or _bare_soundcloud_host(text):
        soundcloud_urls.parse_target(text)  # raises InvalidURL with the reason
        return "soundcloud"
    if "mixcloud.com" in text.lower() or text.lower().startswith("mixcloud:"):
        raise InvalidURL(f"Mixcloud is not supported yet: {target}",
                         hint="Paste a SoundCloud link or URN for now.")
    raise InvalidURL(
        f"Not a link the app understands: {target!r}.",
        hint="Paste a SoundCloud link (https://soundcloud.com/<artist>/<track>, …/sets/<name>, "
        "a profile, an on.soundcloud.com short link) or a URN like soundcloud:tracks:123.",
    )


def _bare_soundcloud_host(text: str) -> bool:
    """``soundcloud.com/artist/track`` pasted without a scheme."""
    try:
        host = (urlsplit("https://" + text).hostname or "").lower()
    except ValueError:
        return False
    return "://" not in text and host.endswith("soundcloud.com")
