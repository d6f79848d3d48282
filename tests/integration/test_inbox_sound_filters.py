"""The inbox's sound filters (issue 18): ``--bpm MIN-MAX``, ``--key KEY`` and ``--mixes-with
TRACK`` over tracks analysed from audio the tests make (tests/analysis_audio.py), through
the real analysis (worker processes) and the real store, in the service and in the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minion_tui.cli import main
from minion_tui.errors import InvalidArgument
from minion_tui.models import Track
from minion_tui.service import InboxFilters, Service
from tests.analysis_audio import make_track
from tests.integration.discovery_seed import NOW, Evidence, evidence, service, track

__all__ = ["evidence", "service"]  # fixtures

#: n → (bpm, tonic, minor): 8A, 9A (mixes with 8A), 8B (its relative), 2B (does not).
SOUNDS = {1: (126.0, 9, True), 2: (128.0, 4, True), 3: (100.0, 0, False),
          4: (140.0, 6, False)}


async def _seed(service: Service, evidence: Evidence, tmp_path: Path) -> dict[int, Track]:
    made = {}
    for n in (1, 2, 3, 4, 5):  # 5 is never analysed
        made[n] = track(n, uploader=900 + n)
        await evidence.add(made[n], 10 + n, days_ago=n / 10)
    for n, (bpm, tonic, minor) in SOUNDS.items():
        path = make_track(tmp_path / f"song{n}.mp3", bpm, tonic, minor, 15.0)
        found = await service.analysis.analyze_path(path, urn=made[n].urn)
        assert found.urn == made[n].urn
    return made


def _urns(entries: list) -> list[str]:
    return [e.track.urn for e in entries]


async def test_bpm_key_and_mixes_with_keep_only_the_analysed_tracks_that_fit(
        service: Service, evidence: Evidence, tmp_path: Path) -> None:
    made = await _seed(service, evidence, tmp_path)
    everything = await service.inbox.list(now=NOW)
    measured = {e.track.urn: (e.track.bpm, e.track.camelot) for e in everything}
    assert {u: c for u, (_, c) in measured.items()} == {
        made[1].urn: "8A", made[2].urn: "9A", made[3].urn: "8B", made[4].urn: "2B",
        made[5].urn: None}
    for n, (bpm, _, _) in SOUNDS.items():  # within 1 %: the test audio's own tempi
        assert measured[made[n].urn][0] == pytest.approx(bpm, rel=0.01)
    assert measured[made[5].urn][0] is None

    async def urns(**kwargs: object) -> set[str]:
        return set(_urns(await service.inbox.list(now=NOW, filters=InboxFilters(**kwargs))))

    assert await urns(bpm=(125.0, 130.0)) == {made[1].urn, made[2].urn}
    bpm1 = measured[made[1].urn][0]
    assert bpm1 is not None
    assert await urns(bpm=(bpm1, bpm1)) == {made[1].urn}  # both ends included
    assert await urns(bpm=(60.0, 99.0)) == set()
    assert await urns(key="A minor") == {made[1].urn}
    assert await urns(key="8a") == await urns(key="Am") == {made[1].urn}
    assert await urns(key="F#") == {made[4].urn}
    # 8A mixes with 8A, 9A, 7A and 8B: not with 2B, and an unanalysed track never fits.
    assert await urns(mixes_with=made[1].urn) == {made[1].urn, made[2].urn, made[3].urn}
    assert await urns(mixes_with=made[1].urn, bpm=(120.0, 200.0)) == {made[1].urn,
                                                                      made[2].urn}
    assert await urns(mixes_with=made[4].urn) == {made[4].urn}

    with pytest.raises(InvalidArgument, match="not been analysed"):
        await service.inbox.list(now=NOW, filters=InboxFilters(mixes_with=made[5].urn))
    for bad in ((200.0, 100.0), (-5.0, 10.0), (float("nan"), 10.0), (0.0, 10.0)):
        with pytest.raises(InvalidArgument, match="--bpm"):
            await service.inbox.list(now=NOW, filters=InboxFilters(bpm=bad))
    for bad in ("", "H minor", "13A", "x" * 70_000):
        with pytest.raises(InvalidArgument, match="--key"):
            await service.inbox.list(now=NOW, filters=InboxFilters(key=bad))


async def test_the_inbox_command_filters_by_bpm_key_and_mixes_with(
        service: Service, evidence: Evidence, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    made = await _seed(service, evidence, tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(service.data_dir.parent))
    monkeypatch.setattr("minion_tui.config.data_dir", lambda: service.data_dir)
    await service.aclose()

    async def run(*args: str) -> tuple[int, object]:
        import asyncio

        code = await asyncio.to_thread(main, ["inbox", *args, "--json"])
        return code, json.loads(capsys.readouterr().out)

    code, found = await run("--bpm", "120-130")
    assert code == 0
    assert {d["urn"] for d in found} == {made[1].urn, made[2].urn}  # type: ignore[union-attr]
    assert {d["bpm"] for d in found} == {126.0, 128.0}  # type: ignore[union-attr]
    code, found = await run("--key", "C major")
    assert code == 0 and [d["urn"] for d in found] == [made[3].urn]  # type: ignore[union-attr]
    code, found = await run("--mixes-with", made[2].urn)
    # 9A mixes with 9A, 10A, 8A and 9B.
    assert code == 0
    assert {d["urn"] for d in found} == {made[1].urn, made[2].urn}  # type: ignore[union-attr]

    for flag, value in (("--bpm", "200-100"), ("--bpm", "abc"), ("--bpm", "-5"),
                        ("--bpm", "nan-130"), ("--bpm", ""), ("--bpm", "120-inf"),
                        ("--key", ""), ("--key", "H"), ("--mixes-with", ""),
                        ("--mixes-with", "not a track"), ("--mixes-with", made[5].urn)):
        code, error = await run(f"{flag}={value}")
        assert code != 0, (flag, value)
        assert error["error"]["type"] in ("invalid_argument", "invalid_url")  # type: ignore[index]
        assert flag in error["error"]["message"], (flag, value, error)  # type: ignore[index]
    code, error = await run("--bpm=200-100")
    assert error["error"]["type"] == "invalid_argument"  # type: ignore[index]
