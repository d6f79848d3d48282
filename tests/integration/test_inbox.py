"""The inbox (service.inbox.list and `minion-tui inbox`): unrated tracks ranked by the
evidence of followed artists, weighted by trust and age, under the diversity rules, every
rank explained. Evidence is written through the real store API (discovery_seed.py)."""

from __future__ import annotations

import json

import pytest

from minion_tui.cli import main
from minion_tui.models import Availability, InboxEntry, Judgment
from minion_tui.service import InboxFilters, Service
from tests.integration.discovery_seed import NOW, Evidence, evidence, service, track

__all__ = ["evidence", "service"]  # fixtures


async def inbox(service: Service, **kwargs: object) -> list[InboxEntry]:
    return await service.inbox.list(now=NOW, **kwargs)  # type: ignore[arg-type]


def urns(entries: list[InboxEntry]) -> list[str]:
    return [e.track.urn for e in entries]


async def test_a_track_liked_by_three_followed_artists_ranks_above_one_liked_by_one(
        service: Service, evidence: Evidence) -> None:
    one, three = track(1, uploader=901), track(2, uploader=902)
    await evidence.add(one, 11, days_ago=0.5)  # newer, but one artist only
    await evidence.add(three, 11, 12, 13, days_ago=2)

    entries = await inbox(service)

    assert urns(entries) == [three.urn, one.urn]
    best = entries[0]
    assert {p.actor for p in best.provenance} == {f"soundcloud:users:{a}" for a in (11, 12, 13)}
    assert {(p.kind, p.source) for p in best.provenance} == {
        ("like", f"soundcloud:users:{a}:likes") for a in (11, 12, 13)}
    assert [p.name for p in best.score.parts] == ["artist11", "artist12", "artist13"]
    assert best.score.total == pytest.approx(sum(p.value for p in best.score.parts))
    assert best.score.total > 2 * entries[1].score.total


async def test_a_score_is_trust_times_weight_times_its_decay(
        service: Service, evidence: Evidence) -> None:
    t = track(1)
    await evidence.add(t, 11, days_ago=14)  # one half-life (14 days by default)
    await evidence.add(t, 12, kind="repost", days_ago=28)

    [entry] = await inbox(service)

    like, repost = entry.score.parts
    assert (like.kind, like.weight, like.decay) == ("like", 1.0, pytest.approx(0.5))
    assert (repost.kind, repost.weight, repost.decay) == ("repost", 0.7, pytest.approx(0.25))
    # Before any rating every artist has the neutral trust: Wilson's lower bound of 2 of 4.
    assert like.trust == repost.trust == pytest.approx(0.1500, abs=1e-4)
    assert like.value == pytest.approx(like.trust * 0.5)
    assert entry.to_json()["score"]["total"] == round(entry.score.total, 4)


async def test_a_rated_track_leaves_the_inbox_and_new_evidence_does_not_bring_it_back(
        service: Service, evidence: Evidence) -> None:
    gone, kept, liked = track(1), track(2), track(3)
    for t in (gone, kept, liked):
        await evidence.add(t, 11)
    await service.library.rate(gone.urn, Judgment.NOT_INTERESTED)
    await service.library.rate(liked.urn, Judgment.LIKED)
    assert urns(await inbox(service)) == [kept.urn]

    await evidence.add(gone, 12, 13, days_ago=0)  # a later sync: more artists liked it
    assert urns(await inbox(service)) == [kept.urn]

    await service.library.rate(gone.urn, None)  # cleared: it is unrated again
    assert urns(await inbox(service)) == [gone.urn, kept.urn]


async def test_trust_moves_an_artists_tracks_up_after_liking_and_down_after_rejecting(
        service: Service, evidence: Evidence) -> None:
    # Artists 11 and 12 each surfaced an old track (to be rated) and a new one, equally.
    old11, old12, new11, new12 = track(1, 901), track(2, 902), track(3, 903), track(4, 904)
    await evidence.add(old11, 11)
    await evidence.add(old12, 12)
    await evidence.add(new11, 11)
    await evidence.add(new12, 12)
    before = {e.track.urn: e.score.total for e in await inbox(service)}
    assert before[new11.urn] == before[new12.urn]

    await service.library.rate(old12.urn, Judgment.LIKED)
    entries = await inbox(service)
    assert urns(entries)[0] == new12.urn  # you liked what 12 surfaced: 12's track moves up
    up = {e.track.urn: e for e in entries}
    assert up[new12.urn].score.total > before[new12.urn]
    assert up[new11.urn].score.total == before[new11.urn]

    await service.library.rate(old11.urn, Judgment.NOT_INTERESTED)
    down = {e.track.urn: e.score.total for e in await inbox(service)}
    assert down[new11.urn] < before[new11.urn]  # you rejected what 11 surfaced: down
    assert urns(await inbox(service)) == [new12.urn, new11.urn]


async def test_not_quite_counts_as_half_a_rejection(service: Service,
                                                    evidence: Evidence) -> None:
    rated = [track(n, 900 + n) for n in range(1, 5)]
    fresh = [track(n, 900 + n) for n in range(11, 14)]
    for actor, (old, new) in zip((11, 12, 13), zip(rated, fresh, strict=False), strict=True):
        await evidence.add(old, actor)
        await evidence.add(new, actor)
    await service.library.rate(rated[0].urn, Judgment.NOT_QUITE)
    await service.library.rate(rated[1].urn, Judgment.NOT_INTERESTED)

    trust = {e.score.parts[0].actor: e.score.parts[0].trust for e in await inbox(service)}
    assert (trust["soundcloud:users:13"] > trust["soundcloud:users:11"]
            > trust["soundcloud:users:12"])


async def test_at_most_two_tracks_per_uploader_on_a_page(
        service: Service, evidence: Evidence) -> None:
    prolific = [track(n, uploader=901) for n in range(1, 6)]
    others = [track(n, uploader=900 + n) for n in range(10, 16)]
    for n, t in enumerate(prolific):  # the best scores, from many artists each
        await evidence.add(t, *range(20 + n, 26 + n))
    for n, t in enumerate(others):
        await evidence.add(t, 50 + n)

    first, second = await inbox(service, limit=5), await inbox(service, limit=5, page=1)

    assert [e.track.uploader for e in first].count("uploader901") == 2
    assert urns(first)[:2] == [prolific[0].urn, prolific[1].urn]
    assert urns(second)[:2] == [prolific[2].urn, prolific[3].urn]  # they wait, not vanish
    seen = urns(first) + urns(second) + urns(await inbox(service, limit=5, page=2))
    assert sorted(seen) == sorted(t.urn for t in prolific + others)


async def test_one_track_per_surfacing_artist_in_the_top_ten(
        service: Service, evidence: Evidence) -> None:
    loud = [track(n, uploader=900 + n) for n in range(1, 8)]  # all from artist 11 alone
    quiet = [track(n, uploader=900 + n) for n in range(20, 32)]
    for t in loud:
        await evidence.add(t, 11, days_ago=0)
    for n, t in enumerate(quiet):
        await evidence.add(t, 40 + n, days_ago=3)

    entries = await inbox(service, limit=20)

    top = [e for e in entries[:10] if e.score.parts[0].actor == "soundcloud:users:11"]
    assert [e.track.urn for e in top] == [loud[0].urn]
    assert len(entries) == 19 and set(urns(entries)[10:]) >= {t.urn for t in loud[1:]}


async def test_previews_and_drm_come_after_playable_tracks_or_are_hidden(
        service: Service, evidence: Evidence) -> None:
    preview = track(1, 901, availability=Availability.PREVIEW)
    drm = track(2, 902, availability=Availability.DRM)
    playable = track(3, 903)
    await evidence.add(preview, 11, 12, 13)
    await evidence.add(drm, 11, 12)
    await evidence.add(playable, 14)

    entries = await inbox(service)
    assert urns(entries) == [playable.urn, preview.urn, drm.urn]
    assert [e.playable for e in entries] == [True, False, False]
    only = await inbox(service, filters=InboxFilters(availability="playable"))
    assert urns(only) == [playable.urn]
    assert urns(await inbox(service, filters=InboxFilters(availability="drm"))) == [drm.urn]


async def test_filters_by_genre_duration_dates_and_provider(
        service: Service, evidence: Evidence) -> None:
    techno = track(1, 901, genre="Techno", duration_ms=90_000, days_old=2)
    tagged = track(2, 902, genre="", tags=("techno", "dark"), duration_ms=700_000)
    house = track(3, 903, genre="house", duration_ms=2_000_000, days_old=400)
    await evidence.add(techno, 11, days_ago=0.5)
    await evidence.add(tagged, 11, days_ago=10)
    await evidence.add(house, 11, days_ago=40)

    async def only(**filters: str) -> set[str]:
        return set(urns(await inbox(service, filters=InboxFilters(**filters))))

    assert await only(genre="techno") == {techno.urn, tagged.urn}
    assert await only(duration="short") == {techno.urn}
    assert await only(duration="long") == {tagged.urn}
    assert await only(duration="epic") == {house.urn}
    assert await only(created="last_week") == {techno.urn}
    assert await only(surfaced="last_month") == {techno.urn, tagged.urn}
    assert await only(provider="mixcloud") == set()
    assert await only(provider="soundcloud") == {techno.urn, tagged.urn, house.urn}


async def test_an_unknown_filter_value_says_which_are_known(service: Service) -> None:
    from minion_tui.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="Use one of: short, medium, long, epic"):
        await inbox(service, filters=InboxFilters(duration="forever"))


async def test_the_inbox_command_prints_tracks_with_provenance_and_score(
        service: Service, evidence: Evidence, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from minion_tui.cli import inbox as inbox_cli
    from minion_tui.discovery import rank

    assert (inbox_cli.DURATIONS, inbox_cli.AGES, inbox_cli.AVAILABILITY) == (
        tuple(rank.DURATIONS), tuple(rank.AGES), rank.AVAILABILITY)
    monkeypatch.setenv("XDG_DATA_HOME", str(service.data_dir.parent))
    monkeypatch.setattr("minion_tui.config.data_dir", lambda: service.data_dir)
    monkeypatch.setenv("COLUMNS", "250")  # the table is cut to the terminal otherwise
    await evidence.add(track(1), 11, 12, days_ago=0)
    await evidence.add(track(2, 902), 13, kind="repost", days_ago=0)
    await service.aclose()

    code = await _main_async(["inbox", "--limit", "5", "--json"])
    document = json.loads(capsys.readouterr().out)

    assert code == 0
    assert [d["urn"] for d in document] == ["soundcloud:tracks:1", "soundcloud:tracks:2"]
    first = document[0]
    assert first["kind"] == "track" and first["playable"] is True
    assert {p["actor"] for p in first["provenance"]} == {"soundcloud:users:11",
                                                         "soundcloud:users:12"}
    assert set(first["provenance"][0]) == {"source", "actor", "kind", "at"}
    assert set(first["score"]) == {"total", "parts"}
    assert {p["kind"] for p in document[1]["score"]["parts"]} == {"repost"}

    assert await _main_async(["inbox"]) == 0
    table = capsys.readouterr().out
    assert "liked by artist11, artist12" in table and "reposted by artist13" in table


async def _main_async(argv: list[str]) -> int:
    """main() runs its own event loop: run it on a thread, as a shell would run it apart."""
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_only_followed_sources_count_and_an_unfollow_stops_its_evidence(
        service: Service, evidence: Evidence) -> None:
    followed, stranger, later = track(1, uploader=901), track(2, uploader=902), track(3, 903)
    await evidence.add(followed, 11, days_ago=3)
    await evidence.add(stranger, 21, 22, 23, days_ago=1, follow=False)  # browsed, not followed
    await evidence.add(later, 12, days_ago=2)
    await evidence.add(followed, 24, days_ago=1, follow=False)

    entries = await inbox(service)

    assert urns(entries) == [later.urn, followed.urn]
    [only] = [e for e in entries if e.track.urn == followed.urn]
    assert [p.actor for p in only.score.parts] == ["soundcloud:users:11"]

    assert await service.discovery.unfollow("soundcloud:users:12") == 1
    assert urns(await inbox(service)) == [followed.urn]
