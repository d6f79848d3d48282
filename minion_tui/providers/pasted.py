"""What every provider checks of a pasted target before reading it as its own: not empty, not
absurdly long, no control characters; how a target is quoted in a message; and a pasted web
page split into what its listings are read from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from minion_tui.errors import InvalidURL
from minion_tui.net.endpoints import display_url

MAX_TARGET_LENGTH = 2048
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(target: str) -> str:
    """A target quoted in a message: no password, no secrets, no control characters, and
    not all of a very long one."""
    return f"'{display_url(target.strip())}'"


def checked(target: str, service: str, hint: str) -> str:
    """``target`` stripped; InvalidURL (with ``hint``, what works) when it is empty, longer
    than a ``service`` link can be, or carries a control character."""
    text = target.strip()
    if not text:
        raise InvalidURL("Nothing to resolve: the target is empty.", hint=hint)
    if len(text) > MAX_TARGET_LENGTH:
        raise InvalidURL(f"The link is {len(text):,} characters long ({shown(text)}); a "
                         f"{service} link has at most {MAX_TARGET_LENGTH:,}.", hint=hint)
    control = _CONTROL_RE.search(text)
    if control:
        raise InvalidURL(f"The link {shown(text)} contains a control character "
                         f"(U+{ord(control.group()):04X}).", hint=hint)
    return text


@dataclass(frozen=True)
class PastedPage:
    """A pasted web page: its URL (``https://`` put in front when the text has no scheme),
    the URL's parts, its host in lower case and its path's segments, unquoted."""

    url: str
    parts: SplitResult
    host: str
    path: list[str]


def pasted_page(text: str) -> PastedPage | None:
    """``text`` read as a web page's address; None when it does not split as a URL."""
    url = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    return PastedPage(url, parts, host, [unquote(p) for p in parts.path.split("/") if p])
