"""Download targets against the emulator: profiles, likes, searches, URL files, direct media
URLs and original files."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import av
import pytest

from minion_tui.downloads.direct import download_direct
from minion_tui.downloads.engine import DownloadOptions
from minion_tui.downloads.original import OriginalUnavailable, download_original, try_original
from minion_tui.downloads.targets import Direct, Item, Refused, Wanted, expand
from minion_tui.models import DownloadEvent, Playlist, Track
from minion_tui.service import Service

T = TypeVar("T")
TOKEN = "demo-oauth-token"  # the emulator's built-in OAuth token (emulator/state.py)


def _with_service(work: Callable[[Service], Awaitable[T]]) -> T:
    async def run() -> T:
        service = Service.open()
        try:
            return await work(service)
        finally:
            await service.aclose()

    return asyncio.run(run())


async def _expanded(source: Any, targets: list[str], **kwargs: Any) -> list[Item]:
    return [item async for item in expand(source, targets, **kwargs)]


async def _urns_of_listing(service: Service, pages: Any) -> list[str]:
    """Tracks as listed; a listed set as its tracks (what a download of the list fetches)."""
    urns: list[str] = []
    async for page in pages:
        for item in page.items:
            if isinstance(item, Track):
                urns.append(item.urn)
            elif isinstance(item, Playlist):
                full = await service.catalog.resolve(item.urn)
                assert isinstance(full, Playlist)
                urns.extend(t.urn for t in full.tracks)
    return urns


def test_likes_url_expands_to_the_users_likes(sc_env: Any) -> None:
    user = sc_env.examples["user"]

    async def work(service: Service) -> tuple[list[Item], list[str]]:
        items = await _expanded(service.catalog, [user + "/likes"])
        return items, await _urns_of_listing(service, service.catalog.browse("likes", user))

    items, expected = _with_service(work)
    assert all(isinstance(i, Wanted) for i in items)
    wanted = [i for i in items if isinstance(i, Wanted)]
    assert len(expected) > 50  # more than one page
    assert [w.track.urn for w in wanted] == expected
    # Liked sets come with their set: index from 1 in set order, for the set folder and M3U8.
    in_sets = [w for w in wanted if w.playlist is not None]
    assert in_sets and in_sets[0].index == 1


def test_profile_url_expands_to_their_tracks_even_through_resolve(sc_env: Any) -> None:
    user = sc_env.examples["user"]

    async def work(service: Service) -> tuple[list[Item], list[Item], list[str]]:
        # batch.py's older call passes service.catalog.resolve: the service behind it is used.
        via_resolve = await _expanded(service.catalog.resolve, [user + "/tracks"])
        via_service = await _expanded(service.catalog, [user])
        return via_resolve, via_service, await _urns_of_listing(
            service, service.catalog.browse("tracks", user))

    via_resolve, via_service, expected = _with_service(work)
    assert [i.track.urn for i in via_service if isinstance(i, Wanted)] == expected
    assert via_resolve == via_service
    assert len(expected) > 450


def test_search_url_expands_to_the_first_results(sc_env: Any) -> None:
    async def work(service: Service) -> tuple[list[Item], list[str], list[Item]]:
        items = await _expanded(
            service.catalog, ["https://soundcloud.com/search/sounds?q=machine"], limit=7)
        expected = await _urns_of_listing(
            service, service.catalog.search("machine", kind="tracks", limit=7))
        nothing = await _expanded(
            service.catalog, ["https://soundcloud.com/search/sounds?q=zzqqxxnothing",
                      "https://soundcloud.com/search/people?q=machine"])
        return items, expected[:7], nothing

    items, expected, nothing = _with_service(work)
    assert len(expected) == 7
    assert [i.track.urn for i in items if isinstance(i, Wanted)] == expected
    assert len(items) == 7
    assert [type(i) for i in nothing] == [Refused, Refused]
    assert isinstance(nothing[0], Refused) and "found nothing" in nothing[0].reason
    assert isinstance(nothing[1], Refused) and "people" in nothing[1].reason


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "minion_tui", "download", *argv],
                          capture_output=True, text=True, timeout=240, env=os.environ.copy())


def test_url_file_reports_the_bad_line_and_downloads_the_rest(sc_env: Any,
                                                             tmp_path: Path) -> None:
    ex = sc_env.examples
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# my list\n{ex['track_full']}\nhttps://example.com/not/a/track\n\n"
                       f"{ex['track_downloadable']}\n", encoding="utf-8")
    run = _cli(str(listing), "--json", "--dir", str(tmp_path / "out"), "--jobs", "2")
    assert run.returncode == 1, run.stderr  # one target failed
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    fields = set(DownloadEvent("start", "x").to_json())
    assert rows and all(set(row) == fields for row in rows)  # every line is one event
    [failed] = [r for r in rows if r["event"] == "failed"]
    assert failed["track_urn"] == f"{listing}:3"
    assert failed["reason"].startswith("line 3: ") and "example.com" in failed["reason"]
    done = sorted(Path(r["path"]).name for r in rows if r["event"] == "done")
    assert len(done) == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == done
    assert {r["event"] for r in rows} >= {"start", "segment", "done", "failed"}


def test_without_json_a_pipe_gets_only_the_final_lines(sc_env: Any, tmp_path: Path) -> None:
    run = _cli(sc_env.examples["track_full"], "nonsense-target", "--dir", str(tmp_path))
    lines = run.stdout.splitlines()
    assert "\x1b[" not in run.stdout  # no bars: stdout is a pipe
    assert len(lines) == 3, run.stdout
    assert lines[0].startswith("failed   nonsense-target  (")
    assert lines[1].startswith("done     ") and str(tmp_path) in lines[1]
    assert lines[2] == "1 done, 1 failed"


def _decoded_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        samples = sum(frame.samples for frame in container.decode(stream))
    return samples / rate


def test_direct_m3u8_and_mp3_urls_download_decodable_files(sc_env: Any, tmp_path: Path) -> None:
    async def work(service: Service) -> tuple[Track, list[Path], list[Item], list[Item]]:
        track = await service.catalog.resolve(sc_env.examples["track_full"])
        assert isinstance(track, Track)
        hls = await service._core.provider("soundcloud").stream(track, require_full=True)
        mp3 = await service.catalog.stream(track, require_full=True, prefer="mp3")
        assert hls.protocol == "hls" and mp3.protocol == "progressive"
        items = await _expanded(service.catalog, [hls.url, mp3.url])
        legacy = await _expanded(service.catalog.resolve, [hls.url])
        options = DownloadOptions(tmp_path / "out", segments=4)
        paths = [await download_direct(service.downloads._source, item, options)
                 for item in items if isinstance(item, Direct)]
        return track, paths, items, legacy

    track, paths, items, legacy = _with_service(work)
    assert [(type(i), getattr(i, "kind", "")) for i in items] == [(Direct, "hls"),
                                                                 (Direct, "mp3")]
    assert isinstance(legacy[0], Refused)  # an older batch cannot run Direct items
    m4a, mp3 = paths
    assert m4a.name == "playlist.m4a" and mp3.name.endswith(".128.mp3")
    for path in paths:
        assert abs(_decoded_seconds(path) - track.duration_ms / 1000) < 0.2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)


def test_cli_downloads_a_direct_m3u8_url(sc_env: Any, tmp_path: Path) -> None:
    async def work(service: Service) -> tuple[Track, str]:
        track = await service.catalog.resolve(sc_env.examples["track_full"])
        assert isinstance(track, Track)
        return track, (await service.catalog.stream(track, require_full=True)).url

    track, url = _with_service(work)
    run = _cli(url, "--json", "--dir", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr + run.stdout
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    [done] = [r for r in rows if r["event"] == "done"]
    assert done["track_urn"] == url and Path(done["path"]).name == "playlist.m4a"
    assert [r["segments_done"] for r in rows if r["event"] == "segment"][-1] > 1
    assert abs(_decoded_seconds(Path(done["path"])) - track.duration_ms / 1000) < 0.2


def test_original_file_keeps_its_bytes_name_and_extension(sc_env: Any, sc_http: Any,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCLOUD_ACCESS_TOKEN", TOKEN)
    events: list[DownloadEvent] = []

    async def work(service: Service) -> tuple[Track, Path, str, tuple[Path | None, str], str]:
        track = await service.catalog.resolve(sc_env.examples["track_downloadable"])
        assert isinstance(track, Track)
        options = DownloadOptions(tmp_path / "out", listener=events.append)
        path = await download_original(service.downloads._source, track, options)
        plain = await service.catalog.resolve(sc_env.examples["track_full"])
        assert isinstance(plain, Track)
        with pytest.raises(OriginalUnavailable) as refused:
            await download_original(service.downloads._source, plain, options)
        # The batch's entry point: a note instead of an error, for the fallback to a stream.
        fallback = await try_original(service.downloads._source, plain, options)
        return track, path, refused.value.text, fallback, plain.title

    track, path, refused, fallback, plain_title = _with_service(work)
    assert fallback == (None, f"original not available ({plain_title}: the uploader "
                              "does not offer the original file); downloaded the best stream")
    assert path == tmp_path / "out" / f"{track.title} (Final Master).mp3"
    answer = sc_http.get(f"/tracks/{track.id}/download",
                         headers={"Authorization": f"OAuth {TOKEN}"}).json()
    original = sc_http.get(answer["redirectUri"], client_id=None)
    assert original.status_code == 200
    assert path.read_bytes() == original.content  # untouched: no tags written into it
    assert events[0].kind == "start" and events[-1].kind == "done"
    assert events[-1].bytes_done == len(original.content)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert "does not offer the original" in refused


def test_original_needs_a_token(sc_env: Any, tmp_path: Path) -> None:
    async def work(service: Service) -> str:
        track = await service.catalog.resolve(sc_env.examples["track_downloadable"])
        assert isinstance(track, Track) and track.downloadable
        with pytest.raises(OriginalUnavailable) as refused:
            await download_original(service.downloads._source, track,
                                    DownloadOptions(tmp_path / "out"))
        return refused.value.text

    assert "signed-in" in _with_service(work)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("disposition", "content_type", "expected"), [
    ("attachment; filename=\"Caf? (Final).wav\"; filename*=UTF-8''Caf%C3%A9%20%28Final%29.wav",
     "audio/wav", ("Café (Final)", "wav")),
    ('attachment; filename="../../etc/Master.FLAC"', None, ("Master", "flac")),
    ("attachment; filename=master", "audio/x-aiff", ("master", "aiff")),
    (None, "audio/mpeg", None),
])
def test_original_name_from_content_disposition(disposition: str | None,
                                                content_type: str | None,
                                                expected: tuple[str, str] | None) -> None:
    from minion_tui.downloads.original import original_name

    found = original_name(disposition, content_type)
    assert (None if found is None else (found.stem, found.ext)) == expected


@pytest.mark.parametrize(("url", "kind"), [
    ("https://cdn.example.com/a/b/playlist.m3u8?Policy=x&Signature=y", "hls"),
    ("https://cdn.example.com/Mix%20One.MP3", "mp3"),
    ("http://host/x.m4a", "m4a"),
    ("https://soundcloud.com/artist/track.mp3-remix", None),
    ("ftp://host/x.mp3", None),
    ("https://host/?file=x.mp3", None),  # the query does not name the media
])
def test_direct_kind(url: str, kind: str | None) -> None:
    from minion_tui.downloads.targets import direct_kind

    assert direct_kind(url) == kind
