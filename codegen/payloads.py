"""The payload types of the typed client: a model's input schema as TypedDicts (pure).

`cfai.Client.run("openai/gpt-5.5", {...})` is checked key by key by a type checker only if the
payload's type is a `TypedDict`; the pydantic models cannot type a dict literal. So each model's
input schema, titled exactly as for its pydantic module (`models.combined_schema`), is generated a
second time with the `payloads` profile of `[tool.datamodel-codegen]` into
`cfai_models/payloads/<module>.py`. Two changes to that copy only:

- `stream` is dropped from the root variants: streaming is the client's `stream=` parameter (whose
  overloads give the stream's type), never a payload key;
- each bounded property's description gains its bounds (`Bounds: 0 ≤ value ≤ 2.`), so that the
  docstring an editor shows on a key says what the schema allows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from cfai.naming import variants

__all__ = ["bounds_text", "payload_schema"]

_BOUNDS = (
    ("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<"),
    ("minLength", "length ≥"), ("maxLength", "length ≤"), ("minItems", "items ≥"), ("maxItems", "items ≤"),
)  # fmt: skip


def bounds_text(node: Mapping[str, Any]) -> str:
    """`{"minimum": 0, "maximum": 2}` → `value ≥ 0, value ≤ 2`; `""` when unbounded."""
    parts = [f"{'value ' if not sign.startswith(('length', 'items')) else ''}{sign} {node[key]}"
             for key, sign in _BOUNDS if isinstance(node.get(key), int | float) and not isinstance(node.get(key), bool)]  # fmt: skip
    branches = [b for k in ("anyOf", "oneOf") for b in node.get(k, []) if isinstance(b, Mapping)]
    parts += [text for b in branches if (text := bounds_text(b))]
    return ", ".join(parts)


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def payload_schema(titled: Mapping[str, Any], chunk_and_output: tuple[str, ...]) -> dict[str, Any]:
    """The TypedDict generator's input: the titled combined schema without the answer's `$defs`."""
    out = copy.deepcopy(dict(titled))
    defs = {k: v for k, v in out.get("$defs", {}).items() if k not in chunk_and_output}
    if defs:
        out["$defs"] = defs
    else:
        out.pop("$defs", None)
    for root in [b for b in variants(out) if isinstance(b, dict)] or [out]:
        if isinstance(root.get("properties"), dict):
            root["properties"].pop("stream", None)
            if isinstance(root.get("required"), list) and "stream" in root["required"]:
                root["required"] = [r for r in root["required"] if r != "stream"]
    for node in _objects(out):
        for sub in node["properties"].values():
            if isinstance(sub, dict) and (text := bounds_text(sub)):
                description = str(sub.get("description", "")).rstrip()
                sub["description"] = f"{description}{' ' if description else ''}Bounds: {text}."
    return out
