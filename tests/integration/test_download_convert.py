"""``download --convert mp3|m4a|opus|flac``: real downloads from the emulator re-encoded by
PyAV in a child process, read back with PyAV (the codec) and mutagen (tags, artwork, the
tempo/key/ReplayGain the analysis wrote after the conversion); the same format left alone;
a corrupt source refused with the original kept; a complete file left unconverted (a kill
mid-conversion) converted by the next run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import av
import mutagen
import pytest

from minion_tui.config import AnalysisSettings, DownloadSettings, Settings
from minion_tui.downloads.convert import FORMATS, converting_path
from minion_tui.downloads.engine import convert_finished
from minion_tui.downloads.tags import TrackTags
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import InvalidMedia
from minion_tui.models import DownloadEvent
from minion_tui.service import Service
from tests.examples import resolve_examples
from tests.integration.downloading import cli, json_events

CODEC = {"mp3": {"mp3", "mp3float"}, "m4a": {"aac"}, "opus": {"opus"}, "flac": {"flac"}}


def _settings(tmp_path: Path, **analysis: Any) -> Settings:
    return Settings(path=tmp_path / "c.toml",
                    downloads=DownloadSettings(dir=tmp_path / "music"),
                    analysis=AnalysisSettings(max_seconds=20.0, **analysis))


def _codec(path: Path) -> str:
    with av.open(str(path)) as container:
        return container.streams.audio[0].codec_context.name


def _tags(path: Path) -> dict[str, Any]:
    """Title, artist, artwork bytes, BPM, key and ReplayGain as each container spells them."""
    audio = mutagen.File(path)
    tags = audio.tags
    if path.suffix == ".mp3":
        apic = tags.getall("APIC")
        return {"title": str(tags["TIT2"]), "artist": str(tags["TPE1"]),
                "art": apic[0].data if apic else b"", "bpm": str(tags.get("TBPM", "")),
                "key": str(tags.get("TKEY", "")),
                "gain": str(tags.get("TXXX:REPLAYGAIN_TRACK_GAIN", ""))}
    if path.suffix == ".m4a":
        rg = tags.get("----:com.apple.iTunes:replaygain_track_gain")
        return {"title": tags["\xa9nam"][0], "artist": tags["\xa9ART"][0],
                "art": bytes(tags["covr"][0]) if "covr" in tags else b"",
                "bpm": str(tags["tmpo"][0]) if "tmpo" in tags else "",
                "key": bytes(tags["----:com.apple.iTunes:initialkey"][0]).decode(),
                "gain": bytes(rg[0]).decode() if rg else ""}
    if path.suffix == ".flac":
        art = audio.pictures[0].data if audio.pictures else b""
    else:
        import base64

        from mutagen.flac import Picture

        blocks = tags.get("METADATA_BLOCK_PICTURE") or []
        art = Picture(base64.b64decode(blocks[0])).data if blocks else b""
    return {"title": tags["TITLE"][0], "artist": tags["ARTIST"][0], "art": art,
            "bpm": (tags.get("BPM") or [""])[0],
            "key": (tags.get("INITIALKEY") or tags.get("KEY") or [""])[0],
            # Opus carries R128_TRACK_GAIN (Q7.8 dB) instead (RFC 7845 §5.2.1).
            "gain": (tags.get("REPLAYGAIN_TRACK_GAIN") or tags.get("R128_TRACK_GAIN")
                     or [""])[0]}


async def _download(svc: Service, url: str, **kwargs: Any) -> tuple[Any, list[DownloadEvent]]:
    events: list[DownloadEvent] = []
    [outcome] = await svc.downloads.download([url], listener=events.append, **kwargs)
    return outcome, events


@pytest.mark.parametrize(("fmt", "source_format"), [
    ("mp3", "m4a"), ("m4a", "mp3"), ("opus", "m4a"), ("flac", "mp3")])
async def test_a_download_is_converted_with_its_tags_artwork_and_analysis(
        emulator: RunningEmulator, tmp_path: Path, fmt: str, source_format: str) -> None:
    svc = Service.open(settings=_settings(tmp_path), data_dir=tmp_path / "d",
                       endpoints=emulator.endpoints)
    try:
        [track] = await resolve_examples(svc, emulator, "track_full")
        outcome, events = await _download(svc, track.url, format=source_format, convert=fmt)
        assert outcome.state == "done", outcome
        path = Path(outcome.path)
        assert path.suffix == f".{fmt}"
        assert _codec(path) in CODEC[fmt]
        [done] = [e for e in events if e.kind == "done"]
        assert done.converted_from == source_format
        assert done.path == str(path)
        assert done.reason == (f"converted from {source_format} to {fmt} "
                               f"({FORMATS[fmt].described}, PyAV)")
        assert done.to_json()["converted_from"] == source_format
        # The original is gone only now; nothing else is left in the folder.
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
        found = _tags(path)
        assert (found["title"], found["artist"]) == (track.title, track.artist)
        assert found["art"][:3] == b"\xff\xd8\xff" or found["art"][:4] == b"\x89PNG"
        # The analysis ran on the converted file and wrote its figures into it.
        stored = await svc._core.track_by_urn(track.urn)
        assert stored.bpm and stored.key
        assert found["bpm"] == str(round(stored.bpm))
        if fmt == "opus":
            assert int(found["gain"]) != 0  # R128_TRACK_GAIN, Q7.8
        else:
            assert found["gain"].endswith(" dB")
        assert found["key"]
    finally:
        await svc.aclose()


async def test_the_same_format_is_not_re_encoded(emulator: RunningEmulator,
                                                 tmp_path: Path) -> None:
    svc = Service.open(settings=_settings(tmp_path, after_download=False),
                       data_dir=tmp_path / "d", endpoints=emulator.endpoints)
    plain = Service.open(settings=Settings(
        path=tmp_path / "c2.toml", downloads=DownloadSettings(dir=tmp_path / "plain"),
        analysis=AnalysisSettings(after_download=False)), data_dir=tmp_path / "d2",
        endpoints=emulator.endpoints)
    try:
        [track] = await resolve_examples(svc, emulator, "track_full")
        outcome, events = await _download(svc, track.url, format="mp3", convert="mp3")
        [done] = [e for e in events if e.kind == "done"]
        assert (done.converted_from, done.reason) == ("", "already mp3: not re-encoded")
        reference, _ = await _download(plain, track.url, format="mp3")
        same = Path(outcome.path).read_bytes() == Path(reference.path).read_bytes()  # noqa: ASYNC240
        assert same
    finally:
        await svc.aclose()
        await plain.aclose()


async def test_a_corrupt_source_is_a_clear_error_and_the_original_is_kept(
        tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    source = folder / "Artist - Broken.m4a"
    junk = b"\x00\x00\x00\x18ftypM4A " + os.urandom(64 * 1024)
    source.write_bytes(junk)
    with pytest.raises(InvalidMedia) as caught:
        await convert_finished(source, "m4a", "mp3", _tags_of("Broken"), None)
    assert "Broken.m4a" in caught.value.message
    assert caught.value.hint == "The original is kept as downloaded."
    assert source.read_bytes() == junk
    assert sorted(p.name for p in folder.iterdir()) == [source.name]
    assert not converting_path(source.with_suffix(".mp3")).exists()


def _tags_of(title: str) -> TrackTags:
    return TrackTags(title=title, artist="Artist")


async def test_a_complete_file_left_unconverted_is_converted_by_the_next_run(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    """What a kill between the download's rename and the conversion's leaves: the complete
    original, no archive row (another data dir here). The next --convert run converts it
    without downloading again."""
    first = Service.open(settings=_settings(tmp_path, after_download=False),
                         data_dir=tmp_path / "d1", endpoints=emulator.endpoints)
    try:
        [track] = await resolve_examples(first, emulator, "track_full")
        original, _ = await _download(first, track.url)
    finally:
        await first.aclose()
    assert Path(original.path).suffix == ".m4a"
    # A conversion the kill interrupted half-way leaves its temporary file behind.
    leftover = converting_path(Path(original.path).with_suffix(".opus"))
    leftover.write_bytes(b"OggS half")
    second = Service.open(settings=_settings(tmp_path, after_download=False),
                          data_dir=tmp_path / "d2", endpoints=emulator.endpoints)
    try:
        outcome, events = await _download(second, track.url, convert="opus")
    finally:
        await second.aclose()
    assert outcome.state == "done"
    assert [e.kind for e in events if e.kind in ("segment", "bytes", "done")] == ["done"]
    assert events[-1].converted_from == "m4a"
    path = Path(outcome.path)
    assert (path.suffix, _codec(path)) == (".opus", "opus")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert _tags(path)["title"] == track.title


def test_the_cli_says_it_plainly(sc_env: RunningEmulator, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    human = subprocess.run(cli(url, "--dir", str(tmp_path / "h"), "--convert", "mp3"),
                           capture_output=True, text=True, timeout=180, env=env)
    assert human.returncode == 0, human.stderr + human.stdout
    assert "(converted from m4a to mp3 (MP3 VBR -V 2 (libmp3lame), PyAV))" in human.stdout
    assert "Traceback" not in human.stderr
    again = subprocess.run(cli(url, "--json", "--dir", str(tmp_path / "j"), "--convert",
                               "mp3", "--format", "mp3"),
                           capture_output=True, text=True, timeout=180,
                           env={**env, "XDG_DATA_HOME": str(tmp_path / "data2")})
    assert again.returncode == 0, again.stderr + again.stdout
    [done] = [e for e in json_events(again.stdout) if e["event"] == "done"]
    assert (done["converted_from"], done["reason"]) == ("", "already mp3: not re-encoded")
    bad = subprocess.run(cli(url, "--json", "--convert", "wav"), capture_output=True,
                         text=True, timeout=60, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert '"type": "invalid_argument"' in bad.stdout and "'wav'" in bad.stdout


def test_every_encoder_is_in_this_pyav_build() -> None:
    from minion_tui.downloads.convert import check_encoder

    for fmt, spec in FORMATS.items():
        check_encoder(fmt)
        assert av.codec.Codec(spec.encoder, "w").type == "audio"


async def test_an_original_file_is_converted_into_a_tagged_file_of_ours(
        emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--format original (the uploader's MP3 here) with --convert flac: the FLAC made from it
    is tagged like a stream's download; the original goes once the FLAC is complete."""
    monkeypatch.setenv("SOUNDCLOUD_ACCESS_TOKEN", "demo-oauth-token")
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    svc = Service.open(data_dir=tmp_path / "d")  # the token comes from the environment
    try:
        [track] = await resolve_examples(svc, emulator, "track_downloadable")
        outcome, events = await _download(svc, track.url, format="original", convert="flac",
                                          directory=tmp_path / "out")
    finally:
        await svc.aclose()
    assert outcome.state == "done", outcome
    path = Path(outcome.path)
    assert path.name == f"{track.title} (Final Master).flac"
    assert _codec(path) == "flac"
    assert [e.converted_from for e in events if e.kind == "done"] == ["mp3"]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert _tags(path)["title"] == track.title


async def test_a_missing_encoder_is_named_before_any_download(
        emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PyAV build without the encoder (stood in for by a name no build has) fails the
    whole download at once, naming the encoder; nothing is fetched or written."""
    import dataclasses

    from minion_tui.errors import DownloadError

    monkeypatch.setitem(FORMATS, "opus", dataclasses.replace(FORMATS["opus"],
                                                             encoder="libnosuchopus"))
    svc = Service.open(settings=_settings(tmp_path), data_dir=tmp_path / "d",
                       endpoints=emulator.endpoints)
    try:
        [track] = await resolve_examples(svc, emulator, "track_full")
        with pytest.raises(DownloadError) as caught:
            await svc.downloads.download([track.url], convert="opus")
    finally:
        await svc.aclose()
    assert caught.value.message == ("This PyAV build has no libnosuchopus encoder, needed "
                                    "for --convert opus.")
    assert not (tmp_path / "music").exists()


def test_sigkill_mid_conversion_keeps_the_original_and_the_next_run_converts(
        sc_env: RunningEmulator, tmp_path: Path) -> None:
    """SIGKILL to the command and its encoder child while the converted file is being
    written: the original is complete under its own name, nothing under the converted one;
    the same command again converts it without fetching the audio again."""
    import signal
    import time

    url = sc_env.examples["track_full"]
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    folder = tmp_path / "music"
    argv = cli(url, "--json", "--dir", str(folder), "--format", "mp3", "--convert", "m4a")
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    converting: list[Path] = []
    while not converting and proc.poll() is None and time.monotonic() < deadline:
        converting = [p for p in folder.glob(".*.converting") if p.stat().st_size > 0] \
            if folder.exists() else []
        time.sleep(0.01)
    assert converting, "the conversion never started (or ended before it was seen)"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    [original] = folder.glob("*.mp3")
    assert _codec(original) in CODEC["mp3"]
    assert _tags(original)["title"]
    assert not list(folder.glob("*.m4a"))  # nothing under the converted name
    again = subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    events = json_events(again.stdout)
    assert not [e for e in events if e["event"] in ("segment", "bytes")]  # not fetched again
    [done] = [e for e in events if e["event"] == "done"]
    assert done["converted_from"] == "mp3"
    path = Path(done["path"])
    assert (path.suffix, _codec(path)) == (".m4a", "aac")
    assert sorted(p.name for p in folder.iterdir()) == [path.name]
