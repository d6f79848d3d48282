"""Stream selection order and refusals (docs/soundcloud.md §2.2, §3.1) without the network."""

from __future__ import annotations

import base64
import json

import pytest
from test_sc_shapes import BIG_ID, track, transcoding

from minion_tui.errors import DrmOnly, GeoBlocked, InvalidArgument, NotFound, PreviewOnly
from minion_tui.providers.soundcloud import parse
from minion_tui.providers.soundcloud.streams import (
    StreamSource,
    candidates,
    expires_at,
    refuse_early,
)


def kinds(data: dict[str, object], prefer: str | None = None) -> list[tuple[str, str]]:
    return [(t.preset, t.protocol) for t in candidates(parse.transcodings(data), prefer)]


def source(data: dict[str, object]) -> StreamSource:
    return StreamSource.from_track(data, urn=f"soundcloud:tracks:{BIG_ID}", title="Neon Harbour")


def test_default_order_aac_then_progressive_mp3_then_mp3_hls_never_abr() -> None:
    assert kinds(track()) == [
        ("aac_160k", "hls"), ("mp3_0_0", "progressive"), ("mp3_0_0", "hls"), ("opus_0_0", "hls")]


def test_prefer_mp3_puts_mp3_first() -> None:
    assert kinds(track(), "mp3")[:3] == [
        ("mp3_0_0", "progressive"), ("mp3_0_0", "hls"), ("aac_160k", "hls")]
    with pytest.raises(InvalidArgument):
        kinds(track(), "flac")


def test_aac_160k_before_other_aac_and_hq_last_within_aac() -> None:
    data = track()
    data["media"]["transcodings"] = [
        transcoding(1, "aac_256k", "hls", legacy=False) | {"quality": "hq"},
        transcoding(1, "aac_1_0", "hls", legacy=False),
        transcoding(1, "aac_160k", "hls", legacy=False),
    ]
    assert [p for p, _ in kinds(data)] == ["aac_160k", "aac_1_0", "aac_256k"]


def test_encrypted_never_chosen_and_full_before_snippet() -> None:
    assert kinds(track(variant="drm")) == [("mp3_0_0", "progressive"), ("mp3_0_0", "hls")]
    data = track()
    data["media"]["transcodings"].insert(
        0, transcoding(1, "mp3_0_0", "progressive", legacy=True, snipped=True))
    assert candidates(parse.transcodings(data))[-1].snipped


def test_refusals_before_any_request() -> None:
    with pytest.raises(GeoBlocked, match="blocked in your country"):
        refuse_early(source(track(variant="block")), require_full=False, prefer=None)
    with pytest.raises(PreviewOnly, match="30-second preview"):
        refuse_early(source(track(variant="snip")), require_full=True, prefer=None)
    refuse_early(source(track(variant="snip")), require_full=False, prefer=None)
    only_encrypted = track(variant="drm")
    only_encrypted["media"]["transcodings"] = only_encrypted["media"]["transcodings"][:4]
    with pytest.raises(DrmOnly, match="DRM"):
        refuse_early(source(only_encrypted), require_full=False, prefer=None)
    nothing = track()
    nothing["policy"] = "ALLOW"
    nothing["media"]["transcodings"] = []
    with pytest.raises(NotFound):
        refuse_early(source(nothing), require_full=False, prefer=None)


def test_source_keeps_what_signing_needs() -> None:
    data = track()
    data["secret_token"] = "s-abc"
    s = source(data)
    assert s.track_authorization == data["track_authorization"] and s.secret_token == "s-abc"
    assert s.policy == "MONETIZE" and len(s.transcodings) == 5


def _policy(epoch: int) -> str:
    doc = {"Statement": [{"Resource": "https://cf-media.sndcdn.com/*",
                          "Condition": {"DateLessThan": {"AWS:EpochTime": epoch}}}]}
    raw = base64.b64encode(json.dumps(doc).encode()).decode()
    return raw.replace("+", "-").replace("=", "_").replace("/", "~")


def test_expiry_from_expires_or_cloudfront_policy() -> None:
    aac = ("https://playback.media-streaming.soundcloud.cloud/k/aac_160k/u/playlist.m3u8"
           f"?expires=1771667503&Policy={_policy(1771667503)}&Signature=x&Key-Pair-Id=K")
    assert expires_at(aac) == 1771667503.0
    mp3 = f"https://cf-media.sndcdn.com/k.128.mp3?Policy={_policy(1771667000)}&Signature=s"
    assert expires_at(mp3) == 1771667000.0
    assert expires_at("https://cf-media.sndcdn.com/k.128.mp3?Policy=garbage") is None
