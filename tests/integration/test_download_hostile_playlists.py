"""Playlists that are empty, not playlists, cut off, enormous, or whose segments are not
audio: each fails its own batch item with a typed error (the `failed` event carries `type`
beside `reason`), leaves no final file and no empty segment folder, and the batch goes on
with the next item. Served by a local server that logs every request; run through the CLI
as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integration.local_server import answering_server

GOOD = "good/index.m3u8"


@dataclass
class Site:
    """Files by path; every path asked for is logged."""

    files: dict[str, bytes] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def good_mp3(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A real 3-second MP3 HLS (1-second segments): the item that must still download."""
    folder = tmp_path_factory.mktemp("good")
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=3:sample_rate=44100", "-c:a", "libmp3lame",
                    "-b:a", "128k", "-f", "segment", "-segment_time", "1", "-segment_format",
                    "mp3", str(folder / "s%03d.mp3")], check=True)
    segments = sorted(folder.glob("s*.mp3"))
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2"]
    for seg in segments:
        lines += ["#EXTINF:1.0,", seg.name]
    files = {f"good/{seg.name}": seg.read_bytes() for seg in segments}
    files[GOOD] = "\n".join([*lines, "#EXT-X-ENDLIST", ""]).encode()
    return files


@pytest.fixture
def site(good_mp3: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    state = Site(dict(good_mp3))

    def answer(url: Any) -> tuple[int, bytes, str | None]:
        path = url.path.lstrip("/")
        with state.lock:
            state.asked.append(path)
        body = state.files.get(path)
        if body is None:
            return 404, b"", None
        return 200, body, "application/vnd.apple.mpegurl" if path.endswith(".m3u8") else None

    with answering_server(answer) as base:
        yield state, base


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "minion_tui", "download", *argv],
                          capture_output=True, text=True, timeout=240, env=os.environ.copy())


def _playlist(*entries: str, end: bool = True) -> bytes:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", *entries]
    return "\n".join([*lines, *(["#EXT-X-ENDLIST"] if end else []), ""]).encode()


NOT_AUDIO = b"<html><body>Access denied</body></html>" * 50
HOSTILE: dict[str, tuple[dict[str, bytes], str]] = {
    "only_the_header": ({"bad/x.m3u8": b"#EXTM3U\n"}, "invalid_playlist"),
    "endlist_without_segments": ({"bad/x.m3u8": _playlist()}, "invalid_playlist"),
    "html_instead_of_a_playlist": ({"bad/x.m3u8": b"<!doctype html><html><body>Sign in"
                                    b"</body></html>"}, "invalid_playlist"),
    "binary_instead_of_a_playlist": ({"bad/x.m3u8": bytes(range(256)) * 4},
                                     "invalid_playlist"),
    "cut_off_before_its_end": ({"bad/x.m3u8": _playlist("#EXTINF:2.0,", "a.ts", "#EXTINF:2.0,",
                                                        "b.t", end=False),
                                "bad/a.ts": NOT_AUDIO}, "invalid_playlist"),
    "master_without_variants": ({"bad/x.m3u8": b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"},
                                "invalid_playlist"),
    "ts_segments_that_are_not_audio": ({"bad/x.m3u8": _playlist("#EXTINF:2.0,", "a.ts",
                                                                "#EXTINF:2.0,", "b.ts"),
                                        "bad/a.ts": NOT_AUDIO, "bad/b.ts": NOT_AUDIO},
                                       "invalid_media"),
    "fmp4_segments_that_are_not_audio": ({"bad/x.m3u8": _playlist(
        '#EXT-X-MAP:URI="init.mp4"', "#EXTINF:2.0,", "a.m4s", "#EXTINF:2.0,", "b.m4s"),
        "bad/init.mp4": NOT_AUDIO, "bad/a.m4s": NOT_AUDIO, "bad/b.m4s": NOT_AUDIO},
        "invalid_media"),
    "mp3_segments_that_are_not_audio": ({"bad/x.m3u8": _playlist("#EXTINF:2.0,", "a.mp3",
                                                                 "#EXTINF:2.0,", "b.mp3"),
                                         "bad/a.mp3": NOT_AUDIO, "bad/b.mp3": NOT_AUDIO},
                                        "invalid_media"),
}


def _rows(run: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert "Traceback" not in run.stderr, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_playlist_fails_its_item_and_the_batch_goes_on(case: str, site: Any,
                                                                 tmp_path: Path) -> None:
    state, base = site
    files, error_type = HOSTILE[case]
    state.files.update(files)
    out = tmp_path / "out"
    run = _cli(f"{base}/bad/x.m3u8", f"{base}/{GOOD}", "--json", "--dir", str(out),
               "--jobs", "1")
    rows = _rows(run)
    assert run.returncode == 1, run.stdout + run.stderr  # one item failed (README)
    [failed] = [r for r in rows if r["event"] == "failed"]
    assert failed["track_urn"] == f"{base}/bad/x.m3u8"
    assert failed["type"] == error_type, failed
    assert failed["reason"]
    [done] = [r for r in rows if r["event"] == "done"]
    assert Path(done["path"]).name == "index.mp3"
    # The good item only: no final file, no .part and no segment folder of the bad one.
    assert sorted(p.name for p in out.iterdir()) == ["index.mp3"]
    assert all(r["type"] == "" for r in rows if r["event"] != "failed")


def test_every_failed_event_carries_the_error_type(site: Any, tmp_path: Path) -> None:
    _state, base = site
    out = tmp_path / "out"
    run = _cli("nonsense-target", f"{base}/missing/x.m3u8", f"{base}/missing/y.mp3", "--json",
               "--dir", str(out))
    rows = _rows(run)
    assert run.returncode == 1
    failed = {r["track_urn"]: r for r in rows if r["event"] == "failed"}
    assert failed["nonsense-target"]["type"] == "invalid_url"
    assert failed[f"{base}/missing/x.m3u8"]["type"] == "not_found"
    assert failed[f"{base}/missing/y.mp3"]["type"] == "download"  # progressive.py: HTTP 404
    assert all(r["reason"] for r in failed.values())
    # Nothing was fetched: no empty segment folder (nor anything else) is left behind.
    assert not out.exists() or list(out.iterdir()) == []


def test_a_million_segment_playlist_is_refused_before_anything_is_queued(site: Any,
                                                                        tmp_path: Path) -> None:
    state, base = site
    state.files["big/x.m3u8"] = _playlist(*(f"#EXTINF:2.0,\ns{n}.ts"
                                            for n in range(1_000_000)))
    out = tmp_path / "out"
    run = _cli(f"{base}/big/x.m3u8", "--json", "--dir", str(out))
    rows = _rows(run)
    assert run.returncode == 1
    [failed] = [r for r in rows if r["event"] == "failed"]
    assert failed["type"] == "playlist_too_large"
    assert "1000000 segments" in failed["reason"]
    assert "downloads.max_segments" in failed["reason"]
    assert state.asked == ["big/x.m3u8"]  # not one segment asked for
    assert [r["event"] for r in rows] == ["failed"]  # no start, no segment events
    assert not out.exists() or list(out.iterdir()) == []


def test_a_playlist_longer_than_the_duration_cap_is_refused(site: Any, tmp_path: Path) -> None:
    state, base = site
    # 3 × 10 h: past the default cap of 24 h (a 12-hour DJ set is well inside it).
    state.files["long/x.m3u8"] = _playlist(*["#EXTINF:36000.0,\na.ts"] * 3)
    run = _cli(f"{base}/long/x.m3u8", "--json", "--dir", str(tmp_path / "out"))
    [failed] = [r for r in _rows(run) if r["event"] == "failed"]
    assert failed["type"] == "playlist_too_large"
    assert "30.0 hours" in failed["reason"] and "downloads.max_duration_hours" in failed["reason"]
    assert state.asked == ["long/x.m3u8"]


def test_the_byte_cap_comes_from_the_configuration(site: Any, tmp_path: Path,
                                                  isolated_env: Path) -> None:
    state, base = site
    config = isolated_env / "config" / "minion-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[downloads]\nmax_playlist_bytes = 4096\n")
    state.files["wide/x.m3u8"] = _playlist(*(f"#EXTINF:2.0,\ns{n}.ts" for n in range(1000)))
    run = _cli(f"{base}/wide/x.m3u8", f"{base}/{GOOD}", "--json", "--dir", str(tmp_path))
    rows = _rows(run)
    [failed] = [r for r in rows if r["event"] == "failed"]
    assert failed["type"] == "playlist_too_large"
    assert "4096 bytes" in failed["reason"] and "downloads.max_playlist_bytes" in failed["reason"]
    assert [r["event"] for r in rows if r["track_urn"].endswith(GOOD)][-1] == "done"


def test_a_url_list_with_a_non_utf8_line_reports_that_line_and_goes_on(site: Any,
                                                                      tmp_path: Path) -> None:
    _state, base = site
    listing = tmp_path / "urls.txt"
    listing.write_bytes(b"\xef\xbb\xbf# my list\n" + f"{base}/missing/a.m3u8\n".encode()
                        + b"https://soundcloud.com/caf\xe9/x\n"
                        + f"{base}/{GOOD}\r\n".encode())
    run = _cli(str(listing), "--json", "--dir", str(tmp_path / "out"))
    rows = _rows(run)
    assert run.returncode == 1
    failed = {r["track_urn"]: r for r in rows if r["event"] == "failed"}
    assert set(failed) == {f"{base}/missing/a.m3u8", f"{listing}:3"}
    line = failed[f"{listing}:3"]
    assert line["type"] == "invalid_argument"
    assert line["reason"].startswith("line 3: ") and "UTF-8" in line["reason"]
    assert "0xe9" in line["reason"]
    assert [Path(r["path"]).name for r in rows if r["event"] == "done"] == ["index.mp3"]
