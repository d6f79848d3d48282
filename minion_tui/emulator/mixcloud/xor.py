"""The stream URL obfuscation of GraphQL `streamInfo` (docs/mixcloud.md §4.4): XOR the URL
bytes with a repeating ASCII key, then base64. XOR is its own inverse, so `reveal` undoes
`obfuscate` with the same key; the emulator uses the real key, so a client with a wrong key
gets garbage instead of a URL."""

from __future__ import annotations

import base64
from itertools import cycle

KEY = b"IFYOUWANTTHEARTISTSTOGETPAIDDONOTDOWNLOADFROMMIXCLOUD"


def _xor(data: bytes, key: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, cycle(key), strict=False))


def obfuscate(url: str, key: bytes = KEY) -> str:
    return base64.b64encode(_xor(url.encode("utf-8"), key)).decode("ascii")


def reveal(text: str, key: bytes = KEY) -> str:
    return _xor(base64.b64decode(text), key).decode("utf-8")
