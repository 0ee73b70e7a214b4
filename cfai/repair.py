"""Known authoring slips in published schemas, repaired the way Cloudflare's own tools read them.

Pure: `repair` returns a repaired copy and one located note per repair, so generation and run-time
validation read a schema the same way, and `cfai generate --strict` can refuse any repair.

Repairs (each a kind of slip seen in real files, matched by shape, never by model name):
- an object keyword placed inside `properties` (`"properties": {"required": ["a", "b"]}`, as
  `@cf/deepgram/flux` is published): read literally it is a property whose schema is an array,
  which is not a schema; `@cloudflare/workers-types` reads it as the object's keyword, and so do we;
- `"default": null` on a property whose type does not admit null: a default the value could never
  take, dropped (generated code would otherwise declare `x: int = None`);
- a `oneOf` object branch that requires nothing and holds one property, beside branches that each
  require a key (llama-3.3's "Async Batch": `requests`): its property is read as required
  (`_unmarked_branch`), so requests stay checked;
- a `oneOf` whose branches overlap for the values they are meant for (an "Async Batch" branch that
  requires nothing beside "Prompt" and "Messages"): read literally, an ordinary request matches two
  branches and is refused; the service accepts it and workers-types reads every `oneOf` as a union,
  so it is read as `anyOf` (`_overlapping` says exactly when).
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


# Keywords that say nothing about which values a node admits.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
                          "$comment", "contentType", "contentMediaType", "contentEncoding", "format", "$id",
                          "$schema", "$anchor"})
_TYPES = frozenset({"null", "boolean", "object", "array", "string", "number", "integer"})
_OBJECT_WORDS = ("properties", "required", "additionalProperties", "patternProperties", "minProperties",
                 "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas")
_ARRAY_WORDS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")
_STRING_WORDS = ("minLength", "maxLength", "pattern")
_NUMBER_WORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_MAX_ALTERNATIVES = 64


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "string" if isinstance(value, str) else "?"


def _meant_for(node: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types a branch is meant for: its `type`, its `const`/`enum` values' types, else what
    its keywords apply to (`properties` → object). A node saying none of these is meant for every
    type (`{}`, or only a description)."""
    kind = node.get("type")
    if isinstance(kind, str):
        kinds = {kind}
    elif isinstance(kind, list):
        kinds = {k for k in kind if isinstance(k, str)}
    elif "const" in node:
        kinds = {_json_type(node["const"])}
    elif isinstance(node.get("enum"), list):
        kinds = {_json_type(v) for v in node["enum"]}
    else:
        kinds = {t for t, words in (("object", _OBJECT_WORDS), ("array", _ARRAY_WORDS), ("string", _STRING_WORDS),
                                     ("number", _NUMBER_WORDS)) if any(w in node for w in words)}
        if not kinds:
            return _TYPES
    if "number" in kinds:
        kinds.add("integer")
    return frozenset(kinds)


def _resolve(root: Any, node: Any) -> Any:
    """A local `$ref` followed (a few hops), its sibling keywords kept; anything else as is."""
    for _ in range(8):
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return node
        target: Any = root
        for token in (t.replace("~1", "/").replace("~0", "~") for t in ref[1:].split("/") if t):
            target = target.get(token) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            return node
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _alternatives(root: Any, node: Any, depth: int = 0) -> list[Mapping[str, Any]] | None:
    """The plain shapes a branch stands for: itself, or one per branch of its own `oneOf`/`anyOf`
    (merged with its other keywords), `allOf` merged in. None when it cannot say (`not`, `if`, a
    `$ref` it cannot follow, too many): such a branch is never called overlapping."""
    node = _resolve(root, node)
    if node is True:
        return [{}]
    if not isinstance(node, Mapping) or depth > 4 or any(k in node for k in ("not", "if", "$ref", "$dynamicRef")):
        return None
    base = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf", "allOf")}
    shapes: list[Mapping[str, Any]] = [base]
    for part in node.get("allOf") or []:
        found = _alternatives(root, part, depth + 1)
        if found is None or len(found) != 1:
            return None
        shapes = [_merged(s, found[0]) for s in shapes]
    for keyword in ("oneOf", "anyOf"):
        if isinstance(node.get(keyword), list):
            branches = [_alternatives(root, b, depth + 1) for b in node[keyword]]
            if any(b is None for b in branches):
                return None
            shapes = [_merged(s, alt) for s in shapes for b in branches for alt in b or []]
    return shapes if len(shapes) <= _MAX_ALTERNATIVES else None


def _merged(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = {**a, **b}
    for key in ("properties",):
        if isinstance(a.get(key), Mapping) and isinstance(b.get(key), Mapping):
            out[key] = {**a[key], **b[key]}
    if isinstance(a.get("required"), list) and isinstance(b.get("required"), list):
        out["required"] = list(dict.fromkeys([*a["required"], *b["required"]]))
    if "type" in a and "type" in b:
        kinds = _meant_for({"type": a["type"]}) & _meant_for({"type": b["type"]})
        out["type"] = sorted(kinds)
    return out


def _values(node: Any) -> list[Any] | None:
    """The values a `const`/`enum` node allows, or None when it is not one."""
    if isinstance(node, Mapping):
        if "const" in node:
            return [node["const"]]
        if isinstance(node.get("enum"), list):
            return list(node["enum"])
    return None


def _compatible(root: Any, a: Any, b: Any) -> bool:
    """Whether two schemas of the same key could take one ordinary value: their types meet and, if
    both list their values (`const`/`enum`), they share one. A differing `const` is a discriminator."""
    a, b = _resolve(root, a), _resolve(root, b)
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return a is not False and b is not False
    if not _meant_for(a) & _meant_for(b):
        return False
    va, vb = _values(a), _values(b)
    if va is not None and vb is not None:
        return any(x == y and _json_type(x) == _json_type(y) for x in va for y in vb)
    return True


def _keys(node: Mapping[str, Any], word: str) -> set[str]:
    found = node.get(word)
    if word == "required":
        return {k for k in found if isinstance(k, str)} if isinstance(found, list) else set()
    return set(found) if isinstance(found, Mapping) else set()


def _bare(node: Mapping[str, Any]) -> bool:
    """A node constraining nothing but its type (`{"type": "string", "format": "binary"}`)."""
    return all(k in _ANNOTATIONS or k == "type" for k in node)


def _objects_overlap(root: Any, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether an ordinary instance of `b` — an object using only keys `b` declares, carrying what
    `b` requires — can carry what `a` requires and be valid against both: `a`'s required keys are
    among `b`'s properties, neither refuses the other's keys (`additionalProperties: false`), and no
    shared key is told apart by a `const`/`enum` or a type (a declared discriminator counts even
    when it is optional: the values meant for each branch carry it)."""
    req_a, req_b = _keys(a, "required"), _keys(b, "required")
    props_a, props_b = _keys(a, "properties"), _keys(b, "properties")
    if not req_a <= props_b:
        return False
    carried = req_a | req_b
    for node, props in ((a, props_a), (b, props_b)):
        closed = node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False
        if closed and not carried <= props:
            return False
        if any(node.get(w) for w in ("patternProperties", "propertyNames", "dependentRequired", "dependentSchemas")):
            return False
        minimum = node.get("minProperties")
        if isinstance(minimum, int) and minimum > len(carried):
            return False
    pa, pb = a.get("properties") or {}, b.get("properties") or {}
    return all(_compatible(root, pa[k], pb[k]) for k in props_a & props_b)


def _shapes_overlap(root: Any, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    common = _meant_for(a) & _meant_for(b)
    if not common:
        return False
    if _meant_for(a) == _TYPES and _bare(a) or _meant_for(b) == _TYPES and _bare(b):
        return True  # an untyped, unconstrained branch admits everything the other admits
    va, vb = _values(a), _values(b)
    if va is not None or vb is not None:
        return va is not None and vb is not None and _compatible(root, a, b)
    if "object" in common and (_objects_overlap(root, a, b) or _objects_overlap(root, b, a)):
        return True
    # Other types: only branches that constrain nothing but the type are the same set of values.
    return bool(common - {"object"}) and _bare(a) and _bare(b)


def _overlapping(root: Any, branches: list[Any]) -> tuple[int, int] | None:
    """The first two branches of a `oneOf` that admit one ordinary value, or None (it stays `oneOf`).

    Conservative by design: two branches overlap only when, for a type both are meant for, either
    one is untyped and constrains nothing (`{}`), or — for objects — an ordinary instance of one
    (its own keys, its required keys present) carries every key the other requires and no shared key
    is told apart by a `const`/`enum` or a type: an "Async response" branch with no `required` next
    to any object branch, or two branches differing only by optional keys. Branches with disjoint
    required keys (`messages` vs `input`), or discriminated by `role`/`type` values, stay exclusive;
    a branch whose shape it cannot read (`not`, `if`, a remote `$ref`) is never called overlapping.
    """
    shapes = [_alternatives(root, b) for b in branches]
    for i, first in enumerate(shapes):
        for j in range(i + 1, len(shapes)):
            second = shapes[j]
            if first is None or second is None:
                continue
            if any(_shapes_overlap(root, a, b) for a in first for b in second):
                return i, j
    return None


def _label(branches: list[Any], index: int) -> str:
    branch = branches[index]
    title = branch.get("title") if isinstance(branch, Mapping) else None
    return f"{index} ({title!r})" if isinstance(title, str) else str(index)


def _unmarked_branch(branches: list[Any]) -> tuple[int, str] | None:
    """(index, key) of a `oneOf` (or `anyOf`) object branch that requires nothing and has exactly one property,
    while every other object branch requires a key: `@cf/meta/llama-3.3-70b-instruct-fp8-fast`'s
    "Async Batch" (`{"requests": [...]}`) and "Async response" (`{"request_id": …}`), which the same
    family publishes elsewhere with `required: ["requests"]` (qwen3-30b, granite-4.0). Read
    literally it admits every object, so an ordinary request would match two branches; read as an
    `anyOf` it would let every payload through unchecked (`temperature: 99` included). Its one
    property is what tells it apart: the branch is read as requiring it, and requests stay strict."""
    objects = [(i, b) for i, b in enumerate(branches)
               if isinstance(b, dict) and (b.get("type") == "object" or isinstance(b.get("properties"), dict))]  # fmt: skip
    bare = [(i, b) for i, b in objects if not _requires_a_key(b)]
    if len(bare) != 1 or len(objects) < 2:
        return None
    index, branch = bare[0]
    properties = branch.get("properties")
    if not isinstance(properties, dict) or len(properties) != 1 or any(k in branch for k in ("oneOf", "anyOf", "allOf")):
        return None
    if not all(_requires_a_key(b) for i, b in objects if i != index):
        return None
    return index, next(iter(properties))


def _requires_a_key(branch: Mapping[str, Any]) -> bool:
    """Whether every value of `branch` must carry some key: its own `required`, or every branch of its
    own `oneOf`/`anyOf` requires one (kimi-k2.5's `{"oneOf": [Prompt, Messages]}`)."""
    if isinstance(branch.get("required"), list) and branch["required"]:
        return True
    nested = [b for k in ("oneOf", "anyOf") for b in branch.get(k, []) if isinstance(b, Mapping)]
    return bool(nested) and all(_requires_a_key(b) for b in nested)


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
        for keyword in ("oneOf", "anyOf"):  # kimi-k2.5 publishes the same slip under `anyOf`
            listed = node.get(keyword)
            if isinstance(listed, list) and (marked := _unmarked_branch(listed)) is not None:
                index, key = marked
                listed[index]["required"] = [key]
                notes.append(SchemaProblem(model, file, json_path((*path, keyword, index, "required")),
                                           f"repaired: branch {_label(listed, index)} requires nothing beside branches "
                                           f"that each require a key; its one property `{key}` is read as required"))
        branches = node.get("oneOf")
        if isinstance(branches, list) and (pair := _overlapping(out, branches)) is not None:
            items = list(node.items())
            node.clear()
            if any(k == "anyOf" for k, _ in items):  # both keywords: the repaired one joins `allOf`
                node.update((k, v) for k, v in items if k != "oneOf")
                node["allOf"] = [*node.get("allOf", []), {"anyOf": branches}]
            else:
                node.update(("anyOf" if k == "oneOf" else k, v) for k, v in items)
            first, second = (_label(branches, i) for i in pair)
            notes.append(SchemaProblem(model, file, json_path((*path, "oneOf")),
                                       f"repaired: `oneOf` whose branches {first} and {second} admit the same "
                                       "ordinary value is read as `anyOf`, as the service reads it"))
    return out, notes
