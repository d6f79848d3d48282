"""Mixcloud's media as emulated (docs/mixcloud.md §4.5, §5, §2.7): every stream kind decodes
with PyAV as AAC of the show's length; long whole-file GETs are throttled after 5 MiB while
ranges of 5 MiB are not; the live playlist slides forward with the clock."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin

import av
import pytest
from PIL import Image

from minion_tui.emulator.mixcloud.xor import reveal
from tests.emulator.conftest import McHttp

CHUNK = 5 * 1024 * 1024
SEGMENT = 431 * 1024 / 44100  # seconds per HLS segment
SHORT = ("selva_sessions", "selva-sessions-short")  # 30 minutes


def streams(mc: McHttp, username: str, slug: str) -> dict[str, str]:
    query = (f'{{ cloudcastLookup(lookup: {{username: "{username}", slug: "{slug}"}}) '
             "{ streamInfo { url hlsUrl dashUrl } previewUrl waveformUrl } }")
    show = mc.graphql(query).json()["data"]["cloudcastLookup"]
    urls = {k: reveal(v) for k, v in show["streamInfo"].items()}
    return {**urls, "preview": show["previewUrl"], "waveform": show["waveformUrl"]}


def decode(data: bytes) -> tuple[str, int, float | None]:
    """(codec, decoded samples per channel, container duration in s) of an in-memory file."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        duration = container.duration / 1e6 if container.duration else None
        return stream.codec_context.name, samples, duration


@pytest.fixture(scope="module")
def short(mc: McHttp) -> dict[str, str]:
    return streams(mc, *SHORT)


def test_progressive_m4a_in_ranges_decodes_as_the_whole_show(mc: McHttp,
                                                             short: dict[str, str]) -> None:
    head = mc.client.head(mc.local(short["url"]))
    assert head.status_code == 200 and head.headers["content-type"] == "audio/mp4"
    assert head.headers["accept-ranges"] == "bytes" and head.headers["last-modified"]
    size = int(head.headers["content-length"])
    assert 12_000_000 < size < 18_000_000  # 30 min at 64 kbit/s
    before = mc.emulator.mixcloud.throttled_responses
    parts = []
    for start in range(0, size, CHUNK):
        answer = mc.get(short["url"], headers={"range": f"bytes={start}-{start + CHUNK - 1}"})
        assert answer.status_code == 206
        parts.append(answer.content)
    data = b"".join(parts)
    assert len(data) == size
    assert mc.emulator.mixcloud.throttled_responses == before  # ranges of 5 MiB are fast
    codec, samples, duration = decode(data)
    assert codec == "aac"
    assert duration is not None and abs(duration - 1800) < 1
    assert abs(samples / 44100 - 1800) < 1


def test_a_whole_file_get_is_throttled_after_5_mib(mc: McHttp, short: dict[str, str]) -> None:
    mixcloud = mc.emulator.mixcloud
    mixcloud.throttle_rate = 0  # counted but not slowed: the test measures bytes, not time
    before_responses, before_bytes = mixcloud.throttled_responses, mixcloud.throttled_bytes
    whole = mc.get(short["url"])
    assert whole.status_code == 200
    assert mixcloud.throttled_responses == before_responses + 1
    assert mixcloud.throttled_bytes - before_bytes == len(whole.content) - CHUNK
    open_ended = mc.get(short["url"], headers={"range": "bytes=1000-"})
    assert open_ended.status_code == 206
    assert mixcloud.throttled_responses == before_responses + 2


def test_the_progressive_url_needs_its_signature(mc: McHttp, short: dict[str, str]) -> None:
    unsigned = short["url"].split("?")[0]
    assert mc.get(unsigned).status_code == 403
    assert mc.get(unsigned + "?sig=00" + short["url"][-30:]).status_code == 403


def test_hls_is_a_master_with_one_aac_variant_of_ts_segments(mc: McHttp,
                                                             short: dict[str, str]) -> None:
    master = mc.get(short["hlsUrl"])
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert 'CODECS="mp4a.40.2"' in master.text
    variant_url = urljoin(short["hlsUrl"], master.text.strip().splitlines()[-1])
    variant = mc.get(variant_url).text
    assert "#EXT-X-ENDLIST" in variant
    total = sum(float(x) for x in re.findall(r"#EXTINF:([\d.]+),", variant))
    assert abs(total - 1800) < 1
    segments = [line for line in variant.splitlines() if line and not line.startswith("#")]
    data = b"".join(mc.get(urljoin(variant_url, s)).content for s in segments[:3])
    assert data[0] == 0x47 and len(data) % 188 == 0  # MPEG-TS packets
    codec, samples, _ = decode(data)
    assert codec == "aac" and samples == 3 * 431 * 1024
    # Opened by URL (relative segment names), PyAV sees the whole show.
    with av.open(mc.local(short["hlsUrl"])) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
        assert abs(container.duration / 1e6 - 1800) < 1


def test_dash_is_an_mpd_of_fmp4_fragments(mc: McHttp, short: dict[str, str]) -> None:
    mpd = mc.get(short["dashUrl"])
    assert mpd.headers["content-type"] == "application/dash+xml"
    text = mpd.text
    assert 'type="static"' in text and 'id="a1-x3"' in text and 'codecs="mp4a.40.2"' in text
    assert 'timescale="1000"' in text and 'startNumber="1"' in text
    durations = [int(d) for d in re.findall(r'd="(\d+)"', text)]
    assert abs(sum(durations) / 1000 - 1800) < 1 and durations[0] == 10008
    init = re.search(r'initialization="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    media = re.search(r'media="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    rep = "a1-x3"
    data = mc.get(init.replace("$RepresentationID$", rep)).content
    for number in (1, 2, 3):
        data += mc.get(media.replace("$Number$", str(number))
                       .replace("$RepresentationID$", rep)).content
    codec, samples, _ = decode(data)
    assert codec == "aac" and samples == 3 * 431 * 1024
    last = len(durations)
    assert mc.get(media.replace("$Number$", str(last + 1))
                  .replace("$RepresentationID$", rep)).status_code == 404


def test_a_three_hour_show_is_tiled_not_synthesised(mc: McHttp) -> None:
    urls = streams(mc, "selva_sessions", "selva-sessions-marathon")
    size = int(mc.client.head(mc.local(urls["url"])).headers["content-length"])
    assert size > 80_000_000  # 180 min at 64 kbit/s
    tail = mc.get(urls["url"], headers={"range": f"bytes={size - 200_000}-{size - 1}"})
    assert tail.status_code == 206 and len(tail.content) == 200_000


def test_preview_waveform_and_pictures(mc: McHttp, short: dict[str, str]) -> None:
    codec, samples, _ = decode(mc.get(short["preview"]).content)
    assert codec in ("mp3", "mp3float") and abs(samples / 44100 - 30) < 1
    wave = mc.get(short["waveform"]).json()
    assert len(wave["samples"]) == wave["width"]
    show = mc.api("/selva_sessions/selva-sessions-short/").json()
    picture = mc.get(show["pictures"]["large"])
    assert picture.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(picture.content)).size == (300, 300)
    cover = mc.api("/selva_sessions/").json()["cover_pictures"]["835wx120h"]
    assert Image.open(io.BytesIO(mc.get(cover).content)).size == (835, 120)


def test_the_live_playlist_slides_with_the_clock(mc: McHttp) -> None:
    query = ('{ userLookup(lookup: {username: "selva_sessions"}) '
             '{ liveStream(isPublic: false) { hlsUrl startedAt } } }')
    live = mc.graphql(query).json()["data"]["userLookup"]["liveStream"]
    mixcloud = mc.emulator.mixcloud
    started = next(s.started for s in mixcloud.catalog.live if s.owner == "selva_sessions")
    master = mc.get(live["hlsUrl"]).text
    variant_url = urljoin(live["hlsUrl"], master.strip().splitlines()[-1])
    original = mixcloud.clock
    try:
        mixcloud.clock = lambda: started + 60.5 * SEGMENT
        first = mc.get(variant_url).text
        mixcloud.clock = lambda: started + 62.5 * SEGMENT
        later = mc.get(variant_url).text
    finally:
        mixcloud.clock = original
    assert "#EXT-X-ENDLIST" not in first

    def sequence(text: str) -> int:
        return int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))  # type: ignore[union-attr]

    names_first = [x for x in first.splitlines() if x.endswith(".ts")]
    names_later = [x for x in later.splitlines() if x.endswith(".ts")]
    assert len(names_first) == len(names_later) == 5
    assert sequence(later) == sequence(first) + 2
    assert names_later[:3] == names_first[2:]
    mixcloud.clock = lambda: started + 62.5 * SEGMENT
    try:
        segment = mc.get(urljoin(variant_url, names_later[-1]))
    finally:
        mixcloud.clock = original
    codec, samples, _ = decode(segment.content)
    assert codec == "aac" and samples == 431 * 1024
