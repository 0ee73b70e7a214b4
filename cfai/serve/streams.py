"""An answer as server-sent events: the chunks a streamed request gets, in the shape of its endpoint.

Chat Completions: a role chunk, a chunk per few words, a `finish_reason` chunk, then (with
`stream_options.include_usage`) a usage chunk, every chunk with `usage: null` before it, then
`[DONE]`: each chunk valid against the chunk schema (`cfai.stream.chunk_schema`) of models that have
one, and the deltas join back to the answer's text. Responses: `response.created`, a
`response.output_text.delta` per piece, `response.completed` with the whole answer. Workers AI
(`/ai/run/@cf/…`): `{"response": piece}` events, then `[DONE]`.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping
from typing import Any

from .answers import Answer, canonical_request, pieces, usage_of

__all__ = ["events", "sse"]


def sse(data: Any) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {text}\n\n".encode()


_PADDING = string.ascii_letters + string.digits


def padding(seed: int, model: str, body: Mapping[str, Any], index: int) -> str:
    """The `p` of a Workers AI stream event: 8 to 40 random-looking characters, the same for the same
    seed, model, request and position."""
    digest = hashlib.sha256(f"{seed}\0{model}\0{canonical_request(body)}\0{index}".encode()).digest()
    return "".join(_PADDING[b % len(_PADDING)] for b in digest[: 8 + digest[-1] % 25])


def events(answer: Answer, shape: str, model: str, body: Mapping[str, Any], seed: int = 0) -> list[bytes]:
    """Every event of the stream, `[DONE]` included where the shape has it."""
    if answer.chunks is not None:
        return [*(sse(c) for c in answer.chunks), sse("[DONE]")]
    if shape == "responses":
        return _responses(answer)
    if shape == "native":
        output = answer.output if isinstance(answer.output, Mapping) else {}
        usage = output.get("usage") if isinstance(output.get("usage"), Mapping) else usage_of(body, answer.text)
        frames = [{"response": p, "p": padding(seed, model, body, i)} for i, p in enumerate(pieces(answer.text))]
        return [*(sse(f) for f in frames), sse({"response": "", "usage": usage}), sse("[DONE]")]
    return _chat(answer, model, body)


def _chat(answer: Answer, model: str, body: Mapping[str, Any]) -> list[bytes]:
    output = answer.output if isinstance(answer.output, Mapping) else {}
    options = body.get("stream_options")
    include_usage = isinstance(options, Mapping) and options.get("include_usage") is True
    head: dict[str, Any] = {
        "id": output.get("id", "chatcmpl-mock"),
        "object": "chat.completion.chunk",
        "created": output.get("created", 0),
        "model": output.get("model", model),
    }
    if include_usage:
        head["usage"] = None

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    finish = "stop"
    for choice in output.get("choices") or []:
        if isinstance(choice, Mapping) and isinstance(choice.get("finish_reason"), str):
            finish = choice["finish_reason"]
            break
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in pieces(answer.text)]
    chunks.append(chunk({}, finish))
    if include_usage:
        chunks.append({**head, "choices": [], "usage": output.get("usage") or {}})
    return [*(sse(c) for c in chunks), sse("[DONE]")]


def _responses(answer: Answer) -> list[bytes]:
    final = dict(answer.output) if isinstance(answer.output, Mapping) else {}
    started = {**final, "status": "in_progress", "output": [], "output_text": ""}
    out = [{"type": "response.created", "sequence_number": 0, "response": started}]
    item = f"msg_{str(final.get('id', 'mock')).removeprefix('resp_')}"
    for piece in pieces(answer.text):
        out.append(
            {
                "type": "response.output_text.delta",
                "sequence_number": len(out),
                "item_id": item,
                "output_index": 0,
                "content_index": 0,
                "delta": piece,
            }
        )
    out.append({"type": "response.completed", "sequence_number": len(out), "response": final})
    return [sse(e) for e in out]
