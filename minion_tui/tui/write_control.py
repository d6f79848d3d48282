"""The write actions from the TUI, on the highlighted track (or the one playing when no list
has the focus): like on the service (``z``), take the like back (``Z``, after a
confirmation), repost (``w``), take it back (``W``, confirmed), comment at the playing
position (``C``, a text box), follow the artist on the service and make a playlist of the
track (palette), upload a file with its tags, artwork and (Mixcloud) tracklist (the upload
form, screens/upload_form.py). Results and failures are toasts; the work runs in workers,
so the UI never waits. Everything goes through ``service.writes``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from minion_tui.errors import MinionError

if TYPE_CHECKING:
    from minion_tui.models import Section, Track, WriteResult
    from minion_tui.service import Service
    from minion_tui.tui.screens.upload_form import UploadRequest

#: action -> (what the toast says it did, whether it asks first, the question)
WORDS = {"like": "Liked on", "unlike": "Took back your like on", "repost": "Reposted on",
         "unrepost": "Took back your repost on", "follow": "Following on",
         "unfollow": "No longer following on", "comment": "Commented on",
         "playlist_create": "Made the playlist on", "listen_later": "Listen later on",
         "unlisten_later": "Took it out of listen later on",
         "playlist_rename": "Renamed the playlist on", "playlist_add": "Added to the playlist on",
         "playlist_remove": "Took the track out of the playlist on",
         "playlist_move": "Moved the track in the playlist on",
         "playlist_delete": "Deleted the playlist on", "playlist_public": "Made public on",
         "playlist_private": "Made private on", "track_update": "Changed your track on",
         "track_delete": "Deleted your track on", "upload": "Uploaded to"}
DESTRUCTIVE = {"unlike": "Take back your like of {title}?",
               "unrepost": "Take back your repost of {title}?",
               "unfollow": "Stop following {title} on the service?",
               "unlisten_later": "Take {title} out of listen later?"}


def position_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


#: The writes after which a playlist shown holds something else (it is listed again).
CHANGES_PLAYLIST = ("playlist_rename", "playlist_add", "playlist_remove", "playlist_move")


class WriteControl:
    def __init__(self, app: App[Any], service: Service, *,
                 playlist_changed: Callable[[WriteResult], None] | None = None) -> None:
        self.app = app
        self.service = service
        self.playlist_changed = playlist_changed

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
            if action in CHANGES_PLAYLIST and self.playlist_changed is not None:
                self.playlist_changed(result)

        self.app.run_worker(go(), group="writes", exit_on_error=False,
                            description=f"{action} on the service")

    def asked(self, action: str, question: str,
              work: Callable[[], Awaitable[WriteResult]]) -> None:
        """Ask ``question`` (the confirm screen); only a yes starts ``work``."""
        from minion_tui.tui.screens.confirm_write import ConfirmWrite

        def answered(go: bool | None) -> None:
            if go:
                self._work(action, work())
            else:
                self.app.notify("Left as it was.", title="Nothing changed", timeout=3)

        self.app.push_screen(ConfirmWrite(question), answered)

    def prompted(self, action: str, question: str, then: Callable[[str], Awaitable[WriteResult]],
                 *, value: str = "", limit: int = 1000,
                 check: Callable[[str], object] | None = None) -> None:
        """Ask for one line (the text box); ``check`` it (a MinionError is a warning toast and
        nothing is sent), then start ``then(text)``. Escape sends nothing."""
        from minion_tui.tui.screens.confirm_write import TextPrompt

        def written(text: str | None) -> None:
            if text is None:
                return
            try:
                if check is not None:
                    check(text)
            except MinionError as bad:
                self.app.notify(bad.text, title="Not done", severity="warning", timeout=6)
                return
            self._work(action, then(text))

        self.app.push_screen(TextPrompt(question, value=value, limit=limit), written)

    # -- playlists: the one browsed (rename, privacy, delete, remove, move), add to one ----
    def rename_playlist(self, urn: str, title: str) -> None:
        from minion_tui.service import MAX_TITLE, check_text

        self.prompted("playlist_rename", f"New title for {title}:",
                      lambda text: self.service.writes.playlist_rename(urn, text),
                      value=title, limit=MAX_TITLE,
                      check=lambda text: check_text(text, "The title", limit=MAX_TITLE))

    def playlist_privacy(self, urn: str, private: bool) -> None:
        self._work("playlist_private" if private else "playlist_public",
                   self.service.writes.playlist_privacy(urn, private))

    def delete_playlist(self, urn: str, title: str) -> None:
        self.asked("playlist_delete", f"Delete the playlist {title} on the service?",
                   lambda: self.service.writes.playlist_delete(urn))

    def remove_from_playlist(self, urn: str, title: str, track: Track) -> None:
        self.asked("playlist_remove", f"Take {track.title} out of {title}?",
                   lambda: self.service.writes.playlist_remove(urn, track.urn))

    def move_in_playlist(self, urn: str, title: str, track: Track) -> None:
        from minion_tui.service import check_position

        self.prompted("playlist_move", f"Move {track.title} in {title} to position (1 first):",
                      lambda text: self.service.writes.playlist_move(
                          urn, track.urn, check_position(text)),
                      limit=6, check=check_position)

    def add_to_playlist(self, track: Track) -> None:
        """List your playlists (in a worker), then a chooser; the chosen one gets ``track``."""
        from minion_tui.models import Playlist

        async def listing() -> None:
            mine: list[Playlist] = []
            try:
                async for page in self.service.catalog.browse(
                        "myplaylists", None, limit=50, provider=track.provider):
                    mine += [p for p in page.items if isinstance(p, Playlist)]
            except MinionError as failed:
                self.app.notify(failed.text, title="Not done", severity="error", timeout=8)
                return
            if not mine:
                self.app.notify("You have no playlists on the service yet: New playlist "
                                "(palette) makes one.", severity="warning", timeout=6)
                return
            from minion_tui.tui.screens.confirm_write import ChoosePlaylist

            def chosen(urn: str | None) -> None:
                if urn is not None:
                    self._work("playlist_add", self.service.writes.playlist_add(
                        urn, [track.urn]))

            self.app.push_screen(ChoosePlaylist(f"Add {track.title} to:",
                                                [(p.urn, p.title) for p in mine]), chosen)

        self.app.run_worker(listing(), group="writes", exit_on_error=False,
                            description="Listing your playlists")

    # -- your own tracks: change, delete, upload -------------------------------------------
    def update_track(self, track: Track, field: str) -> None:
        """Change the ``field`` ("title", "tags", "description") of your ``track``."""
        from minion_tui.service import MAX_TITLE, check_tags, check_text

        writes = self.service.writes
        if field == "title":
            self.prompted("track_update", f"New title for {track.title}:",
                          lambda text: writes.track_update(track.urn, title=text),
                          value=track.title, limit=MAX_TITLE,
                          check=lambda text: check_text(text, "The title", limit=MAX_TITLE))
        elif field == "tags":
            self.prompted("track_update", f"Tags of {track.title} (commas between):",
                          lambda text: writes.track_update(track.urn, tags=check_tags(text)),
                          value=", ".join(getattr(track, "tags", ()) or ()), check=check_tags)
        else:
            self.prompted("track_update", f"Description of {track.title}:",
                          lambda text: writes.track_update(track.urn, description=text),
                          check=lambda text: check_text(text, "The description", limit=4000),
                          limit=4000)

    def delete_track(self, track: Track) -> None:
        self.asked("track_delete", f"Delete your track {track.title} on the service? "
                   "It cannot be undone.", lambda: self.service.writes.track_delete(track.urn))

    def upload(self) -> None:
        """The upload form (file, title, tags, artwork, service, and a tracklist file for a
        service that keeps tracklists); what it gives is checked on disk off the UI loop —
        a problem is a warning toast and nothing is sent — then uploaded."""
        from minion_tui.service import provider_capabilities, provider_title
        from minion_tui.tui.screens.upload_form import UploadForm

        offering = self.service.writes.offering("upload")
        if not offering:
            self.app.notify("No service here takes uploads.", severity="warning", timeout=6)
            return
        tracklists = tuple(n for n in offering
                           if "tracklist" in provider_capabilities(n).track_listings)
        self.app.push_screen(UploadForm([(n, provider_title(n)) for n in offering],
                                        tracklists=tracklists), self._upload_given)

    def _upload_given(self, given: UploadRequest | None) -> None:
        if given is None:
            return

        async def checked() -> None:
            import asyncio

            try:
                sending = await asyncio.to_thread(_checked_upload, given)
            except MinionError as bad:
                self.app.notify(bad.text, title="Not done", severity="warning", timeout=6)
                return
            title, tags, sections = sending
            self._work("upload", self.service.writes.upload(
                given.file, title=title, tags=tags, artwork=given.artwork or None,
                provider=given.provider, sections=sections))

        self.app.run_worker(checked(), group="writes", exit_on_error=False,
                            description="Checking the upload")

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


def _checked_upload(given: UploadRequest) -> tuple[str, tuple[str, ...], tuple[Section, ...]]:
    """The form's words checked as the CLI checks them (on a thread: it reads the disk):
    (title — the file's name when none was typed —, tags, sections)."""
    import os

    from minion_tui.service import MAX_TITLE, check_file, check_tags, check_text, tracklist_of

    path, _kind = check_file(given.file, "The file")
    title = given.title or os.path.splitext(os.path.basename(path))[0][:MAX_TITLE]
    title = check_text(title, "The title", limit=MAX_TITLE)
    tags = check_tags(given.tags)
    if given.artwork:
        check_file(given.artwork, "The artwork", image=True)
    sections = tracklist_of((), given.tracklist or None) or ()
    return title, tags, sections
