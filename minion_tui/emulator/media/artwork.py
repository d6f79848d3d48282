"""Artwork and avatar images for the emulated i1.sndcdn.com, drawn from the key.

Size suffixes follow the docs/soundcloud.md §2.1 (yt-dlp's _ARTWORK_MAP). Every size is a JPEG
except `original`, which SoundCloud may serve as PNG even when the listed URL says .jpg;
we always serve `-original.png` and answer 404 for `-original.jpg`, so a client that does
not try the other extension (as yt-dlp does) finds out in tests rather than in the wild.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

ARTWORK_SIZES: dict[str, int] = {
    "mini": 16, "tiny": 20, "small": 32, "badge": 47, "t67x67": 67, "large": 100,
    "t300x300": 300, "crop": 400, "t500x500": 500,
}
AVATAR_SIZES = {**ARTWORK_SIZES, "tiny": 18}
ORIGINAL_SIZE = 1000
_NAME = re.compile(r"(artworks|avatars)-(.+)-([0-9a-z]+)\.(jpg|png)")


@dataclass(frozen=True)
class Picture:
    body: bytes
    content_type: str


def picture_for(filename: str) -> Picture | None:
    """The image for a path like `artworks-<key>-t500x500.jpg`, or None (→ 404)."""
    match = _NAME.fullmatch(filename)
    if match is None:
        return None
    kind, key, size, extension = match.groups()
    if size == "original":
        if extension != "png":
            return None
        return Picture(_render(kind, key, ORIGINAL_SIZE, "PNG"), "image/png")
    pixels = (AVATAR_SIZES if kind == "avatars" else ARTWORK_SIZES).get(size)
    if pixels is None or extension != "jpg":
        return None
    return Picture(_render(kind, key, pixels, "JPEG"), "image/jpeg")


@lru_cache(maxsize=512)
def _render(kind: str, key: str, pixels: int, image_format: str) -> bytes:
    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    # Draw once at a fixed canvas and downscale, so every size shows the same picture.
    canvas = 500
    top = (digest[0], digest[1], digest[2])
    bottom = (digest[3], digest[4], digest[5])
    image = Image.new("RGB", (canvas, canvas))
    draw = ImageDraw.Draw(image)
    for y in range(canvas):
        mix = y / (canvas - 1)
        draw.line([(0, y), (canvas, y)], fill=tuple(
            round(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True)))
    for ring in range(4):
        x = 60 + digest[6 + ring] % 380
        y = 60 + digest[10 + ring] % 380
        radius = 30 + digest[14 + ring] % 140
        colour = (digest[18 + ring], digest[22 + ring], digest[26 + ring])
        if kind == "avatars":
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
        else:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=colour,
                         width=8 + ring * 4)
    if pixels != canvas:
        image = image.resize((pixels, pixels), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=85)
    else:
        image.save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=256)
def render_square(kind: str, key: str, width: int, height: int) -> bytes:
    """A JPEG of `width` x `height` drawn from (kind, key), for hosts whose URLs carry any size
    (Mixcloud's thumbnailer, docs/mixcloud.md §2.7)."""
    if width == height:
        return _render(kind, key, width, "JPEG")
    source = Image.open(io.BytesIO(_render(kind, key, max(width, height), "JPEG")))
    resized = source.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, "JPEG", quality=85)
    return out.getvalue()
