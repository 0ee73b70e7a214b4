"""The assembled OpenAPI document is valid OpenAPI 3.1 and describes every vendored model."""

from __future__ import annotations

from dataclasses import replace

import cfai_models
from openapi_spec_validator import validate as validate_spec

from cfai.schemas import discover
from codegen.describe import describe
from codegen.openapi import document

from .conftest import GENERATED, SCHEMAS, load_json

DOC = load_json(GENERATED / "openapi.json")


def test_committed_document_is_valid_openapi_31() -> None:
    assert DOC["openapi"].startswith("3.1")
    validate_spec(DOC)


def test_every_model_has_a_run_operation_with_its_schemas_and_the_envelope() -> None:
    for model in discover(SCHEMAS):
        operation = DOC["paths"][f"/accounts/{{account_id}}/ai/run/{model}"]["post"]
        assert operation["operationId"] == f"run_{cfai_models.MODELS[model]}"
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert DOC["components"]["schemas"][body.rsplit("/", 1)[1]]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(DOC["components"]["schemas"][ok]["required"]) == {"result", "success", "errors", "messages"}
        assert "ApiErrorEnvelope" in operation["responses"]["default"]["content"]["application/json"]["schema"]["$ref"]


def test_openai_compatible_bodies_name_the_model_and_keep_the_bounds() -> None:
    chat = DOC["paths"]["/accounts/{account_id}/ai/v1/chat/completions"]["post"]
    refs = [r["$ref"].rsplit("/", 1)[1] for r in chat["requestBody"]["content"]["application/json"]["schema"]["oneOf"]]
    assert {"Gpt51ChatChatCompletionsRequest", "Gpt55ChatCompletionsRequest"} <= set(refs)
    body = DOC["components"]["schemas"]["Gpt55ChatCompletionsRequest"]
    assert body["properties"]["model"]["const"] == "openai/gpt-5.5" and "model" in body["required"]
    assert body["properties"]["temperature"]["maximum"] == 2
    responses = DOC["paths"]["/accounts/{account_id}/ai/v1/responses"]["post"]["requestBody"]
    offered = [r["$ref"].rsplit("/", 1)[1] for r in responses["content"]["application/json"]["schema"]["oneOf"]]
    assert "Gpt55ResponsesRequest" in offered and "Gpt51ChatResponsesRequest" not in offered
    assert {"/accounts/{account_id}/ai/models/schema", "/accounts/{account_id}/ai/models/search"} <= DOC["paths"].keys()
    assert DOC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_document_is_pure_and_deterministic() -> None:
    models = list(describe(SCHEMAS).models)
    assert document(models) == document(list(reversed(models))) == DOC


def test_a_model_without_an_output_schema_answers_any_json() -> None:
    """Cloudflare's own API description publishes `{}` outputs: the inputs still count."""
    [model] = [m for m in describe(SCHEMAS).models if m.name == "openai/gpt-5.5"]
    doc = document([replace(model, output=None, output_variants=())])
    validate_spec(doc)
    assert doc["components"]["schemas"]["Gpt55Output"] == {}
