"""The emulator as a server: the standalone CLI (first line MINION_ENDPOINTS=…), the in-thread
runner, the endpoint map, and the generated catalog behind it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from minion_tui.emulator.catalog.build import build_catalog
from minion_tui.emulator.server import ORIGINS, RunningEmulator, run_cli


def test_cli_prints_the_endpoint_map_first_and_serves(tmp_path: Path) -> None:
    command = [sys.executable, "-c",
               "import sys; from minion_tui.emulator.server import run_cli; "
               "sys.exit(run_cli(sys.argv[1:]))",
               "--port", "0", "--seed", "3", "--faults", "slow:ms=1",
               "--cache-dir", str(tmp_path)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        examples = json.loads(proc.stdout.readline().strip().removeprefix("MINION_EXAMPLES="))
        assert first.startswith("MINION_ENDPOINTS=")
        pairs = dict(p.split("=", 1) for p in first.removeprefix("MINION_ENDPOINTS=").split(","))
        assert set(pairs) == set(ORIGINS)
        web = pairs["https://soundcloud.com"]
        page = httpx.get(web + "/", timeout=20)
        assert page.status_code == 200 and "__sc_hydration" in page.text
        assert examples["user"].startswith("https://soundcloud.com/")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_cli_rejects_a_bad_fault_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--faults", "meteor-strike", "--port", "0"]) == 2
    assert "unknown fault" in capsys.readouterr().err


def test_in_thread_runner_maps_every_origin_and_stops(
        emulator_factory: Callable[..., RunningEmulator]) -> None:
    one, two = emulator_factory(seed=1), emulator_factory(seed=2)
    assert one.url != two.url
    assert one.endpoints == {o: one.url + p for o, p in ORIGINS.items()}
    assert one.endpoints_env == ",".join(f"{o}={one.url}{p}" for o, p in ORIGINS.items())
    assert set(one.examples) >= {
        "track_full", "track_drm", "track_preview", "track_blocked", "track_private",
        "short_link", "set_small", "set_large", "album", "user", "user_empty_pages", "tag",
        "track_long", "track_downloadable"}
    assert one.examples != two.examples
    assert httpx.get(one.url + "/sc-web/").status_code == 200
    one.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(one.url + "/sc-web/")


def test_catalog_is_deterministic_big_and_varied() -> None:
    catalog = build_catalog(5)
    assert len(catalog.artists) >= 200
    listed = catalog.listed_tracks()
    assert len(listed) >= 5000
    assert build_catalog.__wrapped__(5).examples == catalog.examples  # rebuilt from scratch
    assert any(t.id > 2**31 for t in listed)
    genres = Counter(t.genre for t in listed)
    assert len(genres) >= 12 and {"Drum & Bass", "Hip-hop & Rap", "Deep House"} <= set(genres)
    models = Counter((t.policy, t.monetization_model) for t in listed)
    assert models[("MONETIZE", "AD_SUPPORTED")] > models[("SNIP", "SUB_HIGH_TIER")] > 100
    assert models[("BLOCK", "NOT_APPLICABLE")] == 1
    no_art = sum(t.artwork_key is None for t in listed) / len(listed)
    assert 0.25 < no_art < 0.4
    minutes = [t.duration_ms / 60_000 for t in listed]
    assert sum(2 <= m <= 8 for m in minutes) / len(minutes) > 0.8
    assert sum(m >= 30 for m in minutes) > 50
    assert sum(t.label_name is not None for t in listed) > 500
    assert sum(bool(v) for v in catalog.likes.values()) == len(catalog.artists)
    assert sum(len(v) for v in catalog.followings.values()) > 2000
