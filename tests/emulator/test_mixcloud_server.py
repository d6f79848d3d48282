"""The Mixcloud origins in the emulator's endpoint map, its fixtures, its fault names, and
its catalog built only on first use (so start-up does not grow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.emulator.mixcloud.service import ORIGINS as MIXCLOUD_ORIGINS
from minion_tui.emulator.mixcloud.service import split_profile
from minion_tui.emulator.server import ORIGINS, build_app, endpoints_env, endpoints_for, run_cli
from minion_tui.net.endpoints import EndpointMap
from tests.emulator.conftest import McHttp


def test_every_mixcloud_origin_is_in_the_printed_map() -> None:
    assert set(MIXCLOUD_ORIGINS) <= set(ORIGINS)
    assert {"https://api.mixcloud.com", "https://app.mixcloud.com", "https://www.mixcloud.com",
            "https://thumbnailer.mixcloud.com",
            "https://live-fsn1-hez.mixcloud.com"} <= set(ORIGINS)
    assert any(o.startswith("https://stream") for o in ORIGINS)
    assert any(o.startswith("https://audio") and "audiocdn" not in o for o in ORIGINS)
    parsed = EndpointMap.parse(endpoints_env(endpoints_for("http://127.0.0.1:8750")))
    assert parsed.rewrite("https://api.mixcloud.com/spartacus/") == (
        "http://127.0.0.1:8750/mc-api/spartacus/")
    assert parsed.unmap("http://127.0.0.1:8750/mc-api-http/x/") == "http://api.mixcloud.com/x/"


def test_fixtures_are_published_with_the_examples(mc: McHttp) -> None:
    examples = mc.emulator.examples
    assert examples["mc_user"] == "https://www.mixcloud.com/NightShiftRadio/"
    assert examples["track_full"].startswith("https://soundcloud.com/")  # SoundCloud's stay
    for name, url in examples.items():
        if name.startswith("mc_show_"):
            path = url.removeprefix("https://www.mixcloud.com")
            assert mc.api(path).json()["key"] == path


def test_the_catalog_is_built_on_first_use(tmp_path: Path) -> None:
    built = build_app(seed=1, cache_dir=tmp_path)
    assert built.mixcloud._catalog is None  # start-up pays nothing for Mixcloud
    assert built.mixcloud.catalog.user("nightshiftradio") is not None
    assert built.mixcloud._catalog is not None


def test_fault_profiles_split_by_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert split_profile("slow:ms=5, mc-rate-limit:n=3,bot-wall") == (
        "slow:ms=5,bot-wall", "mc-rate-limit:n=3")
    assert run_cli(["--faults", "mc-meteor", "--port", "0"]) == 2
    assert "unknown fault 'mc-meteor'" in capsys.readouterr().err
    assert run_cli(["--faults", "mc-rate-limit:n=x", "--port", "0"]) == 2
    assert "must be a number" in capsys.readouterr().err
