"""API hosts and media CDNs get separate token buckets (docs/downloads.md §4.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.config import load_settings
from minion_tui.net import EndpointMap, HostClass, Http, HttpOptions, RatePolicy, host_class
from minion_tui.net.limiter import HostLimiter

CDN_HOSTS = [
    "cf-hls-media.sndcdn.com",
    "cf-media.sndcdn.com",
    "cf-preview-media.sndcdn.com",
    "cf-hls-opus-media.sndcdn.com",
    "i1.sndcdn.com",
    "wave.sndcdn.com",
    "CF-HLS-MEDIA.SNDCDN.COM:443",
    "playback.media-streaming.soundcloud.cloud",
    "thumbnailer.mixcloud.com",
    "stream12.mixcloud.com",
    "audio4.mixcloud.com",
    "audiocdn3.mixcloud.com",
    "live-fsn1-hez.mixcloud.com",
    # loopback after unmapping: a server of the user's own, no shared quota to protect
    "127.0.0.1:8750",
    "localhost:9000",
    "[::1]:8080",
]
API_HOSTS = [
    "api-v2.soundcloud.com",
    "api.soundcloud.com",
    "soundcloud.com",
    "api.mixcloud.com",
    "app.mixcloud.com",
    "www.mixcloud.com",
    "192.168.1.20:8000",  # not loopback: unknown, so the cautious budget
    "notsndcdn.com",  # a suffix match needs a whole label
    "sndcdn.com.evil.example",
]


@pytest.mark.parametrize("host", CDN_HOSTS)
def test_media_hosts_are_cdn(host: str) -> None:
    assert host_class(host) is HostClass.CDN


@pytest.mark.parametrize("host", API_HOSTS)
def test_api_and_unknown_hosts_are_api(host: str) -> None:
    assert host_class(host) is HostClass.API


def test_policy_picks_the_rate_by_class() -> None:
    policy = RatePolicy(api=15.0, cdn=100.0)
    assert policy.rate_for("api-v2.soundcloud.com") == 15.0
    assert policy.rate_for("cf-hls-media.sndcdn.com") == 100.0


def test_limiter_builds_each_gate_with_its_class_rate() -> None:
    limiter = HostLimiter(15.0, rate_for=RatePolicy(api=15.0, cdn=100.0).rate_for)
    api, cdn = limiter.gate("api-v2.soundcloud.com"), limiter.gate("cf-media.sndcdn.com")
    assert (api.rate, api.burst) == (15.0, 15.0)
    assert (cdn.rate, cdn.burst) == (100.0, 100.0)
    assert limiter.gate("cf-media.sndcdn.com") is cdn  # one bucket per host, reused


async def test_cdn_bucket_lets_more_start_than_the_api_bucket() -> None:
    """On a virtual clock: in one second the CDN host starts its rate's worth, the API host
    only its own — the two windows never share starts."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = HostLimiter(
        15.0, rate_for=RatePolicy(api=15.0, cdn=100.0).rate_for, clock=lambda: now[0],
        sleep=sleep,
    )

    async def starts_in_one_second(host: str) -> int:
        start, count = now[0], 0
        while True:
            await limiter.gate(host).acquire()
            if now[0] - start > 1.0:
                return count
            count += 1

    assert await starts_in_one_second("cf-hls-media.sndcdn.com") == 100
    assert await starts_in_one_second("api-v2.soundcloud.com") == 15


def test_http_applies_both_rates_also_to_mapped_urls() -> None:
    emap = EndpointMap.from_dict({
        "https://api-v2.soundcloud.com": "http://127.0.0.1:9/sc-api-v2",
        "https://cf-hls-media.sndcdn.com": "http://127.0.0.1:9/cdn",
    })
    http = Http(HttpOptions(endpoints=emap, rate_limit=7.0, cdn_rate_limit=70.0))
    assert http.rate_limit_for("https://api-v2.soundcloud.com/tracks") == 7.0
    assert http.rate_limit_for("https://cf-hls-media.sndcdn.com/media/1/2/3.mp3") == 70.0
    # the mapped emulator URL is paced as the real host it stands for
    assert http.rate_limit_for("http://127.0.0.1:9/cdn/media/1/2/3.mp3") == 70.0
    assert http.rate_limit_for("http://127.0.0.1:9/sc-api-v2/tracks") == 7.0
    assert http.rate_limit_for("http://127.0.0.1:5000/mix/playlist.m3u8") == 70.0  # unmapped
    assert Http().rate_limit_for("https://cf-media.sndcdn.com/a.mp3") == 1000.0  # the default


def test_cdn_rate_limit_setting_default_file_and_env(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert load_settings(path=path, environ={}).net.cdn_rate_limit == 1000.0
    path.write_text("[net]\ncdn_rate_limit = 250\n")
    settings = load_settings(path=path, environ={})
    assert settings.net.cdn_rate_limit == 250.0 and settings.net.rate_limit == 15.0
    settings = load_settings(path=path, environ={"SOUNDCLOUD_CDN_RATE_LIMIT": "40"})
    assert settings.net.cdn_rate_limit == 40.0
    assert settings.origin("net.cdn_rate_limit") == "env SOUNDCLOUD_CDN_RATE_LIMIT"
