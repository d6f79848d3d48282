"""A ``multipart/form-data`` body (RFC 7578) for the uploads: text fields and files, with a
random boundary no part contains."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

#: (name, text) or (name, (filename, bytes, content type)).
Part = tuple[str, "str | tuple[str, bytes, str]"]


def encode(parts: Sequence[Part]) -> tuple[bytes, str]:
    """The body and its Content-Type header value."""
    while True:
        boundary = "minion-" + secrets.token_hex(16)
        marker = boundary.encode()
        if not any(marker in (v[1] if isinstance(v, tuple) else v.encode()) for _, v in parts):
            break
    chunks: list[bytes] = []
    for name, value in parts:
        chunks.append(b"--" + marker + b"\r\n")
        quoted = _quoted(name)
        if isinstance(value, tuple):
            filename, data, kind = value
            chunks.append(f'Content-Disposition: form-data; name="{quoted}"; '
                          f'filename="{_quoted(filename)}"\r\n'
                          f"Content-Type: {kind}\r\n\r\n".encode())
            chunks.append(data)
        else:
            chunks.append(f'Content-Disposition: form-data; name="{quoted}"\r\n'
                          "Content-Type: text/plain; charset=utf-8\r\n\r\n".encode())
            chunks.append(value.encode())
        chunks.append(b"\r\n")
    chunks.append(b"--" + marker + b"--\r\n")
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quoted(text: str) -> str:
    """A name or filename inside quotes: quotes, backslashes and line breaks escaped as
    browsers do (RFC 7578 §4.2, HTML's form encoding)."""
    return (text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D")
            .replace("\n", "%0A"))
