"""A `const` or `enum` whose value is an object or an array, spelled out as the schema it stands for.

datamodel-code-generator types `"const": {"kind": "fixed"}` as `dict[str, str]` and an enum of
objects as their loosest common type, so the generated model would accept any object where the
schema admits one. `Literal[...]` cannot hold a dict or a list, so the generator's private copy of
the schema says the same thing structurally instead: an object with exactly those keys, each a
`const` (`additionalProperties: false`: pydantic `extra="forbid"`), an array of exactly those
items (`prefixItems`, `minItems` = `maxItems`). A pure transformation of the generator's copy; the
schema the library validates with keeps its `const`, which jsonschema reads natively.
"""

from __future__ import annotations

from typing import Any

from cfai.guards import subschemas

__all__ = ["exact", "spell_out"]

# What a structural spelling replaces: whatever else the node said about its shape (a `const` is
# stronger than any of it). Titles, descriptions and the like stay.
_SHAPE = ("type", "properties", "required", "additionalProperties", "patternProperties", "items", "prefixItems",
          "minItems", "maxItems", "minProperties", "maxProperties", "const", "enum")  # fmt: skip


def exact(value: Any) -> dict[str, Any]:
    """The schema admitting `value` and nothing else (for a JSON value)."""
    if isinstance(value, dict):
        return {"type": "object", "properties": {str(k): exact(v) for k, v in value.items()},
                "required": sorted(str(k) for k in value), "additionalProperties": False}  # fmt: skip
    if isinstance(value, list):
        return {"type": "array", "prefixItems": [exact(v) for v in value], "minItems": len(value),
                "maxItems": len(value), "items": False}  # fmt: skip
    if value is None:
        return {"type": "null"}
    return {"const": value}


def _container(value: Any) -> bool:
    return isinstance(value, dict | list)


def spell_out(schema: Any) -> Any:
    """`schema` with every container `const` and every `enum` holding a container rewritten (in place)."""
    for _, node in subschemas(schema):
        if not isinstance(node, dict):
            continue
        if "const" in node and _container(node["const"]):
            value = node["const"]
            for key in _SHAPE:
                node.pop(key, None)
            node.update(exact(value))
        elif isinstance(node.get("enum"), list) and any(_container(v) for v in node["enum"]):
            members = node["enum"]
            for key in _SHAPE:
                node.pop(key, None)
            scalars = [v for v in members if not _container(v)]
            branches = [exact(v) for v in members if _container(v)]
            alternatives = [*([{"enum": scalars}] if scalars else []), *branches]
            if "anyOf" in node:  # the enum and the node's own alternatives both apply
                node["allOf"] = [*node.get("allOf", []), {"anyOf": alternatives}]
            else:
                node["anyOf"] = alternatives
    return schema
