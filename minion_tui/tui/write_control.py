"""The write actions from the TUI, on the highlighted track (or the one playing when no list
has the focus): like on the service (``z``), take the like back (``Z``, after a
confirmation), repost (``w``), take it back (``W``, confirmed), comment at the playing
position (``C``, a text box), follow the artist on the service and make a playlist of the
track (palette). Results and failures are toasts; the work runs in workers, so the UI never
waits. Everything goes through ``service.writes``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from minion_tui.errors import MinionError

if TYPE_CHECKING:
    from minion_tui.models import Track, WriteResult
    from minion_tui.service import Service

#: action -> (what the toast says it did, whether it asks first, the question)
WORDS = {"like": "Liked on", "unlike": "Took back your like on", "repost": "Reposted on",
         "unrepost": "Took back your repost on", "follow": "Following on",
         "unfollow": "No longer following on", "comment": "Commented on",
         "playlist_create": "Made the playlist on", "listen_later": "Listen later on"}
DESTRUCTIVE = {"unlike": "Take back your like of {title}?",
               "unrepost": "Take back your repost of {title}?",
               "unfollow": "Stop following {title} on the service?"}


def position_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class WriteControl:
    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service

    def run(self, action: str, target: str, title: str) -> None:
        """``action`` on ``target`` (a URN), confirmed first when it undoes something."""
        question = DESTRUCTIVE.get(action)
        if question is None:
            self._start(action, target)
            return
        from minion_tui.tui.screens.confirm_write import ConfirmWrite

        def answered(go: bool | None) -> None:
            if go:
                self._start(action, target)
            else:
                self.app.notify("Left as it was.", title="Nothing changed", timeout=3)

        self.app.push_screen(ConfirmWrite(question.format(title=title)), answered)

    def _start(self, action: str, target: str) -> None:
        method: Callable[[str], Awaitable[WriteResult]] = getattr(self.service.writes, action)
        self._work(action, method(target))

    def _work(self, action: str, work: Awaitable[WriteResult]) -> None:
        async def go() -> None:
            try:
                result = await work
            except MinionError as failed:
                self.app.notify(failed.text, title="Not done", severity="error", timeout=8)
                return
            from minion_tui.service import provider_title

            where = provider_title(result.provider)
            self.app.notify(f"{WORDS.get(action, action)} {where}: "
                            f"{result.title or result.target}", title="Done", timeout=4)

        self.app.run_worker(go(), group="writes", exit_on_error=False,
                            description=f"{action} on the service")

    def comment(self, track: Track, at_seconds: float) -> None:
        """Ask for the words, then comment at ``at_seconds`` into ``track``."""
        from minion_tui.service import MAX_COMMENT, check_text
        from minion_tui.tui.screens.confirm_write import TextPrompt

        def written(text: str | None) -> None:
            if text is None:
                return
            try:
                check_text(text, "The comment", limit=MAX_COMMENT)
            except MinionError as bad:
                self.app.notify(bad.text, title="Not done", severity="warning", timeout=6)
                return
            self._work("comment", self.service.writes.comment(
                track.urn, int(at_seconds * 1000), text))

        self.app.push_screen(TextPrompt(f"Comment on {track.title} at "
                                        f"{position_text(at_seconds)}:", limit=MAX_COMMENT),
                             written)

    def create_playlist(self, track: Track | None) -> None:
        from minion_tui.service import MAX_TITLE, check_text
        from minion_tui.tui.screens.confirm_write import TextPrompt

        def titled(title: str | None) -> None:
            if title is None:
                return
            try:
                check_text(title, "The title", limit=MAX_TITLE)
            except MinionError as bad:
                self.app.notify(bad.text, title="Not done", severity="warning", timeout=6)
                return
            tracks = [track.urn] if track is not None else []
            self._work("playlist_create", self.service.writes.playlist_create(
                title, tracks=tracks,
                provider=track.provider if track is not None else None))

        what = f" with {track.title}" if track is not None else ""
        self.app.push_screen(TextPrompt(f"Title of the new playlist{what}:", limit=MAX_TITLE),
                             titled)
