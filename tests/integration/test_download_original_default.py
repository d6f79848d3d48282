"""Issue 6 §4: with the default format, a track that offers its original is downloaded as
that original (real name and format) when an OAuth token is configured; otherwise, and with
an explicit ``--format mp3|m4a|opus``, the stream is downloaded."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from minion_tui.models import Outcome, Track
from minion_tui.service import Service

TOKEN = "demo-oauth-token"  # the emulator's built-in OAuth token (emulator/state.py)


def _download(emulator: Any, folder: Path, **kwargs: Any) -> tuple[Track, Outcome]:
    return asyncio.run(_run(emulator, folder, **kwargs))


async def _run(emulator: Any, folder: Path, **kwargs: Any) -> tuple[Track, Outcome]:
    service = Service.open(data_dir=folder / "data")
    try:
        track = await service.catalog.resolve(emulator.examples["track_downloadable"])
        assert isinstance(track, Track) and track.downloadable
        emulator.state.reset_counters()
        [outcome] = await service.downloads.download([track.url], directory=folder / "out",
                                                     **kwargs)
    finally:
        await service.aclose()
    return track, outcome


def _download_calls(emulator: Any, track: Track) -> list[str]:
    return [p for p in emulator.state.api_calls if p == f"/tracks/{track.id}/download"]


def test_default_format_with_a_token_takes_the_original(
        sc_env: Any, sc_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCLOUD_ACCESS_TOKEN", TOKEN)
    track, outcome = _download(sc_env, tmp_path)
    assert outcome.state == "done", outcome
    path = Path(outcome.path)
    assert path == tmp_path / "out" / f"{track.title} (Final Master).mp3"
    answer = sc_http.get(f"/tracks/{track.id}/download",
                         headers={"Authorization": f"OAuth {TOKEN}"}).json()
    original = sc_http.get(answer["redirectUri"], client_id=None)
    assert original.status_code == 200
    assert path.read_bytes() == original.content  # the uploader's bytes, untouched
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_default_format_without_a_token_takes_the_stream(sc_env: Any,
                                                               tmp_path: Path) -> None:
    track, outcome = _download(sc_env, tmp_path)
    assert outcome.state == "done", outcome
    assert Path(outcome.path) == tmp_path / "out" / f"{track.artist} - {track.title}.m4a"
    assert outcome.reason == ""  # no token: the original is not even asked for
    assert _download_calls(sc_env, track) == []


@pytest.mark.parametrize(("fmt", "suffix"), [("m4a", ".m4a"), ("mp3", ".mp3")])
def test_explicit_format_with_a_token_takes_the_stream(
        sc_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str,
        suffix: str) -> None:
    monkeypatch.setenv("SOUNDCLOUD_ACCESS_TOKEN", TOKEN)
    track, outcome = _download(sc_env, tmp_path, format=fmt)
    assert outcome.state == "done", outcome
    assert Path(outcome.path) == tmp_path / "out" / f"{track.artist} - {track.title}{suffix}"
    assert _download_calls(sc_env, track) == []


def test_default_format_falls_back_when_the_original_is_refused(
        sc_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token SoundCloud does not accept (401 on the original): the stream instead, with
    the reason noted in the outcome."""
    monkeypatch.setenv("SOUNDCLOUD_ACCESS_TOKEN", "a-token-the-emulator-does-not-know")
    track, outcome = _download(sc_env, tmp_path)
    assert outcome.state == "done", outcome
    assert Path(outcome.path).suffix == ".m4a"
    assert outcome.reason.startswith("original not available")
    assert _download_calls(sc_env, track) == [f"/tracks/{track.id}/download"]
