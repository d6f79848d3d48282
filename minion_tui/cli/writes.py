"""The write verbs, each one ``service.writes`` method:

* ``like TARGET`` / ``unlike TARGET --yes`` (a track or a playlist; on Mixcloud a show's
  favourite, also spelled ``favorite`` / ``unfavorite``), ``repost`` / ``unrepost --yes``,
  ``follow USER`` / ``unfollow USER --yes``, ``listen-later TARGET [--remove --yes]``
  (Mixcloud);
* ``playlist create TITLE [TRACK...] [--private]`` (options after the tracks: argparse
  ends a ``TRACK...`` list at the first option), ``playlist rename PLAYLIST TITLE``,
  ``playlist add PLAYLIST TRACK...``, ``playlist remove PLAYLIST TRACK --yes``,
  ``playlist move PLAYLIST TRACK POSITION`` (1 is first), ``playlist delete PLAYLIST
  --yes``, ``playlist privacy PLAYLIST public|private``;
* ``comment TARGET --at MM:SS TEXT``;
* ``upload FILE --title TITLE [--tags A,B] [--description TEXT] [--artwork IMG]
  [--private] [--section "MM:SS Artist - Song"]… [--tracklist FILE]`` (the tracklist for
  Mixcloud: service/sections.py), ``track update TRACK [--title …] [--tags …]
  [--description …] [--artwork IMG] [--section …]… [--tracklist FILE]`` (Mixcloud: any
  section replaces the tracklist), ``track delete TRACK --yes`` (SoundCloud).

The order is always: the configuration, then every argument checked (a blank one is
``invalid_argument`` naming it, a link the app does not read ``invalid_url``), then
``--yes`` for the destructive ones (without it: exit 2, ``invalid_argument``, nothing sent),
then the requests. ``--json`` prints the :class:`~minion_tui.models.WriteResult`:
``{"ok": true, "action", "provider", "target", "title"}`` plus ``"playlist"`` and
``"sharing"`` or ``"comment"`` when one was made or changed.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from minion_tui.cli.command import Choices, Command, add_choosing
from minion_tui.cli.output import note, print_json
from minion_tui.cli.session import session
from minion_tui.errors import UsageError

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.models import WriteResult
    from minion_tui.service import Service

#: verb -> (service method, write family, target metavar, destructive, help)
SIMPLE: dict[str, tuple[str, str, str, bool, str]] = {
    "like": ("like", "like", "TARGET", False, "like a track or playlist (Mixcloud: favourite)"),
    "unlike": ("unlike", "like", "TARGET", True, "take a like back"),
    "favorite": ("like", "like", "TARGET", False, "favourite a Mixcloud show (= like)"),
    "unfavorite": ("unlike", "like", "TARGET", True, "take a favourite back (= unlike)"),
    "repost": ("repost", "repost", "TARGET", False, "repost a track or playlist"),
    "unrepost": ("unrepost", "repost", "TARGET", True, "take a repost back"),
    "follow": ("follow", "follow", "USER", False, "follow a user"),
    "unfollow": ("unfollow", "follow", "USER", True, "stop following a user"),
}
PRIVACY = ("public", "private")
_DONE = {"like": "Liked", "unlike": "Took back the like of", "repost": "Reposted",
         "unrepost": "Took back the repost of", "follow": "Following",
         "unfollow": "No longer following", "listen_later": "Added to listen later:",
         "unlisten_later": "Removed from listen later:",
         "playlist_create": "Made the playlist", "playlist_rename": "Renamed the playlist to",
         "playlist_add": "Added to", "playlist_remove": "Removed from",
         "playlist_move": "Moved within", "playlist_delete": "Deleted the playlist",
         "playlist_privacy": "Changed who sees", "comment": "Commented on"}


def _offering(family: str) -> Choices:
    def pick(_caps: object) -> tuple[str, ...]:
        from minion_tui.service import provider_capabilities, provider_names

        return tuple(n for n in provider_names() if family in provider_capabilities(n).writes)

    return Choices(pick)


def _yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true",
                        help="really do it (this undoes or deletes something)")


def _setup_simple(verb: str) -> Callable[[Subparsers, argparse.ArgumentParser], None]:
    _method, _family, metavar, destructive, text = SIMPLE[verb]

    def setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
        parser = sub.add_parser(verb, parents=[common], help=text)
        parser.add_argument("target", metavar=metavar,
                            help="a link or URN" + (" of a user" if metavar == "USER" else ""))
        if destructive:
            _yes(parser)
    return setup


def _setup_listen_later(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("listen-later", parents=[common],
                            help="add a Mixcloud show to listen later (or --remove it)")
    parser.add_argument("target", metavar="TARGET", help="a Mixcloud show's link or URN")
    parser.add_argument("--remove", action="store_true", help="take it off the list")
    _yes(parser)


def _setup_playlist(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    playlist = sub.add_parser("playlist", help="make and change your playlists")
    actions = playlist.add_subparsers(dest="playlist_command", metavar="ACTION",
                                      required=True)
    create = actions.add_parser("create", parents=[common], help="make a playlist")
    create.add_argument("title", metavar="TITLE")
    create.add_argument("tracks", metavar="TRACK", nargs="*", help="tracks to put in it")
    create.add_argument("--private", action="store_true", help="only you can see it")
    add_choosing(create, "--provider", choices=_offering("playlist"),
                 help="the service (default: the first offering playlists)")
    rename = actions.add_parser("rename", parents=[common], help="give a playlist a new title")
    rename.add_argument("playlist", metavar="PLAYLIST")
    rename.add_argument("title", metavar="TITLE")
    add = actions.add_parser("add", parents=[common], help="add tracks at the end")
    add.add_argument("playlist", metavar="PLAYLIST")
    add.add_argument("tracks", metavar="TRACK", nargs="+")
    remove = actions.add_parser("remove", parents=[common], help="take a track out")
    remove.add_argument("playlist", metavar="PLAYLIST")
    remove.add_argument("track", metavar="TRACK")
    _yes(remove)
    move = actions.add_parser("move", parents=[common], help="move a track to POSITION")
    move.add_argument("playlist", metavar="PLAYLIST")
    move.add_argument("track", metavar="TRACK")
    move.add_argument("position", metavar="POSITION", help="1 is the first")
    delete = actions.add_parser("delete", parents=[common], help="delete a playlist")
    delete.add_argument("playlist", metavar="PLAYLIST")
    _yes(delete)
    privacy = actions.add_parser("privacy", parents=[common],
                                 help="make a playlist public or private")
    privacy.add_argument("playlist", metavar="PLAYLIST")
    privacy.add_argument("sharing", metavar="public|private", choices=PRIVACY)


def _setup_comment(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    comment = sub.add_parser("comment", parents=[common],
                             help="comment on a track at a time in it")
    comment.add_argument("target", metavar="TARGET")
    comment.add_argument("--at", metavar="MM:SS", help="where in the track (required)")
    comment.add_argument("text", metavar="TEXT")


def _setup_upload(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    upload = sub.add_parser("upload", parents=[common], help="upload an audio file")
    upload.add_argument("file", metavar="FILE", help="the audio (MP3, M4A, WAV, FLAC, OGG…)")
    upload.add_argument("--title", metavar="TITLE", help="its title (required)")
    upload.add_argument("--tags", metavar="TAGS", help="tags, separated by commas")
    upload.add_argument("--description", metavar="TEXT", help="its description")
    upload.add_argument("--artwork", metavar="IMG", help="a JPEG or PNG picture")
    upload.add_argument("--private", action="store_true", help="only you can hear it")
    _tracklist_options(upload)
    add_choosing(upload, "--provider", choices=_offering("upload"),
                 help="the service (default: the first offering uploads)")


def _tracklist_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--section", metavar='"MM:SS ARTIST - SONG"', action="append",
                        help="a tracklist entry (Mixcloud), again for each; without ' - ' a "
                        "chapter")
    parser.add_argument("--tracklist", metavar="FILE",
                        help="a file of tracklist entries, one a line (Mixcloud)")


def _setup_track(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    track = sub.add_parser("track", help="change or delete one of your uploads")
    actions = track.add_subparsers(dest="track_command", metavar="ACTION", required=True)
    update = actions.add_parser("update", parents=[common],
                                help="change an upload's title, tags, description, artwork")
    update.add_argument("track", metavar="TRACK")
    update.add_argument("--title", metavar="TITLE")
    update.add_argument("--tags", metavar="TAGS", help="tags, separated by commas")
    update.add_argument("--description", metavar="TEXT")
    update.add_argument("--artwork", metavar="IMG", help="a JPEG or PNG picture")
    _tracklist_options(update)
    delete = actions.add_parser("delete", parents=[common], help="delete one of your uploads")
    delete.add_argument("track", metavar="TRACK")
    _yes(delete)


# -- running them --------------------------------------------------------------------------
def _confirmed(args: argparse.Namespace, what: str) -> None:
    """Destructive verbs: after the arguments were checked, before anything is sent."""
    if not getattr(args, "yes", False):
        raise UsageError(f"This {what}: add --yes to really do it.",
                         hint="Nothing was changed.")


async def _run(args: argparse.Namespace, check: Callable[[], None],
               act: Callable[[Service], Awaitable[WriteResult]],
               destructive: str | None = None) -> int:
    async with session(args) as service:  # a broken configuration is said first
        check()
        if destructive is not None:
            _confirmed(args, destructive)
        result = await act(service)
    _print(result, as_json=args.json)
    return 0


def _print(result: WriteResult, *, as_json: bool) -> None:
    if as_json:
        print_json(result.to_json())
        return
    said = result.title or result.target
    note(f"{_DONE.get(result.action, result.action)} {said}.")
    print(result.target)


def _target(value: str, name: str) -> None:
    from minion_tui.service import check_target

    check_target(value, name)


def _simple(verb: str) -> Callable[[argparse.Namespace], Coroutine[Any, Any, int]]:
    method, _family, metavar, destructive, _text = SIMPLE[verb]

    async def handle(args: argparse.Namespace) -> int:
        return await _run(args, lambda: _target(args.target, metavar),
                          lambda s: getattr(s.writes, method)(args.target),
                          f"undoes a {_family}" if destructive else None)
    return handle


async def _listen_later(args: argparse.Namespace) -> int:
    if args.remove:
        return await _run(args, lambda: _target(args.target, "TARGET"),
                          lambda s: s.writes.unlisten_later(args.target),
                          "removes a show from listen later")
    return await _run(args, lambda: _target(args.target, "TARGET"),
                      lambda s: s.writes.listen_later(args.target))


async def _playlist(args: argparse.Namespace) -> int:
    from minion_tui.service import MAX_TITLE, check_position, check_target, check_text

    action = args.playlist_command

    def check() -> None:
        if action == "create":
            check_text(args.title, "TITLE", limit=MAX_TITLE)
            for track in args.tracks:
                check_target(track, "TRACK")
            return
        if action == "rename":
            check_text(args.title, "TITLE", limit=MAX_TITLE)
        check_target(args.playlist, "PLAYLIST")
        for track in getattr(args, "tracks", None) or []:
            check_target(track, "TRACK")
        if getattr(args, "track", None) is not None:
            check_target(args.track, "TRACK")
        if action == "move":
            check_position(args.position)

    acts: dict[str, Callable[[Service], Awaitable[WriteResult]]] = {
        "create": lambda s: s.writes.playlist_create(args.title, private=args.private,
                                                     tracks=args.tracks,
                                                     provider=args.provider),
        "rename": lambda s: s.writes.playlist_rename(args.playlist, args.title),
        "add": lambda s: s.writes.playlist_add(args.playlist, args.tracks),
        "remove": lambda s: s.writes.playlist_remove(args.playlist, args.track),
        "move": lambda s: s.writes.playlist_move(args.playlist, args.track,
                                                 check_position(args.position)),
        "delete": lambda s: s.writes.playlist_delete(args.playlist),
        "privacy": lambda s: s.writes.playlist_privacy(args.playlist,
                                                       args.sharing == "private"),
    }
    destructive = {"remove": "takes a track out of a playlist",
                   "delete": "deletes a playlist"}.get(action)
    return await _run(args, check, acts[action], destructive)


async def _comment(args: argparse.Namespace) -> int:
    from minion_tui.service import MAX_COMMENT, check_target, check_text, parse_at

    def check() -> None:
        check_target(args.target, "TARGET")
        if args.at is None:
            raise UsageError("comment needs --at MM:SS: where in the track it goes.",
                             hint="Like: minion-tui comment TRACK --at 1:05 \"nice drop\".")
        parse_at(args.at)
        check_text(args.text, "TEXT", limit=MAX_COMMENT)

    return await _run(args, check,
                      lambda s: s.writes.comment(args.target, parse_at(args.at), args.text))


def _check_track_fields(args: argparse.Namespace) -> None:
    """--title (when given), --tags, --description and --artwork, checked the same way for
    upload and track update."""
    from minion_tui.service import MAX_COMMENT, MAX_TITLE, check_file, check_tags, check_text

    if args.title is not None:
        check_text(args.title, "--title", limit=MAX_TITLE)
    check_tags(args.tags)
    if args.description:
        check_text(args.description, "--description", limit=MAX_COMMENT * 4)
    if args.artwork is not None:
        check_file(args.artwork, "--artwork", image=True)


async def _upload(args: argparse.Namespace) -> int:
    from minion_tui.service import check_file, check_tags, tracklist_of

    def check() -> None:
        check_file(args.file, "FILE")
        if args.title is None:
            raise UsageError("upload needs --title: what the track is called.")
        _check_track_fields(args)
        tracklist_of(args.section or (), args.tracklist)

    return await _run(args, check, lambda s: s.writes.upload(
        args.file, title=args.title, tags=check_tags(args.tags),
        description=args.description or None, artwork=args.artwork,
        private=args.private, provider=args.provider,
        sections=tracklist_of(args.section or (), args.tracklist) or ()))


async def _track(args: argparse.Namespace) -> int:
    from minion_tui.service import check_tags, tracklist_of

    if args.track_command == "delete":
        return await _run(args, lambda: _target(args.track, "TRACK"),
                          lambda s: s.writes.track_delete(args.track), "deletes a track")

    def check() -> None:
        _target(args.track, "TRACK")
        _check_track_fields(args)
        if all(getattr(args, k) is None for k in ("title", "tags", "description", "artwork",
                                                  "section", "tracklist")):
            raise UsageError("Nothing to change: give --title, --tags, --description, "
                             "--artwork, --section or --tracklist.")
        tracklist_of(args.section or (), args.tracklist)

    return await _run(args, check, lambda s: s.writes.track_update(
        args.track, title=args.title,
        tags=check_tags(args.tags) if args.tags is not None else None,
        description=args.description, artwork=args.artwork,
        sections=tracklist_of(args.section or (), args.tracklist)))


COMMANDS = (
    *(Command(verb, _setup_simple(verb), _simple(verb)) for verb in SIMPLE),
    Command("listen-later", _setup_listen_later, _listen_later),
    Command("playlist", _setup_playlist, _playlist),
    Command("comment", _setup_comment, _comment),
    Command("upload", _setup_upload, _upload),
    Command("track", _setup_track, _track),
)
