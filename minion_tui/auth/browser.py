"""Sending the user to a sign-in page: the system's browser, or nothing.

Python's ``webbrowser`` is asked only where a browser can show a page: a ``$BROWSER`` chosen
by the user, a desktop session (``DISPLAY``, ``WAYLAND_DISPLAY``), macOS or Windows.
Elsewhere (SSH, a container, this CI) it would start a console browser such as lynx in the
terminal the command runs in, so the URL is printed instead (auth/login.py). It is opened on a
worker thread: some browsers' launchers wait.
"""

from __future__ import annotations

import asyncio
import os
import sys


def browser_available() -> bool:
    if os.environ.get("BROWSER", "").strip():
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def open_in_browser(url: str) -> bool:
    """Whether a browser was started on ``url``."""
    if not browser_available():
        return False

    def start() -> bool:
        import webbrowser

        try:
            return bool(webbrowser.open(url, new=2))
        except webbrowser.Error:
            return False

    return await asyncio.to_thread(start)
