"""Mixcloud's media origins (docs/mixcloud.md §4.5, §4.6, §5, §2.7): progressive m4a on
stream{N}, HLS (MPEG-TS segments of ADTS AAC) and DASH (fMP4) on audio{N}, old MP3 previews
and waveforms on audiocdn{N}, live HLS on live-*, pictures on thumbnailer.

All audio is AAC-LC 64 kbit/s tiled from one cached phrase per (groove, variant)
(media/audio.py, media/tiling.py): nothing is encoded per request and a 3-hour show costs the
same as a 30-minute one. The progressive file is an init segment plus every fragment (a
fragmented MP4, which PyAV, mpv and mutagen read); any byte range is built on demand.

Throttling (§4.5): a response body longer than 5 MiB is sent at `throttle_rate` bytes/s after
its first 5 MiB, whatever its Range; ranges of 5 MiB or less are always fast. Each throttled
response is counted (`Mixcloud.throttled_responses`, `.throttled_bytes`) so tests need not
measure time.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from minion_tui.emulator.cdn.progressive import VirtualFile, respond, respond_bytes, validators
from minion_tui.emulator.cdn.responses import vod_playlist
from minion_tui.emulator.media import fmp4
from minion_tui.emulator.media.artwork import render_square
from minion_tui.emulator.media.audio import CODECS, AudioSpec, Codec, EncodedPhrase, LoopCache
from minion_tui.emulator.media.synth import SAMPLE_RATE
from minion_tui.emulator.media.tiling import AAC_SEGMENT_FRAMES, AacTrack, Mp3File
from minion_tui.emulator.media.waveform import waveform
from minion_tui.emulator.mixcloud import ts
from minion_tui.emulator.mixcloud.catalog import LiveStream, Show

if TYPE_CHECKING:
    from minion_tui.emulator.mixcloud.service import Mixcloud

AAC64 = Codec("aac64", "aac", 1024, 1024, 64_000)
THROTTLE_AFTER = 5 * 1024 * 1024
STREAM_HOSTS = (6, 12)  # stream{N}.mixcloud.com: all serve the same files (§4.5)
AUDIO_HOSTS = (4, 9)  # audio{N}.mixcloud.com
PREVIEW_HOST = 4  # audiocdn{N}.mixcloud.com
LIVE_HOST = "live-fsn1-hez"
REPRESENTATION = "a1-x3"
LIVE_SEGMENT_FRAMES = AAC_SEGMENT_FRAMES
LIVE_WINDOW = 5
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
_SEGMENT_SECONDS = AAC_SEGMENT_FRAMES * 1024 / SAMPLE_RATE


class McLoopCache(LoopCache):
    """The shared phrase cache plus a 64 kbit/s AAC rendition (Mixcloud's `m4a/64`)."""

    def codec(self, name: str) -> Codec:
        return AAC64 if name == AAC64.name else CODECS[name]


class McTrack(AacTrack):
    """A show as 10 s fMP4 fragments; also the source of TS segments and the progressive file."""

    def init(self) -> bytes:
        return fmp4.init_segment(sample_rate=SAMPLE_RATE, channels=2,
                                 audio_specific_config=self.phrase.extradata,
                                 bitrate=AAC64.bitrate, total_samples=self.frame_count * 1024)

    def frames(self, first: int, count: int) -> list[bytes]:
        phrase = self.phrase
        out = []
        for i in range(count):
            k = (self.first + first + i) % phrase.frame_count
            out.append(phrase.payload[phrase.offsets[k]:phrase.offsets[k + 1]])
        return out

    def ts_segment(self, index: int) -> bytes:
        first = index * AAC_SEGMENT_FRAMES
        return ts.segment(self.phrase.extradata, self.frames(first, self.segment_frames(index)),
                          first * 1024, SAMPLE_RATE)

    @functools.cached_property
    def layout(self) -> tuple[int, ...]:
        """Byte offset of each part of the progressive file: init, fragment 0, 1, … , end."""
        bounds = [0, len(self.init())]
        overhead = {}
        for index in range(self.segment_count):
            count = self.segment_frames(index)
            if count not in overhead:
                overhead[count] = len(fmp4.fragment(sequence_number=1, decode_time=0,
                                                    sample_sizes=[0] * count,
                                                    sample_duration=1024, payload=b""))
            first = index * AAC_SEGMENT_FRAMES
            payload = sum(len(f) for f in self.frames(first, count))
            bounds.append(bounds[-1] + overhead[count] + payload)
        return tuple(bounds)

    def part(self, index: int) -> bytes:
        return self.init() if index == 0 else self.segment(index - 1)

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        layout = self.layout
        index = bisect.bisect_right(layout, start) - 1
        position = start
        while position < end and index < len(layout) - 1:
            body = self.part(index)
            inside = position - layout[index]
            take = min(end, layout[index + 1]) - position
            yield body[inside:inside + take]
            position += take
            index += 1


def _throttled(chunks: Iterator[bytes], service: Mixcloud) -> Iterator[bytes]:
    """Pass the first 5 MiB at full speed, then pace to `service.throttle_rate` bytes/s."""
    sent = 0
    for chunk in chunks:
        for start in range(0, len(chunk), 64 * 1024):
            piece = chunk[start:start + 64 * 1024]
            over = sent + len(piece) - THROTTLE_AFTER
            if over > 0:
                service.count_throttled_bytes(min(over, len(piece)))
                rate = service.throttle_rate
                if rate > 0:
                    time.sleep(min(over, len(piece)) / rate)
            sent += len(piece)
            yield piece


def _master_playlist(variant: str) -> Response:
    """An HLS master playlist naming one AAC 64k variant playlist, ``variant``."""
    body = ("#EXTM3U\n#EXT-X-VERSION:3\n"
            f'#EXT-X-STREAM-INF:BANDWIDTH={AAC64.bitrate + 6000},CODECS="mp4a.40.2"\n'
            f"{variant}\n")
    return Response(body, media_type=PLAYLIST_TYPE)


def _of_show(
    handler: Callable[[Media, Request, Show], Awaitable[Response]],
) -> Callable[[Media, Request], Awaitable[Response]]:
    """A route of a show's media: ``handler`` gets the show the path names; a 404 when it
    names none."""
    @functools.wraps(handler)
    async def route(self: Media, request: Request) -> Response:
        show = self._show(request)
        if show is None:
            return PlainTextResponse("Not Found", status_code=404)
        return await handler(self, request, show)

    return route


def _of_segment(
    handler: Callable[[Media, Request, Show, McTrack, int], Awaitable[Response]],
) -> Callable[[Media, Request], Awaitable[Response]]:
    """A route of one segment of a show (numbered from 1 by the path's ``n``): ``handler``
    gets the show, its track and ``n``; a 404 when the path names no show or segment."""
    @functools.wraps(handler)
    async def route(self: Media, request: Request) -> Response:
        show = self._show(request)
        track = await self.track(show) if show else None
        n = request.path_params["n"]
        if show is None or track is None or not 1 <= n <= track.segment_count:
            return PlainTextResponse("Not Found", status_code=404)
        return await handler(self, request, show, track, n)

    return route


class Media:
    def __init__(self, service: Mixcloud) -> None:
        self.service = service
        self.cache = McLoopCache(service.cache_dir)
        self._secret = service.secret
        self._tracks: dict[str, McTrack] = {}

    # ---- URLs handed out by GraphQL ----------------------------------------------------------

    def sig(self, path: str) -> str:
        return hmac.new(self._secret, path.encode(), hashlib.sha256).hexdigest()[:32]

    def progressive_url(self, show: Show) -> str:
        host = STREAM_HOSTS[show.seed % len(STREAM_HOSTS)]
        path = f"/secure/c/m4a/64/{show.media_path}.m4a"
        return f"https://stream{host}.mixcloud.com{path}?sig={self.sig(path)}"

    def hls_url(self, show: Show) -> str:
        host = AUDIO_HOSTS[show.seed % len(AUDIO_HOSTS)]
        return f"https://audio{host}.mixcloud.com/secure/hls/{show.media_path}.m4a/index.m3u8"

    def dash_url(self, show: Show) -> str:
        host = AUDIO_HOSTS[(show.seed >> 1) % len(AUDIO_HOSTS)]
        return (f"https://audio{host}.mixcloud.com/secure/dash2/{show.media_path}.m4a/"
                "manifest.mpd")

    def preview_url(self, show: Show) -> str:
        return f"https://audiocdn{PREVIEW_HOST}.mixcloud.com/previews/{show.media_path}.mp3"

    def waveform_url(self, show: Show) -> str:
        return f"https://audiocdn{PREVIEW_HOST}.mixcloud.com/waveforms/{show.media_path}.json"

    def live_url(self, live: LiveStream) -> str:
        return (f"https://{LIVE_HOST}.mixcloud.com/hls/{live.pk % 97}/{live.pk % 13}/"
                f"{live.token}/{live.uuid}/master.m3u8")

    # ---- routes ------------------------------------------------------------------------------

    def mounts(self) -> list[Mount]:
        progressive = [Route("/secure/c/m4a/64/{path:path}", self._progressive,
                             methods=["GET", "HEAD"])]
        audio = [
            Route("/secure/hls/{path:path}.m4a/index.m3u8", self._hls_master),
            Route("/secure/hls/{path:path}.m4a/index-a1-x3.m3u8", self._hls_variant),
            Route("/secure/hls/{path:path}.m4a/seg-{n:int}-a1-x3.ts", self._hls_segment),
            Route("/secure/dash2/{path:path}.m4a/manifest.mpd", self._mpd),
            Route("/secure/dash2/{path:path}.m4a/init-a1-x3.mp4", self._dash_init),
            Route("/secure/dash2/{path:path}.m4a/fragment-{n:int}-a1-x3.m4s", self._dash_frag),
        ]
        mounts = [Mount(f"/mc-stream{n}", routes=progressive) for n in STREAM_HOSTS]
        mounts += [Mount(f"/mc-audio{n}", routes=audio) for n in AUDIO_HOSTS]
        mounts.append(Mount(f"/mc-audiocdn{PREVIEW_HOST}", routes=[
            Route("/previews/{path:path}.mp3", self._preview, methods=["GET", "HEAD"]),
            Route("/waveforms/{path:path}.json", self._waveform)]))
        mounts.append(Mount("/mc-live", routes=[
            Route("/hls/{a}/{b}/{token}/{uuid}/master.m3u8", self._live_master),
            Route("/hls/{a}/{b}/{token}/{uuid}/index-audio.m3u8", self._live_variant),
            Route("/hls/{a}/{b}/{token}/{uuid}/seg-{n:int}.ts", self._live_segment)]))
        mounts.append(Mount("/mc-img", routes=[
            Route("/unsafe/{w:int}x{h:int}/{kind}/{path:path}", self._picture,
                  methods=["GET", "HEAD"])]))
        return mounts

    def spec(self, show: Show) -> AudioSpec:
        return AudioSpec(seed=show.seed, duration_ms=show.audio_length * 1000, style=show.style)

    async def _phrase(self, codec: str, spec: AudioSpec) -> EncodedPhrase:
        if self.cache.is_loaded(codec, spec.groove, spec.variant):
            return self.cache.phrase(codec, spec.groove, spec.variant)
        return await anyio.to_thread.run_sync(self.cache.phrase, codec, spec.groove,
                                              spec.variant)

    async def track(self, show: Show) -> McTrack:
        found = self._tracks.get(show.key)
        if found is None:
            spec = self.spec(show)
            found = McTrack.for_spec(spec, await self._phrase(AAC64.name, spec))  # type: ignore[assignment]
            assert isinstance(found, McTrack)
            self._tracks[show.key] = found
        return found

    def _show(self, request: Request) -> Show | None:
        return self.service.catalog.show_by_media(request.path_params["path"])

    async def _progressive(self, request: Request) -> Response:
        path = request.path_params["path"]
        name = path[: -len(".m4a")] if path.endswith(".m4a") else None
        show = self.service.catalog.show_by_media(name) if name else None
        if show is None:
            return PlainTextResponse("Not Found", status_code=404)
        full = f"/secure/c/m4a/64/{path}"
        if not hmac.compare_digest(request.query_params.get("sig", ""), self.sig(full)):
            return PlainTextResponse("Forbidden", status_code=403)
        track = await self.track(show)
        layout = await anyio.to_thread.run_sync(lambda: track.layout)
        etag, modified = validators(f"mc:{show.media_path}", show.seed)
        service = self.service

        def chunks(start: int, end: int) -> Iterator[bytes]:
            if end - start > THROTTLE_AFTER:
                service.count_throttled_response()
                return _throttled(track.chunks(start, end), service)
            return track.chunks(start, end)

        return respond(request, VirtualFile(layout[-1], chunks, "audio/mp4", etag, modified))

    @_of_show
    async def _hls_master(self, request: Request, show: Show) -> Response:
        return _master_playlist("index-a1-x3.m3u8")

    @_of_show
    async def _hls_variant(self, request: Request, show: Show) -> Response:
        track = await self.track(show)
        head = ("#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:11", "#EXT-X-MEDIA-SEQUENCE:1",
                "#EXT-X-PLAYLIST-TYPE:VOD")
        return vod_playlist(head, ((track.segment_seconds(index), f"seg-{index + 1}-a1-x3.ts")
                                   for index in range(track.segment_count)), digits=3)

    @_of_segment
    async def _hls_segment(self, request: Request, show: Show, track: McTrack,
                           n: int) -> Response:
        body = track.ts_segment(n - 1)
        etag, modified = validators(f"mc-ts:{show.media_path}:{n}", show.seed)
        return respond_bytes(request, body, "video/MP2T", etag, modified)

    @_of_show
    async def _mpd(self, request: Request, show: Show) -> Response:
        track = await self.track(show)
        total = track.frame_count * 1024 / SAMPLE_RATE
        base = f"{self.dash_url(show).rsplit('/', 1)[0]}/"
        timeline = []
        for index in range(track.segment_count):
            start = round(index * AAC_SEGMENT_FRAMES * 1024 * 1000 / SAMPLE_RATE)
            end = round((index * AAC_SEGMENT_FRAMES + track.segment_frames(index)) * 1024
                        * 1000 / SAMPLE_RATE)
            timeline.append(f'<S t="{start}" d="{end - start}"/>' if index == 0
                            else f'<S d="{end - start}"/>')
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
            f'mediaPresentationDuration="PT{total:.3f}S" minBufferTime="PT10S" '
            'profiles="urn:mpeg:dash:profile:isoff-main:2011">\n'
            '<Period><AdaptationSet mimeType="audio/mp4" segmentAlignment="true">\n'
            f'<Representation id="{REPRESENTATION}" codecs="mp4a.40.2" '
            f'audioSamplingRate="{SAMPLE_RATE}" bandwidth="{AAC64.bitrate + 5816}">\n'
            '<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:'
            'audio_channel_configuration:2011" value="2"/>\n'
            f'<SegmentTemplate timescale="1000" startNumber="1" '
            f'media="{base}fragment-$Number$-$RepresentationID$.m4s" '
            f'initialization="{base}init-$RepresentationID$.mp4">\n'
            f'<SegmentTimeline>{"".join(timeline)}</SegmentTimeline>\n'
            '</SegmentTemplate></Representation></AdaptationSet></Period></MPD>\n')
        return Response(body, media_type="application/dash+xml")

    @_of_show
    async def _dash_init(self, request: Request, show: Show) -> Response:
        track = await self.track(show)
        etag, modified = validators(f"mc-init:{show.media_path}", show.seed)
        return respond_bytes(request, track.init(), "audio/mp4", etag, modified)

    @_of_segment
    async def _dash_frag(self, request: Request, show: Show, track: McTrack,
                         n: int) -> Response:
        etag, modified = validators(f"mc-frag:{show.media_path}:{n}", show.seed)
        return respond_bytes(request, track.segment(n - 1), "audio/mp4", etag, modified)

    @_of_show
    async def _preview(self, request: Request, show: Show) -> Response:
        spec = self.spec(show)
        file = Mp3File.for_spec(spec, await self._phrase("mp3", spec), preview=True)
        etag, modified = validators(f"mc-preview:{show.media_path}", show.seed)
        return respond(request, VirtualFile(file.size, file.chunks, "audio/mpeg", etag,
                                            modified))

    @_of_show
    async def _waveform(self, request: Request, show: Show) -> Response:
        return JSONResponse(await anyio.to_thread.run_sync(waveform, self.spec(show)))

    async def _picture(self, request: Request) -> Response:
        w, h = request.path_params["w"], request.path_params["h"]
        kind = request.path_params["kind"]
        if kind not in ("extaudio", "profile", "profile_cover", "live_streams") or \
                not (0 < w <= 2000 and 0 < h <= 2000):
            return PlainTextResponse("Not Found", status_code=404)
        key = request.path_params["path"].removesuffix(".jpg")
        sent = self.service.uploaded_pictures.get(key) if kind == "extaudio" else None
        if sent is not None:
            return Response(sent, media_type="image/png" if sent.startswith(b"\x89PNG")
                            else "image/jpeg")
        body = await anyio.to_thread.run_sync(render_square, kind, key, w, h)
        return Response(body, media_type="image/jpeg",
                        headers={"cache-control": "max-age=31536000"})

    # ---- live (§5) ---------------------------------------------------------------------------

    def _live(self, request: Request) -> LiveStream | None:
        uuid, token = request.path_params["uuid"], request.path_params["token"]
        return next((s for s in self.service.catalog.live
                     if s.uuid == uuid and s.token == token), None)

    def live_head(self, live: LiveStream) -> int:
        """The newest live segment's number at the service's clock (grows by one per 10 s)."""
        return max(0, int((self.service.clock() - live.started) / _SEGMENT_SECONDS))

    async def _live_master(self, request: Request) -> Response:
        if self._live(request) is None:
            return PlainTextResponse("Not Found", status_code=404)
        return _master_playlist("index-audio.m3u8")

    async def _live_variant(self, request: Request) -> Response:
        live = self._live(request)
        if live is None:
            return PlainTextResponse("Not Found", status_code=404)
        head = self.live_head(live)
        first = max(0, head - LIVE_WINDOW + 1)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:11",
                 f"#EXT-X-MEDIA-SEQUENCE:{first}"]
        for n in range(first, head + 1):
            lines.append(f"#EXTINF:{_SEGMENT_SECONDS:.3f},")
            lines.append(f"seg-{n}.ts")
        return Response("\n".join(lines) + "\n", media_type=PLAYLIST_TYPE,
                        headers={"cache-control": "no-cache"})

    async def _live_segment(self, request: Request) -> Response:
        live = self._live(request)
        n = request.path_params["n"]
        if live is None or not max(0, self.live_head(live) - 3 * LIVE_WINDOW) <= n <= \
                self.live_head(live):
            return PlainTextResponse("Not Found", status_code=404)
        show = self.service.catalog.show_by_key(live.show_key)
        assert show is not None
        track = await self.track(show)
        frames = track.frames((n % track.segment_count) * AAC_SEGMENT_FRAMES,
                              LIVE_SEGMENT_FRAMES)
        body = ts.segment(track.phrase.extradata, frames, n * AAC_SEGMENT_FRAMES * 1024,
                          SAMPLE_RATE)
        return Response(body, media_type="video/MP2T")
