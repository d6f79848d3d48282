"""A ``multipart/form-data`` body read the way the services' upload endpoints take it
(RFC 7578): name → text, or (filename, bytes) for a file part."""

from __future__ import annotations

import email.parser
import email.policy
from typing import Any


def parse_multipart(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """The fields of the body, or None when it is not multipart/form-data."""
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    if not message.is_multipart():
        return None
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        form[name] = (filename, data) if filename is not None else data.decode(
            "utf-8", "replace")
    return form
