"""What every provider checks of a pasted target before reading it as its own: not empty, not
absurdly long, no control characters; and how a target is quoted in a message."""

from __future__ import annotations

import re

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
