"""What a value in config.toml or the environment may be: the kinds of value a key accepts,
file-name templates, and the endpoint map's origins and replacement URLs. Each check either
returns the typed value or raises Invalid with text that completes "[net] rate_limit ..."."""

from __future__ import annotations

import math
import os
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

# Fields a file-name template may use, with sample values of the types the downloader passes
# (index is an int so that "{index:02d}" works; everything else is text).
TEMPLATE_SAMPLE: Mapping[str, object] = {
    "artist": "Artist", "title": "Title", "ext": "mp3", "playlist": "Playlist", "index": 1,
    "id": "123", "genre": "Genre", "uploader": "Uploader", "date": "2024-01-31",
}

# -- what a key accepts ---------------------------------------------------------------------


class Invalid(ValueError):
    """A value a key does not accept; the text completes "[net] rate_limit ..."."""


def shown(raw: object) -> str:
    """A raw value as the user wrote it, short enough for one line of an error report."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return repr(raw if len(raw) <= 60 else raw[:57] + "...")
    if isinstance(raw, int | float):
        return repr(raw)
    if isinstance(raw, dict):
        return "a table"
    if isinstance(raw, list):
        return "an array"
    return f"a {type(raw).__name__}"


def did_you_mean(word: str, candidates: Iterable[str], form: str = "{}") -> str:
    """The hint ' (did you mean X?)' naming the closest of ``candidates`` to a mistyped
    ``word``, or '' when none is close."""
    import difflib  # only needed when there is a typo to report

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {form.format(close[0])}?)" if close else ""


@dataclass(frozen=True)
class Kind:
    """How one key's value is checked. ``from_toml`` takes a parsed TOML value, ``from_text``
    a string (an environment variable or a command-line argument)."""

    expectation: str = "a string"

    def reject(self, raw: object) -> Invalid:
        return Invalid(f"must be {self.expectation}, got {shown(raw)}")

    def from_toml(self, raw: object) -> Any:
        if not isinstance(raw, str):
            raise self.reject(raw)
        return self.from_text(raw)

    def from_text(self, raw: str) -> Any:
        return raw

    def to_toml(self, value: Any) -> Any:
        return value

    def display(self, value: Any) -> str:
        return "(not set)" if value is None else str(value)


def no_control_characters(raw: str, expectation: str) -> None:
    """Raise Invalid when ``raw`` holds a control character (a NUL, an escape, a newline):
    no setting's value has one, and a NUL would only fail later, deep in a system call."""
    bad = next((c for c in raw if ord(c) < 32 or 127 <= ord(c) < 160), None)
    if bad is not None:
        raise Invalid(f"must be {expectation} without control characters, got {shown(raw)} "
                      f"(it holds {bad!r})")


@dataclass(frozen=True)
class Text(Kind):
    optional: bool = True
    unset: str = "(not set)"

    def from_text(self, raw: str) -> Any:
        no_control_characters(raw.strip(), self.expectation)
        value = raw.strip()
        if value:
            return value
        if self.optional:  # an empty string is how a file says "not set"
            return None
        raise Invalid(f"must be {self.expectation}, got ''")

    def display(self, value: Any) -> str:
        return self.unset if value is None else str(value)


@dataclass(frozen=True)
class _Numeric(Kind):
    """A number: in TOML an integer (or whatever else ``number`` is), in text what
    ``number`` parses; ``_checked`` says whether it is in range."""

    number: ClassVar[type[int] | type[float]]

    def from_toml(self, raw: object) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (int, self.number)):
            raise self.reject(raw)
        return self._checked(self.number(raw), raw)

    def from_text(self, raw: str) -> Any:
        try:
            value = self.number(raw.strip())
        except ValueError:
            raise self.reject(raw) from None
        return self._checked(value, raw)

    def _checked(self, value: Any, raw: object) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Number(_Numeric):
    expectation: str = "a number > 0"
    number: ClassVar[type[float]] = float

    def _checked(self, value: float, raw: object) -> float:
        if not math.isfinite(value) or value <= 0:
            raise self.reject(raw)
        return value

    def to_toml(self, value: Any) -> Any:
        return float(value)


@dataclass(frozen=True)
class Whole(_Numeric):
    low: int = 0
    high: int = 0
    number: ClassVar[type[int]] = int

    def reject(self, raw: object) -> Invalid:
        return Invalid(f"must be a whole number from {self.low} to {self.high}, got {shown(raw)}")

    def _checked(self, value: int, raw: object) -> int:
        if not self.low <= value <= self.high:
            raise self.reject(raw)
        return value


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Flag(Kind):
    expectation: str = "true or false"

    def from_toml(self, raw: object) -> Any:
        if not isinstance(raw, bool):
            raise self.reject(raw)
        return raw

    def from_text(self, raw: str) -> Any:
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise self.reject(raw)

    def display(self, value: Any) -> str:
        return "true" if value else "false"


@dataclass(frozen=True)
class Choice(Kind):
    options: tuple[str, ...] = ()

    def reject(self, raw: object) -> Invalid:
        return Invalid(f"must be one of {', '.join(self.options)}, got {shown(raw)}")

    def from_text(self, raw: str) -> Any:
        word = raw.strip().lower()
        if word not in self.options:
            raise self.reject(raw)
        return word


@dataclass(frozen=True)
class Folder(Kind):
    expectation: str = "a folder path"

    def from_text(self, raw: str) -> Any:
        if not raw.strip():
            raise self.reject(raw)
        no_control_characters(raw.strip(), self.expectation)
        return Path(os.path.expanduser(raw.strip()))

    def to_toml(self, value: Any) -> Any:
        return str(value)


@dataclass(frozen=True)
class Template(Kind):
    expectation: str = "a file name template such as '{artist} - {title}.{ext}'"

    def from_text(self, raw: str) -> Any:
        no_control_characters(raw, self.expectation)
        check_template(raw)
        return raw


@dataclass(frozen=True)
class AudioOutput(Text):
    """mpv's ``--ao``: a driver name or a comma-separated list of them, tried in turn."""

    expectation: str = "an mpv audio output such as 'pulse', 'pipewire,alsa' or 'null'"

    def from_text(self, raw: str) -> Any:
        value = super().from_text(raw)
        if value is not None and not _AO_NAMES.fullmatch(value):
            raise self.reject(raw)
        return value


_AO_NAMES = re.compile(r"[a-z0-9_-]{1,32}(,[a-z0-9_-]{1,32}){0,15},?")


def check_template(template: str) -> None:
    """Raise Invalid unless ``template`` uses only known fields and stays inside the folder."""
    known = ", ".join(TEMPLATE_SAMPLE)
    if not template.strip():
        raise Invalid(f"must be a file name template using {known}, got ''")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # a lone "{" or "}"
        raise Invalid(f"is not a valid template ({exc}); write {{{{ and }}}} for braces, "
                      f"got {shown(template)}") from None
    for _, name, _, _ in parsed:
        if name is not None and name not in TEMPLATE_SAMPLE:
            raise Invalid(f"uses unknown field {{{name}}}; the known fields are {known}")
    try:
        template.format_map(TEMPLATE_SAMPLE)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise Invalid(f"cannot be filled in ({exc}), got {shown(template)}") from None
    parts = template.replace("\\", "/").split("/")
    if template.startswith(("/", "\\", "~")) or ".." in parts:
        raise Invalid("must stay inside the download folder (no leading / or ~, no ..), "
                      f"got {shown(template)}")


# -- the endpoint map -----------------------------------------------------------------------


def check_origin(text: str) -> str:
    """``http(s)://host[:port]`` in a canonical form (lower-case, no trailing slash)."""
    expect = "an origin like https://api-v2.soundcloud.com (scheme and host, no path)"
    parts = _url_parts(text, expect)
    if parts.path not in ("", "/") or parts.username or parts.password:
        raise Invalid(f"must be {expect}, got {shown(text)}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def check_replacement(text: str) -> str:
    """An ``http(s)`` URL, optionally with a path prefix (kept without its trailing slash)."""
    parts = _url_parts(text, "an http(s) URL like http://127.0.0.1:8750/sc-api-v2")
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _url_parts(text: str, expect: str) -> Any:
    problem = Invalid(f"must be {expect}, got {shown(text)}")
    if any(c.isspace() or c == "," for c in text):  # "," would break the MINION_ENDPOINTS form
        raise problem
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        raise problem from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise problem
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise problem
    return parts


def parse_endpoints(text: str) -> tuple[dict[str, str], list[str]]:
    """The MINION_ENDPOINTS form ``origin=url,origin=url`` -> (map, problems)."""
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        origin, sep, replacement = entry.partition("=")
        if not sep:
            problems.append(f"entry {shown(entry)} must look like ORIGIN=URL, e.g. "
                            "https://api-v2.soundcloud.com=http://127.0.0.1:8750/sc-api-v2")
            continue
        try:
            real = check_origin(origin.strip())
            mapping[real] = check_replacement(replacement.strip())
        except Invalid as exc:
            problems.append(f"in entry {shown(entry)}: {exc}")
    return mapping, problems


def format_endpoints(mapping: Mapping[str, str]) -> str:
    """The inverse of :func:`parse_endpoints`."""
    return ",".join(f"{origin}={url}" for origin, url in mapping.items())
