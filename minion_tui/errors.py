"""One hierarchy of user-facing failures.

Every error carries a stable ``type`` (the ``--json`` contract: ``{"error": {"type", "message"}}``)
and a message that says what failed *and* what to do about it. Code below the service raises
these; the CLI and the TUI only render them.
"""

from __future__ import annotations

import re
from typing import Any

_USERINFO_PASSWORD = re.compile(r"(//[^/?#@\s:]*):[^/?#@\s]*@")


def _without_passwords(text: str) -> str:
    return _USERINFO_PASSWORD.sub(r"\1:***@", text)


class MinionError(Exception):
    """Base class. ``type`` is the machine-readable kind used in JSON output."""

    type = "error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        # Whatever a message quotes (a URL the user gave, argparse's echo of an argument),
        # the password of a ``user:password@`` never reaches the screen, a log or JSON.
        self.message = _without_passwords(message)
        self.hint = _without_passwords(hint) if hint else hint
        super().__init__(self.text)

    @property
    def text(self) -> str:
        if not self.hint:
            return self.message
        separator = "\n" if "\n" in self.message else " "
        return f"{self.message}{separator}{self.hint}"

    def to_json(self) -> dict[str, Any]:
        return {"error": {"type": self.type, "message": self.text}}


class ConfigError(MinionError):
    """The configuration is invalid. ``problems`` lists every problem found, with line numbers."""

    type = "config"
    exit_code = 2

    def __init__(self, problems: list[str], *, path: str | None = None,
                 exists: bool = False) -> None:
        self.problems = list(problems)
        self.path = path
        where = f" in {path}" if path else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        # `config init` refuses to replace a file that is there without --force.
        fresh = ("run `minion-tui config init --force` to replace the file with a fresh "
                 "commented one, losing its settings" if exists
                 else "run `minion-tui config init` for a fresh commented file")
        super().__init__(
            f"{len(self.problems)} problem(s) in the configuration{where}:\n{lines}",
            hint=f"Fix them (or {fresh}) and start again.",
        )


class InvalidURL(MinionError):
    type = "invalid_url"


class InvalidArgument(MinionError):
    """A command-line or API argument outside its allowed values."""

    type = "invalid_argument"


class UsageError(InvalidArgument):
    """The command line does not parse (argparse's complaint, as ``message``). Exit code 2,
    like argparse's own usage errors; with ``--json`` it is the JSON error on stdout.
    ``usage`` is what argparse prints on stderr (the usage lines and ``prog: error: …``)."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, usage: str = "") -> None:
        self.usage = _without_passwords(usage)
        super().__init__(message, hint=hint)


class NotFound(MinionError):
    type = "not_found"


class NetworkError(MinionError):
    """The request could not complete: connection refused, timeouts, cut-off bodies, 5xx."""

    type = "network"


class ResponseTooLarge(NetworkError):
    """An answer larger than the app reads for its kind (a JSON page, a web page, a picture):
    reading stopped at the cap, so an endless body or a lying Content-Length costs nothing."""

    type = "response_too_large"


class _StatusAnswer(MinionError):
    """An answer's ``status`` and ``url``; the message, unless given, is ``answer`` filled in
    with both, and the hint is ``advice``."""

    answer = "The server answered HTTP {status} for {url}."
    advice = ""

    def __init__(self, status: int, url: str, message: str | None = None) -> None:
        self.status = status
        self.url = url
        super().__init__(message or self.answer.format(status=status, url=url),
                         hint=self.advice)


class HTTPStatusError(_StatusAnswer, NetworkError):
    """A response with a status the caller did not expect (after retries where they apply)."""

    advice = "Try again later; run with --debug for the full exchange in the log."


class RateLimited(MinionError):
    type = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        hint = (
            f"Wait about {retry_after:.0f} s and try again."
            if retry_after
            else "Wait a few minutes and try again."
        )
        super().__init__(message, hint=hint)

    def to_json(self) -> dict[str, Any]:
        """The error form, with ``retry_after`` (seconds) when it is known."""
        found = super().to_json()
        if self.retry_after is not None:
            found["error"]["retry_after"] = round(self.retry_after, 1)
        return found


class AuthError(MinionError):
    """401/403 that a provider hook could not fix."""

    type = "auth"


class HTTPAuthError(_StatusAnswer, AuthError):
    """401/403 from a server, after the provider hook (if any) could not fix it."""

    answer = "The server refused access (HTTP {status}) to {url}."
    advice = "Check your credentials or try again later."


class ClientIdUnavailable(AuthError):
    type = "client_id_unavailable"


class GeoBlocked(MinionError):
    type = "geo_blocked"


class DrmOnly(MinionError):
    type = "drm_only"


class PreviewOnly(MinionError):
    type = "preview_only"


class SubscriptionRequired(MinionError):
    """Only subscribers can hear it (a Mixcloud Select exclusive): no stream is given to
    anyone else."""

    type = "subscription_required"


class Restricted(MinionError):
    """The service withholds the stream for a reason of its own (Mixcloud's play limit on a
    show, or another ``restrictedReason``); the message says which."""

    type = "restricted"


class StreamExpired(MinionError):
    """A signed stream URL expired (the CDN answered 403). Callers re-resolve and continue."""

    type = "stream_expired"


class PlaybackError(MinionError):
    """mpv could not open or decode a stream."""

    type = "playback_error"


#: How the player's error begins when mpv could open no audio output. That message says what
#: to set, so the front ends add no hint of their own to it.
NO_AUDIO_OUTPUT = "No audio output could be opened"


class PlayerUnavailable(PlaybackError):
    """libmpv could not be loaded; everything but playback keeps working."""

    type = "player_unavailable"


class OriginalUnavailable(MinionError):
    """The uploader's original file cannot be had; the text says why (the caller falls back
    to the best stream)."""

    type = "original_unavailable"


class DownloadError(MinionError):
    type = "download"


class DownloadBusy(DownloadError):
    """Another process is downloading into the same file right now (its lock is held)."""

    type = "download_busy"


class InvalidPlaylist(DownloadError):
    """An HLS playlist that cannot be downloaded as it is: not a playlist at all (an HTML
    page, binary bytes), no segments, no variants, or cut off before its #EXT-X-ENDLIST."""

    type = "invalid_playlist"


class PlaylistTooLarge(DownloadError):
    """An HLS playlist past one of the downloads.max_* caps (bytes, segments, duration):
    refused before anything of it is queued."""

    type = "playlist_too_large"


class InvalidMedia(DownloadError):
    """Segments that arrived whole but are not the audio the playlist announced (an error
    page served as a segment, random bytes): the demuxer or the join cannot read them."""

    type = "invalid_media"


class StoreError(MinionError):
    type = "store"


class StoreLocked(StoreError):
    """Another process holds the database's write lock (longer than the store waits); the
    message names it when the system says who. Reads go on meanwhile. JSON type ``store``."""


class StoreReadOnly(StoreError):
    """The database file, or the folder it is in, is not writable: it was opened read-only,
    so reads work and every write is refused saying which. JSON type ``store``."""


class AuthRequired(AuthError):
    """The command needs a signed-in account, and there is none (or the service no longer
    accepts it: revoked, or expired beyond refresh). The message says which login to run."""

    type = "auth_required"

    def __init__(self, title: str, command: str, *, again: bool = False,
                 why: str | None = None) -> None:
        self.provider = command
        if again:
            message = (f"{title} no longer accepts your sign-in"
                       f"{f' ({why})' if why else ' (it was revoked, or expired)'}.")
            hint = f"Sign in again: run `minion-tui auth login {command}`."
        else:
            message = f"This needs you to be signed in to {title}{f' ({why})' if why else ''}."
            hint = f"Run `minion-tui auth login {command}` first."
        super().__init__(message, hint=hint)


class NotRunning(MinionError):
    """``minion-tui ctl``: no TUI or ``play`` is running to control (none answers on the
    session bus or on its control socket)."""

    type = "not_running"
