"""Radio (service.inbox.radio and `minion-tui radio`) against the emulator: related tracks,
the station and what the seed's likers also liked, ranked by trust; never a not-interested
track, none twice, at most two in a row by one artist; `--save` writes an M3U8 that the
download command's URL-list reader takes back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from minion_tui import config
from minion_tui.cli import main
from minion_tui.config import Settings
from minion_tui.downloads.targets import Wanted, expand
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, RadioEntry, Track
from minion_tui.service import Service
from tests.integration.discovery_seed import Evidence


@pytest.fixture
async def service(sc_env: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    """Over the emulator, with its data where the CLI of this test looks (XDG)."""
    svc = Service.open(settings=Settings(path=tmp_path / "config.toml"),
                       endpoints=sc_env.endpoints)
    yield svc
    await svc.aclose()


async def _seed_with_likers(service: Service, emulator: RunningEmulator) -> tuple[Track,
                                                                                  list[Track]]:
    """The seed track, liked by artists 11 and 12, who also liked four trending tracks."""
    seed = await service.catalog.resolve(emulator.examples["track_full"])
    assert isinstance(seed, Track)
    trending: list[Track] = []
    async for page in service.catalog.browse("trending", limit=30):
        trending.extend(t for t in page.items if isinstance(t, Track) and t.urn != seed.urn)
    evidence = Evidence(service)
    await evidence.add(seed, 11, 12)
    liked = trending[-4:]
    for t in liked:
        await evidence.add(t, 11 if t is liked[0] else 12)
    return seed, liked


def assert_radio_rules(entries: list[RadioEntry], seed: Track | None,
                       rejected: set[str]) -> None:
    urns = [e.track.urn for e in entries]
    assert len(urns) == len(set(urns))  # no repeats
    assert (seed is None or seed.urn not in urns) and not rejected & set(urns)
    artists = [e.track.uploader_urn or e.track.artist for e in entries]
    for i in range(len(artists) - 2):
        assert len(set(artists[i:i + 3])) > 1, f"three in a row by {artists[i]} at {i}"


async def test_a_radio_mixes_related_station_and_the_likers_likes_by_the_rules(
        service: Service, sc_env: RunningEmulator) -> None:
    seed, liked = await _seed_with_likers(service, sc_env)
    first = await service.inbox.radio(seed.urn, size=20)
    rejected = {first[0].track.urn, first[3].track.urn}
    for urn in rejected:
        await service.library.rate(urn, Judgment.NOT_INTERESTED)

    entries = await service.inbox.radio(seed.url, size=20)

    assert len(entries) == 20
    assert_radio_rules(entries, seed, rejected)
    assert {e.via for e in entries} == {"related", "station", "liked_by"}
    queued = {e.track.urn for e in entries}
    assert {e.track.urn for e in entries if e.via == "liked_by"} <= {t.urn for t in liked}
    assert {t.urn for t in liked} - rejected <= queued  # the likers' likes all made it
    assert all(e.score > 0 for e in entries)
    document = entries[0].to_json()
    assert document["kind"] == "track" and {"via", "score"} <= set(document)


async def test_liking_what_an_artist_surfaced_moves_their_likes_up_the_radio(
        service: Service, sc_env: RunningEmulator) -> None:
    seed, liked = await _seed_with_likers(service, sc_env)
    before = [e.track.urn for e in await service.inbox.radio(seed.urn, size=30)
              if e.via == "liked_by"]
    assert before[0] != liked[0].urn  # artist 12 liked three, 11 one: equal trust, newest
    await service.library.rate(seed.urn, Judgment.LIKED)  # both liked it: no change yet
    extra = Track("soundcloud", "1", "soundcloud:tracks:1", "https://soundcloud.com/x/y",
                  "Extra", "X", "x", 1000)
    await Evidence(service).add(extra, 11)
    await service.library.rate(extra.urn, Judgment.LIKED)  # only 11 surfaced this one

    after = [e.track.urn for e in await service.inbox.radio(seed.urn, size=30)
             if e.via == "liked_by"]
    assert after[0] == liked[0].urn


async def test_an_artist_seed_grows_from_their_top_tracks(
        service: Service, sc_env: RunningEmulator) -> None:
    artist = await service.catalog.resolve(sc_env.examples["user"])
    top: list[Track] = []
    async for page in service.catalog.browse("toptracks", artist.urn, limit=3):
        top.extend(t for t in page.items if isinstance(t, Track))
    entries = await service.inbox.radio(sc_env.examples["user"], size=15)

    assert len(entries) == 15
    assert_radio_rules(entries, None, {t.urn for t in top[:3]})  # the seeds are not queued
    assert {e.via for e in entries} <= {"related", "station", "liked_by"}


async def test_radio_save_writes_an_m3u8_the_download_url_list_reader_takes(
        service: Service, sc_env: RunningEmulator, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seed, _ = await _seed_with_likers(service, sc_env)
    await service.aclose()
    monkeypatch.setenv("SOUNDCLOUD_DOWNLOAD_DIR", str(tmp_path / "Music"))

    code = await asyncio.to_thread(main, ["radio", seed.urn, "--size", "12", "--save",
                                          "Night drive", "--json"])
    captured = capsys.readouterr()
    queue = [t["urn"] for t in json.loads(captured.out)]

    assert code == 0 and len(queue) == 12
    saved = tmp_path / "Music" / "Night drive.m3u8"
    assert str(saved) in captured.err
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U" and lines[1].startswith("#EXTINF:")
    assert len(lines) == 1 + 2 * 12
    reader = Service.open(settings=config.load_settings(), endpoints=sc_env.endpoints)
    try:
        items = [i async for i in expand(reader.catalog, [str(saved)])]
    finally:
        await reader.aclose()
    assert [i.track.urn for i in items if isinstance(i, Wanted)] == queue
