"""The emulated SoundCloud CDNs: AAC fMP4 HLS, MP3 HLS, progressive MP3, previews, artwork
and waveforms, each mounted under its own prefix (see the emulator layout table).

Stream URLs are CloudFront-style signed (signing.py) with the deadline the API side picks
(≈ duration + 120 s, docs/soundcloud.md §3.1); past it, by the injected clock, the playlist and
every segment answer 403 like CloudFront. URLs inside playlists use the REAL origins and
carry the same Policy/Signature as the playlist request (one wildcard policy per stream).
"""

from __future__ import annotations

import hashlib
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from minion_tui.emulator.cdn.opus_hls import OpusMedia
from minion_tui.emulator.cdn.progressive import VirtualFile, respond, respond_bytes, validators
from minion_tui.emulator.cdn.responses import (
    VOD_HEAD,
    not_found,
    refusal,
    route_path,
    segment_of,
    vod_playlist,
)
from minion_tui.emulator.cdn.signing import Signer
from minion_tui.emulator.media.artwork import picture_for
from minion_tui.emulator.media.audio import AAC_FRAME, CACHE_VERSION, AudioSpec, LoopCache
from minion_tui.emulator.media.tiling import AAC_SEGMENT_FRAMES, AacTrack, Mp3File, frames_for
from minion_tui.emulator.media.waveform import waveform

AAC_ORIGIN = "https://playback.media-streaming.soundcloud.cloud"
HLS_ORIGIN = "https://cf-hls-media.sndcdn.com"
MEDIA_ORIGIN = "https://cf-media.sndcdn.com"
PREVIEW_ORIGIN = "https://cf-preview-media.sndcdn.com"
IMAGE_ORIGIN = "https://i1.sndcdn.com"
WAVE_ORIGIN = "https://wave.sndcdn.com"
KINDS = ("aac_hls", "mp3_hls", "mp3_progressive", "mp3_preview", "mp3_preview_hls", "opus_hls")
_MP3_SUFFIX = ".128.mp3"


def _mp3_key(name: str) -> str | None:
    return name[: -len(_MP3_SUFFIX)] if name.endswith(_MP3_SUFFIX) else None


class Cdn:
    def __init__(self, *, cache_dir: Path, lookup: Callable[[str], AudioSpec | None],
                 secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self.cache = LoopCache(cache_dir)
        self.lookup = lookup
        self.clock = clock
        self._signer = Signer(secret)
        self._secret = secret
        # The legacy Opus HLS origin (cf-hls-opus-media.sndcdn.com) lives in opus_hls.py.
        self.opus = OpusMedia(cache_dir=cache_dir, lookup=lookup, signer=self._signer,
                              secret=secret, clock=clock)

    # ---- URLs handed out by the API side -------------------------------------------------

    def aac_uuid(self, track_key: str) -> str:
        digest = hashlib.sha256(b"aac:" + self._secret + track_key.encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def signed_url(self, kind: str, track_key: str, *, expires_at: float) -> str:
        deadline = math.floor(expires_at)
        key = track_key
        if kind == "aac_hls":
            base = f"{AAC_ORIGIN}/{key}/aac_160k/{self.aac_uuid(key)}/"
            query = self._signer.query(base + "*", deadline, with_expires=True)
            return f"{base}playlist.m3u8?{query}"
        if kind == "mp3_hls":
            query = self._signer.query(f"{HLS_ORIGIN}/*/{key}{_MP3_SUFFIX}*", deadline)
            return f"{HLS_ORIGIN}/playlist/{key}{_MP3_SUFFIX}/playlist.m3u8?{query}"
        if kind == "mp3_preview_hls":
            query = self._signer.query(f"{HLS_ORIGIN}/*/0/30/*{key}{_MP3_SUFFIX}*", deadline)
            return f"{HLS_ORIGIN}/playlist/0/30/{key}{_MP3_SUFFIX}/playlist.m3u8?{query}"
        if kind == "opus_hls":
            return self.opus.signed_url(key, deadline)
        if kind == "mp3_progressive":
            url = f"{MEDIA_ORIGIN}/{key}{_MP3_SUFFIX}"
            return f"{url}?{self._signer.query(url, deadline)}"
        if kind == "mp3_preview":
            url = f"{PREVIEW_ORIGIN}/preview/0/30/{key}{_MP3_SUFFIX}"
            return f"{url}?{self._signer.query(url, deadline)}"
        raise ValueError(f"unknown stream kind {kind!r}; expected one of {KINDS}")

    def artwork_url(self, key: str, size: str = "large") -> str:
        return f"{IMAGE_ORIGIN}/artworks-{key}-{size}.jpg"

    def avatar_url(self, key: str, size: str = "large") -> str:
        return f"{IMAGE_ORIGIN}/avatars-{key}-{size}.jpg"

    def waveform_url(self, track_key: str) -> str:
        return f"{WAVE_ORIGIN}/{track_key}_m.json"

    def prepare(self, specs: Iterable[AudioSpec]) -> None:
        """Encode (or load from disk) every phrase these tracks need, in parallel."""
        wanted = {(codec, spec.groove, spec.variant) for spec in specs for codec in ("mp3", "aac")}
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            list(pool.map(lambda job: self.cache.phrase(*job), sorted(wanted)))

    # ---- routes --------------------------------------------------------------------------

    def mounts(self) -> list[Mount]:
        return [
            Mount("/sc-aac", routes=[
                Route("/{key}/aac_160k/{id}/playlist.m3u8", self._aac_playlist),
                Route("/{key}/aac_160k/{id}/init.mp4", self._aac_init),
                Route("/{key}/aac_160k/{id}/segment-{index:int}.m4s", self._aac_segment),
            ]),
            Mount("/sc-hls", routes=[
                Route("/playlist/0/30/{name}/playlist.m3u8", self._mp3_playlist),
                Route("/playlist/{name}/playlist.m3u8", self._mp3_playlist),
                Route("/media/0/30/{start:int}/{end:int}/{name}", self._mp3_segment),
                Route("/media/{bucket:int}/{start:int}/{end:int}/{name}", self._mp3_segment),
                Route("/media/{start:int}/{end:int}/{name}", self._mp3_segment),
            ]),
            Mount("/sc-media", routes=[Route("/{name}", self._progressive,
                                             methods=["GET", "HEAD"])]),
            Mount("/sc-preview", routes=[Route("/preview/0/30/{name}", self._progressive,
                                               methods=["GET", "HEAD"])]),
            Mount("/sc-img", routes=[Route("/{name}", self._image, methods=["GET", "HEAD"])]),
            Mount("/sc-wave", routes=[Route("/{name}", self._waveform)]),
            self.opus.mount(),
        ]

    def _refusal(self, request: Request, origin: str) -> Response | None:
        return refusal(self._signer, request, origin, self.clock())

    async def _phrase(self, codec: str, spec: AudioSpec):
        if self.cache.is_loaded(codec, spec.groove, spec.variant):
            return self.cache.phrase(codec, spec.groove, spec.variant)
        # First use encodes (≈1 s): keep it off the event loop so other requests proceed.
        return await anyio.to_thread.run_sync(
            self.cache.phrase, codec, spec.groove, spec.variant)

    async def _mp3_file(self, key: str, *, preview: bool) -> Mp3File | None:
        spec = self.lookup(key)
        if spec is None:
            return None
        return Mp3File.for_spec(spec, await self._phrase("mp3", spec), preview=preview)

    async def _mp3_request(self, request: Request, origin: str, *, preview: bool
                           ) -> tuple[str, Mp3File] | Response:
        """The signed MP3 a request names (its key and file), or the answer refusing it:
        what the MP3 playlist, its segments and the progressive file all start with."""
        refused = self._refusal(request, origin)
        if refused is not None:
            return refused
        key = _mp3_key(request.path_params["name"])
        file = await self._mp3_file(key, preview=preview) if key else None
        if key is None or file is None:
            return not_found(f"track {key}")
        return key, file

    def _validators(self, key: str, variant: str) -> tuple[str, str]:
        spec = self.lookup(key)
        return validators(f"{CACHE_VERSION}:{key}:{variant}:{spec}", spec.seed if spec else 0)

    async def _aac_playlist(self, request: Request) -> Response:
        refused = self._refusal(request, AAC_ORIGIN)
        if refused is not None:
            return refused
        key, ident = request.path_params["key"], request.path_params["id"]
        spec = self.lookup(key)
        if spec is None:
            return not_found(f"track {key}")
        frames = frames_for(spec.duration_ms, AAC_FRAME)
        base = f"{AAC_ORIGIN}/{key}/aac_160k/{ident}/"
        query = request.url.query
        head = ["#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:10", "#EXT-X-MEDIA-SEQUENCE:0",
                "#EXT-X-PLAYLIST-TYPE:VOD", f'#EXT-X-MAP:URI="{base}init.mp4?{query}"']
        counts = (min(AAC_SEGMENT_FRAMES, frames - index * AAC_SEGMENT_FRAMES)
                  for index in range(-(-frames // AAC_SEGMENT_FRAMES)))
        return vod_playlist(head, ((count * AAC_FRAME / 44100,
                                    f"{base}segment-{index}.m4s?{query}")
                                   for index, count in enumerate(counts)))

    async def _aac_track(self, request: Request) -> AacTrack | Response:
        refused = self._refusal(request, AAC_ORIGIN)
        if refused is not None:
            return refused
        key = request.path_params["key"]
        spec = self.lookup(key)
        if spec is None:
            return not_found(f"track {key}")
        return AacTrack.for_spec(spec, await self._phrase("aac", spec))

    async def _aac_init(self, request: Request) -> Response:
        track = await self._aac_track(request)
        if isinstance(track, Response):
            return track
        return self._bytes(request, track.init(), "audio/mp4", "init")

    async def _aac_segment(self, request: Request) -> Response:
        found = segment_of(await self._aac_track(request), request)
        if isinstance(found, Response):
            return found
        track, index = found
        return self._bytes(request, track.segment(index), "audio/mp4", f"seg{index}")

    def _bytes(self, request: Request, body: bytes, content_type: str, variant: str) -> Response:
        etag, modified = self._validators(request.path_params.get("key", ""), variant)
        return respond_bytes(request, body, content_type, etag, modified)

    async def _hls_mp3(self, request: Request, preview_prefix: str
                       ) -> tuple[str, Mp3File, bool] | Response:
        """What an MP3 HLS request names (key, file, and whether it is the preview: its path
        starts with ``preview_prefix``), or the answer refusing it."""
        preview = route_path(request).startswith(preview_prefix)
        found = await self._mp3_request(request, HLS_ORIGIN, preview=preview)
        return found if isinstance(found, Response) else (*found, preview)

    async def _mp3_playlist(self, request: Request) -> Response:
        found = await self._hls_mp3(request, "/playlist/0/30/")
        if isinstance(found, Response):
            return found
        key, file, preview = found
        media = f"{HLS_ORIGIN}/media/0/30" if preview else f"{HLS_ORIGIN}/media"
        return vod_playlist(VOD_HEAD, (
            (segment.seconds, f"{media}/{segment.first_byte}/{segment.last_byte}/{key}"
                              f"{_MP3_SUFFIX}?{request.url.query}")
            for segment in file.segments()))

    async def _mp3_segment(self, request: Request) -> Response:
        found = await self._hls_mp3(request, "/media/0/30/")
        if isinstance(found, Response):
            return found
        key, file, preview = found
        start, end = request.path_params["start"], request.path_params["end"]
        if not 0 <= start <= end < file.size:
            return not_found(f"bytes {start}-{end} of a {file.size}-byte file")
        etag, modified = self._validators(key, f"mp3:{preview}:{start}:{end}")

        def chunks(first: int, stop: int) -> Iterator[bytes]:
            return file.chunks(start + first, start + stop)

        return respond(request, VirtualFile(end - start + 1, chunks, "audio/mpeg", etag,
                                            modified))

    async def _progressive(self, request: Request) -> Response:
        preview = route_path(request).startswith("/preview/")
        found = await self._mp3_request(request, PREVIEW_ORIGIN if preview else MEDIA_ORIGIN,
                                        preview=preview)
        if isinstance(found, Response):
            return found
        key, file = found
        etag, modified = self._validators(key, f"mp3:{preview}")
        extra: list[tuple[str, str]] = [("x-amz-meta-file-type", "mp3")]
        # S3 lets a presigned URL ask for a Content-Disposition; the original-file download
        # (docs/soundcloud.md §3.4) relies on it to carry the filename.
        disposition = request.query_params.get("response-content-disposition")
        if disposition:
            extra.append(("content-disposition", disposition))
        return respond(request, VirtualFile(file.size, file.chunks, "audio/mpeg", etag,
                                            modified, tuple(extra)))

    async def _image(self, request: Request) -> Response:
        name = request.path_params["name"]
        picture = await anyio.to_thread.run_sync(picture_for, name)
        if picture is None:
            return not_found(f"image {name}")
        return Response(picture.body, media_type=picture.content_type,
                        headers={"cache-control": "max-age=31536000"})

    async def _waveform(self, request: Request) -> Response:
        name = request.path_params["name"]
        key = name[: -len("_m.json")] if name.endswith("_m.json") else None
        spec = self.lookup(key) if key else None
        if spec is None:
            return not_found(f"waveform {name}")
        return JSONResponse(await anyio.to_thread.run_sync(waveform, spec))
