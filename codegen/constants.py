"""A `const` or `enum` whose value is an object or an array, spelled out as the schema it stands for.

datamodel-code-generator types `"const": {"kind": "fixed"}` as `dict[str, str]` and an enum of
objects as their loosest common type, so the generated model would accept any object where the
schema admits one. `Literal[...]` cannot hold a dict or a list, so the generator's private copy of
the schema says the same thing structurally instead: an object with exactly those keys, each a
`const` (`additionalProperties: false`: pydantic `extra="forbid"`), an array of exactly those
items (`prefixItems`, `minItems` = `maxItems`); a fractional number, which `Literal` cannot hold
either, becomes `minimum` = `maximum`. A pure transformation of the generator's copy; the
schema the library validates with keeps its `const`, which jsonschema reads natively.

The values the node admits are exactly those listed, so everything else the node says about shape
(`type`, `properties`, `anyOf`, `$ref`, …) is replaced: an enum member the rest of the node refuses
is dropped first (jsonschema-rs decides), and a `const` the rest refuses leaves the node as it was
(it admits nothing; the validator says so before anything is sent).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from cfai.guards import subschemas

__all__ = ["exact", "spell_out"]

# What a spelled-out node keeps: what names or describes it (the class-name marker `x-cfai-class`
# and other `x-` keys, anchors a reference may point at), never what constrains it.
_KEEP = frozenset({"title", "description", "$comment", "examples", "default", "deprecated", "readOnly",
                   "writeOnly", "$anchor", "$dynamicAnchor", "$id", "$defs", "definitions"})  # fmt: skip
_DEFS = ("$defs", "definitions")


def exact(value: Any) -> dict[str, Any]:
    """The schema admitting `value` and nothing else (for a JSON value)."""
    if isinstance(value, dict):
        return {"type": "object", "properties": {str(k): exact(v) for k, v in value.items()},
                "required": sorted(str(k) for k in value), "additionalProperties": False}  # fmt: skip
    if isinstance(value, list):
        if not value:  # `prefixItems: []` would become a one-item tuple of anything
            return {"type": "array", "maxItems": 0}
        return {"type": "array", "prefixItems": [exact(v) for v in value], "minItems": len(value),
                "maxItems": len(value), "items": False}  # fmt: skip
    if value is None:
        return {"type": "null"}
    if isinstance(value, float) and not value.is_integer():  # `Literal` holds no float: the generator drops it
        return {"type": "number", "minimum": value, "maximum": value}
    return {"const": value}


def _container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _admitted(root: Any, node: dict[str, Any], drop: str, values: list[Any]) -> list[Any] | None:
    """The `values` that the rest of `node` (without keyword `drop`) admits; None when that cannot
    be told here (a reference outside the root's definitions)."""
    rest = {k: v for k, v in node.items() if k != drop}
    defs = {k: root[k] for k in _DEFS if isinstance(root, dict) and k in root}
    try:
        check = jsonschema_rs.validator_for({**defs, **rest})
        return [v for v in values if check.is_valid(v)]
    except (ValueError, jsonschema_rs.ReferencingError):
        return None


def _replace(node: dict[str, Any], spelled: dict[str, Any]) -> None:
    kept = {k: v for k, v in node.items() if k in _KEEP or k.startswith("x-")}
    node.clear()
    node.update(kept | spelled)


def spell_out(schema: Any) -> Any:
    """`schema` with every container `const` and every `enum` holding a container rewritten (in place)."""
    for path, node in list(subschemas(schema)):
        if not isinstance(node, dict) or "dependentRequired" in path:  # its values are lists of names
            continue
        if isinstance(value := node.get("const"), float) and not value.is_integer():
            if _admitted(schema, node, "const", [value]) == [value]:
                _replace(node, exact(value))
            continue
        if "const" in node and _container(node["const"]):
            value = node["const"]
            if _admitted(schema, node, "const", [value]) == [value]:
                _replace(node, exact(value))
        elif isinstance(node.get("enum"), list) and any(_container(v) for v in node["enum"]):
            members = _admitted(schema, node, "enum", node["enum"])
            if members is None:
                continue  # left as the generator types it: loosely, never wrongly narrow
            scalars = [v for v in members if not _container(v)]
            branches = [exact(v) for v in members if _container(v)]
            alternatives = [*([{"enum": scalars}] if scalars else []), *branches]
            _replace(node, {"anyOf": alternatives} if alternatives else {"not": {}})
    return schema
