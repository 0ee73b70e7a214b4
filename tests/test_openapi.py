"""The assembled OpenAPI document is valid OpenAPI 3.1 and describes every vendored model."""

from __future__ import annotations

import importlib

from openapi_spec_validator import validate as validate_spec

from cfai.naming import module_name
from cfai.schemas import discover, read_model
from codegen.openapi import document

from .conftest import GENERATED, SCHEMAS, load_json

DOC = load_json(GENERATED / "openapi.json")


def test_committed_document_is_valid_openapi_31() -> None:
    assert DOC["openapi"].startswith("3.1")
    validate_spec(DOC)


def test_every_model_has_a_run_operation_with_its_schemas_and_the_envelope() -> None:
    for model in discover(SCHEMAS):
        operation = DOC["paths"][f"/accounts/{{account_id}}/ai/run/{model}"]["post"]
        assert operation["operationId"] == f"run_{module_name(model)}"
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert DOC["components"]["schemas"][body.rsplit("/", 1)[1]]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(DOC["components"]["schemas"][ok]["required"]) == {"result", "success", "errors", "messages"}
        assert "ApiErrorEnvelope" in operation["responses"]["default"]["content"]["application/json"]["schema"]["$ref"]


def test_openai_compatible_bodies_name_the_model_and_keep_the_bounds() -> None:
    chat = DOC["paths"]["/accounts/{account_id}/ai/v1/chat/completions"]["post"]
    refs = [r["$ref"].rsplit("/", 1)[1] for r in chat["requestBody"]["content"]["application/json"]["schema"]["oneOf"]]
    assert refs == ["OpenaiGpt51ChatChatCompletionsRequest", "OpenaiGpt55ChatCompletionsRequest"]
    body = DOC["components"]["schemas"]["OpenaiGpt55ChatCompletionsRequest"]
    assert body["properties"]["model"]["const"] == "openai/gpt-5.5" and "model" in body["required"]
    assert body["properties"]["temperature"]["maximum"] == 2
    responses = DOC["paths"]["/accounts/{account_id}/ai/v1/responses"]["post"]["requestBody"]
    [only] = responses["content"]["application/json"]["schema"]["oneOf"]
    assert only["$ref"].endswith("OpenaiGpt55ResponsesRequest"), "only gpt-5.5 offers Responses"
    assert {"/accounts/{account_id}/ai/models/schema", "/accounts/{account_id}/ai/models/search"} <= DOC["paths"].keys()
    assert DOC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_document_is_pure_and_deterministic() -> None:
    loaded = {model: read_model(SCHEMAS, model) for model in discover(SCHEMAS)}
    assert document(loaded) == document(dict(reversed(loaded.items()))) == DOC


def test_generated_client_exposes_one_function_per_operation() -> None:
    for model in discover(SCHEMAS):
        module = importlib.import_module(f"cfai_client.api.run.run_{module_name(model)}")
        assert callable(module.sync_detailed) and callable(module.asyncio)
    importlib.import_module("cfai_client.api.openai.chat_completions")
    importlib.import_module("cfai_client.api.models.search_models")
