"""A Mixcloud upload with its tracklist, and changes to it, as a user runs them: real processes
against the emulator, signed in through the scripted browser. The sections, tags and picture
are read back through the public reads (``browse tracklist``, the show's REST form, the
thumbnailer's bytes); bad tracklists are refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from minion_tui.emulator.server import RunningEmulator
from tests.integration.test_auth_cli import env as env
from tests.integration.test_auth_cli import ok_json, run
from tests.integration.test_writes_cli import failed, login

pytestmark = pytest.mark.usefixtures("isolated_env")

AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500
PICTURE = b"\xff\xd8\xff\xe0" + bytes(range(200))
ME = "quietlistener"


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    audio = tmp_path / "mix.mp3"
    audio.write_bytes(AUDIO)
    art = tmp_path / "cover.jpg"
    art.write_bytes(PICTURE)
    tracklist = tmp_path / "tracklist.txt"
    tracklist.write_text("0:00 Warm-up\n1:30 Alice Coltrane - Journey in Satchidananda\n\n"
                         "12:05 Moodymann - Shades of Jae\n", encoding="utf-8")
    return audio, art, tracklist


def mapped(emulator: RunningEmulator, url: str) -> str:
    """A real service URL as the emulator serves it (the endpoint map)."""
    for origin, replacement in emulator.endpoints.items():
        if url.startswith(origin + "/"):
            return replacement + url[len(origin):]
    raise AssertionError(f"{url} is not on a mapped origin")


def _tracklist(env: dict[str, str], url: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = ok_json(run(env, "browse", "tracklist", url, "--json"))
    return items


def test_upload_with_sections_tags_and_picture_read_back(
        env: dict[str, str], emulator: RunningEmulator, tmp_path: Path) -> None:
    audio, art, tracklist = _files(tmp_path)
    login(env, "mixcloud")
    calls = len(emulator.mixcloud.calls)
    made = ok_json(run(env, "upload", str(audio), "--title", "Sunday Session", "--tags",
                       "Deep House, Dub", "--artwork", str(art), "--tracklist",
                       str(tracklist), "--section", "1:02:03 Sun Ra - Space Is the Place",
                       "--provider", "mixcloud", "--json"))
    assert made["provider"] == "mixcloud" and made["title"] == "Sunday Session"
    key = made["target"].split(":", 2)[2]
    url = f"https://www.mixcloud.com/{key}/"
    # the tracklist, as the public GraphQL read gives it (browse tracklist)
    assert _tracklist(env, url) == [
        {"kind": "chapter", "start_ms": 0, "artist": "", "title": "Warm-up"},
        {"kind": "track", "start_ms": 90_000, "artist": "Alice Coltrane",
         "title": "Journey in Satchidananda"},
        {"kind": "track", "start_ms": 725_000, "artist": "Moodymann", "title": "Shades of Jae"},
        {"kind": "track", "start_ms": 3_723_000, "artist": "Sun Ra",
         "title": "Space Is the Place"}]
    # the tags, and the picture's own bytes at the URL the show's REST form names
    show = ok_json(run(env, "resolve", made["target"], "--json"))
    assert show["tags"] == ["Deep House", "Dub"]
    picture = show["artwork_url"]
    with httpx.Client(timeout=20) as client:
        served = client.get(mapped(emulator, picture))
    assert served.status_code == 200 and served.content == PICTURE
    assert len(emulator.mixcloud.calls) > calls  # it did go over the wire

    # an edit: any section replaces the whole tracklist; tags and title stay
    ok_json(run(env, "track", "update", made["target"], "--section",
                "0:10 Pharoah Sanders - The Creator Has a Master Plan", "--json"))
    assert _tracklist(env, url) == [
        {"kind": "track", "start_ms": 10_000, "artist": "Pharoah Sanders",
         "title": "The Creator Has a Master Plan"}]
    again = ok_json(run(env, "resolve", made["target"], "--json"))
    assert again["tags"] == ["Deep House", "Dub"] and again["title"] == "Sunday Session"
    # new tags replace the old ones, the tracklist stays
    changed = ok_json(run(env, "track", "update", made["target"], "--tags", "Techno",
                          "--title", "Monday Session", "--json"))
    assert changed["title"] == "Monday Session"
    again = ok_json(run(env, "resolve", made["target"], "--json"))
    assert again["tags"] == ["Techno"] and again["title"] == "Monday Session"
    assert len(_tracklist(env, url)) == 1
    # Mixcloud cannot take every tag off: said, nothing sent
    error = failed(run(env, "track", "update", made["target"], "--tags", " ", "--json"))
    assert error["type"] == "invalid_argument" and "tags" in error["message"]
    assert ok_json(run(env, "resolve", made["target"], "--json"))["tags"] == ["Techno"]


@pytest.mark.parametrize(("argv", "said"), [
    (("--section", "2:00 A - B", "--section", "1:00 C - D"), "not after section 1"),
    (("--section", "1:00 A - B", "--section", "1:00 C - D"), "not after section 1"),
    (("--section", "Artist - Song"), "does not start with its time"),
    (("--section", "1:00 - Song"), "no artist"),
    (("--section", "1:00 Artist - "), "no song"),
    (("--section", "1:00"), "no name"),
    (("--section", "1:75:00 A - B"), "minutes past 59"),
    (("--section", "1:00 A\x1b[2J - B"), "control characters"),
    (("--section", "1:00 " + "a" * 300 + " - B"), "too long"),
    (("--tracklist", "@MISSING@"), "no such file"),
    (("--tracklist", "@DIR@"), "is a folder"),
    (("--tracklist", "/proc/self/mem"), "cannot be read"),
    (("--tracklist", "@EMPTY@"), "is empty"),
    (("--tracklist", "@LATIN1@"), "not UTF-8"),
    (("--tracklist", ""), "--tracklist is empty"),
])
def test_a_bad_tracklist_is_refused_before_anything_is_sent(
        env: dict[str, str], emulator: RunningEmulator, tmp_path: Path,
        argv: tuple[str, ...], said: str) -> None:
    audio, _art, _ = _files(tmp_path)
    (tmp_path / "empty.txt").write_text("\n \n")
    (tmp_path / "latin1.txt").write_bytes("0:00 Caf\xe9 - Song\n".encode("latin-1"))
    places = {"@MISSING@": str(tmp_path / "gone.txt"), "@DIR@": str(tmp_path),
              "@EMPTY@": str(tmp_path / "empty.txt"),
              "@LATIN1@": str(tmp_path / "latin1.txt")}
    login(env, "mixcloud")
    before = list(emulator.mixcloud.catalog.user_shows.get(ME, []))
    error = failed(run(env, "upload", str(audio), "--title", "x", "--provider", "mixcloud",
                       *(places.get(a, a) for a in argv), "--json"))
    assert error["type"] == "invalid_argument" and said in error["message"], error
    assert emulator.mixcloud.catalog.user_shows.get(ME, []) == before


def test_sections_are_for_mixcloud_only(env: dict[str, str], emulator: RunningEmulator,
                                        tmp_path: Path) -> None:
    audio, _art, _ = _files(tmp_path)
    login(env)
    me = int(emulator.oauth.user)
    before = emulator.social.track_ids(me)
    error = failed(run(env, "upload", str(audio), "--title", "x", "--section", "0:00 A - B",
                       "--json"))
    assert error["type"] == "invalid_argument" and "keeps no tracklists" in error["message"]
    assert emulator.social.track_ids(me) == before


def test_more_than_five_tags_or_a_long_description_are_refused_before_sending(
        env: dict[str, str], emulator: RunningEmulator, tmp_path: Path) -> None:
    audio, _art, _ = _files(tmp_path)
    login(env, "mixcloud")
    before = list(emulator.mixcloud.catalog.user_shows.get(ME, []))
    five = ok_json(run(env, "upload", str(audio), "--title", "Five tags", "--tags",
                       "a,b,c,d,e", "--description", "d" * 1000, "--provider", "mixcloud",
                       "--json"))
    assert ok_json(run(env, "resolve", five["target"], "--json"))["tags"] == \
        ["a", "b", "c", "d", "e"]
    for argv, said in ((("--tags", "a,b,c,d,e,f"), "at most 5 tags"),
                       (("--description", "d" * 1001), "at most 1000 characters")):
        error = failed(run(env, "upload", str(audio), "--title", "x", *argv, "--provider",
                           "mixcloud", "--json"))
        assert error["type"] == "invalid_argument" and said in error["message"], error
    assert len(emulator.mixcloud.catalog.user_shows.get(ME, [])) == len(before) + 1
