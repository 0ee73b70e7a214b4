"""What a schema may not do, checked before anything else reads it: point outside itself, nest
deeper than the tools that walk it can follow, or refer to itself without describing anything.

- `$schema` names a dialect; only the standard draft URIs are accepted, as identifiers: nothing is
  ever fetched. `$ref`, `$dynamicRef` and `$recursiveRef` must be fragments (`#/$defs/x`, `#`) of the
  same file: a URL or a relative file name would make a check, a validator or the generator do I/O.
- Nesting is capped (`MAX_DEPTH` JSON levels; the published schemas reach 28): python-jsonschema,
  datamodel-code-generator and our own walkers recurse, and a 100,000-deep file must be a located
  error, not a `RecursionError`.
- A chain of in-place keywords (`$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`) that
  comes back to where it started never reaches a value: validators and generators loop on it.
  Recursion through `properties` or `items` (a tree) is fine.

All walks here are iterative. Each check returns `(path, message)` pairs; `cfai.schemas` locates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["DIALECTS", "MAX_DEPTH", "cycles", "references", "subschemas", "too_deep"]

Path = tuple[str | int, ...]
MAX_DEPTH = 64
DIALECTS = frozenset(
    f"{scheme}://json-schema.org/{draft}/schema{hash_}"
    for scheme in ("http", "https")
    for draft in ("draft-04", "draft-06", "draft-07", "draft/2019-09", "draft/2020-12")
    for hash_ in ("", "#")
)
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
_DATA = frozenset({"enum", "const", "default", "examples"})  # values, not schemas: never walked
_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE = ("not", "if", "then", "else")


def too_deep(document: Any, limit: int = MAX_DEPTH) -> tuple[Path, str] | None:
    """Where `document` first nests deeper than `limit` levels, if it does."""
    stack: list[tuple[Any, Path]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= limit:
            return path[:limit], f"nested deeper than {limit} levels: refused (the published schemas need under 30)"
        if isinstance(node, Mapping):
            stack += [(value, (*path, str(key))) for key, value in node.items()]
        elif isinstance(node, list):
            stack += [(value, (*path, index)) for index, value in enumerate(node)]
    return None


def subschemas(schema: Any) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every object in a schema position, with its path; enum/const/default/examples are data and
    skipped, and the keys of `properties`-like maps are names, never keywords."""
    stack: list[tuple[Any, Path]] = [(schema, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, Mapping):
            continue
        yield path, node
        for key, value in node.items():
            if key in _DATA:
                continue
            if key in _MAPS and isinstance(value, Mapping):
                stack += [(v, (*path, key, str(k))) for k, v in value.items()]
            elif isinstance(value, list):
                stack += [(v, (*path, key, i)) for i, v in enumerate(value)]
            else:
                stack.append((value, (*path, key)))


def references(schema: Any) -> list[tuple[Path, str]]:
    """Every `$schema` that is not a standard dialect and every reference that leaves the file."""
    found: list[tuple[Path, str]] = []
    for path, node in subschemas(schema):
        dialect = node.get("$schema")
        if "$schema" in node and dialect not in DIALECTS:
            why = f"$schema {dialect!r} is not a standard JSON Schema dialect URI (it would be fetched): refused"
            found.append(((*path, "$schema"), why))
        for keyword in _REFS[1:]:
            ref = node.get(keyword)
            if keyword in node and not (isinstance(ref, str) and ref.startswith("#")):
                found.append(((*path, keyword), f"{keyword} {ref!r} points outside the file: refused"))
    return found


def _pointer(schema: Any, ref: str) -> tuple[Path, Any] | None:
    if not ref.startswith("#/") and ref != "#":
        return None  # "#anchor": not followed here
    node: Any = schema
    path: Path = ()
    for raw in ref[2:].split("/") if ref != "#" else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node, path = node[token], (*path, token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node, path = node[int(token)], (*path, int(token))
        else:
            return None
    return path, node


def _in_place(schema: Any, path: Path, node: Mapping[str, Any]) -> Iterator[tuple[Path, Path]]:
    """(where the keyword is, the subschema it applies in place)."""
    for keyword in _REFS:
        ref = node.get(keyword)
        if isinstance(ref, str) and (target := _pointer(schema, ref)) is not None:
            yield (*path, keyword), target[0]
    for keyword in _IN_PLACE_LISTS:
        if isinstance(node.get(keyword), list):
            yield from (((*path, keyword, i), (*path, keyword, i)) for i in range(len(node[keyword])))
    for keyword in _IN_PLACE:
        if isinstance(node.get(keyword), Mapping):
            yield (*path, keyword), (*path, keyword)


def cycles(schema: Any) -> list[tuple[Path, str]]:
    """Each loop of in-place keywords, reported once, at the reference that closes it."""
    nodes: dict[Path, Mapping[str, Any]] = dict(subschemas(schema))
    state: dict[Path, int] = {}  # 1: on the current walk, 2: done
    found: list[tuple[Path, str]] = []
    for start, node in nodes.items():
        if state.get(start):
            continue
        stack: list[tuple[Path, Iterator[tuple[Path, Path]]]] = [(start, _in_place(schema, start, node))]
        state[start] = 1
        while stack:
            here, edges = stack[-1]
            edge = next(edges, None)
            if edge is None:
                state[here] = 2
                stack.pop()
                continue
            where, step = edge
            if state.get(step) == 1:
                why = f"refers back to {_show(step)} with no value described in between: an endless loop"
                found.append((where, why))
            elif not state.get(step) and step in nodes:
                state[step] = 1
                stack.append((step, _in_place(schema, step, nodes[step])))
    return found


def _show(path: Path) -> str:
    return "#" + "".join(f"/{part}" for part in path)
