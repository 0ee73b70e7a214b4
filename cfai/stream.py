"""Streamed answers: which kind a model sends, the schema each frame must satisfy, reassembly.

Two kinds of stream come back from `/ai/run` and the OpenAI-compatible endpoints, told apart by the
model's schemas (`stream_kind`), never by its name:

- **OpenAI chunks** (`chat.completion.chunk`), for a model whose output has a Chat Completions
  variant (the seed models, glm, kimi, …): see `chunk_schema` below.
- **Workers AI frames**, for any other model whose input takes `stream`: `data: {"response": "Hel",
  "p": "abcd…"}` (`p` is random padding against token-length side channels), a last frame with
  `usage` (its `response` may be `""`), some frames with `tool_calls`, then `data: [DONE]`. No
  schema describes a frame (the published output says only `text/event-stream`), so `frame_schema`
  derives one from the non-streamed answer: the properties of the output branch holding `response`
  (else its first object branch), every key optional, `p` a string. Frames are typed as
  `WorkersAIChunk`.

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
from typing import TYPE_CHECKING, Any, Literal

from .naming import variants

if TYPE_CHECKING:
    from .frames import WorkersAIChunk

__all__ = [
    "CHUNK_KEY", "Reassembled", "StreamKind", "WorkersAIChunk", "chat_variant", "chunk_schema", "frame_schema",
    "reassemble", "stream_kind",
]  # fmt: skip

CHUNK_KEY = "x-cfai-chunk"  # a refined chunk schema, carried inside the output's Chat Completions variant
StreamKind = Literal["openai", "workers"]
# Keys of a schema's root kept beside a branch taken out of it: what its `$ref`s may point into.
_ROOT_KEYS = ("$schema", "$defs", "definitions")


def _branches(schema: Any) -> list[Mapping[str, Any]]:
    if not isinstance(schema, Mapping):
        return []
    return [b for b in (*variants(schema), schema) if isinstance(b, Mapping)]


def stream_kind(input_schema: Any, output_schema: Any) -> StreamKind | None:
    """How `model` streams, from its schemas: OpenAI chunks when its output has a Chat Completions
    variant; else Workers AI frames when its input takes `stream`; else None (it does not stream)."""
    if chunk_schema(output_schema) is not None:
        return "openai"
    if any(isinstance(b.get("properties"), Mapping) and "stream" in b["properties"] for b in _branches(input_schema)):
        return "workers"
    return None


def frame_schema(output_schema: Any) -> dict[str, Any]:
    """The schema of one Workers AI stream frame, derived from the non-streamed output (see above)."""
    objects = [b for b in _branches(output_schema) if isinstance(b.get("properties"), Mapping)]
    branch = next((b for b in objects if "response" in b["properties"]), objects[0] if objects else {})
    properties = copy.deepcopy(dict(branch.get("properties") or {}))
    properties.setdefault("p", {"type": "string", "description": "Random padding (against token-length side channels)."})
    frame: dict[str, Any] = {k: copy.deepcopy(output_schema[k]) for k in _ROOT_KEYS if k in output_schema}
    frame.update(
        title="Workers AI Stream Frame",
        description="One streamed frame, derived from the non-streamed output: every key optional, p the padding.",
        type="object",
        properties=properties,
    )
    if "additionalProperties" in branch:
        frame["additionalProperties"] = copy.deepcopy(branch["additionalProperties"])
    return frame


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
    properties = chunk["properties"]
    usage = properties.get("usage")
    if usage is not None:
        properties["usage"] = _nullable(usage)
    kind = properties.get("object")
    if isinstance(kind, dict) and isinstance(kind.get("enum"), list):  # "chat.completion" → also the chunk's
        kind["enum"] = [*kind["enum"], *(["chat.completion.chunk"] if "chat.completion.chunk" not in kind["enum"] else [])]
    elif isinstance(kind, dict) and "const" in kind:
        kind["enum"] = list(dict.fromkeys([kind.pop("const"), "chat.completion.chunk"]))
    choices = properties.get("choices")
    if isinstance(choices, dict) and isinstance(choices.get("items"), dict):
        choices.pop("minItems", None)  # the last chunk, carrying usage, has `choices: []`
        # The choice (often a `$ref` into `$defs`, or an `anyOf` of shapes, as in glm-4.7-flash) is
        # changed in the chunk's own copy.
        items = choices["items"] = _resolved(choices["items"], output_schema)
        branches = [items] if isinstance(items.get("properties"), dict) else [
            b for k in ("anyOf", "oneOf") for b in items.get(k, []) if isinstance(b, dict)]  # fmt: skip
        for choice in branches:
            _streamed_choice(choice, output_schema)
    chunk["title"] = "Chat Completions Chunk"
    chunk["description"] = ("One streamed chunk, derived from the Chat Completions output: nothing required, "
                            "`object` also chat.completion.chunk, choices with a `delta`, null finish_reason and usage.")
    return chunk


def _streamed_choice(choice: dict[str, Any], root: Any) -> None:
    """A streamed choice, in place: a `delta` (the message's keys, each optional) beside or instead of
    the message, and `finish_reason: null` until the last chunk (OpenAI's and vLLM's chunks alike)."""
    resolved = _resolved(choice, root)
    choice.clear()
    choice.update(resolved)
    inner = choice.get("properties")
    if not isinstance(inner, dict):
        return
    choice.pop("required", None)
    if isinstance(inner.get("message"), dict) and "delta" not in inner:
        delta = _resolved(inner["message"], root)
        delta.pop("required", None)
        for branch in (b for k in ("anyOf", "oneOf") for b in delta.get(k, []) if isinstance(b, dict)):
            branch.pop("required", None)
        inner["delta"] = delta
    if "finish_reason" in inner:
        inner["finish_reason"] = _nullable(inner["finish_reason"])


def _resolved(node: dict[str, Any], root: Any) -> dict[str, Any]:
    """A copy of `node` with its local `$ref` (`#/$defs/…`) replaced by what it points to (a few
    hops at most; anything else is returned as it is)."""
    out = copy.deepcopy(node)
    for _ in range(8):
        ref = out.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#/")):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            break
        out = {**copy.deepcopy(dict(target)), **{k: v for k, v in out.items() if k != "$ref"}}
    return out


def _nullable(schema: Any) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


@dataclass
class Reassembled:
    """The text of a stream put back together, its final usage, tool calls, and why it stopped."""

    text: str = ""
    usage: Mapping[str, Any] | None = None
    finish_reason: str | None = None
    chunks: int = 0
    usage_last: bool = False
    roles: list[str] = field(default_factory=list)
    tool_calls: list[Any] = field(default_factory=list)

    def output(self) -> dict[str, Any]:
        """The answer as the non-streamed call of a Workers AI model gives it: `response` (the
        text), and `usage` / `tool_calls` when the stream carried them."""
        out: dict[str, Any] = {"response": self.text}
        if self.tool_calls:
            out["tool_calls"] = self.tool_calls
        if self.usage is not None:
            out["usage"] = self.usage
        return out


def reassemble(chunks: Iterable[Mapping[str, Any]]) -> Reassembled:
    """Put a stream back together: the text of `choices[0].delta.content` (OpenAI chunks) or of
    `response` (Workers AI frames; `p` is padding and ignored), the tool calls of either, in order
    (a Workers AI frame's `tool_calls` are whole calls; OpenAI's deltas are kept as sent), the last
    usage and finish reason."""
    out = Reassembled()
    parts: list[str] = []
    for chunk in chunks:
        out.chunks += 1
        out.usage_last = False
        if isinstance(chunk.get("response"), str):
            parts.append(chunk["response"])
        if isinstance(chunk.get("tool_calls"), list):
            out.tool_calls.extend(chunk["tool_calls"])
        if isinstance(chunk.get("finish_reason"), str):
            out.finish_reason = chunk["finish_reason"]
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            if not isinstance(choice, Mapping) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if not isinstance(delta, Mapping):
                continue
            if isinstance(delta.get("content"), str):
                parts.append(delta["content"])
            if isinstance(delta.get("role"), str):
                out.roles.append(delta["role"])
            if isinstance(delta.get("tool_calls"), list):
                out.tool_calls.extend(delta["tool_calls"])
            if choice.get("finish_reason"):
                out.finish_reason = choice["finish_reason"]
        if chunk.get("usage") is not None:
            out.usage = chunk["usage"]
            out.usage_last = True
    out.text = "".join(parts)
    return out


def __getattr__(name: str) -> Any:
    # `WorkersAIChunk` is a pydantic model: defining one costs `import cfai.client` (which imports
    # this module) some 30 ms of pydantic's machinery, so it is defined on first use (`cfai.frames`).
    if name == "WorkersAIChunk":
        from .frames import WorkersAIChunk

        return WorkersAIChunk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
