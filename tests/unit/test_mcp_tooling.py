"""The tool declarations (minion_tui/mcp/tooling.py) and the opaque cursors (context.py):
schemas from one dataclass, argument checks that say what to fix, cursors that page to the
end, are spent once used, expire and belong to one tool."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

import pytest

from minion_tui.errors import InvalidArgument
from minion_tui.mcp.context import Cursors, ToolContext
from minion_tui.mcp.outputs import Listing
from minion_tui.mcp.tooling import LOCAL_DESTROY, LOCAL_READ, NoArgs, arg, tool
from minion_tui.models import Track


@dataclass(frozen=True, slots=True)
class Sample:
    query: str = arg("What to look for.", nonblank=True, max_length=10)
    limit: int = arg("How many.", default=5, minimum=1, maximum=50)
    ratio: float | None = arg("A ratio.", default=None, minimum=0, maximum=1)
    mode: Literal["a", "b"] = arg("The mode.", default="a")
    pick: str | None = arg("Picked from a function.", default=None,
                           choices=lambda: ("x", "y"))
    ids: tuple[int, ...] | None = arg("Entry ids.", default=None)
    flag: bool = arg("A flag.", default=False)


@tool(title="Sample", output=Listing[Track], hints=LOCAL_READ)
async def sample(ctx: ToolContext, args: Sample) -> Listing[Track]:
    """A tool for the tests, long enough to be a description of what it does."""
    return Listing(items=[], next_cursor=None)


def test_the_input_schema_comes_from_the_dataclass() -> None:
    schema = sample.input_schema
    props = schema["properties"]
    assert schema["required"] == ["query"] and schema["additionalProperties"] is False
    assert all(p["description"] for p in props.values())
    assert props["query"] == {"type": "string", "maxLength": 10, "minLength": 1,
                              "description": "What to look for."}
    assert props["limit"]["minimum"] == 1 and props["limit"]["default"] == 5
    assert props["ratio"]["type"] == ["number", "null"]
    assert props["mode"]["enum"] == ["a", "b"]
    assert props["pick"]["enum"] == ["x", "y", None]
    assert props["ids"]["items"] == {"type": "integer"}
    output = sample.output_schema
    assert output["type"] == "object" and set(output["properties"]) == {"items",
                                                                        "next_cursor"}
    assert sample.definition()["annotations"]["readOnlyHint"] is True


@pytest.mark.parametrize(("given", "said"), [
    ({}, "needs 'query'"),
    ({"query": " "}, "must not be blank"),
    ({"query": "x" * 11}, "at most 10"),
    ({"query": "q", "limit": 0}, "at least 1"),
    ({"query": "q", "limit": True}, "whole number"),
    ({"query": "q", "limit": 2.5}, "whole number"),
    ({"query": "q", "ratio": math.inf}, "finite"),
    ({"query": "q", "ratio": "half"}, "number"),
    ({"query": "q", "mode": "c"}, "one of: a, b"),
    ({"query": "q", "pick": "z"}, "one of: x, y"),
    ({"query": "q", "ids": [1, "2"]}, "list of integers"),
    ({"query": "q", "ids": []}, "at least one"),
    ({"query": "q", "flag": "yes"}, "true or false"),
    ({"query": "q", "limit": None}, "must not be null"),
    ({"query": "q", "nope": 1}, "no argument 'nope'"),
])
def test_bad_arguments_say_what_to_fix(given: dict[str, object], said: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        sample.parse(given)
    assert caught.value.type == "invalid_argument"
    assert said in caught.value.text


def test_good_arguments_become_the_dataclass() -> None:
    args, confirmed = sample.parse({"query": "q", "limit": 3.0, "ids": [4, 5], "ratio": None})
    assert args == Sample(query="q", limit=3, ids=(4, 5)) and confirmed is False


def test_a_destructive_tool_must_say_what_it_asks() -> None:
    with pytest.raises(TypeError, match="confirm"):
        @tool(title="Bad", output=Listing[Track], hints=LOCAL_DESTROY)
        async def bad(ctx: ToolContext, args: NoArgs) -> Listing[Track]:
            """Removes things without asking anyone at all, which is not allowed."""
            return Listing(items=[], next_cursor=None)

    @tool(title="Good", output=Listing[Track], hints=LOCAL_DESTROY,
          confirm=lambda args: "Remove it?")
    async def good(ctx: ToolContext, args: NoArgs) -> Listing[Track]:
        """Removes things once the user agreed, which the framework asks for."""
        return Listing(items=[], next_cursor=None)

    assert good.input_schema["properties"]["confirm"]["type"] == "boolean"
    assert good.parse({"confirm": True}) == (NoArgs(), True)
    with pytest.raises(InvalidArgument, match="true or false"):
        good.parse({"confirm": "yes"})


@dataclass(frozen=True)
class Undescribed:
    name: str = ""


def test_a_parameter_without_a_description_is_refused() -> None:
    @tool(title="Undescribed", output=Listing[Track], hints=LOCAL_READ)
    async def undescribed(ctx: ToolContext, args: Undescribed) -> Listing[Track]:
        """A tool whose parameter has no description, which the schema would lack."""
        return Listing(items=[], next_cursor=None)

    with pytest.raises(TypeError, match="arg"):
        _ = undescribed.input_schema


def _numbers(count: int, size: int) -> AsyncIterator[list[int]]:
    async def pages() -> AsyncIterator[list[int]]:
        for start in range(0, count, size):
            yield list(range(start, min(count, start + size)))
    return pages()


async def test_cursors_page_to_the_end_and_are_spent_once_used() -> None:
    cursors = Cursors()
    seen: list[int] = []
    page = await cursors.page("t", None, 4, lambda: _numbers(10, 3))
    seen += page.items
    while page.next_cursor is not None:
        used = page.next_cursor
        page = await cursors.page("t", used, 4, lambda: _numbers(0, 1))
        seen += page.items
        with pytest.raises(InvalidArgument, match="used already"):
            await cursors.page("t", used, 4, lambda: _numbers(0, 1))
    assert seen == list(range(10))
    exact = await cursors.page("t", None, 5, lambda: _numbers(5, 5))
    assert exact.items == [0, 1, 2, 3, 4] and exact.next_cursor is None


async def test_cursors_belong_to_their_tool_and_expire() -> None:
    cursors = Cursors(ttl=-1)
    page = await cursors.page("a", None, 1, lambda: _numbers(3, 1))
    assert page.next_cursor is not None
    with pytest.raises(InvalidArgument, match="expired"):
        await cursors.page("a", page.next_cursor, 1, lambda: _numbers(0, 1))
    kept = Cursors(size=1)
    first = await kept.page("a", None, 1, lambda: _numbers(3, 1))
    second = await kept.page("b", None, 1, lambda: _numbers(3, 1))
    assert first.next_cursor and second.next_cursor
    with pytest.raises(InvalidArgument):  # forgotten: only one listing is kept open
        await kept.page("a", first.next_cursor, 1, lambda: _numbers(0, 1))
    with pytest.raises(InvalidArgument, match="belongs to b"):
        await kept.page("a", second.next_cursor, 1, lambda: _numbers(0, 1))
