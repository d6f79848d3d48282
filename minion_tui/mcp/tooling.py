"""How a tool is declared: one :func:`tool` decorator over one async handler and one
parameter dataclass gives the MCP tool's name, title, description, input schema (with a
description on every property), output schema, annotations, the checking of its arguments and
its text rendering.

``Listing`` (outputs.py) is re-exported here for the list tools.

A tool, in a group module under ``minion_tui/mcp/tools/``::

    @dataclass(frozen=True, slots=True)
    class GetTrack:
        target: str = arg("The track's URL or URN (from search_tracks or resolve_url).",
                          nonblank=True)

    @tool(title="Get a track", output=Track, hints=REMOTE_READ, render=render_track)
    async def get_track(ctx: ToolContext, args: GetTrack) -> Track:
        \"\"\"One track by URL or URN, with its counts and the user's rating. One request.\"\"\"
        return await ctx.service.catalog.resolve_as_track(args.target)

The handler's docstring is the model-facing description (say what it does, when to use it and
what it costs); the parameter class is the handler's second annotation. A list tool returns
:class:`Listing` (``{items, next_cursor}``) made by ``ctx.cursors.page(...)``. A destructive
tool names what it is about to do with ``confirm=lambda args: "…"``: the framework adds the
``confirm`` input and asks the user (elicitation) before the handler runs.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from minion_tui.errors import InvalidArgument
from minion_tui.mcp.outputs import Listing
from minion_tui.models.json_form import SCHEMA_DIALECT, JsonModel, _cleandoc, json_schema

if TYPE_CHECKING:
    from minion_tui.mcp.context import ToolContext

T = TypeVar("T")
P = TypeVar("P")

_ARG = "minion_tui.mcp.arg"

#: How long a string argument may be unless its declaration says otherwise: a 70k-character
#: "query" is refused with the limit instead of being sent on.
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Hints:
    """The four MCP tool annotations, each given explicitly (the spec's defaults are the
    unsafe ones: not read-only, destructive, not idempotent, open world)."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool

    def to_json(self) -> dict[str, bool]:
        return {"readOnlyHint": self.read_only, "destructiveHint": self.destructive,
                "idempotentHint": self.idempotent, "openWorldHint": self.open_world}


#: Reads a service over the network (SoundCloud, Mixcloud): nothing changes.
REMOTE_READ = Hints(read_only=True, destructive=False, idempotent=True, open_world=True)
#: Reads what is kept here (the queue, the player, ratings): no request.
LOCAL_READ = Hints(read_only=True, destructive=False, idempotent=True, open_world=False)
#: Changes local state (player, queue) additively or by setting a value.
LOCAL_SET = Hints(read_only=False, destructive=False, idempotent=True, open_world=False)
#: Changes local state in a way repeating changes again (add to queue, next track).
LOCAL_CHANGE = Hints(read_only=False, destructive=False, idempotent=False, open_world=False)
#: Removes or overwrites local state (clear the queue, remove an entry).
LOCAL_DESTROY = Hints(read_only=False, destructive=True, idempotent=False, open_world=False)
#: Sets something on a service, the same however often (like, follow, repost).
REMOTE_SET = Hints(read_only=False, destructive=False, idempotent=True, open_world=True)
#: Adds something on a service each time it is called (a comment, a playlist, an upload).
REMOTE_CHANGE = Hints(read_only=False, destructive=False, idempotent=False, open_world=True)
#: Removes or overwrites something on a service (delete a track, unfollow, replace audio).
REMOTE_DESTROY = Hints(read_only=False, destructive=True, idempotent=True, open_world=True)


@dataclass(frozen=True, slots=True)
class _Arg:
    description: str
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    nonblank: bool = False
    choices: Sequence[str] | Callable[[], Sequence[str]] | None = None

    def values(self) -> tuple[str, ...] | None:
        if self.choices is None:
            return None
        found = self.choices() if callable(self.choices) else self.choices
        return tuple(found)


_NO_DEFAULT: Any = dataclasses.MISSING


def arg(description: str, *, default: Any = _NO_DEFAULT, minimum: float | None = None,
        maximum: float | None = None, max_length: int | None = None, nonblank: bool = False,
        choices: Sequence[str] | Callable[[], Sequence[str]] | None = None) -> Any:
    """One input property: its description (required: the model reads it), its default
    (none: the property is required), bounds for numbers, ``max_length`` for strings
    (default :data:`MAX_TEXT`), ``nonblank`` to refuse ``""`` and whitespace, and ``choices``
    (a sequence, or a function called when the schema is first built: the providers'
    names)."""
    meta = {_ARG: _Arg(description, minimum, maximum, max_length, nonblank, choices)}
    if default is _NO_DEFAULT:
        return field(metadata=meta)
    if isinstance(default, list | dict | set):
        raise TypeError("a mutable default: use a tuple")
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class NoArgs:
    """The parameters of a tool that takes none."""


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    kind: str  # "string" | "integer" | "number" | "boolean" | "array" | "choice"
    optional: bool  # None accepted
    required: bool
    default: Any
    spec: _Arg
    literal: tuple[str, ...] | None = None
    item: str = "string"  # an array's items: "string" or "integer"


Handler = Callable[["ToolContext", Any], Awaitable[Any]]
Render = Callable[[dict[str, Any]], str]


@dataclass(eq=False)
class Tool:
    """One MCP tool, made by :func:`tool`."""

    name: str
    title: str
    description: str
    params: type[Any]
    output: Any
    hints: Hints
    handler: Handler
    render: Render
    confirm: Callable[[Any], str] | None = None
    changes: tuple[str, ...] = ()
    _params: tuple[_Param, ...] | None = field(default=None, repr=False)
    _input_schema: dict[str, Any] | None = field(default=None, repr=False)
    _output_schema: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def input_schema(self) -> dict[str, Any]:
        if self._input_schema is None:
            self._input_schema = _input_schema(self)
        return self._input_schema

    @property
    def output_schema(self) -> dict[str, Any]:
        if self._output_schema is None:
            self._output_schema = output_schema(self.output)
        return self._output_schema

    def parameters(self) -> tuple[_Param, ...]:
        if self._params is None:
            self._params = _parameters(self.params)
        return self._params

    def definition(self) -> dict[str, Any]:
        """The tool as ``tools/list`` gives it (camelCase, as on the wire)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "outputSchema": self.output_schema,
            "annotations": {"title": self.title, **self.hints.to_json()},
        }

    def parse(self, arguments: Mapping[str, Any] | None) -> tuple[Any, bool]:
        """The parameter object for ``arguments``, and whether ``confirm: true`` was given;
        InvalidArgument saying what to fix for anything the schema refuses."""
        given = dict(arguments or {})
        confirmed = False
        if self.confirm is not None and "confirm" in given:
            value = given.pop("confirm")
            if not isinstance(value, bool):
                raise InvalidArgument(f"{self.name}: 'confirm' must be true or false, "
                                      f"got {_shown(value)}.")
            confirmed = value
        params = self.parameters()
        known = {p.name for p in params}
        unknown = sorted(k for k in given if k not in known)
        if unknown:
            takes = ", ".join(sorted(known | ({"confirm"} if self.confirm else set())))
            raise InvalidArgument(
                f"{self.name} has no argument {unknown[0]!r}.",
                hint=f"It takes: {takes or 'no arguments'}.")
        values: dict[str, Any] = {}
        for param in params:
            if param.name not in given:
                if param.required:
                    raise InvalidArgument(
                        f"{self.name} needs {param.name!r}: {param.spec.description}")
                continue
            values[param.name] = _checked(self.name, param, given[param.name])
        return self.params(**values), confirmed


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(tool_name: str, param: _Param, value: Any) -> Any:
    where = f"{tool_name}: {param.name!r}"
    if value is None:
        if param.optional:
            return None
        raise InvalidArgument(f"{where} must not be null.", hint=param.spec.description)
    spec = param.spec
    if param.kind in ("string", "choice"):
        if not isinstance(value, str):
            raise InvalidArgument(f"{where} must be a string, got {_shown(value)}.")
        limit = spec.max_length or MAX_TEXT
        if len(value) > limit:
            raise InvalidArgument(f"{where} is {len(value)} characters long; at most "
                                  f"{limit} are accepted.")
        if spec.nonblank and not value.strip():
            raise InvalidArgument(f"{where} must not be blank.", hint=spec.description)
        if param.kind == "choice":
            choices = param.literal or spec.values() or ()
            if value not in choices:
                raise InvalidArgument(f"{where} must be one of: {', '.join(choices)}; "
                                      f"got {_shown(value)}.")
        return value
    if param.kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidArgument(f"{where} must be true or false, got {_shown(value)}.")
        return value
    if param.kind in ("integer", "number"):
        whole = param.kind == "integer"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgument(f"{where} must be a {'whole ' if whole else ''}number, "
                                  f"got {_shown(value)}.")
        if whole and isinstance(value, float):
            if not value.is_integer():
                raise InvalidArgument(f"{where} must be a whole number, got {value}.")
            value = int(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidArgument(f"{where} must be a finite number.")
        if spec.minimum is not None and value < spec.minimum:
            raise InvalidArgument(f"{where} must be at least {_num(spec.minimum)}, got {value}.")
        if spec.maximum is not None and value > spec.maximum:
            raise InvalidArgument(f"{where} must be at most {_num(spec.maximum)}, got {value}.")
        return value
    # an array of strings or of whole numbers
    strings = param.item == "string"
    if not isinstance(value, list) or not all(
            isinstance(v, str) if strings else (isinstance(v, int) and not isinstance(v, bool))
            for v in value):
        raise InvalidArgument(f"{where} must be a list of {param.item}s, got {_shown(value)}.")
    if not value:
        raise InvalidArgument(f"{where} must name at least one item.", hint=spec.description)
    if len(value) > 500:
        raise InvalidArgument(f"{where} has {len(value)} items; at most 500 are accepted.")
    for item in value:
        if strings and (len(item) > (spec.max_length or MAX_TEXT) or not item.strip()):
            raise InvalidArgument(f"{where} has an item that is blank or too long.",
                                  hint=spec.description)
    return tuple(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _parameters(cls: type[Any]) -> tuple[_Param, ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(_ARG)
        if not isinstance(spec, _Arg):
            raise TypeError(f"{cls.__name__}.{f.name}: declare it with arg(description)")
        hint = hints[f.name]
        optional = False
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(hint) if a is not type(None)]
            optional = len(rest) < len(typing.get_args(hint))
            hint = rest[0]
        literal: tuple[str, ...] | None = None
        item = "string"
        if typing.get_origin(hint) is Literal:
            kind, literal = "choice", tuple(typing.get_args(hint))
        elif spec.choices is not None:
            kind = "choice"
        elif hint is str:
            kind = "string"
        elif hint is bool:
            kind = "boolean"
        elif hint is int:
            kind = "integer"
        elif hint is float:
            kind = "number"
        elif typing.get_origin(hint) is tuple and typing.get_args(hint)[:1] in ((str,), (int,)):
            kind = "array"
            item = "string" if typing.get_args(hint)[0] is str else "integer"
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: unsupported type {hint!r}")
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = None if required else f.default
        found.append(_Param(f.name, kind, optional, required, default, spec, literal, item))
    return tuple(found)


def _property(param: _Param) -> dict[str, Any]:
    spec = param.spec
    schema: dict[str, Any]
    if param.kind == "choice":
        schema = {"type": "string", "enum": list(param.literal or spec.values() or ())}
    elif param.kind == "array":
        items = ({"type": "string", "minLength": 1} if param.item == "string"
                 else {"type": "integer"})
        schema = {"type": "array", "items": items, "minItems": 1, "maxItems": 500}
    else:
        schema = {"type": param.kind}
    if param.kind in ("string",):
        schema["maxLength"] = spec.max_length or MAX_TEXT
        if spec.nonblank:
            schema["minLength"] = 1
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    if param.optional:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    schema["description"] = spec.description
    if not param.required and param.default is not None:
        schema["default"] = param.default
    return schema


def _input_schema(tool: Tool) -> dict[str, Any]:
    params = tool.parameters()
    properties = {p.name: _property(p) for p in params}
    if tool.confirm is not None:
        properties["confirm"] = {
            "type": "boolean", "default": False,
            "description": "Pass true only after the user agreed to this change. A client "
            "with elicitation has the user asked instead; without either nothing is "
            "changed."}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def output_schema(output: Any) -> dict[str, Any]:
    """The output schema of a model (``Track``), a generic one (``Listing[Track]``) or a
    tuple of models (one of them: ``(Track, Playlist, User)``); its root is always an
    object."""
    if isinstance(output, tuple):
        options = []
        for model in output:
            one = json_schema(model)
            one.pop("$schema", None)
            options.append(one)
        return {"$schema": SCHEMA_DIALECT, "type": "object", "anyOf": options}
    schema = json_schema(output)
    if schema.get("type") != "object":
        raise TypeError(f"an output schema's root must be an object: {output!r}")
    return schema


def render_json(result: dict[str, Any]) -> str:
    """The default text rendering: the structured result as compact JSON."""
    import json

    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))


def tool(*, title: str, output: Any, hints: Hints, render: Render = render_json,
         name: str | None = None, confirm: Callable[[Any], str] | None = None,
         changes: tuple[str, ...] = ()
         ) -> Callable[[Callable[[ToolContext, Any], Awaitable[Any]]], Tool]:
    """Declare a tool over an async handler ``(ctx, args) -> model``: its name is the
    function's (or ``name``), its description the docstring, its parameters the class the
    second argument is annotated with (:class:`NoArgs` for none). ``confirm`` (destructive
    tools) gives the question the user is asked before the handler runs; ``changes`` the
    resources (``minion://queue``…) whose subscribers are told after a call succeeds."""

    def declare(handler: Callable[[ToolContext, Any], Awaitable[Any]]) -> Tool:
        annotations = typing.get_type_hints(handler)
        names = [k for k in annotations if k != "return"]
        if len(names) != 2:
            raise TypeError(f"{handler.__name__}: a handler takes (ctx, args)")
        params = annotations[names[1]]
        doc = _cleandoc(handler.__doc__ or "")
        if not doc:
            raise TypeError(f"{handler.__name__}: its docstring is the tool's description")
        if hints.destructive and confirm is None:
            raise TypeError(f"{handler.__name__}: a destructive tool needs confirm=…")
        return Tool(name=name or handler.__name__, title=title, description=doc,
                    params=params, output=output, hints=hints, handler=handler,
                    render=render, confirm=confirm, changes=changes)

    return declare


def structured(result: Any) -> dict[str, Any]:
    """A handler's result as structured content: a model's JSON form, or the dict itself."""
    if isinstance(result, JsonModel):
        return result.to_json()
    if isinstance(result, dict):
        return result
    raise TypeError(f"a tool returned {type(result).__name__}, not a model or a dict")


__all__ = ["LOCAL_CHANGE", "LOCAL_DESTROY", "LOCAL_READ", "LOCAL_SET", "REMOTE_CHANGE",
           "REMOTE_DESTROY", "REMOTE_READ", "REMOTE_SET", "Hints", "Listing", "NoArgs", "Tool",
           "arg", "output_schema", "render_json", "structured", "tool"]
