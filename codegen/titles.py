"""Keep the public class names (`Input`, `Output`, `ChatCompletionsChunk`, the variants) for the
schemas they name.

datamodel-code-generator names a class after the schema's `title`, else its property or `$defs` key,
and on a clash gives the plain name to whichever it meets first: a nested property titled `Output`
(or an untitled property called `output`) takes `Output` today, and the model's real output becomes
`Output1`, so `m.Output` validates the wrong thing. Such nested schemas are given a distinct title
in the generator's copy; the published schema is not touched.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from cfai.errors import json_path
from cfai.guards import subschemas

__all__ = ["class_name", "free_reserved_titles"]

_NAMED_BY_KEY = ("properties", "$defs", "definitions")
_VARIANTS = ("oneOf", "anyOf")


def class_name(text: str) -> str:
    """The class name the generator derives from a title or key (`chat completions` → `ChatCompletions`)."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^0-9A-Za-z]+", text) if w)


def _slots(schema: MutableMapping[str, Any], reserved: set[str]) -> set[tuple[str | int, ...]]:
    """Where the public classes are: the root, `$defs/<reserved>`, and the variants of each."""
    tops: list[tuple[str | int, ...]] = [()]
    defs = schema.get("$defs")
    if isinstance(defs, dict):
        tops += [("$defs", name) for name in defs if name in reserved]
    slots = set(tops)
    for top in tops:
        node: Any = schema
        for part in top:
            node = node[part]
        for keyword in _VARIANTS:
            if isinstance(node, dict) and isinstance(node.get(keyword), list):
                slots.update((*top, keyword, i) for i in range(len(node[keyword])))
    return slots


def free_reserved_titles(schema: MutableMapping[str, Any], reserved: set[str]) -> list[str]:
    """Retitle, in place, every nested schema whose class name would be one of `reserved` or of the
    public classes' own titles; returns a note per change."""
    slots = _slots(schema, reserved)
    nodes = dict(subschemas(schema))
    taken = {class_name(t).casefold() for t in reserved}
    taken |= {class_name(t).casefold() for p in slots if isinstance(t := nodes.get(p, {}).get("title"), str)}
    notes: list[str] = []
    for path, node in nodes.items():
        if path in slots or not isinstance(node, MutableMapping):
            continue
        title = node.get("title")
        # an untitled schema is a class (named by its key) only when it is an object with properties
        named_by_key = len(path) >= 2 and path[-2] in _NAMED_BY_KEY and "properties" in node
        name = title if isinstance(title, str) else str(path[-1]) if named_by_key else None
        if name is None or class_name(name).casefold() not in taken:
            continue
        new = f"{class_name(name)}Nested"
        while new.casefold() in taken:
            new += "_"
        node["title"] = new
        notes.append(f"{json_path(path)}: titled {new!r}: the class name {class_name(name)!r} belongs to the model")
    return notes
