"""The OpenAPI 3.1 document of the Cloudflare AI endpoints for the vendored models (pure).

One `POST /accounts/{account_id}/ai/run/<model>` per model (request body: the model's input schema;
200: the `{"result", "success", "errors", "messages"}` envelope around its output schema), the
OpenAI-compatible `/ai/v1/chat/completions` and `/ai/v1/responses` (the model named in the body;
bodies from the models offering each format), the schema and search endpoints of the catalog, the
Cloudflare error envelope for every non-2xx answer, and bearer auth.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the published schemas go in unchanged; only their
local `$ref`s are re-pointed at their place under `#/components/schemas/`.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cfai.naming import module_name, variant_keyword, variant_names, variants
from cfai.schemas import rebase_refs

from . import children, doctext

__all__ = ["CLIENT_PACKAGE", "FORMATS", "document", "write_client"]

CLIENT_PACKAGE = "cfai_client"
TEMPLATES = Path(__file__).parent / "templates" / "openapi_python_client"

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


def _for_openapi_python_client(node: Any) -> None:
    """Two rewrites that change no meaning but that openapi-python-client needs.

    It refuses `{"type": "array"}` without `items` ("type array must have items or prefixItems
    defined") although JSON Schema reads a missing `items` as `{}`; and it names classes by `title`,
    so the same title in two models ("Chat Completions") would be a duplicate class. Titles are
    set anew where the document places each schema.
    """
    if isinstance(node, dict):
        if node.get("type") == "array" and "items" not in node and "prefixItems" not in node:
            node["items"] = {}
        node.pop("title", None)
        for value in node.values():
            _for_openapi_python_client(value)
    elif isinstance(node, list):
        for value in node:
            _for_openapi_python_client(value)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _pascal(model: str) -> str:
    return "".join(part.capitalize() for part in module_name(model).split("_"))


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


def _operation(op_id: str, summary: str, body: Any, ok: Any, tag: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": _json(ok, "The model's answer"), **_errors()},
        }
    }


def _format_variant(model: str, schema: Mapping[str, Any], words: str) -> Mapping[str, Any] | None:
    """The input variant of `model` in one request format (`ChatCompletionsInput`), if it has one."""
    branches = variants(schema) or [schema]
    for name, branch in zip(variant_names(model, schema, "input"), branches, strict=False):
        if name == f"{words}Input":
            return branch
    return None


def document(models: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document for `{model name: {"input": schema, "output": schema}}`."""
    error_envelope = _envelope({"type": "null"})
    error_envelope["properties"]["success"] = {"type": "boolean", "const": False}
    components: dict[str, Any] = {"ApiMessage": _MESSAGE, "ApiErrorEnvelope": error_envelope}
    paths: dict[str, Any] = {}
    for model in sorted(models):
        pascal = _pascal(model)
        for side in ("input", "output"):
            schema = copy.deepcopy(dict(models[model][side]))
            names = variant_names(model, schema, side)
            rebase_refs(schema, f"/components/schemas/{pascal}{side.capitalize()}")
            _for_openapi_python_client(schema)
            # Each variant becomes a component of its own: openapi-python-client generates inline
            # `oneOf` objects twice and then drops them as duplicates.
            if keyword := variant_keyword(schema):
                for index, name in enumerate(names):
                    components[f"{pascal}{name}"] = schema[keyword][index]
                    schema[keyword][index] = _ref(f"{pascal}{name}")
            components[f"{pascal}{side.capitalize()}"] = schema
        components[f"{pascal}RunResponse"] = _envelope(_ref(f"{pascal}Output"))
        paths[f"/accounts/{{account_id}}/ai/run/{model}"] = {
            "parameters": [_ACCOUNT],
            **_operation(
                f"run_{module_name(model)}", f"Run {model}", _ref(f"{pascal}Input"), _ref(f"{pascal}RunResponse"), "run"
            ),
        }
    for path, (words, summary) in FORMATS.items():
        bodies, outputs = [], []
        for model in sorted(models):
            request = _format_variant(model, models[model]["input"], words)
            if request is None:
                continue
            name = f"{_pascal(model)}{words}"
            body = copy.deepcopy(dict(request))
            _for_openapi_python_client(body)
            body["properties"] = {"model": {"type": "string", "const": model}, **body.get("properties", {})}
            body["required"] = ["model", *body.get("required", [])]
            components[f"{name}Request"] = body
            bodies.append(_ref(f"{name}Request"))
            outputs.append(_ref(f"{_pascal(model)}Output"))
        if bodies:
            op_id = words[0].lower() + "".join(c if c.islower() else f"_{c.lower()}" for c in words[1:])
            ok = {"oneOf": outputs} if len(outputs) > 1 else outputs[0]
            paths[path] = {"parameters": [_ACCOUNT], **_operation(op_id, summary, {"oneOf": bodies}, ok, "openai")}
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


def _run_generator(document: Mapping[str, Any], out: Path) -> str:
    """One openapi-python-client run into `out/cfai_client`; returns what it printed."""
    config = {
        "project_name_override": "cfai-client",
        "package_name_override": CLIENT_PACKAGE,
        # Import sorting and formatting only: ruff's default fixes rewrite `*args: Any` to
        # `*args: object`, which mypy --strict then rejects in the generated client.
        "post_hooks": [
            "ruff check . --fix-only --isolated --no-cache --select=I,F401",
            "ruff format . --isolated --no-cache",
        ],
    }
    bin_dir = str(Path(sys.executable).parent)  # the pinned ruff of this environment, not one on PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    shutil.rmtree(out / CLIENT_PACKAGE, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="cfai-oapc-") as tmp:
        (Path(tmp) / "config.json").write_text(json.dumps(config))
        (Path(tmp) / "openapi.json").write_text(json.dumps(document))
        command = [
            str(Path(bin_dir) / "openapi-python-client"), "generate", "--path", "openapi.json",
            "--meta", "none", "--output-path", str(out / CLIENT_PACKAGE), "--config", "config.json",
            "--custom-template-path", str(TEMPLATES),
        ]  # fmt: skip
        done = children.run(command, env=env, cwd=tmp)
    if done.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout + done.stderr


_UNPROCESSABLE = re.compile(r"Unable to (?:process|parse) schema /components/schemas/(\S+?):?$", re.MULTILINE)


def write_client(document: Mapping[str, Any], out: Path, *, rounds: int = 4) -> list[str]:
    """Generate the openapi-python-client package into `out/cfai_client`; returns what was simplified.

    openapi-python-client drops a component it cannot represent (some real schemas: untyped `oneOf`
    branches, unions of arrays) but still imports it from the operations, so the package would not
    even import. Such a component is replaced, in the client's copy of the document only, by an
    open object, and the client regenerated: its calls then take and return plain JSON there, which
    our validation layer checks anyway. `openapi.json` itself stays faithful to the schemas.
    """
    doc = copy.deepcopy(dict(document))
    doctext.escape_prose(doc["components"]["schemas"])
    components: dict[str, Any] = doc["components"]["schemas"]
    simplified: list[str] = []
    for _ in range(rounds):
        failed = _UNPROCESSABLE.findall(_run_generator(doc, out))
        # "CfOpenaiGptOss20bInput1_type_0" is an inline part of component "CfOpenaiGptOss20bInput1"
        owners = {max((c for c in components if n == c or n.startswith(c + "_")), key=len, default=n) for n in failed}
        owners = {o for o in owners if o in components and o not in simplified}
        if not owners:
            return simplified
        for owner in sorted(owners):
            components[owner] = {"type": "object", "description": "Not representable by openapi-python-client."}
            simplified.append(owner)
    return simplified
