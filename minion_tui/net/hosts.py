"""Which request budget a host belongs to: the services' APIs or their media CDNs.

The APIs throttle (api-v2: ~600 requests / 10 min, yt-dlp's message) and answer 429, so they
keep the conservative ``net.rate_limit`` bucket. Media, artwork and waveforms come from CDNs
whose fetches are "separate" from the API's budget; docs/downloads.md §1.6 and §4.1
say to keep API calls on a budget of their own, apart from CDN segment fetches. With one
shared 15 req/s bucket a download of a 1-hour mix (~361 segments) would be capped at 15
segments/s however many are in flight, so CDN hosts get ``net.cdn_rate_limit`` instead. Its
default (1000 req/s) is a safety net against a runaway loop rather than pacing: the downloader's
concurrency (``downloads.segments`` x ``downloads.parallel``) and the bandwidth bound first —
1000 segments/s of ~160 KB is ~1.3 Gbit/s.

Classification is by the REAL host (before the endpoint map), so the emulator — where every
origin is 127.0.0.1 — is paced exactly like the real services. A loopback host that is still
loopback after unmapping is a server of the user's own (a local ``.m3u8``, the download bench):
it has no shared quota to protect and gets the CDN budget. Any other host we do not recognise
gets the API budget: being slow to an unknown server is safer than hammering it.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass


class HostClass(enum.Enum):
    API = "api"
    CDN = "cdn"


# Suffixes (a whole label boundary is required) and exact-name patterns of media CDNs.
_CDN_SUFFIXES = (
    "sndcdn.com",  # cf-hls-media, cf-media, cf-preview-media, cf-hls-opus-media, i1, wave, a-v2
    "media-streaming.soundcloud.cloud",  # playback.* (AAC HLS), license.*
)
# Mixcloud's media hosts share mixcloud.com with its API (api., app., www.), so they are named
# one by one (docs/mixcloud.md: thumbnailer, streamN, audioN, audiocdnN, live-*).
_MIXCLOUD_CDN = re.compile(r"^(thumbnailer|stream\d*|audio\d*|audiocdn\d*|live-[a-z0-9-]+)"
                           r"\.mixcloud\.com$")
_PORT = re.compile(r":\d+$")


def host_class(host: str) -> HostClass:
    """The budget ``host`` (a real ``host[:port]``, any case) is paced by."""
    name = _PORT.sub("", host.lower()).rstrip(".")
    if any(name == suffix or name.endswith("." + suffix) for suffix in _CDN_SUFFIXES):
        return HostClass.CDN
    if _MIXCLOUD_CDN.match(name) or _is_loopback(name):
        return HostClass.CDN
    return HostClass.API


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class RatePolicy:
    """Requests per second per host, by host class; ``<= 0`` means unlimited."""

    api: float
    cdn: float

    def rate_for(self, host: str) -> float:
        return self.cdn if host_class(host) is HostClass.CDN else self.api
