"""cf-hls-opus-media.sndcdn.com: the legacy ``opus_0_0`` rendition, 64 kbit/s Ogg Opus HLS.

SoundCloud listed ``opus_0_0`` / ``hls`` / ``audio/ogg; codecs="opus"`` as a legacy
transcoding on most clear tracks in the early-2026 recordings and removed it by April 2026
(docs/soundcloud.md §2.2, §3.5); the signed playlist URL looked like
``https://cf-hls-opus-media.sndcdn.com/playlist/<uuid>.64.opus/playlist.m3u8?Policy=…`` (§3.1).
The emulator keeps it on older uploads only (catalog Track.legacy_opus). The audio and the Ogg
pages come from media/opus.py.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from minion_tui.emulator.cdn.progressive import respond_bytes, validators
from minion_tui.emulator.cdn.responses import (
    VOD_HEAD,
    not_found,
    refusal,
    segment_of,
    vod_playlist,
)
from minion_tui.emulator.cdn.signing import Signer
from minion_tui.emulator.media.audio import AudioSpec
from minion_tui.emulator.media.opus import OPUS, OPUS_VERSION, OpusLoopCache, OpusTrack

OPUS_ORIGIN = "https://cf-hls-opus-media.sndcdn.com"
_SUFFIX = ".64.opus"


class OpusMedia:
    """cf-hls-opus-media.sndcdn.com: signed playlists and Ogg Opus segments (Cdn mounts it)."""

    def __init__(self, *, cache_dir: Path, lookup: Callable[[str], AudioSpec | None],
                 signer: Signer, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self.cache = OpusLoopCache(cache_dir)
        self.lookup = lookup
        self.clock = clock
        self._signer = signer
        self._secret = secret
        # The URL names the stream by a uuid, not the track key (§3.1): the uuids handed out
        # so far, so the CDN knows which track one means. Filled whenever the API signs.
        self._keys: dict[str, str] = {}

    def stream_id(self, track_key: str) -> str:
        digest = hashlib.sha256(b"opus:" + self._secret + track_key.encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def signed_url(self, track_key: str, deadline: int) -> str:
        ident = self.stream_id(track_key)
        self._keys[ident] = track_key
        query = self._signer.query(f"{OPUS_ORIGIN}/*/{ident}{_SUFFIX}*", deadline)
        return f"{OPUS_ORIGIN}/playlist/{ident}{_SUFFIX}/playlist.m3u8?{query}"

    def mount(self) -> Mount:
        return Mount("/sc-opus", routes=[
            Route("/playlist/{name}/playlist.m3u8", self._playlist),
            Route("/media/{index:int}/{name}", self._segment),
        ])

    async def _track(self, request: Request) -> OpusTrack | Response:
        refused = refusal(self._signer, request, OPUS_ORIGIN, self.clock())
        if refused is not None:
            return refused
        name: str = request.path_params["name"]
        key = self._keys.get(name[: -len(_SUFFIX)]) if name.endswith(_SUFFIX) else None
        spec = self.lookup(key) if key else None
        if key is None or spec is None:
            return not_found(f"stream {name}")
        if self.cache.is_loaded(OPUS.name, spec.groove, spec.variant):
            phrase = self.cache.phrase(OPUS.name, spec.groove, spec.variant)
        else:  # the first use encodes (≈1 s): off the event loop
            phrase = await anyio.to_thread.run_sync(
                self.cache.phrase, OPUS.name, spec.groove, spec.variant)
        return OpusTrack.for_spec(spec, phrase, key)

    async def _playlist(self, request: Request) -> Response:
        track = await self._track(request)
        if isinstance(track, Response):
            return track
        name = request.path_params["name"]
        return vod_playlist(
            VOD_HEAD, ((track.segment_seconds(index),
                        f"{OPUS_ORIGIN}/media/{index}/{name}?{request.url.query}")
                       for index in range(track.segment_count)))

    async def _segment(self, request: Request) -> Response:
        found = segment_of(await self._track(request), request)
        if isinstance(found, Response):
            return found
        track, index = found
        body = track.segment(index)
        etag, modified = validators(f"opus:{OPUS_VERSION}:{request.path_params['name']}:{index}",
                                    track.serial)
        return respond_bytes(request, body, "audio/ogg", etag, modified)
