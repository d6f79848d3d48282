"""Progressive (single-file) downloads into a ``.part`` file with validated Range resume.

Resume rules (docs/downloads.md §3): the ``.part`` size is the resume offset; the
request carries ``Range`` and, when a validator was saved, ``If-Range`` so a changed file
restarts from zero instead of being spliced. A 206 must carry a ``Content-Range`` starting at
our offset; a 200 means the server ignored the range (start over); a 416 on a full file means
done. The file is fetched in bounded ranges, which also copes with per-request throttling
(Mixcloud-style): a server may answer a shorter range than asked, and the next request goes on
from where it stopped. When the total is unknown (``Content-Range: bytes a-b/*``) ranges are
fetched until the server says there is nothing more (a 416, or an empty range): stopping after
a range, even a short one, would silently truncate a throttled file.

The validator file (``<part>.validator``) records the validator (a strong ``ETag``, else
``Last-Modified``), the total length and, when the caller names one, the source: a 206 whose
validator or total differs from the recorded one (a server that ignores ``If-Range``), or a
part recorded for another source, starts over instead of splicing two files.

Each request holds ``gate`` (the batch's one connection cap, batch.py) while it is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from minion_tui.downloads.hls import Refresh
from minion_tui.errors import DownloadError
from minion_tui.models import StreamChoice
from minion_tui.net import Http, StreamError, TransportError

RANGE_SIZE = 8 * 1024 * 1024
CHUNK = 64 * 1024
MAX_ATTEMPTS = 6
#: Re-signs in a row (401/403 right after a fresh URL) before giving up: an expired URL
#: needs one, a refused account or a geo-block would loop forever.
MAX_RENEWALS = 3
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSATISFIED = re.compile(r"bytes \*/(\d+)")


async def fetch_progressive(http: Http, choice: StreamChoice, part: Path, *, refresh: Refresh,
                            on_bytes: Callable[[int, int | None], None] | None = None,
                            gate: asyncio.Semaphore | None = None,
                            range_size: int = RANGE_SIZE, source: str = "") -> int:
    """Complete ``part`` from ``choice.url``; returns the total size.

    ``gate`` is held for each request (the connection cap); ``range_size`` is the largest
    range asked for at once (the choice's ``max_range_bytes`` when smaller); ``source``
    names what the part is of (a part recorded for another source starts over)."""
    if choice.max_range_bytes:  # the provider's own cap (Mixcloud: 5 MiB, throttled past it)
        range_size = max(1, min(range_size, choice.max_range_bytes))
    validator_file = part.with_name(part.name + ".validator")
    saved = _Saved.read(validator_file)
    if part.exists() and source and saved.source != source:  # noqa: ASYNC240
        part.unlink()  # noqa: ASYNC240 (another file's beginning)
        saved = _Saved(source=source)
    saved = _Saved(saved.validator, saved.total, source or saved.source)
    total: int | None = None
    open_ended = False  # a 206 said "bytes a-b/*": only a 416 or an empty range ends it
    failures = 0
    renewals = 0
    while True:
        offset = part.stat().st_size if part.exists() else 0  # noqa: ASYNC240
        if total is not None and offset >= total:
            if offset > total:
                part.unlink()  # noqa: ASYNC240 (spliced: unusable)
                raise DownloadError(f"The download grew past its announced size ({offset} of "
                                    f"{total} bytes).", hint="Run it again: it starts over.")
            return total
        headers = {"Range": f"bytes={offset}-{offset + range_size - 1}"}
        if offset and saved.validator:
            headers["If-Range"] = saved.validator
        try:
            async with (gate if gate is not None else contextlib.nullcontext(),
                        http.stream("GET", choice.url, headers=headers) as response):
                status = response.status_code
                if status in (401, 403):
                    renewals += 1
                    if renewals > MAX_RENEWALS:
                        raise DownloadError(
                            f"The server kept refusing the download (HTTP {status}) even "
                            f"with a renewed URL ({MAX_RENEWALS} times).",
                            hint="Check that the track is still available to your account "
                                 "and region, then run the download again: it resumes.")
                    choice = await refresh(choice)
                    continue
                if status == 416 and offset and open_ended and not _UNSATISFIED.fullmatch(
                        response.headers.get("Content-Range", "")):
                    return offset  # past the end of a file of unknown size: it is complete
                if status == 416 and offset:
                    # Nothing past our offset. RFC 9110 §15.5.17: the answer carries
                    # "bytes */SIZE"; the .part is complete only if SIZE is its length,
                    # otherwise (a changed or shorter file) start over (yt-dlp does too).
                    size = _UNSATISFIED.fullmatch(response.headers.get("Content-Range", ""))
                    if size and int(size.group(1)) == offset:
                        return offset
                    part.unlink()  # noqa: ASYNC240
                    saved = _Saved(source=saved.source)
                    validator_file.unlink(missing_ok=True)
                    total = None
                    raise _Again(f"HTTP 416 for a {offset}-byte partial file")
                if status == 429 or status >= 500:
                    raise _Again(f"HTTP {status}")
                if status == 200:
                    offset = 0  # range ignored or validator changed: start over
                    total = int(response.headers.get("Content-Length") or 0) or None
                    expected = total
                elif status == 206:
                    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                    if not match or int(match.group(1)) != offset:
                        raise DownloadError(f"The server answered an unexpected range "
                                            f"({response.headers.get('Content-Range')!r}).")
                    total = int(match.group(3)) if match.group(3) != "*" else None
                    open_ended = total is None
                    expected = int(match.group(2)) - offset + 1
                else:
                    raise DownloadError(f"The download answered HTTP {status}.")
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                if validator and validator.startswith("W/"):
                    validator = None  # a weak ETag may not be used in If-Range (RFC 9110)
                if offset and (saved.differs(validator, total)):
                    # A 206 of another file (the server ignored If-Range, or sent none to
                    # compare): what is on disk belongs to the old one.
                    part.unlink()  # noqa: ASYNC240
                    saved = _Saved(source=saved.source)
                    raise _Restart()
                fresh = _Saved(validator, total, saved.source)
                if fresh != saved:
                    fresh.write(validator_file)
                    saved = fresh
                start = offset
                mode = "r+b" if offset else "wb"
                # Chunked 64 KiB writes: cheap enough on the loop thread.
                with open(part, mode) as out:  # noqa: ASYNC230
                    out.seek(offset)
                    out.truncate()
                    async for chunk in response.aiter_bytes(CHUNK):
                        out.write(chunk)
                        offset += len(chunk)
                        if on_bytes:
                            on_bytes(offset, total)
                    out.flush()
                    os.fsync(out.fileno())
                    received = offset - start
            if expected is not None and received != expected:
                # A short body the transport did not flag (§4.2): what arrived is kept (it
                # is valid data at its offset) and the next request resumes after it.
                raise _Again(f"short answer: {received} of {expected} bytes")
            failures = 0
            if received:
                renewals = 0
            if total is None and (not open_ended or not received):
                # A 200 without a length ends with its body; an open-ended 206 only once a
                # range comes back empty (or a 416 above).
                return offset
        except _Restart:
            total, open_ended = None, False
            continue
        except (TransportError, StreamError, _Again) as error:
            failures += 1
            if failures >= MAX_ATTEMPTS:
                raise DownloadError(f"The download kept failing: {error}",
                                    hint="Run it again later: it resumes where it stopped."
                                    ) from error
            await asyncio.sleep(random.uniform(0, min(5.0, 0.2 * 2**failures)))


class _Again(Exception):
    pass


class _Restart(Exception):
    """The part belongs to another version of the file: fetch it again from the start."""


@dataclass(frozen=True)
class _Saved:
    """What the validator file records about the part beside it."""

    validator: str | None = None
    total: int | None = None
    source: str = ""

    @classmethod
    def read(cls, path: Path) -> _Saved:
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls(text.strip() or None)  # an older version's: the validator alone
        total = data.get("total")
        return cls(str(data["validator"]) if data.get("validator") else None,
                   total if isinstance(total, int) else None, str(data.get("source") or ""))

    def differs(self, validator: str | None, total: int | None) -> bool:
        return bool((self.validator and validator and validator != self.validator)
                    or (self.total is not None and total is not None and total != self.total))

    def write(self, path: Path) -> None:
        # Written in place (a temporary name would not fit naming.PARTIAL_ROOM): a torn write
        # reads back as an unknown validator, which a server answers with the whole file.
        path.write_text(json.dumps({"validator": self.validator, "total": self.total,
                                    "source": self.source}), encoding="utf-8")
