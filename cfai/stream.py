"""Streamed Chat Completions chunks: the schema a chunk must satisfy, and text reassembly.

No published schema describes a streamed chunk. A chunk is the model's Chat Completions output with
`object: "chat.completion.chunk"`, `choices[].delta` instead of `message`, and `usage: null` on every
chunk but the last (when `stream_options.include_usage` is set). So the chunk schema is derived from
the published output schema: its Chat Completions variant with `usage` also allowed to be `null`.
Everything else, bounds included, stays as published.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .naming import variants

__all__ = ["CHUNK_KEY", "Reassembled", "chat_variant", "chunk_schema", "reassemble"]

CHUNK_KEY = "x-cfai-chunk"  # a refined chunk schema, carried inside the output's Chat Completions variant


def chat_variant(output_schema: Any) -> Mapping[str, Any] | None:
    """The output's Chat Completions variant (the branch, or the root, with `choices`), if any."""
    candidates = [*variants(output_schema), output_schema] if isinstance(output_schema, Mapping) else []
    for candidate in candidates:
        properties = candidate.get("properties")
        if isinstance(properties, Mapping) and "choices" in properties:
            return candidate
    return None


def chunk_schema(output_schema: Any) -> dict[str, Any] | None:
    """The schema of one streamed chunk, or `None` when the model has no Chat Completions output.

    A refined output carries its refined chunk (`cfai.refine`: `side: "chunk"` rules, such as the
    typed `choices[].delta`) under `x-cfai-chunk`; otherwise the chunk is derived as above."""
    candidate = chat_variant(output_schema)
    if candidate is None:
        return None
    if isinstance(carried := candidate.get(CHUNK_KEY), Mapping):
        return copy.deepcopy(dict(carried))
    chunk = copy.deepcopy(dict(candidate))
    chunk.pop(CHUNK_KEY, None)
    chunk.pop("required", None)
    usage = chunk["properties"].get("usage")
    if usage is not None:
        chunk["properties"]["usage"] = {"anyOf": [usage, {"type": "null"}]}
    chunk["title"] = "Chat Completions Chunk"
    chunk["description"] = "One streamed chunk, derived from the Chat Completions output (usage may be null)."
    return chunk


@dataclass
class Reassembled:
    """The text of a stream put back together, its final usage, and why it stopped."""

    text: str = ""
    usage: Mapping[str, Any] | None = None
    finish_reason: str | None = None
    chunks: int = 0
    usage_last: bool = False
    roles: list[str] = field(default_factory=list)


def reassemble(chunks: Iterable[Mapping[str, Any]]) -> Reassembled:
    """Concatenate `choices[0].delta.content` of every chunk; keep the usage and finish reason."""
    out = Reassembled()
    parts: list[str] = []
    for chunk in chunks:
        out.chunks += 1
        out.usage_last = False
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                parts.append(delta["content"])
            if isinstance(delta.get("role"), str):
                out.roles.append(delta["role"])
            if choice.get("finish_reason"):
                out.finish_reason = choice["finish_reason"]
        if chunk.get("usage") is not None:
            out.usage = chunk["usage"]
            out.usage_last = True
    out.text = "".join(parts)
    return out
