"""Names a person would choose: module names for models, class names for schema variants.

Pure functions shared by generation (class names in `generated/`) and validation (the variant an
error is reported against), so both always agree.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["module_name", "variant_keyword", "variant_names", "variants"]

_WORD = re.compile(r"[A-Za-z]+|[0-9]+[A-Za-z]*")


def module_name(model: str) -> str:
    """`@cf/meta/llama-3.1-8b-instruct` → `cf_meta_llama_3_1_8b_instruct`."""
    name = "_".join(w.lower() for w in _WORD.findall(model))
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"m_{name}"
    return name


def _pascal(words: Sequence[str]) -> str:
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


def _variant_words(branch: Mapping[str, Any], model_words: set[str]) -> list[str]:
    title = branch.get("title")
    if isinstance(title, str) and _WORD.findall(title):
        words = _WORD.findall(title)
        # "Google_Gemma_3_12B_It_Prompt" on @cf/google/gemma-3-12b-it → "Prompt"; a prefix of
        # several words of the model's name is a name, one shared word ("Chat") is not.
        prefix = 0
        while prefix < len(words) - 1 and words[prefix].lower() in model_words:
            prefix += 1
        return words[prefix:] if prefix >= 2 else words
    required = branch.get("required")
    if isinstance(required, list) and required and isinstance(required[0], str):
        return _WORD.findall(required[0])
    return []


def variant_names(model: str, schema: Any, side: str) -> list[str]:
    """Class names for the root `oneOf` branches: `ChatCompletionsInput`, `PromptOutput`, …

    From the branch `title`, else from its first required property, else `Input1`…; the side
    (`Input`/`Output`) is appended unless the title already ends with it. Duplicates get a number.
    A root without `oneOf` but with a `title` is one variant, named from its title.
    """
    suffix = side.capitalize()
    model_words = {w.lower() for w in _WORD.findall(model)}
    branches = variants(schema)
    if not branches and isinstance(schema, Mapping) and isinstance(schema.get("title"), str):
        branches = [{"title": schema["title"]}]
    names: list[str] = []
    for index, branch in enumerate(branches, start=1):
        words = _variant_words(branch, model_words)
        # "Output Query" / "Prompt_Output" → "QueryOutput" / "PromptOutput"
        words = [w for w in words if w.lower() != suffix.lower()]
        base = _pascal(words) + suffix if words else f"{suffix}{index}"
        name = base
        while name in names or name in ("Input", "Output"):
            name = f"{base}{index}"
            index += 1
        names.append(name)
    return names
