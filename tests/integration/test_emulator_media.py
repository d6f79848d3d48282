"""The media endpoint (transcoding -> signed `{url}`) and the original-file download
(docs/soundcloud.md §3.1, §3.4), over real HTTP."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from tests.integration.conftest import EmulatorHttp


def transcodings(http: EmulatorHttp, name: str) -> tuple[Any, list[Any]]:
    track = http.json("/resolve", url=http.emulator.examples[name])
    return track, track["media"]["transcodings"]


def deadline(url: str) -> int:
    policy = parse_qs(urlsplit(url).query)["Policy"][0]
    raw = policy.replace("-", "+").replace("_", "=").replace("~", "/")
    statement = json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4)))["Statement"][0]
    return int(statement["Condition"]["DateLessThan"]["AWS:EpochTime"])


def test_clear_transcodings_answer_signed_urls(sc_http: EmulatorHttp) -> None:
    track, found = transcodings(sc_http, "track_full")
    by_kind = {(t["preset"], t["format"]["protocol"]): t for t in found}
    aac = by_kind[("aac_160k", "hls")]
    answer = sc_http.json(aac["url"], track_authorization=track["track_authorization"])
    assert set(answer) == {"url"}
    url = answer["url"]
    assert url.startswith("https://playback.media-streaming.soundcloud.cloud/")
    assert "/aac_160k/" in url and "playlist.m3u8?" in url
    params = parse_qs(urlsplit(url).query)
    assert {"expires", "Policy", "Signature", "Key-Pair-Id"} <= set(params)
    expected = time.time() + track["duration"] / 1000 + 120
    assert abs(deadline(url) - expected) < 30
    legacy = [t for t in found if t["is_legacy_transcoding"]]
    hosts = {urlsplit(sc_http.json(t["url"])["url"]).hostname for t in legacy}
    assert hosts == {"cf-hls-media.sndcdn.com", "cf-media.sndcdn.com"}
    playlist = sc_http.get(url)
    assert playlist.status_code == 200 and playlist.text.startswith("#EXTM3U")


def test_abr_and_every_drm_transcoding_answer_404(sc_http: EmulatorHttp) -> None:
    _, clear = transcodings(sc_http, "track_full")
    abr = next(t for t in clear if t["preset"] == "abr_sq")
    response = sc_http.get(abr["url"])
    assert (response.status_code, response.json()) == (404, {})
    _, drm = transcodings(sc_http, "track_drm")
    assert drm
    for transcoding in drm:
        response = sc_http.get(transcoding["url"])
        assert (response.status_code, response.json()) == (404, {}), transcoding


def test_preview_transcodings_point_at_30_second_streams(sc_http: EmulatorHttp) -> None:
    _, found = transcodings(sc_http, "track_preview")
    urls = [sc_http.json(t["url"])["url"] for t in found]
    assert all("/0/30/" in url for url in urls)
    assert {urlsplit(u).hostname for u in urls} == {"cf-hls-media.sndcdn.com",
                                                   "cf-preview-media.sndcdn.com"}
    assert all(deadline(u) < time.time() + 30 + 121 for u in urls)


def test_media_ttl_override_and_expiry(sc_http: EmulatorHttp) -> None:
    _, found = transcodings(sc_http, "track_full")
    progressive = next(t for t in found if t["format"]["protocol"] == "progressive")
    sc_http.emulator.state.media_ttl = 1.0
    url = sc_http.json(progressive["url"])["url"]
    assert deadline(url) <= time.time() + 2
    sc_http.emulator.state.media_ttl = -10.0  # already expired: the CDN must refuse it
    expired = sc_http.json(progressive["url"])["url"]
    assert sc_http.get(expired).status_code == 403


def test_media_needs_a_valid_client_id_and_authorization(sc_http: EmulatorHttp) -> None:
    _, found = transcodings(sc_http, "track_full")
    url = found[0]["url"]
    assert sc_http.get(url, client_id=None).status_code == 401
    assert sc_http.get(url, track_authorization="not.a.jwt").status_code == 401
    assert sc_http.get(url.replace("/stream/", "/preview/")).status_code == 404


def test_private_track_media_needs_the_secret(sc_http: EmulatorHttp) -> None:
    track, found = transcodings(sc_http, "track_private")
    hls = next(t for t in found if t["preset"] == "aac_160k")
    assert sc_http.get(hls["url"]).status_code == 404
    assert sc_http.get(hls["url"], secret_token=track["secret_token"]).status_code == 200


def test_original_download_needs_oauth_and_names_the_file(sc_http: EmulatorHttp) -> None:
    track = sc_http.json("/resolve", url=sc_http.emulator.examples["track_downloadable"])
    assert track["downloadable"] and track["has_downloads_left"]
    path = f"/tracks/{track['id']}/download"
    assert sc_http.get(path).status_code == 401
    assert sc_http.get(path, headers={"Authorization": "OAuth wrong"}).status_code == 401
    answer = sc_http.get(path, headers={"Authorization": "OAuth demo-oauth-token"})
    assert answer.status_code == 200 and set(answer.json()) == {"redirectUri"}
    original = sc_http.get(answer.json()["redirectUri"])
    assert original.status_code == 200
    assert original.content[:3] == b"ID3" or original.content[0] == 0xFF
    disposition = original.headers["content-disposition"]
    assert f'filename="{track["title"]} (Final Master).mp3"' in disposition
    not_offered = sc_http.json("/resolve", url=sc_http.emulator.examples["track_full"])
    refused = sc_http.get(f"/tracks/{not_offered['id']}/download",
                          headers={"Authorization": "OAuth demo-oauth-token"})
    assert refused.status_code == 403
