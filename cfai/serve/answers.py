"""What the mock answers a valid request with: a recording when one matches, else a generated answer.

A recording (`<root>/<model>/<case>.json`, the format of tests/recordings) matches a request for
the same model whose body, without `model`, is the recorded request's. Otherwise the answer is
generated from the output schema (the variant the endpoint or the input variant calls for) with
`Instances`, seeded from `--seed`, the model, the endpoint and the request body without its stream
flags, so a streamed and a plain request get the same text. It is checked with our validator before
it leaves; a model whose schema defeats the generator gets a 500 that says so.

`/ai/v1/chat/completions` on a model without a Chat Completions output (the Workers AI `@cf/…`
models answer `{"response": …}`) gets the native answer's text in the OpenAI shape, as Cloudflare's
OpenAI-compatible endpoint does.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..envelope import unwrap
from ..naming import variant_keyword
from ..stream import chunk_schema
from ..validate import ModelValidator, Registry
from .instances import Instances, NoInstance, OverLimit

__all__ = ["Answer", "Answers", "default_recordings"]

_STREAM_KEYS = ("stream", "stream_options")
_ATTEMPTS = 8
_WORDS = ["This", "is", "a", "mock", "answer", "from", "cfai", "serve:", "valid", "against", "the", "model's", "output", "schema,", "the", "same", "for", "the", "same", "request", "and", "seed,", "and", "streamed", "in", "pieces", "that", "put", "back", "together", "give", "exactly", "this", "text."]
_DIMENSION = re.compile(r"(\d{2,5})[- ]dim", re.IGNORECASE)


def default_recordings() -> Path:
    """`$CFAI_RECORDINGS`, else the recordings bundled in a wheel, else the project's tests/recordings."""
    if env := os.environ.get("CFAI_RECORDINGS"):
        return Path(env)
    bundled = Path(__file__).resolve().parents[1] / "_recordings"
    return bundled if bundled.is_dir() else Path(__file__).resolve().parents[2] / "tests" / "recordings"


def _canonical(body: Mapping[str, Any], drop: tuple[str, ...]) -> str:
    return json.dumps({k: v for k, v in body.items() if k not in drop}, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Answer:
    """One answer: the output (not enveloped), its text, and the recorded chunks if any."""

    output: Any
    text: str
    source: str  # "recording <case>" or "generated"
    chunks: tuple[dict[str, Any], ...] | None = None


class Answers:
    def __init__(self, registry: Registry, recordings: Path | None, seed: int) -> None:
        self.registry = registry
        self.seed = seed
        self._recorded: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._generators: dict[tuple[str, str | None], tuple[Instances, ModelValidator]] = {}
        self._chunks: dict[str, ModelValidator | None] = {}
        self._dimensions: dict[str, int | None] = {}
        if recordings is not None and recordings.is_dir():
            for path in sorted(recordings.rglob("*.json")):
                try:
                    record = json.loads(path.read_bytes())
                    key = (record["model"], _canonical(record["request"], ("model",)))
                except (ValueError, KeyError, TypeError):
                    continue  # not a recording: the folder may hold other files
                self._recorded.setdefault(key, (str(record.get("case", path.stem)), record))

    @property
    def recorded(self) -> int:
        return len(self._recorded)

    def output_variant(self, model: str, kind: str, body: Mapping[str, Any]) -> str | None:
        """The output variant a request calls for: by endpoint, else by the input variant."""
        if kind == "chat":
            return "ChatCompletionsOutput"
        if kind == "responses":
            return "ResponsesOutput"
        name = self.registry.validator(model, "input").variant_of(body)
        return name.removesuffix("Input") + "Output" if name else None

    def answer(self, model: str, kind: str, body: Mapping[str, Any]) -> Answer:
        found = self._recorded.get((model, _canonical(body, ("model",))))
        if found is not None:
            case, record = found
            if "chunks" in record:
                chunks = tuple(record["chunks"])
                return Answer(None, "".join(_delta(c) for c in chunks), f"recording {case}", chunks)
            output = unwrap(record["response"])
            return Answer(output, _text_of(output), f"recording {case}")
        return self._generated(model, kind, body)

    def _generator(self, model: str, variant: str | None) -> tuple[Instances, ModelValidator, bool]:
        """The instance generator and validator of an output variant, and whether it is that variant."""
        key = (model, variant)
        whole = self.registry.validator(model, "output")
        exact = variant in whole.variants
        if key not in self._generators:
            schema, validator = whole.schema, whole
            keyword = variant_keyword(whole.schema)
            if exact and keyword:
                schema = {**whole.schema, keyword: [whole.schema[keyword][whole.variants.index(str(variant))]]}
                validator = ModelValidator(model, "output", schema)
            self._generators[key] = (Instances(schema), validator)
        return (*self._generators[key], exact)

    def _generated(self, model: str, kind: str, body: Mapping[str, Any]) -> Answer:
        variant = self.output_variant(model, kind, body)
        # Keyed by the answer's format, not the route: /ai/run and /ai/v1 give the same answer.
        key = f"{self.seed}\0{model}\0{variant}\0{_canonical(body, (*_STREAM_KEYS, 'model'))}"
        digest = hashlib.sha256(key.encode()).digest()
        rng = random.Random(digest)
        text = " ".join(_WORDS[: 6 + rng.randrange(len(_WORDS) - 6)])
        generator, validator, exact = self._generator(model, variant)
        ident, created = digest[:12].hex(), 1_760_000_000 + int.from_bytes(digest[12:15], "big")
        usage = _usage(body, text)
        shape = "chat" if variant == "ChatCompletionsOutput" else "responses" if variant == "ResponsesOutput" else "native"
        if shape == "native" and _chat_shaped(generator.root):
            shape = "chat"  # an OpenAI-shaped answer under another name (`choices`, as vLLM models send)
        hint = _hint(shape, model, text, ident, created, usage)
        texts = body.get("text")
        facts = {"model": model, "text": text, "created": created, "dimension": self.dimension(model),
                 "inputs": len(texts) if isinstance(texts, list) and texts else 1}
        if kind == "chat" and not exact:
            # The OpenAI-compatible endpoint of a model whose own output is not Chat Completions
            # (`{"response": …}`): the OpenAI shape, which that model's schema does not describe.
            return Answer(hint, text, "generated")
        problems: list[str] = []
        for attempt in range(_ATTEMPTS):
            try:
                output = generator.make(random.Random(digest + bytes([attempt])), hint, facts)
            except OverLimit as exc:
                raise OverLimit(f"no answer generated for {model}: {exc}") from None
            except (NoInstance, RecursionError) as exc:
                problems.append(str(exc))
                continue
            errors = validator.errors(output)
            if not errors:
                return Answer(output, _text_of(output), "generated")
            problems.append(str(errors[0]))
        raise NoInstance(f"no valid answer generated for {model} after {_ATTEMPTS} attempts: {problems[-1]}")

    def dimension(self, model: str) -> int | None:
        """The embedding dimension the model's description states ("a 768-dimensional vector"), if any."""
        if model not in self._dimensions:
            found = None
            try:
                meta = json.loads((self.registry.root / model / "meta.json").read_bytes())
                found = _DIMENSION.search(str(meta.get("description", "")))
            except (OSError, ValueError, AttributeError):
                pass
            self._dimensions[model] = int(found.group(1)) if found else None
        return self._dimensions[model]

    def chunk_validator(self, model: str) -> ModelValidator | None:
        """The chunk schema of a model with a Chat Completions output; None for the others."""
        if model not in self._chunks:
            schema = chunk_schema(self.registry.schema(model, "output"))
            file = f"{model}/schema-output.json (as a stream chunk)"
            self._chunks[model] = ModelValidator(model, "output", schema, schema_file=file) if schema else None
        return self._chunks[model]


def _chat_shaped(schema: Any) -> bool:
    """Whether an output schema (or one of its root branches) is a chat completion (`choices`)."""
    if not isinstance(schema, Mapping):
        return False
    nodes = [schema, *(b for k in ("oneOf", "anyOf") for b in schema.get(k) or [] if isinstance(b, Mapping))]
    return any(isinstance(n.get("properties"), Mapping) and "choices" in n["properties"] for n in nodes)


def _delta(chunk: Mapping[str, Any]) -> str:
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content")
        if choice.get("index", 0) == 0 and isinstance(content, str):
            return content
    return ""


def _text_of(output: Any) -> str:
    """The answer's text: message content, output_text, or a Workers AI `response`."""
    if not isinstance(output, Mapping):
        return output if isinstance(output, str) else ""
    for choice in output.get("choices") or []:
        message = choice.get("message") if isinstance(choice, Mapping) else None
        if isinstance(message, Mapping) and isinstance(message.get("content"), str):
            return str(message["content"])
    for key in ("output_text", "response"):
        if isinstance(output.get(key), str):
            return str(output[key])
    return ""


def canonical_request(body: Mapping[str, Any]) -> str:
    """The request as keyed for answers: without its stream flags (a streamed and a plain request
    get the same text) and without `model`."""
    return _canonical(body, (*_STREAM_KEYS, "model"))


def usage_of(body: Mapping[str, Any], text: str) -> dict[str, int]:
    """Token counts of a request and its answer's text (about 4 characters a token); they add up."""
    return _usage(body, text)


def _usage(body: Mapping[str, Any], text: str) -> dict[str, int]:
    prompt = max(1, len(json.dumps(body.get("messages") or body.get("input") or body.get("prompt") or "")) // 4)
    completion = max(1, len(text) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _hint(shape: str, model: str, text: str, ident: str, created: int, usage: dict[str, int]) -> dict[str, Any]:
    """A realistic answer of each shape; the schema decides how much of it survives."""
    if shape == "chat":
        message = {"role": "assistant", "content": text}
        return {
            "id": f"chatcmpl-{ident}",
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": usage,
        }
    if shape == "responses":
        content = [{"type": "output_text", "text": text, "annotations": []}]
        item = {"type": "message", "id": f"msg_{ident}", "status": "completed", "role": "assistant", "content": content}
        tokens = {"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"]}
        return {
            "id": f"resp_{ident}",
            "object": "response",
            "created_at": created,
            "model": model,
            "status": "completed",
            "output": [item],
            "output_text": text,
            "usage": {**tokens, "total_tokens": usage["total_tokens"]},
        }
    return {"response": text, "usage": usage}


def pieces(text: str, size: int = 3) -> Iterator[str]:
    """The text in stream-sized pieces (a few words each) that join back to it exactly."""
    words = text.split(" ")
    for start in range(0, len(words), size):
        part = " ".join(words[start : start + size])
        yield part if start + size >= len(words) else part + " "
