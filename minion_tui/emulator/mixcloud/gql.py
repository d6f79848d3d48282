"""Just enough GraphQL to answer real clients' query texts: a lexer, a parser of operations,
fragments, aliases, arguments and variables, and an executor that answers exactly the fields
a query names (as a GraphQL server does), with `Cannot query field` errors for the others.

No schema language: each type is a `Node` whose resolvers are looked up by field name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r'''
    (?P<ws>[\s,\ufeff]+|\#[^\n]*)
  | (?P<block>"""(?:[^"\\]|\\.|"(?!""))*""")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$():=@\[\]{}|&])
''', re.VERBOSE)


class GraphQLError(Exception):
    pass


@dataclass
class Field:
    name: str
    alias: str
    args: dict[str, Any]
    selections: list[Any] | None


@dataclass
class Fragment:
    on: str | None
    selections: list[Any]


@dataclass
class Spread:
    name: str


@dataclass
class Variable:
    name: str


@dataclass
class Document:
    operations: list[tuple[str | None, list[Any], dict[str, Any]]]  # name, selections, defaults
    fragments: dict[str, Fragment] = field(default_factory=dict)


def _lex(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise GraphQLError(f"Syntax Error: Unexpected character {text[position]!r}.")
        position = match.end()
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, match.group()))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        k, v = self.peek()
        if (value is not None and v != value) or (kind is not None and k != kind):
            raise GraphQLError(f"Syntax Error: Expected {value or kind}, found {v or '<EOF>'}.")
        self.i += 1
        return v

    def document(self) -> Document:
        doc = Document([])
        while self.peek()[0] != "eof":
            value = self.peek()[1]
            if value == "{":
                doc.operations.append((None, self.selection_set(), {}))
            elif value in ("query", "mutation", "subscription"):
                self.take()
                name = self.take(kind="name") if self.peek()[0] == "name" else None
                defaults = self.variable_definitions() if self.peek()[1] == "(" else {}
                self.directives()
                doc.operations.append((name, self.selection_set(), defaults))
            elif value == "fragment":
                self.take()
                name = self.take(kind="name")
                self.take("on")
                on = self.take(kind="name")
                self.directives()
                doc.fragments[name] = Fragment(on, self.selection_set())
            else:
                raise GraphQLError(f"Syntax Error: Unexpected {value!r}.")
        if not doc.operations:
            raise GraphQLError("Must provide an operation.")
        return doc

    def variable_definitions(self) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        self.take("(")
        while self.peek()[1] != ")":
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            self.type_ref()
            if self.peek()[1] == "=":
                self.take()
                defaults[name] = self.value()
        self.take(")")
        return defaults

    def type_ref(self) -> None:
        if self.peek()[1] == "[":
            self.take()
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take()

    def directives(self) -> None:
        while self.peek()[1] == "@":
            self.take()
            self.take(kind="name")
            if self.peek()[1] == "(":
                self.arguments()

    def selection_set(self) -> list[Any]:
        self.take("{")
        out: list[Any] = []
        while self.peek()[1] != "}":
            if self.peek()[0] == "eof":
                raise GraphQLError("Syntax Error: Expected }, found <EOF>.")
            if self.peek()[0] == "spread":
                self.take()
                if self.peek()[1] == "on":
                    self.take()
                    on = self.take(kind="name")
                    self.directives()
                    out.append(Fragment(on, self.selection_set()))
                elif self.peek()[1] == "{" or self.peek()[1] == "@":
                    self.directives()
                    out.append(Fragment(None, self.selection_set()))
                else:
                    out.append(Spread(self.take(kind="name")))
                    self.directives()
                continue
            name = self.take(kind="name")
            alias = name
            if self.peek()[1] == ":":
                self.take()
                name = self.take(kind="name")
            args = self.arguments() if self.peek()[1] == "(" else {}
            self.directives()
            selections = self.selection_set() if self.peek()[1] == "{" else None
            out.append(Field(name, alias, args, selections))
        self.take("}")
        return out

    def arguments(self) -> dict[str, Any]:
        self.take("(")
        return self.named_values(")")

    def named_values(self, close: str) -> dict[str, Any]:
        """``name: value`` pairs up to ``close`` (taken): an argument list's, an object's."""
        named: dict[str, Any] = {}
        while self.peek()[1] != close:
            name = self.take(kind="name")
            self.take(":")
            named[name] = self.value()
        self.take(close)
        return named

    def value(self) -> Any:
        kind, text = self.peek()
        if text == "$":
            self.take()
            return Variable(self.take(kind="name"))
        if text == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if text == "{":
            self.take()
            return self.named_values("}")
        self.take()
        if kind == "string":
            import json

            return json.loads(text)
        if kind == "block":
            return text[3:-3]
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(text, text)
        raise GraphQLError(f"Syntax Error: Unexpected {text!r}.")


def parse(text: str) -> Document:
    return _Parser(text).document()


def _substitute(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, Variable):
        return variables.get(value.name)
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


Resolver = Callable[[dict[str, Any]], Any]


@dataclass
class Node:
    """An object of GraphQL type `typename`; `fields` maps a field name to its resolver."""

    typename: str
    fields: dict[str, Resolver]
    implements: tuple[str, ...] = ()
    #: The union the field's type is (e.g. "Section"): fields other than __typename need an
    #: inline fragment on the member type, as a schema-checking server requires.
    union: str | None = None


class Executor:
    def __init__(self, doc: Document, variables: dict[str, Any]) -> None:
        self.doc = doc
        self.variables = variables
        self.errors: list[dict[str, Any]] = []

    def _fields(self, node: Node, selections: list[Any], *, direct: bool = True
                ) -> list[Field]:
        out: list[Field] = []
        for item in selections:
            if isinstance(item, Field):
                if direct and node.union and item.name != "__typename":
                    self.errors.append({"message": f'Cannot query field "{item.name}" on type '
                                                   f'"{node.union}". Did you mean to use an '
                                                   f'inline fragment on "{node.typename}"?'})
                    continue
                out.append(item)
            elif isinstance(item, Fragment):
                if item.on is None:
                    out.extend(self._fields(node, item.selections, direct=direct))
                elif item.on in (node.typename, *node.implements, node.union):
                    out.extend(self._fields(node, item.selections, direct=False))
            else:
                fragment = self.doc.fragments.get(item.name)
                if fragment is None:
                    raise GraphQLError(f'Unknown fragment "{item.name}".')
                if fragment.on in (node.typename, *node.implements, node.union):
                    out.extend(self._fields(node, fragment.selections, direct=False))
        return out

    def run(self, node: Node, selections: list[Any], path: list[Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for f in self._fields(node, selections):
            if f.name == "__typename":
                result[f.alias] = node.typename
                continue
            resolver = node.fields.get(f.name)
            if resolver is None:
                self.errors.append({"message": f'Cannot query field "{f.name}" on type '
                                               f'"{node.typename}".', "path": [*path, f.alias]})
                continue
            args = {k: _substitute(v, self.variables) for k, v in f.args.items()}
            result[f.alias] = self.complete(resolver(args), f, [*path, f.alias])
        return result

    def complete(self, value: Any, f: Field, path: list[Any]) -> Any:
        if isinstance(value, list):
            return [self.complete(v, f, [*path, i]) for i, v in enumerate(value)]
        if isinstance(value, Node):
            if f.selections is None:
                self.errors.append({"message": f'Field "{f.name}" of type "{value.typename}" '
                                               "must have a selection of subfields.",
                                    "path": path})
                return None
            return self.run(value, f.selections, path)
        if f.selections is not None and value is not None:
            self.errors.append({"message": f'Field "{f.name}" must not have a selection since '
                                           "its type has no subfields.", "path": path})
            return None
        return value


def execute(text: str, variables: dict[str, Any] | None, operation: str | None,
            root: Node) -> dict[str, Any]:
    """The `{"data": …}` / `{"errors": […]}` answer to one request."""
    try:
        doc = parse(text)
        chosen = [op for op in doc.operations if operation is None or op[0] == operation]
        if not chosen:
            raise GraphQLError(f'Unknown operation named "{operation}".')
        if operation is None and len(chosen) > 1:
            raise GraphQLError("Must provide operation name if query contains "
                               "multiple operations.")
        _, selections, defaults = chosen[0]
        executor = Executor(doc, {**defaults, **(variables or {})})
        data = executor.run(root, selections, [])
    except GraphQLError as problem:
        return {"errors": [{"message": str(problem)}]}
    if executor.errors:
        return {"errors": executor.errors}  # a field the schema lacks fails validation
    return {"data": data}
