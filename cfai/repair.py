"""Known authoring slips in published schemas, repaired the way Cloudflare's own tools read them.

Pure: `repair` returns a repaired copy and one located note per repair, so generation and run-time
validation read a schema the same way, and `cfai generate --strict` can refuse any repair.

Repairs (each a kind of slip seen in real files, matched by shape, never by model name):
- an object keyword placed inside `properties` (`"properties": {"required": ["a", "b"]}`, as
  `@cf/deepgram/flux` is published): read literally it is a property whose schema is an array,
  which is not a schema; `@cloudflare/workers-types` reads it as the object's keyword, and so do we;
- `"default": null` on a property whose type does not admit null: a default the value could never
  take, dropped (generated code would otherwise declare `x: int = None`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .errors import SchemaProblem, json_path

__all__ = ["repair"]

Path = tuple[str | int, ...]

# Object-level keywords whose values are not schemas: found under `properties`, they are misplaced.
_OBJECT_KEYWORDS: dict[str, Callable[[Any], bool]] = {
    "required": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "dependentRequired": lambda v: isinstance(v, dict) and not {"type", "properties"} & v.keys(),
    "minProperties": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "maxProperties": lambda v: isinstance(v, int) and not isinstance(v, bool),
}
# Keywords whose values are subschemas (or lists / maps of them): where `repair` looks for more.
_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_SUBSCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")


def _nodes(node: Any, path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every subschema (a dict in a schema position), parents before children."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key in _SUBSCHEMA:
        yield from _nodes(node.get(key), (*path, key))
    for key in _SUBSCHEMA_LISTS:
        if isinstance(node.get(key), list):
            for index, branch in enumerate(node[key]):
                yield from _nodes(branch, (*path, key, index))
    for key in _SUBSCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            for name, sub in list(node[key].items()):
                yield from _nodes(sub, (*path, key, name))


def _admits_null(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    if kind is None and not any(k in node for k in ("enum", "const", "oneOf", "anyOf", "allOf", "$ref")):
        return True  # untyped: anything, null included
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if isinstance(node.get("enum"), list) and None in node["enum"]:
        return True
    branches = [b for key in ("oneOf", "anyOf") for b in node.get(key, []) if isinstance(b, Mapping)]
    return any(_admits_null(b) for b in branches)


def repair(model: str, file: str, schema: Any) -> tuple[Any, list[SchemaProblem]]:
    """A repaired copy of `schema` and a note per repair (located at the slip, in the original)."""
    if not isinstance(schema, dict):
        return schema, []
    out = copy.deepcopy(schema)
    notes: list[SchemaProblem] = []
    for path, node in list(_nodes(out)):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for keyword, fits in _OBJECT_KEYWORDS.items():
                value = properties.get(keyword)
                if keyword in properties and not isinstance(value, dict) and fits(value):
                    del properties[keyword]
                    if keyword == "required":
                        node["required"] = list(dict.fromkeys([*node.get("required", []), *(value or [])]))
                    else:
                        node.setdefault(keyword, value)
                    where = json_path((*path, "properties", keyword))
                    notes.append(SchemaProblem(model, file, where, f"repaired: `{keyword}` placed inside "
                                               "`properties` is read as the object's own keyword"))
        if "default" in node and node["default"] is None and not _admits_null(node):
            del node["default"]
            notes.append(SchemaProblem(model, file, json_path((*path, "default")),
                                       "repaired: `default: null` on a value that cannot be null is dropped"))
    return out, notes
