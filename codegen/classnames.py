"""Class names a person would choose, for every class a model's module will hold (pure).

datamodel-code-generator names a class after its schema's `title` (`use-title-as-name`), else after
the property holding it, and numbers duplicates (`Tools1`, `Messages2`): a reader cannot tell
`Messages1` from `Messages2`. So before it runs, every subschema that becomes a class gets a
`title` here, from what the schema says it is:

1. its own `title` (`"Chat Completions"` → `ChatCompletions`);
2. for a `oneOf`/`anyOf` branch, what tells it apart from its siblings (`cfai.naming.tag_words`):
   `role: "system"` in the branches of `messages` → `SystemMessage`, `type: "image_url"` →
   `ImageUrlContent`, a required key of its own (`function`) → `FunctionTool`;
3. the property holding it (`response_format` → `ResponseFormat`; array items in the singular:
   `tool_calls` → `ToolCall`).

A name already taken is qualified by its parent class (`FunctionToolFunction`); only when that is
taken too is a number appended, the last resort. The root classes (marked `FIXED`) and what the
generated module imports are never given out again.
"""

from __future__ import annotations

import copy
import json
import keyword
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cfai.naming import pascal, tag_words, title_words, words

__all__ = ["FIXED", "IMPORTED", "name_classes"]

FIXED = "x-cfai-class"  # marks a subschema whose class name is already decided

# What a generated module imports: a class of the same name would shadow it.
IMPORTED = frozenset({
    "Annotated", "Any", "AwareDatetime", "BaseModel", "ConfigDict", "Field", "Literal", "MISSING",
    "RootModel", "StrictBool", "StrictBytes", "StrictFloat", "StrictInt", "StrictStr", "TypeAliasType",
    "AnyUrl", "Decimal", "UUID", "date", "datetime", "time", "timedelta", "bytes", "str", "int", "float",
})  # fmt: skip
_UNIONS = ("oneOf", "anyOf")


def _singular(word: str) -> str:
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _is_class(node: Mapping[str, Any]) -> bool:
    """Whether the generator makes a class of this subschema: an object with properties."""
    return isinstance(node.get("properties"), Mapping) and bool(node["properties"])


def _is_alias(node: Mapping[str, Any]) -> bool:
    """A constrained scalar or array in a union: the generator names it (a type alias)."""
    bounds = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
              "pattern", "minItems", "maxItems", "multipleOf", "format"}  # fmt: skip
    return not _is_class(node) and bool(bounds & node.keys())


class _Names:
    def __init__(self, reserved: Iterable[str], model: str) -> None:
        self.taken = set(reserved) | IMPORTED
        # Cloudflare titles some schemas after the model's id, `Ai_Cf_Meta_Llama_4_Prompt`: those
        # words are the model's name, not the class's.
        self.model_words = {w.lower() for w in words(model)} | {"ai", "cf", "hf"}
        # The same subschema written out again (each variant of kimi-k2.5 repeats the tool classes)
        # is the same class: one name, which the generator's `reuse-model` then makes one class.
        self.by_content: dict[tuple[str, str], str] = {}

    def claim(self, candidates: list[str], fallback: str) -> str:
        for name in candidates:
            if name and name.isidentifier() and not keyword.iskeyword(name) and name not in self.taken:
                self.taken.add(name)
                return name
        index = 1
        while f"{fallback}{index}" in self.taken:
            index += 1
        self.taken.add(f"{fallback}{index}")
        return f"{fallback}{index}"


def _visit(node: Any, context: str, parent: str, names: _Names, branch_of: list[Any] | None = None) -> None:
    if not isinstance(node, dict):
        return
    own = node.get("title")
    name = parent
    if isinstance(fixed := node.pop(FIXED, None), str):
        name = node["title"] = fixed  # a root class (Input, ChatCompletionsInput, …): named already
    elif _is_class(node) or (branch_of is not None and _is_alias(node)) or isinstance(own, str):
        base = pascal(title_words(own, names.model_words)) if isinstance(own, str) else ""
        if not base and branch_of is not None:
            tag = tag_words(node, [b for b in branch_of if isinstance(b, Mapping)])
            base = pascal(tag) + context if tag else ""
            if not tag and _is_alias(node):
                kind = node.get("type")
                base = context + ({"array": "List"}.get(kind, "") if isinstance(kind, str) else "")
        base = base or context or "Model"
        content = (base, json.dumps(node, sort_keys=True, default=str))
        if (same := names.by_content.get(content)) is not None:
            name = same
        else:
            # Taken: qualified by the property holding it (`videos` → `VideoDataURL`), then by its parent.
            qualified = [context + base if context and not base.startswith(context) else "",
                         parent + base if parent != base else ""]  # fmt: skip
            name = names.by_content[content] = names.claim([base, *qualified], base)
        node["title"] = name
    for key in _UNIONS:
        branches = node.get(key)
        if isinstance(branches, list):
            # `anyOf: [{…}, {"type": "null"}]` is a nullable value, not a choice between kinds.
            real = [b for b in branches if not (isinstance(b, Mapping) and b.get("type") == "null")]
            for branch in branches:
                _visit(branch, context, name, names, real if len(real) > 1 else None)
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for prop, sub in properties.items():
            _visit(sub, pascal(words(prop)) or "Value", name, names)
    items = node.get("items")
    if isinstance(items, dict):
        item = _singular(context)
        _visit(items, item if item and item != context else (context or name) + "Item", name, names)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):  # the value of a map: `properties` → `Property`, else `<map>Value`
        value = _singular(context)
        _visit(extra, value if value and value != context else context + "Value", name, names)
    for defs in ("$defs", "definitions"):
        if isinstance(node.get(defs), Mapping):
            for key, sub in node[defs].items():
                _visit(sub, pascal(words(key)) or "Definition", "", names)
    for key in ("allOf",):
        if isinstance(node.get(key), list):
            for sub in node[key]:
                _visit(sub, context, name, names)


def _fixed(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get(FIXED), str):
            yield node[FIXED]
        for value in node.values():
            yield from _fixed(value)
    elif isinstance(node, list):
        for value in node:
            yield from _fixed(value)


def name_classes(schema: Mapping[str, Any], model: str) -> dict[str, Any]:
    """A copy of `schema` whose every class-making subschema carries a unique, meaningful `title`.

    Subschemas marked `{FIXED: name}` (the root classes and their variants) keep that name, and no
    other subschema may take it.
    """
    out = copy.deepcopy(dict(schema))
    names = _Names(_fixed(out), model)
    _visit(out, "", "", names)
    return out
