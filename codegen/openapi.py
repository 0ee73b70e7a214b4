"""The OpenAPI 3.1 document of the Cloudflare AI endpoints for the vendored models (pure).

One `POST /accounts/{account_id}/ai/run/<model>` per model (request body: the model's input schema;
200: the `{"result", "success", "errors", "messages"}` envelope around its output schema), the
OpenAI-compatible `/ai/v1/chat/completions` and `/ai/v1/responses` (the model named in the body;
bodies from the models offering each format), the schema and search endpoints of the catalog, the
Cloudflare error envelope for every non-2xx answer, and bearer auth.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the published schemas go in as the models'
descriptions hold them (repaired slips included); only their local `$ref`s are re-pointed at their
place under `#/components/schemas/`. A model without an output schema answers any JSON value.
Two things JSON Schema says of bytes are said the OpenAPI way, so that tools (schemathesis) send what
the service takes: a root input variant that is a binary string (an image or audio file as the whole
body) is the operation's `application/octet-stream` body, not a JSON string; a `format: binary`
string inside a JSON body is `contentEncoding: base64`.

The document is a shipped, validated artifact (for API gateways, schemathesis, other languages'
generators). It is not turned into a second client: openapi-python-client made a package of attrs
models beside our pydantic ones (53,678 of 59,565 generated lines on the 31-model catalog) that
nothing called, and regenerated it whole on any change; `cfai.Client` is typed by the pydantic models.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from cfai.naming import variant_keyword, variants
from cfai.schemas import rebase_refs

from .describe import Description

__all__ = ["FORMATS", "document"]

# Request formats of the OpenAI-compatible endpoints: path → (variant title words, summary).
FORMATS = {
    "/accounts/{account_id}/ai/v1/chat/completions": ("ChatCompletions", "Chat Completions (OpenAI-compatible)"),
    "/accounts/{account_id}/ai/v1/responses": ("Responses", "Responses (OpenAI-compatible)"),
}
_ACCOUNT = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "string"}}
_MESSAGE = {
    "type": "object",
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


# One server-sent event, as OpenAPI describes an event stream's items.
_SSE_EVENT = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "A JSON chunk of the answer; `[DONE]` ends the stream."},
        "event": {"type": "string"},
        "id": {"type": "string"},
    },
    "required": ["data"],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _pascal(model: Description) -> str:
    """The components' prefix: the model's types module, so models sharing schemas share components."""
    return _camel(model.types)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _json(schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _envelope(result: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "result": result,
            "success": {"type": "boolean"},
            "errors": {"type": "array", "items": _ref("ApiMessage")},
            "messages": {"type": "array", "items": _ref("ApiMessage")},
        },
        "required": ["result", "success", "errors", "messages"],
    }


def _errors() -> dict[str, Any]:
    return {"default": _json(_ref("ApiErrorEnvelope"), "Error: the Cloudflare error envelope")}


def _raw_bytes(branch: Any) -> bool:
    """A root variant that is the raw request body, not JSON (`{"type": "string", "format": "binary"}`:
    an image or audio file sent as is, `Content-Type: application/octet-stream`)."""
    return isinstance(branch, Mapping) and branch.get("type") == "string" and branch.get("format") == "binary"


def _bytes_in_json(node: Any) -> None:
    """`format: binary` on a string inside a JSON body says "bytes", which JSON cannot carry raw:
    OpenAPI 3.1 spells such a string `contentEncoding: base64` (schemathesis, like other tools,
    refuses a binary string inside a JSON body). In place, everywhere below `node`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if current.get("format") == "binary" and current.get("type") == "string":
                del current["format"]
                current.setdefault("contentEncoding", "base64")
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _streams(schemas: Sequence[Any]) -> bool:
    """Whether a request may ask for a stream: a `stream` property at the root or in a root variant."""
    nodes = [n for s in schemas if isinstance(s, Mapping) for n in (s, *variants(s))]
    return any(isinstance(n.get("properties"), Mapping) and "stream" in n["properties"] for n in nodes)


def _operation(
    op_id: str, summary: str, body: Any, ok: Any, tag: str, raw: bool = False, streams: bool = False
) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": body}}
    if raw:
        content["application/octet-stream"] = {"schema": {"type": "string", "format": "binary"}}
    answer = _json(ok, "The model's answer")
    if streams:  # `stream: true`: server-sent events, each one's `data` a JSON chunk, the last `[DONE]`
        answer["content"]["text/event-stream"] = {"schema": _SSE_EVENT}
    return {
        "post": {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "requestBody": {"required": True, "content": content},
            "responses": {"200": answer, **_errors()},
        }
    }


def document(models: Sequence[Description]) -> dict[str, Any]:
    """The OpenAPI document of the described models."""
    error_envelope = _envelope({"type": "null"})
    error_envelope["properties"]["success"] = {"type": "boolean", "const": False}
    components: dict[str, Any] = {"ApiMessage": _MESSAGE, "ApiErrorEnvelope": error_envelope}
    paths: dict[str, Any] = {}
    ordered = sorted(models, key=lambda m: m.name)
    for model in ordered:
        pascal = _pascal(model)
        raw = False
        for side, names in (("input", model.input_variants), ("output", model.output_variants)):
            source = model.input if side == "input" else model.output
            schema = copy.deepcopy(dict(source)) if source is not None else {}
            rebase_refs(schema, f"/components/schemas/{pascal}{side.capitalize()}")
            keyword = variant_keyword(schema)
            if side == "input" and keyword:
                # A raw-bytes variant is the octet-stream body of the operation, not a JSON value.
                kept = [(b, n) for b, n in zip(schema[keyword], names, strict=False) if not _raw_bytes(b)]
                raw = len(kept) < len(schema[keyword])
                if raw and kept:
                    schema[keyword], names = [b for b, _ in kept], tuple(n for _, n in kept)
            if side == "input":
                _bytes_in_json(schema)
            # Each variant becomes a component of its own, named as its generated class.
            if keyword:
                for index, name in enumerate(names):
                    components[f"{pascal}{name}"] = schema[keyword][index]
                    schema[keyword][index] = _ref(f"{pascal}{name}")
            components[f"{pascal}{side.capitalize()}"] = schema
        components[f"{pascal}RunResponse"] = _envelope(_ref(f"{pascal}Output"))
        paths[f"/accounts/{{account_id}}/ai/run/{model.name}"] = {
            "parameters": [_ACCOUNT],
            **_operation(
                f"run_{model.module}", f"Run {model.name}", _ref(f"{pascal}Input"), _ref(f"{pascal}RunResponse"), "run",
                raw, _streams([model.input]),
            ),
        }
    for path, (words, summary) in FORMATS.items():
        bodies, outputs, requests = [], [], []
        for model in ordered:
            request = model.variant("input", f"{words}Input")
            if request is None:
                continue
            requests.append(request)
            name = f"{_camel(model.module)}{words}"  # the body names the model: one per model
            body = copy.deepcopy(dict(request))
            _bytes_in_json(body)
            body["properties"] = {"model": {"type": "string", "const": model.name}, **body.get("properties", {})}
            body["required"] = ["model", *body.get("required", [])]
            components[f"{name}Request"] = body
            bodies.append(_ref(f"{name}Request"))
            outputs.append(_ref(f"{_pascal(model)}Output"))
        if bodies:
            op_id = words[0].lower() + "".join(c if c.islower() else f"_{c.lower()}" for c in words[1:])
            ok = {"oneOf": outputs} if len(outputs) > 1 else outputs[0]
            operation = _operation(op_id, summary, {"oneOf": bodies}, ok, "openai", streams=_streams(requests))
            paths[path] = {"parameters": [_ACCOUNT], **operation}
    paths["/accounts/{account_id}/ai/models/schema"] = {
        "parameters": [_ACCOUNT],
        "get": {
            "operationId": "get_model_schema",
            "summary": "The input and output schemas of one model",
            "tags": ["models"],
            "parameters": [{"name": "model", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": _json(_envelope({
                    "type": "object",
                    "properties": {"input": {"type": "object"}, "output": {"type": "object"}},
                    "required": ["input", "output"],
                }), "The schemas"),
                **_errors(),
            },
        },
    }
    paging = [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in (("search", "string"), ("task", "string"), ("page", "integer"), ("per_page", "integer"))
    ]
    paths["/accounts/{account_id}/ai/models/search"] = {
        "parameters": [_ACCOUNT],
        "get": {
            "operationId": "search_models",
            "summary": "The model catalog",
            "tags": ["models"],
            "parameters": paging,
            "responses": {"200": _json(_envelope({"type": "array", "items": {"type": "object"}}), "Models"), **_errors()},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cloudflare AI models (cfai-bindings)",
            "version": "1.0.0",
            "description": "Assembled by cfai-bindings from the models' published schemas. Do not edit.",
        },
        "servers": [{"url": "https://api.cloudflare.com/client/v4"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
