"""Names a person would choose: module names for models, class names for schema variants.

Pure functions shared by generation (class names in `generated/`) and validation (the variant an
error is reported against), so both always agree.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["module_name", "pascal", "qualified_module_name", "tag_words", "title_words", "variant_keyword", "variant_names", "variants", "words"]

_WORD = re.compile(r"[A-Za-z]+|[0-9]+[A-Za-z]*")


def words(text: str) -> list[str]:
    """The words of a name or value: `image_url` → `["image", "url"]`."""
    return _WORD.findall(text)


def module_name(model: str) -> str:
    """The module a person would name for a model: its last segment, numbers kept with their words.

    `@cf/meta/llama-3.1-8b-instruct` → `llama_3_1_8b_instruct`, `@cf/baai/bge-m3` → `bge_m3`,
    `@cf/meta/m2m100-1.2b` → `m2m100_1_2b`. Two models with the same last segment are told apart
    by `qualified_module_name`.
    """
    return _identifier(model.rsplit("/", 1)[-1])


def qualified_module_name(model: str) -> str:
    """`module_name` with the author in front (`@cf/openai/whisper` → `openai_whisper`): for a
    model whose last segment another model shares, or one that names a module of the package."""
    parts = model.split("/")
    return _identifier("-".join(parts[-2:]) if len(parts) > 1 else model)


def _identifier(text: str) -> str:
    name = "_".join(part.lower() for part in re.findall(r"[A-Za-z0-9]+", text))
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"m_{name}"
    return name


def pascal(words: Sequence[str]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


def variant_keyword(schema: Any) -> str | None:
    """`oneOf` or `anyOf`: the root keyword whose branches are the schema's variants, if any."""
    if isinstance(schema, Mapping):
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches and all(isinstance(b, Mapping) for b in branches):
                return keyword
    return None


def variants(schema: Any) -> list[Mapping[str, Any]]:
    """The root `oneOf` (else `anyOf`) branches of a schema, or `[]` when it has none."""
    keyword = variant_keyword(schema)
    return list(schema[keyword]) if keyword else []


def title_words(title: Any, model_words: set[str]) -> list[str]:
    words = _WORD.findall(title) if isinstance(title, str) else []
    model_words = model_words | {"ai", "cf", "hf"}  # `Ai_Cf_Meta_Llama_4_Prompt`: the model's id
    # "Google_Gemma_3_12B_It_Prompt" on @cf/google/gemma-3-12b-it → "Prompt"; a prefix of
    # several words of the model's name is a name, one shared word ("Chat") is not.
    prefix = 0
    while prefix < len(words) - 1 and words[prefix].lower() in model_words:
        prefix += 1
    return words[prefix:] if prefix >= 2 else words


def tag_words(branch: Mapping[str, Any], siblings: Sequence[Mapping[str, Any]]) -> list[str]:
    """What tells `branch` apart from its sibling branches, as words for a name, or `[]`.

    In order: a property with a `const` (or one-value `enum`) whose value differs in every sibling
    (`role: "system"` → `system`); a required key no sibling requires (`prompt`); a property no
    sibling has; a shared key of another type in each sibling (`audio` object / string); the titles
    of its own variants (`Prompt or Messages`); the answer's `contentType` (`text/event-stream` →
    `event stream`); its `format`.
    """
    found = branch.get("properties")
    properties: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    others = [s for s in siblings if s is not branch]

    def tag(node: Any) -> Any:
        if isinstance(node, Mapping):
            if "const" in node:
                return node["const"]
            if isinstance(node.get("enum"), list) and len(node["enum"]) == 1:
                return node["enum"][0]
        return None

    # A well-known answer, named by what it is as a person would (not by its first odd key):
    # when no sibling has the same keys.
    for shape, name in ((("choices",), ["chat", "completion"]), (("data", "shape"), ["embedding"]),
                        (("response",), ["response"])):  # fmt: skip
        if others and all(k in properties for k in shape) and not any(
            all(k in (s.get("properties") or {}) for k in shape) for s in others
        ):
            return name
    for key, sub in properties.items():
        value = tag(sub)
        if isinstance(value, str) and _WORD.findall(value) and all(
            tag((s.get("properties") or {}).get(key)) not in (value, None) or key not in (s.get("properties") or {})
            for s in others
        ):
            return _WORD.findall(value)
    required = [k for k in branch.get("required", []) if isinstance(k, str)]

    def weight(key: str) -> int:  # a key holding an object says more about a branch than a scalar
        sub = properties.get(key)
        return 0 if isinstance(sub, Mapping) and (sub.get("type") == "object" or "properties" in sub) else 1

    for keys, of in ((required, "required"), (list(properties), "properties")):
        for key in sorted(keys, key=weight):
            if _WORD.findall(key) and not any(key in (s.get(of) or ()) for s in others):
                return _WORD.findall(key)
    for key, sub in properties.items():  # the same key, of another type in every sibling
        kind = sub.get("type") if isinstance(sub, Mapping) else None
        if isinstance(kind, str) and _WORD.findall(key) and others and all(
            isinstance(o := (s.get("properties") or {}).get(key), Mapping) and o.get("type") not in (kind, None)
            for s in others
        ):
            return [*_WORD.findall(key), kind]
    nested = variants(branch)
    if nested and all(isinstance(b.get("title"), str) and _WORD.findall(b["title"]) for b in nested):
        return [w for i, b in enumerate(nested) for w in (["or"] if i else []) + _WORD.findall(b["title"])]
    content_type = branch.get("contentType")
    if isinstance(content_type, str) and "/" in content_type:
        return _WORD.findall(content_type.split("/", 1)[1])
    if isinstance(branch.get("format"), str):
        return _WORD.findall(branch["format"])
    return []


def _variant_words(branch: Mapping[str, Any], siblings: Sequence[Mapping[str, Any]], model_words: set[str]) -> list[str]:
    if words := title_words(branch.get("title"), model_words):
        return words
    return tag_words(branch, siblings)


def variant_names(model: str, schema: Any, side: str) -> list[str]:
    """Class names for the root `oneOf` branches: `ChatCompletionsInput`, `PromptOutput`, …

    From the branch `title`, else from what tells it apart from its siblings (`tag_words`), else
    `Input1`…; the side (`Input`/`Output`) is appended unless the title already ends with it.
    Duplicates get a number.
    A root without `oneOf` but with a `title` is one variant, named from its title.
    """
    suffix = side.capitalize()
    model_words = {w.lower() for w in _WORD.findall(model)}
    branches = variants(schema)
    if not branches and isinstance(schema, Mapping) and isinstance(schema.get("title"), str):
        branches = [{"title": schema["title"]}]
    names: list[str] = []
    for index, branch in enumerate(branches, start=1):
        words = _variant_words(branch, branches, model_words)
        # "Output Query" / "Prompt_Output" → "QueryOutput" / "PromptOutput"
        words = [w for w in words if w.lower() != suffix.lower()]
        base = pascal(words) + suffix if words else f"{suffix}{index}"
        name = base
        while name in names or name in ("Input", "Output"):
            name = f"{base}{index}"
            index += 1
        names.append(name)
    return names
