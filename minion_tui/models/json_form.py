"""One declaration per model gives both its JSON form (``to_json``) and its JSON Schema.

A model is a dataclass deriving from :class:`JsonModel`. Its JSON object has, in the order the
class declares them:

* one key per dataclass field, unless the field's metadata says otherwise
  (``field(metadata=json_opts(...))``: another key, left out, a float rounded);
* one key per public ``ClassVar`` declared among the fields (``kind: ClassVar[str] = "track"``),
  a constant in the schema;
* then one key per property named in ``__json_computed__`` (its return type gives its schema).

Values follow their type hint: enums become their value, tuples and sequences lists, mappings
dicts, nested models their own JSON form, ``X | None`` null or X's form. Items typed by a type
variable (``Page.items``) use their own ``to_json`` when they have one.

``to_json`` is compiled on first use into straight-line code, as fast as one written by hand,
and nothing is computed at import (start-up time is measured, see PERFORMANCE.md).
:func:`json_schema` returns a JSON Schema 2020-12 document (the MCP server publishes them);
``json_schema(Page[Track])`` fills in the page's item type.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_OPTS = "minion_tui.json"


class _Opts:
    __slots__ = ("flatten", "key", "ndigits", "skip")

    def __init__(self, key: str | None = None, skip: bool = False,
                 ndigits: int | None = None, flatten: bool = False) -> None:
        self.key, self.skip, self.ndigits, self.flatten = key, skip, ndigits, flatten


def json_opts(*, key: str | None = None, skip: bool = False,
              ndigits: int | None = None, flatten: bool = False) -> dict[str, Any]:
    """Field metadata: ``key`` renames the JSON key, ``skip`` leaves the field out, ``ndigits``
    rounds a float, ``flatten`` puts a model field's keys into this object (first, the
    object's own after them). Use as ``field(default=0.0, metadata=json_opts(ndigits=3))``."""
    return {_OPTS: _Opts(key, skip, ndigits, flatten)}


#: Field metadata for fields kept out of the JSON form (a provider's raw JSON, say).
SKIP = json_opts(skip=True)


class JsonModel:
    """Base of every model with a JSON form. Keeps ``__slots__`` empty so slotted dataclasses
    stay slotted."""

    __slots__ = ()
    __json_computed__: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        # First call for this class: compile its converter and put it in place of this one
        # (the cache serves callers that took this method before it was replaced).
        cls = type(self)
        compiled = _COMPILED.get(cls)
        if compiled is None:
            compiled = _COMPILED[cls] = _compile(cls)
            cls.to_json = compiled  # type: ignore[method-assign,assignment]
        return compiled(self)


_COMPILED: dict[type, Callable[[Any], dict[str, Any]]] = {}


class _Entry:
    """One JSON key: the attribute it is read from, its type hint, its options; ``is_const``
    for a ClassVar (``const`` is its value)."""

    __slots__ = ("attr", "const", "hint", "is_const", "key", "opts")

    def __init__(self, key: str, attr: str, hint: Any, opts: _Opts, is_const: bool = False,
                 const: Any = None) -> None:
        self.key, self.attr, self.hint, self.opts = key, attr, hint, opts
        self.is_const, self.const = is_const, const


def _entries(cls: type[JsonModel]) -> list[_Entry]:
    """The JSON keys of a model, in order, with what each is made from."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    found: list[_Entry] = []
    for name in hints:  # declaration order, as the dataclass orders its fields
        if name in fields:
            opts = fields[name].metadata.get(_OPTS, _Opts())
            if not opts.skip:
                found.append(_Entry(opts.key or name, name, hints[name], opts))
        elif typing.get_origin(hints.get(name)) is ClassVar and not name.startswith("_"):
            found.append(_Entry(name, name, typing.get_args(hints[name])[0], _Opts(),
                                True, getattr(cls, name)))
    for name in cls.__json_computed__:
        prop = getattr(cls, name)
        hint = typing.get_type_hints(prop.fget).get("return", Any)
        found.append(_Entry(name, name, hint, _Opts()))
    return found


def _compile(cls: type[JsonModel]) -> Callable[[Any], dict[str, Any]]:
    items: list[str] = []
    for n, entry in enumerate(_entries(cls)):
        expr = _convert(entry.hint, f"self.{entry.attr}", f"_{n}")
        if entry.opts.flatten:
            items.insert(0, f"        **{expr},")
            continue
        if entry.opts.ndigits is not None:
            expr = f"round({expr}, {entry.opts.ndigits})"
        items.append(f"        {entry.key!r}: {expr},")
    source = "def to_json(self):\n    return {\n" + "\n".join(items) + "\n    }\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<to_json of {cls.__qualname__}>", "exec"), namespace)
    function: Callable[[Any], dict[str, Any]] = namespace["to_json"]
    function.__qualname__ = f"{cls.__qualname__}.to_json"
    return function


def _convert(hint: Any, expr: str, var: str) -> str:
    """A Python expression turning ``expr`` (of type ``hint``) into its JSON value."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_optional(hint):
        inner = _convert(_without_none(hint), expr, var)
        return expr if inner == expr else f"({inner} if {expr} is not None else None)"
    if isinstance(hint, TypeVar):
        return f"({expr}.to_json() if hasattr({expr}, 'to_json') else {expr})"
    if isinstance(hint, type) and issubclass(hint, JsonModel):
        return f"{expr}.to_json()"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return f"{expr}.value"
    if origin in (tuple, list, Sequence) or (origin is not None and _is_sequence(origin)):
        item = _convert(args[0] if args else Any, var, var + "i")
        return f"list({expr})" if item == var else f"[{item} for {var} in {expr}]"
    if origin in (dict, Mapping) or (origin is not None and _is_mapping(origin)):
        return f"dict({expr})"
    return expr


def _is_optional(hint: Any) -> bool:
    return _is_union(hint) and type(None) in typing.get_args(hint)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _without_none(hint: Any) -> Any:
    rest = [a for a in typing.get_args(hint) if a is not type(None)]
    return rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007


def _is_sequence(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str


def _is_mapping(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, Mapping)


def json_schema(model: Any) -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``model``'s JSON form: a model class, or a generic model
    with its parameters (``Page[Track]``)."""
    return {"$schema": SCHEMA_DIALECT, **_object_schema(model)}


def _object_schema(model: Any) -> dict[str, Any]:
    cls = typing.get_origin(model) or model
    bound = dict(zip(getattr(cls, "__parameters__", ()), typing.get_args(model), strict=False))
    properties: dict[str, Any] = {}
    for entry in _entries(cls):
        hint = bound.get(entry.hint, entry.hint)
        if entry.opts.flatten:
            properties = {**_object_schema(hint)["properties"], **properties}
        elif entry.is_const:
            properties[entry.key] = {**_schema(hint, bound), "const": entry.const}
        else:
            properties[entry.key] = _schema(hint, bound)
    schema: dict[str, Any] = {"title": cls.__name__, "type": "object"}
    doc = _cleandoc(cls.__doc__ or "")
    if doc and not doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature
        schema["description"] = doc
    schema.update(properties=properties, required=list(properties), additionalProperties=False)
    return schema


_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def _schema(hint: Any, bound: Mapping[Any, Any]) -> dict[str, Any]:
    hint = bound.get(hint, hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_union(hint):
        options = [_schema(a, bound) for a in args]
        if all(set(o) == {"type"} and isinstance(o["type"], str) for o in options):
            return {"type": [o["type"] for o in options]}
        return {"anyOf": options}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        values = [m.value for m in hint]
        return {"type": _SCALARS[type(values[0])], "enum": values}
    if (isinstance(hint, type) and issubclass(hint, JsonModel)) or (
            isinstance(origin, type) and issubclass(origin, JsonModel)):
        return _object_schema(hint)
    if origin in (tuple, list, Sequence) or (origin is not None and _is_sequence(origin)):
        return {"type": "array", "items": _schema(args[0], bound) if args else {}}
    if origin in (dict, Mapping) or (origin is not None and _is_mapping(origin)):
        return {"type": "object",
                "additionalProperties": _schema(args[1], bound) if len(args) == 2 else {}}
    return {}  # Any, or an unbound type variable: any JSON value


def _cleandoc(doc: str) -> str:
    """A docstring without its indentation (inspect.cleandoc, without importing inspect)."""
    first, _, rest = doc.strip().partition("\n")
    lines = rest.splitlines()
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    return "\n".join([first, *(ln[indent:] for ln in lines)]).strip()
