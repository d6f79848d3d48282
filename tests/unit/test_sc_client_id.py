"""client_id extraction from page variants (docs/soundcloud.md §4.1): the hydration entry first,
then the JS assets in reverse order; attribute order, quoting and spacing vary."""

from __future__ import annotations

import json

import pytest

from minion_tui.providers.soundcloud.client_id import (
    asset_urls,
    id_from_asset,
    id_from_hydration,
    sc_version,
)

CID = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV"
OLD = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"


def page(hydration: str = "", scripts: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><title>SoundCloud</title>
<script crossorigin src="https://dwt.soundcloud.com/tags.js"></script>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain="x"></script>
</head><body><div id="app"></div>
<script>window.__sc_version="1771407416"</script>
{hydration}
{scripts}
</body></html>"""


HYDRATION_COMPACT = (
    '<script>window.__sc_hydration = [{"hydratable":"anonymousId","data":"123-456"},'
    '{"hydratable":"features","data":{"features":["x"]}},'
    f'{{"hydratable":"apiClient","data":{{"id":"{CID}","isExpiring":false}}}}];</script>'
)
SCRIPTS = "\n".join([
    '<script crossorigin src="https://a-v2.sndcdn.com/assets/0-ea5f29be.js"></script>',
    '<script src="https://a-v2.sndcdn.com/assets/49-1b2c3d4e.js" crossorigin></script>',
    "<script crossorigin src='https://a-v2.sndcdn.com/assets/53-a49d47cd.js'></script>",
])


def test_hydration_compact_form() -> None:
    assert id_from_hydration(page(HYDRATION_COMPACT)) == CID
    assert sc_version(page()) == "1771407416"


def test_hydration_with_spacing_and_pretty_json() -> None:
    entries = [{"hydratable": "user", "data": None},
               {"hydratable": "apiClient", "data": {"id": CID, "isExpiring": False}}]
    pretty = f"<script>\nwindow.__sc_hydration = {json.dumps(entries, indent=2)};\n</script>"
    assert id_from_hydration(page(pretty)) == CID
    spaced = ('<script>window.__sc_hydration=[ { "hydratable" : "apiClient" , "data" : '
              f'{{ "id" : "{CID}" }} }} ]</script>')
    assert id_from_hydration(page(spaced)) == CID


def test_broken_hydration_json_still_found_by_regex() -> None:
    broken = ('<script>window.__sc_hydration = [{"hydratable":"apiClient","data":{"id":'
              f'"{CID}","isExpiring":false}}}}, oops];</script>')
    assert id_from_hydration(page(broken)) == CID


def test_no_hydration_id() -> None:
    assert id_from_hydration(page()) is None
    wrong = '<script>window.__sc_hydration = [{"hydratable":"apiClient","data":{"id":"short"}}];'
    assert id_from_hydration(page(wrong + "</script>")) is None


def test_asset_urls_in_page_order_whatever_the_attribute_order() -> None:
    assert asset_urls(page(scripts=SCRIPTS)) == [
        "https://a-v2.sndcdn.com/assets/0-ea5f29be.js",
        "https://a-v2.sndcdn.com/assets/49-1b2c3d4e.js",
        "https://a-v2.sndcdn.com/assets/53-a49d47cd.js",
    ]


def test_relative_assets_are_made_absolute_against_the_page() -> None:
    html = page(scripts='<script src="/assets/app-1.js?v=2"></script>')
    assert asset_urls(html) == ["https://soundcloud.com/assets/app-1.js?v=2"]


@pytest.mark.parametrize("script", [
    f'...,client_application_id:46941,client_id:"{CID}",client_is_expiring:!1,...',
    f'e.exports={{query:{{client_id:"{CID}"}}}}',
    f'{{"client_id": "{CID}"}}',
    f"client_id : '{CID}'",
])
def test_asset_id_variants(script: str) -> None:
    assert id_from_asset(script) == CID


def test_asset_without_id() -> None:
    assert id_from_asset('client_id:"tooShort", foo:"' + CID + '"') is None
