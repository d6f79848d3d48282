"""What every tool promises, read from tools/list over a real MCP session (as a client we did
not write would): a title, a description, a description on every input property, an output
schema whose root is an object, all four hints given as booleans; list tools take limit and
cursor and return {items, next_cursor}."""

from __future__ import annotations

import jsonschema
from mcp.client.session import ClientSession

HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


async def test_every_listed_tool_keeps_the_contract(mcp: ClientSession) -> None:
    listed = (await mcp.list_tools()).tools
    assert len(listed) >= 5
    for t in listed:
        wire = t.model_dump(by_alias=True, mode="json", exclude_none=True)
        assert wire.get("title"), t.name
        assert len(wire.get("description", "")) > 60, t.name
        schema = wire["inputSchema"]
        assert schema["type"] == "object" and schema.get("additionalProperties") is False
        for name, prop in schema["properties"].items():
            assert prop.get("description"), (t.name, name)
        jsonschema.Draft202012Validator.check_schema(schema)
        output = wire["outputSchema"]
        assert output["type"] == "object", t.name
        jsonschema.Draft202012Validator.check_schema(output)
        annotations = wire["annotations"]
        assert all(isinstance(annotations.get(h), bool) for h in HINTS), (t.name, annotations)
        if annotations["destructiveHint"]:
            assert "confirm" in schema["properties"], t.name
        if {"cursor", "limit"} <= set(schema["properties"]):
            assert set(output["properties"]) == {"items", "next_cursor"}, t.name
            assert output["properties"]["next_cursor"]["type"] == ["string", "null"]
