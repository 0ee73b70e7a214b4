"""Contract: the real recorded requests and responses of the seed pages satisfy the schemas and models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cfai_models
import jsonschema_rs
import pytest
from pydantic import TypeAdapter

from cfai.envelope import is_envelope, unwrap
from cfai.stream import chunk_schema, reassemble
from cfai.validate import default_registry, validate

from .conftest import SEED_MODELS, load_json, recording_id, recordings

ALL = recordings()
COMPLETE = [p for p in ALL if not load_json(p).get("stream")]
STREAMED = [p for p in ALL if load_json(p).get("stream")]


def test_every_seed_model_has_its_recordings() -> None:
    for model in SEED_MODELS:
        mine = [p for p in ALL if load_json(p)["model"] == model]
        assert len([p for p in mine if p in COMPLETE]) == 4, model
        assert len([p for p in mine if p in STREAMED]) == 1, model


@pytest.mark.parametrize("path", ALL, ids=recording_id)
def test_recorded_request_validates(path: Path) -> None:
    case = load_json(path)
    assert validate(case["model"], case["request"]) == []


@pytest.mark.parametrize("path", COMPLETE, ids=recording_id)
def test_recorded_response_satisfies_schema_and_model(path: Path) -> None:
    case = load_json(path)
    response = case["response"]
    assert is_envelope(response) == case["envelope"]
    output = unwrap(response)
    assert validate(case["model"], output, side="output") == []
    parsed = TypeAdapter(cfai_models.load(case["model"]).Output).validate_python(output)
    assert parsed.model_dump(mode="json", exclude_unset=True)["choices"] == output["choices"]


@pytest.mark.parametrize("path", STREAMED, ids=recording_id)
def test_recorded_stream_chunks_and_text(path: Path) -> None:
    case = load_json(path)
    chunks: list[dict[str, Any]] = case["chunks"]
    schema = chunk_schema(default_registry().schema(case["model"], "output"))
    assert schema is not None, "a Chat Completions model must have a chunk schema"
    validator = jsonschema_rs.validator_for(schema)
    chunk_model = cfai_models.load(case["model"]).ChatCompletionsChunk
    for index, chunk in enumerate(chunks):
        assert validator.is_valid(chunk), f"chunk {index}: {[e.message for e in validator.iter_errors(chunk)]}"
        chunk_model.model_validate(chunk)
    result = reassemble(chunks)
    assert len(result.text) == case["expect"]["text_chars"]
    assert result.text.endswith(case["expect"]["text_endswith"])
    assert result.usage_last and result.usage is not None, "the usage chunk must come last"
    assert chunks[-1]["choices"] == [] and result.finish_reason == "stop"


def test_stream_chunk_usage_may_be_null_but_not_anything() -> None:
    """The derived chunk schema loosens exactly `usage` to allow null, nothing else."""
    schema = chunk_schema(default_registry().schema("openai/gpt-5.5", "output"))
    assert schema is not None
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid({"object": "chat.completion.chunk", "choices": [], "usage": None})
    assert not validator.is_valid({"object": "chat.completion.chunk", "choices": [], "usage": "none"})
    assert not validator.is_valid({"object": "chat.completion.chunk", "choices": {}, "usage": None})
