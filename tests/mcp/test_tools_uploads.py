"""The upload tools over a real MCP session, signed in through the emulator's OAuth servers:
a file checked locally (real MP3/WAV files made here), uploaded to SoundCloud and Mixcloud
with tags and artwork, updated, its artwork replaced, deleted — each read back in the
emulator's state and through the service's public reads; the destructive ones change nothing
without confirmation; no sign-in is auth_required."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.mcp.harness import call, call_error, connect
from tests.mcp.signed import (
    anon,
    anon_service,
    late_set_kept,
    me,
    my_url,
    open_signed,
    read_all,
    registered_apps,
    signed,
    signed_service,
)

__all__ = ["anon", "anon_service", "signed", "signed_service"]

CALLED = {"prepare_upload", "upload_track", "update_track", "replace_artwork", "delete_track"}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A 2.5 s WAV (its length readable from its header), an MP3 whose frames are not
    real (length unknown), a PNG, a JPEG and a text file."""
    sound = tmp_path / "take.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 20_000)
    mp3 = tmp_path / "set.mp3"
    mp3.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500)
    png = tmp_path / "cover.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    jpeg = tmp_path / "cover.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    return {"wav": sound, "mp3": mp3, "png": png, "jpeg": jpeg, "text": text,
            "dir": tmp_path, "gone": tmp_path / "gone.mp3"}


async def test_prepare_upload_checks_the_file_here(anon: ClientSession,
                                                   files: dict[str, Path]) -> None:
    checked = await call(anon, "prepare_upload", {"file": str(files["wav"]),
                                                  "artwork": str(files["png"])})
    assert checked["content_type"] == "audio/wav"
    assert checked["size_bytes"] == files["wav"].stat().st_size
    assert checked["duration_s"] == 2.5
    assert checked["artwork_type"] == "image/png"
    assert checked["artwork_bytes"] == files["png"].stat().st_size
    assert checked["providers"] == ["soundcloud", "mixcloud"] and checked["notes"] == []
    many = await call(anon, "prepare_upload", {"file": str(files["mp3"]),
                                               "tags": ["a", "b", "c", "d", "e", "f"]})
    assert many["content_type"] == "audio/mpeg" and many["artwork_path"] is None
    assert many["providers"] == ["soundcloud"]
    assert any("5 tags" in n for n in many["notes"])
    for file, said in ((files["gone"], "no such file"), (files["dir"], "is a folder"),
                       (Path("/proc/self/mem"), "cannot be read"),
                       (files["text"], "not an audio file"), (Path("/dev/null"), "not a regular")):
        error = await call_error(anon, "prepare_upload", {"file": str(file)})
        assert error["type"] == "invalid_argument" and said in error["message"], (file, error)
    art = await call_error(anon, "prepare_upload", {"file": str(files["mp3"]),
                                                    "artwork": str(files["text"])})
    assert "not a JPEG or PNG" in art["message"]
    for file in ("", "  ", "x" * 5000, "a\x00b"):
        error = await call_error(anon, "prepare_upload", {"file": file})
        assert error["type"] == "invalid_argument", (file[:10], error)


async def test_upload_update_artwork_delete_read_back(
        signed: ClientSession, signed_service: Service, emulator: RunningEmulator,
        files: dict[str, Path]) -> None:
    seen: list[tuple[float, float | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total))

    made = await call(signed, "upload_track", {
        "file": str(files["mp3"]), "title": "Late set", "tags": ["deep house", "dub"],
        "artwork": str(files["png"]), "description": "a late one"},
        progress_callback=progress)
    assert seen == [(0, 2), (1, 2), (2, 2)]
    urn_made, tid, kept = late_set_kept(emulator, made)
    first_art = kept.artwork_key
    mine = await read_all(signed_service, "tracks", my_url(emulator), most=2)
    assert mine[0].urn == urn_made
    resolved = await call(signed, "get_track", {"target": urn_made})
    assert resolved["title"] == "Late set" and "deep house" in resolved["tags"]

    changed = await call(signed, "update_track", {"target": urn_made, "title": "Early set",
                                                  "tags": ["ambient"]})
    assert changed["title"] == "Early set"
    again = await call(signed, "get_track", {"target": urn_made})
    assert again["title"] == "Early set" and again["tags"] == ["ambient"]
    nothing = await call_error(signed, "update_track", {"target": urn_made})
    assert nothing["type"] == "invalid_argument" and "nothing to change" in nothing["message"]

    refused = await call_error(signed, "replace_artwork", {"target": urn_made,
                                                           "artwork": str(files["jpeg"])})
    assert "confirm: true" in refused["message"]
    assert emulator.social.track(tid).artwork_key == first_art  # type: ignore[union-attr]
    await call(signed, "replace_artwork", {"target": urn_made, "artwork": str(files["jpeg"]),
                                           "confirm": True})
    assert emulator.social.track(tid).artwork_key != first_art  # type: ignore[union-attr]

    assert "confirm: true" in (await call_error(signed, "delete_track",
                                                {"target": urn_made}))["message"]
    assert emulator.social.track(tid) is not None
    gone = await call(signed, "delete_track", {"target": urn_made, "confirm": True})
    assert gone["action"] == "track_delete"
    assert emulator.social.track(tid) is None
    assert urn_made not in [t.urn for t in await read_all(signed_service, "tracks",
                                                          my_url(emulator), most=2)]


async def test_mixcloud_upload_with_tags_and_picture(
        signed: ClientSession, signed_service: Service, emulator: RunningEmulator,
        files: dict[str, Path]) -> None:
    too_many = await call_error(signed, "upload_track", {
        "file": str(files["mp3"]), "title": "x", "tags": list("abcdef"),
        "provider": "mixcloud"})
    assert too_many["type"] == "invalid_argument" and "5 tags" in too_many["message"]
    made = await call(signed, "upload_track", {
        "file": str(files["wav"]), "title": "Sunday Session", "tags": ["Deep House", "Dub"],
        "artwork": str(files["jpeg"]), "provider": "mixcloud",
        "sections": ["0:00 Warm-up", "1:30 Alice Coltrane - Journey in Satchidananda"]})
    assert made["provider"] == "mixcloud" and made["title"] == "Sunday Session"
    key = made["target"].split(":", 2)[2]
    show = emulator.mixcloud.catalog.show_by_key(f"/{key}/")
    assert show is not None and show.tags == ("Deep House", "Dub")
    assert [(x.kind, x.start, x.artist, x.song, x.chapter) for x in show.sections] == [
        ("chapter", 0, "", "", "Warm-up"),
        ("track", 90, "Alice Coltrane", "Journey in Satchidananda", "")]
    shows = await read_all(signed_service, "tracks", "https://www.mixcloud.com/quietlistener/",
                           most=2)
    assert shows[0].urn == made["target"] and shows[0].title == "Sunday Session"
    # sections out of order are refused before anything is sent
    backwards = await call_error(signed, "update_track", {
        "target": made["target"], "sections": ["2:00 A - B", "1:00 C - D"]})
    assert backwards["type"] == "invalid_argument" and "not after" in backwards["message"]
    # an edit: the title and the whole tracklist replaced, read back
    edited = await call(signed, "update_track", {
        "target": made["target"], "title": "Sunday Session II",
        "sections": ["0:10 Pharoah Sanders - Astral Traveling"]})
    assert edited["action"] == "track_update"
    show = emulator.mixcloud.catalog.show_by_key(f"/{key}/")
    assert show is not None and show.name == "Sunday Session II"
    assert [(x.start, x.artist, x.song) for x in show.sections] == [
        (10, "Pharoah Sanders", "Astral Traveling")]
    # Mixcloud documents no delete for an upload: said, not tried
    refused = await call_error(signed, "delete_track", {"target": made["target"],
                                                        "confirm": True})
    assert refused["type"] in ("invalid_argument", "unsupported")
    assert emulator.mixcloud.catalog.show_by_key(f"/{key}/") is not None


async def test_upload_arguments_and_no_sign_in(anon: ClientSession, emulator: RunningEmulator,
                                               files: dict[str, Path]) -> None:
    before = emulator.social.track_ids(me(emulator))
    for args, said in (({"file": str(files["mp3"])}, "'title'"),
                       ({"file": str(files["mp3"]), "title": " "}, "blank"),
                       ({"file": str(files["gone"]), "title": "x"}, "no such file"),
                       ({"file": str(files["mp3"]), "title": "x", "tags": ["a,b"]}, "comma"),
                       ({"file": str(files["mp3"]), "title": "x",
                         "artwork": str(files["text"])}, "not a JPEG or PNG")):
        error = await call_error(anon, "upload_track", args)
        assert error["type"] == "invalid_argument" and said in error["message"], (args, error)
    error = await call_error(anon, "upload_track", {"file": str(files["mp3"]), "title": "x"})
    assert error["type"] == "auth_required"
    for name, args in (("update_track", {"target": "soundcloud:tracks:1", "title": "x"}),
                       ("delete_track", {"target": "soundcloud:tracks:1", "confirm": True}),
                       ("replace_artwork", {"target": "soundcloud:tracks:1",
                                            "artwork": str(files["png"]), "confirm": True})):
        assert (await call_error(anon, name, args))["type"] == "auth_required", name
    assert emulator.social.track_ids(me(emulator)) == before


async def test_a_cancelled_upload_sends_nothing(emulator_factory: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                files: dict[str, Path]) -> None:
    """Cancelled as soon as it says it is uploading (the request not answered yet: the
    emulator takes 700 ms a request), no track is made."""
    slow = emulator_factory(seed=1, latency_ms=700)
    registered_apps(monkeypatch)
    service = await open_signed(slow, tmp_path / "slow", "soundcloud")
    try:
        before = slow.social.track_ids(me(slow))
        async with connect(service) as session:
            uploading = asyncio.Event()

            async def progress(done: float, total: float | None, message: str | None) -> None:
                if message == "uploading":
                    uploading.set()

            task = asyncio.create_task(session.call_tool(
                "upload_track", {"file": str(files["mp3"]), "title": "Never"},
                progress_callback=progress))
            await uploading.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.7 * 3)  # what the upload would have taken, twice over
        assert slow.social.track_ids(me(slow)) == before
        assert all(t.title != "Never" for t in await read_all(service, "tracks",
                                                              my_url(slow), most=5))
    finally:
        await service.aclose()
