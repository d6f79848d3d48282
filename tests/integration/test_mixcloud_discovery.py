"""Mixcloud in discovery, against the emulator: following a Mixcloud user makes their
favourites (kind ``like``) and their own shows (kind ``upload``) sources; a sync stores
exactly what the emulator lists, favourites dated by their page's upper bound
(docs/mixcloud.md §1.4), shows by their ``created_time``; a second sync reads one first page
per source; the inbox ranks a show favourited by several followed users above shows
favourited by one, mixed with SoundCloud's tracks and filtered by provider; ratings on shows
round-trip through export and import; a radio grows from a show's similar shows."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from minion_tui import config
from minion_tui.cli import main
from minion_tui.emulator.mixcloud.catalog import MC_NOW, Event
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Activity
from minion_tui.service import Service

Row = tuple[str, str, str, str, str]
SITE = "https://www.mixcloud.com"


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _urn(key: str) -> str:
    return "mixcloud:cloudcasts:" + key.strip("/")


def _hub(emulator: RunningEmulator) -> str:
    """The show favourited by the most users (the catalog's hits overlap on purpose)."""
    c = emulator.mixcloud.catalog
    key = max(sorted(c.favoriters), key=lambda k: len(c.favoriters[k]))
    show = c.show_by_key(key)
    assert show is not None
    return show.key  # the favoriters' keys are lower-case; the show's keeps its case


def _followed(emulator: RunningEmulator, n: int = 3) -> list[str]:
    """``n`` usernames (case kept) who favourited the hub show and upload shows."""
    c = emulator.mixcloud.catalog
    names = sorted(e.who for e in c.favoriters[_hub(emulator).lower()])
    found = [c.users[w.lower()].username for w in names if c.user_shows.get(w.lower())]
    assert len(found) >= n
    return found[:n]


def _expected(emulator: RunningEmulator, users: list[str]) -> set[tuple[str, str, str, str]]:
    """Every (show, source, actor, action) the emulator lists for ``users``."""
    c = emulator.mixcloud.catalog
    rows: set[tuple[str, str, str, str]] = set()
    for name in users:
        actor = f"mixcloud:users:{name}"
        for event in c.favorites[name.lower()]:
            show = c.show_by_key(event.who)
            assert show is not None
            rows.add((_urn(show.key), f"{actor}:likes", actor, "like"))
        for key in c.user_shows[name.lower()]:
            show = c.show_by_key(key)
            assert show is not None
            rows.add((_urn(show.key), f"{actor}:tracks", actor, "upload"))
    return rows


def _rows(db: Path) -> list[Row]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT track_urn, source, actor_urn, action, at FROM provenance "
                            "WHERE track_urn LIKE 'mixcloud:%' ORDER BY 1, 2").fetchall()


async def test_following_a_mixcloud_user_syncs_their_favourites_and_shows(
        discover: Service, emulator: RunningEmulator, tmp_path: Path) -> None:
    users = _followed(emulator)
    started = _iso(int(time.time()) - 1)
    followed = await discover.discovery.follow([f"{SITE}/{u}/" for u in users])
    assert sorted((s.kind, s.target, s.title) for s in followed) == sorted(
        [("user_likes", f"mixcloud:users:{u}", f"Likes of {u}") for u in users]
        + [("user_tracks", f"mixcloud:users:{u}", f"Uploads of {u}") for u in users])

    summary = await discover.discovery.sync()

    rows = _rows(tmp_path / "minion.db")
    assert {r[:4] for r in rows} == _expected(emulator, users) and len(rows) == len(set(rows))
    c = emulator.mixcloud.catalog
    for urn, _source, _actor, action, at in rows:
        if action == "upload":
            show = c.show_by_key("/" + urn.split(":", 2)[2] + "/")
            assert show is not None and at == _iso(show.created)
        else:  # each user's favourites fit one page: dated by the moment it was read
            assert at >= started
    assert summary.failed == 0 and summary.sources_updated == 6
    assert summary.new_tracks == len({r[0] for r in rows})
    with closing(sqlite3.connect(tmp_path / "minion.db")) as conn:
        stored = dict(conn.execute("SELECT urn, provider FROM tracks WHERE urn LIKE "
                                   "'mixcloud:%'").fetchall())
    assert set(stored) == {r[0] for r in rows} and set(stored.values()) == {"mixcloud"}


async def test_favourites_past_the_first_page_are_dated_by_the_page_upper_bound(
        discover: Service, emulator: RunningEmulator) -> None:
    provider: Any = discover._core.provider("mixcloud")
    events = emulator.mixcloud.catalog.favorites["quietlistener"]  # 60: three pages of 20
    pages: list[list[Activity]] = []
    async for page in provider.user_activity("likes", "quietlistener", page_size=20):
        pages.append(page.items)
    assert [len(p) for p in pages] == [20, 20, 20]
    assert [a.track.urn for p in pages for a in p] == [_urn(e.who) for e in events]
    assert {a.kind for p in pages for a in p} == {"like"}
    assert {a.at for a in pages[0]} == {None}  # asked with no until: the sync's now
    for number in (1, 2):  # the until each page was asked with: the previous page's oldest
        bound = _iso(events[20 * number - 1].at)
        assert {a.at for a in pages[number]} == {bound}
        assert all(_iso(e.at) <= bound for e in events[20 * number:20 * number + 20])
    shows = [a async for page in provider.user_activity("tracks", "quietlistener")
             for a in page.items]
    assert [(a.kind, a.at) for a in shows] == [("upload", a.track.created_at) for a in shows]
    with pytest.raises(Exception, match="no 'reposts' activity"):
        provider.user_activity("reposts", "quietlistener")


async def test_a_second_sync_reads_one_first_page_per_source_and_adds_only_what_is_new(
        discover: Service, emulator: RunningEmulator, tmp_path: Path) -> None:
    users = _followed(emulator)
    await discover.discovery.follow([f"mixcloud:users:{u}" for u in users])
    await discover.discovery.sync()
    before = _rows(tmp_path / "minion.db")
    c = emulator.mixcloud.catalog
    mine = {e.who for e in c.favorites[users[1].lower()]}
    fresh = next(s.key for s in c.public() if s.key not in mine)
    c.favorites[users[1].lower()].insert(0, Event(fresh, MC_NOW + 60))
    c.favoriters.setdefault(fresh.lower(), []).insert(0, Event(users[1], MC_NOW + 60))
    emulator.mixcloud.calls.clear()

    summary = await discover.discovery.sync()

    after = _rows(tmp_path / "minion.db")
    actor = f"mixcloud:users:{users[1]}"
    added = set(after) - set(before)
    assert {r[:4] for r in added} == {(_urn(fresh), f"{actor}:likes", actor, "like")}
    assert len(after) == len(set(after)) == len(before) + 1
    calls = [path for _kind, path in emulator.mixcloud.calls]
    assert summary.requests == len(calls) == 6
    assert not any("until=" in p or "offset=" in p for p in calls)
    known = _urn(fresh) in {r[0] for r in before}
    assert (summary.new_tracks, summary.sources_updated) == (0 if known else 1, 1)


def _uploads_only(entries: list[Any]) -> list[Any]:
    return [e for e in entries if {p.kind for p in e.score.parts} == {"upload"}]


async def test_weight_upload_scales_the_upload_evidence(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    users = _followed(emulator, 1)
    now = config.load_settings()
    default = Service.open(settings=now, endpoints=emulator.endpoints, data_dir=tmp_path)
    try:
        assert now.discovery.weight_upload == 0.8
        await default.discovery.follow([f"{SITE}/{users[0]}/"])
        await default.discovery.sync()
        light = {e.track.urn: e for e in _uploads_only(await default.inbox.list(limit=500))}
    finally:
        await default.aclose()
    heavy_settings = dataclasses.replace(now, discovery=dataclasses.replace(
        now.discovery, weight_upload=2.0))
    heavy = Service.open(settings=heavy_settings, endpoints=emulator.endpoints,
                         data_dir=tmp_path)
    try:
        weighed = {e.track.urn: e for e in _uploads_only(await heavy.inbox.list(limit=500))}
    finally:
        await heavy.aclose()
    assert light and set(light) == set(weighed)
    for urn, entry in light.items():
        [part] = entry.score.parts
        assert part.weight == 0.8 and part.actor == f"mixcloud:users:{users[0]}"
        assert weighed[urn].score.parts[0].weight == 2.0
        assert weighed[urn].score.total == pytest.approx(entry.score.total * 2.5)


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_env(emulator: RunningEmulator, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every command of the test at the emulator, with its own data and config folders."""
    monkeypatch.setenv("MINION_ENDPOINTS", emulator.endpoints_env)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("COLUMNS", "250")
    yield tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in argv and out.strip() else out


def _sc_artist(emulator: RunningEmulator) -> int:
    """A SoundCloud artist with a few liked tracks (a small sync)."""
    social = emulator.social
    return min((a for a in emulator.catalog.artists
                if sum(x.kind == "track" for x in social.likes.get(a, [])) >= 3),
               key=lambda a: (len(social.likes.get(a, [])) + len(social.reposts.get(a, [])), a))


def test_inbox_ranks_a_show_favourited_by_several_above_shows_favourited_by_one(
        cli_env: Path, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    users = _followed(emulator)
    code, followed = run(capsys, "discover", "follow", *[f"{SITE}/{u}/" for u in users],
                         f"soundcloud:users:{_sc_artist(emulator)}", "--json")
    assert code == 0 and {s["kind"] for s in followed} == {"user_likes", "user_reposts",
                                                          "user_tracks"}
    assert main(["discover", "sync"]) == 0
    capsys.readouterr()

    code, mixed = run(capsys, "inbox", "--limit", "500", "--json")
    assert code == 0 and {d["provider"] for d in mixed} == {"soundcloud", "mixcloud"}
    code, shows = run(capsys, "inbox", "--limit", "500", "--provider", "mixcloud", "--json")
    assert code == 0 and shows and {d["provider"] for d in shows} == {"mixcloud"}
    assert {d["urn"] for d in shows} == {d["urn"] for d in mixed if d["provider"] == "mixcloud"}

    hub = _urn(_hub(emulator))
    [top] = [d for d in shows if d["urn"] == hub]
    assert {p["actor"] for p in top["score"]["parts"] if p["kind"] == "like"} == {
        f"mixcloud:users:{u}" for u in users}
    singles = [d for d in shows if [p["kind"] for p in d["score"]["parts"]] == ["like"]]
    assert singles and top["score"]["total"] > max(d["score"]["total"] for d in singles)
    assert shows.index(top) < min(shows.index(d) for d in singles)

    code, epic = run(capsys, "inbox", "--limit", "500", "--provider", "mixcloud",
                     "--duration", "epic", "--json")
    assert code == 0 and {d["urn"] for d in epic} == {d["urn"] for d in shows
                                                      if d["duration_ms"] > 1_800_000}
    tag = top["tags"][0]
    code, tagged = run(capsys, "inbox", "--limit", "500", "--provider", "mixcloud",
                       "--genre", tag.upper(), "--json")
    assert code == 0 and hub in {d["urn"] for d in tagged}
    assert all(tag.lower() in [t.lower() for t in d["tags"]] for d in tagged)
    code, table = run(capsys, "inbox", "--provider", "mixcloud", "--limit", "5")
    assert code == 0 and "liked by" in table


def test_ratings_on_shows_round_trip_through_export_and_import(
        cli_env: Path, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    users = _followed(emulator, 1)
    assert main(["discover", "follow", f"{SITE}/{users[0]}/"]) == 0
    assert main(["discover", "sync"]) == 0
    capsys.readouterr()
    _, before = run(capsys, "inbox", "--limit", "500", "--provider", "mixcloud", "--json")
    shows = [d["url"] for d in before[:3]]
    verdicts = ["liked", "not_interested", "not_quite"]
    for url, verdict in zip(shows, verdicts, strict=True):
        code, rated = run(capsys, "rate", url, verdict, "--json")
        assert code == 0 and rated["judgment"] == verdict
        assert rated["urn"] == next(d["urn"] for d in before if d["url"] == url)
    code, cleared = run(capsys, "rate", shows[2].rstrip("/"), "clear", "--json")
    assert code == 0 and cleared["judgment"] is None and len(cleared["history"]) == 2

    _, after = run(capsys, "inbox", "--limit", "500", "--provider", "mixcloud", "--json")
    rated = {d["urn"] for d in before[:2]}
    assert {d["urn"] for d in after} == {d["urn"] for d in before} - rated

    assert main(["export", "judgments"]) == 0
    exported = capsys.readouterr().out
    document = json.loads(exported)
    assert "mixcloud:cloudcasts:" in exported and all(
        urn.startswith("mixcloud:cloudcasts:") for urn in _urns(document))
    dump = cli_env / "judgments.json"
    dump.write_text(exported, encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(cli_env / "fresh"))
    code, counts = run(capsys, "import", "judgments", str(dump), "--json")
    assert code == 0 and counts["added"] == 4
    assert main(["export", "judgments"]) == 0
    assert capsys.readouterr().out == exported


def _urns(document: Any) -> set[str]:
    """Every URN in an export (whatever its nesting)."""
    found: set[str] = set()
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "urn" and isinstance(value, str):
                found.add(value)
            else:
                found |= _urns(value)
    elif isinstance(document, list):
        for value in document:
            found |= _urns(value)
    return found


def test_a_radio_seeded_from_a_show_plays_its_similar_shows(
        cli_env: Path, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    users = _followed(emulator)
    assert main(["discover", "follow", *[f"mixcloud:users:{u}" for u in users]]) == 0
    assert main(["discover", "sync"]) == 0
    capsys.readouterr()
    c = emulator.mixcloud.catalog
    seed = c.show_by_key(_hub(emulator))
    assert seed is not None
    similar = {_urn(s.key) for s in c.public() if s is not seed and set(s.tags) & set(seed.tags)}

    code, queue = run(capsys, "radio", f"{SITE}{seed.key}", "--size", "12", "--json")

    assert code == 0 and len(queue) == 12
    urns = [d["urn"] for d in queue]
    assert len(set(urns)) == 12 and _urn(seed.key) not in urns
    assert {d["provider"] for d in queue} == {"mixcloud"}
    assert {d["via"] for d in queue} == {"related", "liked_by"}
    assert all(d["urn"] in similar for d in queue if d["via"] == "related")
    likers = {e.who.lower() for e in c.favoriters[seed.key.lower()]} & {u.lower() for u in users}
    liked = {_urn(e.who) for u in likers for e in c.favorites[u]}
    assert all(d["urn"] in liked for d in queue if d["via"] == "liked_by")
    for a, b, d in zip(queue, queue[1:], queue[2:], strict=False):
        assert not a["artist"] == b["artist"] == d["artist"]


def test_weight_upload_is_validated_like_the_other_weights(
        cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = cli_env / "xdg_config_home" / "minion-tui"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('[discovery]\nweight_upload = "heavy"\n',
                                        encoding="utf-8")
    code = main(["inbox"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "[discovery] weight_upload must be a number > 0, got 'heavy'" in err
    (folder / "config.toml").write_text("[discovery]\nweight_upload = 1.5\n", encoding="utf-8")
    assert config.load_settings().discovery.weight_upload == 1.5


async def test_followings_of_a_mixcloud_user_and_unfollow_by_profile_url(
        discover: Service, emulator: RunningEmulator) -> None:
    c = emulator.mixcloud.catalog
    who = min((u for u in c.users.values() if c.following.get(u.username.lower())),
              key=lambda u: (len(c.following[u.username.lower()]), u.username.lower()))
    followings = {c.users[e.who.lower()].username for e in c.following[who.username.lower()]}

    followed = await discover.discovery.follow([], followings_of=f"{SITE}/{who.username}/")

    assert {(s.kind, s.target) for s in followed} == {
        (k, f"mixcloud:users:{u}") for u in followings for k in ("user_likes", "user_tracks")}
    gone = sorted(followings)[0]
    assert await discover.discovery.unfollow(f"{SITE}/{gone}") == 2
    assert {s.target for s in await discover.discovery.sources()} == {
        f"mixcloud:users:{u}" for u in followings - {gone}}


async def test_every_provider_declares_what_discovery_follows_and_reads_it_with_times(
        discover: Service) -> None:
    from minion_tui.discovery.sources import ACTIVITY_LISTINGS
    from minion_tui.providers.base import ActivityReader
    from minion_tui.providers.registry import entries

    declared = {e.name: e.capabilities.discovery_listings for e in entries()}
    assert declared["soundcloud"] == ("likes", "reposts")
    assert declared["mixcloud"] == ("likes", "tracks")
    for entry in entries():
        listings = entry.capabilities.discovery_listings
        assert set(listings) <= set(ACTIVITY_LISTINGS) & set(entry.capabilities.user_listings)
        assert isinstance(discover._core.provider(entry.name), ActivityReader)


def test_a_radio_seeded_from_a_mixcloud_user_grows_from_their_shows(
        cli_env: Path, emulator: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    c = emulator.mixcloud.catalog
    users = _followed(emulator)
    assert main(["discover", "follow", *[f"mixcloud:users:{u}" for u in users]]) == 0
    assert main(["discover", "sync"]) == 0
    capsys.readouterr()

    code, queue = run(capsys, "radio", f"{SITE}/{users[0]}/", "--size", "8", "--json")

    assert code == 0 and queue and {d["provider"] for d in queue} == {"mixcloud"}
    assert "related" in {d["via"] for d in queue}
    assert len({d["urn"] for d in queue}) == len(queue)
    seeds = [_urn(k) for k in c.user_shows[users[0].lower()][:3]]  # their newest shows
    assert not set(seeds) & {d["urn"] for d in queue}
