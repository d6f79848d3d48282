"""`f` on a Mixcloud show follows its uploader by the listings Mixcloud declares for
discovery — their favourites and their own shows — and the toast names both."""

from __future__ import annotations

from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.widgets.details import TrackDetails
from tests.examples import resolve_examples
from tests.tui.harness import list_in_browse, started
from tests.tui.waiting import until


def _toasts(app: MinionApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_f_on_a_show_follows_the_djs_favourites_and_shows(
        app: MinionApp, shared_emulator: RunningEmulator) -> None:
    async with started(app, (160, 45)) as pilot:
        (show,) = await resolve_examples(app.service, shared_emulator, "mc_show_tracks")
        assert show.provider == "mixcloud" and show.uploader_urn
        details = app.query_one("#browse-details", TrackDetails)
        list_in_browse(app, [show])
        await until(pilot, lambda: details.track is not None, "the details of the show")

        await pilot.press("f")
        await until(pilot, lambda: any(t.startswith(f"Following {show.uploader}")
                                       for t in _toasts(app)), "the Following toast")
        (toast,) = [t for t in _toasts(app) if t.startswith("Following")]
        assert "uploads" in toast and "listings" not in toast
        followed = {(s.kind, s.target) for s in await app.service.discovery.sources()}
        assert followed == {("user_likes", show.uploader_urn),
                            ("user_tracks", show.uploader_urn)}
        await until(pilot, lambda: "following — f unfollows" in details.text,
                    "the details panel saying following")
