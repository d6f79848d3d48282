"""The ratings tools over a real MCP session against the emulator: every change read back
through the library (its rows), the export in the CLI's format, the taste from the rows."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from mcp.client.session import ClientSession

from minion_tui.models import Judgment
from minion_tui.service import Service
from tests.mcp.harness import call, call_error, page_all

CALLED = {"rate_track", "clear_rating", "my_ratings", "rating_history", "export_ratings",
          "my_taste"}


async def _tracks(mcp: ClientSession, n: int, query: str = "rain") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await call(mcp, "search_tracks",
                                              {"query": query, "limit": n}))["items"]
    assert len(found) == n
    return found


async def test_rate_is_kept_in_the_library_and_listed(mcp: ClientSession,
                                                       mcp_service: Service) -> None:
    a, b, c = await _tracks(mcp, 3)
    rated = await call(mcp, "rate_track", {"target": a["urn"], "judgment": "liked"})
    assert rated["urn"] == a["urn"] and rated["judgment"] == "liked"
    assert [h["judgment"] for h in rated["history"]] == ["liked"]
    await call(mcp, "rate_track", {"target": b["url"], "judgment": "not_interested"})
    await call(mcp, "rate_track", {"target": c["urn"], "judgment": "not_quite"})
    again = await call(mcp, "rate_track", {"target": a["urn"], "judgment": "not_quite"})
    assert [h["judgment"] for h in again["history"]] == ["liked", "not_quite"]

    liked = await mcp_service.library.my_ratings([Judgment.NOT_QUITE])
    assert {t.urn for t in liked} == {a["urn"], c["urn"]}
    rows = await mcp_service.library.my_ratings([Judgment.NOT_INTERESTED])
    assert [t.urn for t in rows] == [b["urn"]]

    every = await page_all(mcp, "my_ratings", {"limit": 1})
    assert [t["urn"] for t in every] == [a["urn"], c["urn"], b["urn"]]  # newest verdict first
    assert {t["urn"]: t["judgment"] for t in every} == {
        a["urn"]: "not_quite", b["urn"]: "not_interested", c["urn"]: "not_quite"}
    only = await call(mcp, "my_ratings", {"judgment": "not_interested"})
    assert [t["urn"] for t in only["items"]] == [b["urn"]] and only["next_cursor"] is None

    history = await page_all(mcp, "rating_history", {"limit": 2})
    assert [(h["urn"], h["judgment"]) for h in history] == [
        (a["urn"], "liked"), (b["urn"], "not_interested"), (c["urn"], "not_quite"),
        (a["urn"], "not_quite")]
    one = await call(mcp, "rating_history", {"urn": a["urn"]})
    assert [h["judgment"] for h in one["items"]] == ["liked", "not_quite"]


async def test_clear_needs_confirmation_and_then_clears(mcp: ClientSession,
                                                        mcp_service: Service) -> None:
    [a] = await _tracks(mcp, 1)
    await call(mcp, "rate_track", {"target": a["urn"], "judgment": "liked"})
    refused = await call_error(mcp, "clear_rating", {"target": a["urn"]})
    assert refused["type"] == "invalid_argument" and "confirm: true" in refused["message"]
    assert [t.urn for t in await mcp_service.library.my_ratings(list(Judgment))] == [a["urn"]]
    cleared = await call(mcp, "clear_rating", {"target": a["urn"], "confirm": True})
    assert cleared["judgment"] is None
    assert [h["judgment"] for h in cleared["history"]] == ["liked", None]
    assert await mcp_service.library.my_ratings(list(Judgment)) == []
    assert (await call(mcp, "my_ratings"))["items"] == []


async def test_export_is_the_cli_file_as_structured_content(mcp: ClientSession,
                                                            mcp_service: Service) -> None:
    a, b = await _tracks(mcp, 2)
    await call(mcp, "rate_track", {"target": a["urn"], "judgment": "liked"})
    await call(mcp, "rate_track", {"target": b["urn"], "judgment": "not_quite"})
    exported = await call(mcp, "export_ratings")
    file = await mcp_service.library.export_judgments("json")
    assert exported["text"] == file  # the file `minion-tui export judgments` writes
    document = json.loads(file)
    assert exported["format"] == document["format"]
    assert exported["version"] == document["version"]
    assert exported["judgments"] == document["judgments"]
    assert exported["history"] == document["history"]
    assert [(j["urn"], j["judgment"]) for j in exported["judgments"]] == [
        (a["urn"], "liked"), (b["urn"], "not_quite")]
    as_csv = await call(mcp, "export_ratings", {"format": "csv"})
    assert as_csv["text"] == await mcp_service.library.export_judgments("csv")
    rows = list(csv.reader(io.StringIO(as_csv["text"])))
    assert [r[1:3] for r in rows[1:]] == [[a["urn"], "liked"], [b["urn"], "not_quite"]]


async def test_taste_is_computed_from_the_liked_rows(mcp: ClientSession,
                                                     mcp_service: Service) -> None:
    empty = await call(mcp, "my_taste")
    assert empty["liked"] == 0 and empty["bpm"] is None and empty["artists"] == []
    tracks = await _tracks(mcp, 4, query="house")
    for t in tracks[:3]:
        await call(mcp, "rate_track", {"target": t["urn"], "judgment": "liked"})
    await call(mcp, "rate_track", {"target": tracks[3]["urn"], "judgment": "not_interested"})
    taste = await call(mcp, "my_taste", {"top": 50})
    liked = await mcp_service.library.my_ratings([Judgment.LIKED])
    assert (taste["liked"], taste["not_interested"], taste["not_quite"]) == (3, 1, 0)
    artists: dict[str, int] = {}
    for t in liked:
        artists[t.artist] = artists.get(t.artist, 0) + 1
    assert {c["value"]: c["count"] for c in taste["artists"]} == artists
    tags: dict[str, int] = {}
    for t in liked:
        for tag in {x.strip().lower() for x in (t.genre, *t.tags) if x.strip()}:
            tags[tag] = tags.get(tag, 0) + 1
    assert {c["value"]: c["count"] for c in taste["tags"]} == tags
    counts = [c["count"] for c in taste["tags"]]
    assert counts == sorted(counts, reverse=True)
    assert taste["analysed"] == sum(1 for t in liked if t.bpm or t.key)


async def test_bad_ratings_are_refused_and_change_nothing(mcp: ClientSession,
                                                          mcp_service: Service) -> None:
    [a] = await _tracks(mcp, 1)
    for args, said in (({"target": a["urn"], "judgment": "love"}, "must be one of"),
                       ({"target": "", "judgment": "liked"}, "blank"),
                       ({"target": "   ", "judgment": "liked"}, "blank"),
                       ({"target": "x" * 3000, "judgment": "liked"}, "at most"),
                       ({"target": a["urn"]}, "needs 'judgment'")):
        error = await call_error(mcp, "rate_track", args)
        assert error["type"] == "invalid_argument" and said in error["message"], error
    bad = await call_error(mcp, "rate_track", {"target": "https://example.com/x",
                                               "judgment": "liked"})
    assert bad["type"] == "invalid_url"
    wrong = await call_error(mcp, "rating_history", {"urn": "soundcloud:users:1"})
    assert wrong["type"] == "invalid_argument" and "track URN" in wrong["message"]
    assert await mcp_service.library.my_ratings(list(Judgment)) == []
