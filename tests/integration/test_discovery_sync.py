"""discover follow / sync against the emulator: what lands in the store is exactly what the
followed artists like and repost, with the like's or repost's own time; a second sync
fetches only the first page of each source and writes nothing twice; a sync killed
half-way (SIGKILL) and run again ends with the rows of an uninterrupted one; a full re-walk
drops what was un-liked (docs/soundcloud.md §1.2, §1.5, §2.5)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from minion_tui import config
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import InvalidArgument
from minion_tui.models import Judgment
from minion_tui.service import Service

Row = tuple[str, str, str, str, str]


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _artists(emulator: RunningEmulator, n: int = 3) -> list[int]:
    """``n`` artists with likes and reposts of tracks, the busiest first."""
    social = emulator.social
    ranked = sorted(emulator.catalog.artists, key=lambda a: (-len(social.likes.get(a, [])), a))
    return [a for a in ranked if any(x.kind == "track" for x in social.reposts.get(a, []))][:n]


def _expected(emulator: RunningEmulator, artists: list[int]) -> set[Row]:
    """Every (track, source, actor, action, at) the emulator's lists hold for ``artists``."""
    c, social = emulator.catalog, emulator.social
    rows: set[Row] = set()
    for uid in artists:
        urn = f"soundcloud:users:{uid}"
        for graph, listing, action in ((social.likes, "likes", "like"),
                                       (social.reposts, "reposts", "repost")):
            for item in graph.get(uid, []):
                if item.kind == "track" and c.tracks[item.target_id].listed:
                    rows.add((f"soundcloud:tracks:{item.target_id}", f"{urn}:{listing}", urn,
                              action, _iso(item.created_at)))
    return rows


def _rows(db: Path, *, where: str = "source != 'charts:trending'") -> list[Row]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(f"SELECT track_urn, source, actor_urn, action, at FROM provenance "
                            f"WHERE {where} ORDER BY 1, 2").fetchall()


async def test_follow_three_artists_and_sync_stores_their_likes_and_reposts(
        discover: Service, emulator: RunningEmulator, tmp_path: Path) -> None:
    artists = _artists(emulator)
    followed = await discover.discovery.follow([f"soundcloud:users:{a}" for a in artists])
    assert sorted((s.kind, s.target) for s in followed) == sorted(
        (k, f"soundcloud:users:{a}") for a in artists for k in ("user_likes", "user_reposts"))
    events: list[Any] = []
    summary = await discover.discovery.sync(events.append)
    rows = _rows(tmp_path / "minion.db")
    assert set(rows) == _expected(emulator, artists) and len(rows) == len(set(rows))
    tracks = {r[0] for r in rows}
    assert summary.new_tracks == len(tracks) and summary.sources_updated == 6
    assert summary.requests == len(emulator.state.api_calls) - 3  # the 3 resolves came first
    assert [e.state for e in events].count("done") == 6
    listed = {(s.kind, s.target): s for s in await discover.discovery.sources()}
    assert all(s.synced_at and s.rewalked_at and not s.resumable for s in listed.values())
    likes = listed[("user_likes", f"soundcloud:users:{artists[0]}")]
    assert likes.tracks == sum(1 for r in rows if r[1].endswith(f"{artists[0]}:likes"))


async def test_second_sync_writes_nothing_twice_and_reads_only_first_pages(
        discover: Service, emulator: RunningEmulator, tmp_path: Path) -> None:
    artists = _artists(emulator)
    await discover.discovery.follow([f"soundcloud:users:{a}" for a in artists])
    await discover.discovery.sync()
    before = _rows(tmp_path / "minion.db")
    liked = {r[0] for r in before}
    fresh = [t.id for t in emulator.catalog.listed_tracks()
             if f"soundcloud:tracks:{t.id}" not in liked][:3]
    for track_id in fresh:
        emulator.social.like(artists[1], track_id)
    emulator.state.reset_counters()
    summary = await discover.discovery.sync()
    after = _rows(tmp_path / "minion.db")
    assert len(after) == len(set(after)) == len(before) + 3
    assert set(after) - set(before) == {
        (f"soundcloud:tracks:{t}", f"soundcloud:users:{artists[1]}:likes",
         f"soundcloud:users:{artists[1]}", "like", r[4])
        for t in fresh for r in after if r[0] == f"soundcloud:tracks:{t}"}
    # one request per source, each a first page (no cursor offset)
    assert len(emulator.state.api_urls) == summary.requests == 6
    assert not any("offset=" in url for url in emulator.state.api_urls)
    assert (summary.new_tracks, summary.sources_updated) == (3, 1)


async def test_full_rewalk_drops_an_unliked_track_but_keeps_judged_ones(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    settings = config.load_settings()
    settings = dataclasses.replace(settings, discovery=config.DiscoverySettings(
        full_rewalk_days=0))
    svc = Service.open(settings=settings, endpoints=emulator.endpoints, data_dir=tmp_path)
    try:
        artist = _artists(emulator, 1)[0]
        await svc.discovery.follow([f"soundcloud:users:{artist}"])
        await svc.discovery.sync()
        likes = [a.target_id for a in emulator.social.likes[artist] if a.kind == "track"]
        gone, judged = likes[3], likes[5]
        await svc.library.rate(f"soundcloud:tracks:{judged}", Judgment.NOT_QUITE)
        assert emulator.social.unlike(artist, gone) and emulator.social.unlike(artist, judged)
        summary = await svc.discovery.sync()
    finally:
        await svc.aclose()
    rows = _rows(tmp_path / "minion.db", where="action = 'like'")
    urns = {r[0] for r in rows}
    assert f"soundcloud:tracks:{gone}" not in urns
    assert f"soundcloud:tracks:{judged}" in urns  # the user's judgment keeps its evidence
    assert summary.dropped == 1
    assert set(rows) == _expected(emulator, [artist]) - {
        r for r in _expected(emulator, [artist]) if r[3] == "repost"} | {
        r for r in rows if r[0] == f"soundcloud:tracks:{judged}"}


async def test_follow_trending_tags_and_unfollow(discover: Service, tmp_path: Path) -> None:
    sources = await discover.discovery.follow(["trending", "#deep-house"])
    assert {(s.kind, s.target, s.title) for s in sources} == {
        ("trending", "trending", "Trending"), ("tag", "deep-house", "#deep-house")}
    summary = await discover.discovery.sync()
    assert summary.sources == 2 and summary.added > 0
    assert {r[3] for r in _rows(tmp_path / "minion.db", where="1")} == {"chart", "tag"}
    # A followed tag's tracks come into the inbox, weighed as a chart sighting.
    tagged = {r[0] for r in _rows(tmp_path / "minion.db", where="1") if r[3] == "tag"}
    inbox = await discover.inbox.list(limit=200)
    kinds = {e.track.urn: {p.kind for p in e.provenance} for e in inbox}
    assert any("tag" in k for k in kinds.values()) and {
        u for u, k in kinds.items() if k == {"tag"}} <= tagged
    assert await discover.discovery.unfollow("#deep-house") == 1
    assert [s.kind for s in await discover.discovery.sources()] == ["trending"]
    with pytest.raises(InvalidArgument, match="do not follow"):
        await discover.discovery.unfollow("#deep-house")


async def test_followings_of_follows_everyone_that_profile_follows(
        discover: Service, emulator: RunningEmulator) -> None:
    user = emulator.examples["user"]
    sources = await discover.discovery.follow([], followings_of=user)
    owner = emulator.catalog.artist_by_permalink(user.rsplit("/", 1)[-1])
    assert owner is not None
    follows = {f"soundcloud:users:{a.target_id}" for a in emulator.catalog.followings[owner.id]}
    assert {s.target for s in sources} == follows
    assert {s.kind for s in sources} == {"user_likes", "user_reposts"}


# -- killed half-way -------------------------------------------------------------------------


def _cli(emulator: RunningEmulator, data: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MINION_ENDPOINTS": emulator.endpoints_env,
           "XDG_DATA_HOME": str(data)}
    return subprocess.Popen([sys.executable, "-m", "minion_tui", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(emulator: RunningEmulator, data: Path, *args: str) -> list[dict[str, Any]]:
    child = _cli(emulator, data, *args)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_a_sync_killed_half_way_and_run_again_ends_with_the_same_rows(
        emulator_factory: Any, tmp_path: Path) -> None:
    emulator: RunningEmulator = emulator_factory(seed=1, latency_ms=20)
    artists = _artists(emulator)
    emulator.social.populate(artists, likes=700, reposts=450, seed=5)  # 4 and 3 pages each
    targets = [f"soundcloud:users:{a}" for a in artists]
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    for data in (killed, whole):
        _run(emulator, data, "discover", "follow", *targets, "--json")
    child = _cli(emulator, killed, "discover", "sync", "--json")
    assert child.stdout is not None
    batches = 0
    for line in child.stdout:
        batches += json.loads(line)["state"] == "batch"
        if batches == 4:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    db = killed / "minion-tui" / "minion.db"
    partial = _rows(db)
    assert 0 < len(partial) < len(_expected(emulator, artists))
    with closing(sqlite3.connect(db)) as conn:
        walking = conn.execute("SELECT count(*) FROM sources WHERE walk IS NOT NULL").fetchone()
    assert walking[0] > 0
    resumed = _run(emulator, killed, "discover", "sync", "--json")
    _run(emulator, whole, "discover", "sync", "--json")
    final = _rows(db)
    assert final == _rows(whole / "minion-tui" / "minion.db")
    assert set(final) == _expected(emulator, artists) and len(final) == len(set(final))
    assert resumed[-1]["event"] == "summary"
    assert resumed[-1]["added"] == len(final) - len(partial)
