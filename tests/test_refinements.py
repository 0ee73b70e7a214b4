"""Refinements (schemas/refinements/, `cfai.refine`): what they type, that the recordings still pass,
that every `required` is backed by every recording, and that the shape rules hold across the catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cfai.envelope import unwrap
from cfai.errors import SchemaLoadError
from cfai.refine import Refinement, load, parse, refine
from cfai.schemas import check_schema, load_model, refinements_dir
from cfai.stream import chunk_schema
from cfai.validate import ModelValidator, Registry, default_registry

from .conftest import ROOT, SCHEMAS, SEED_MODELS, load_json, need_catalog, recording_id, recordings

SHIPPED = load(SCHEMAS / "refinements")


def _by_shape() -> list[Refinement]:
    return [r for r in SHIPPED if r.models is None]


def test_shipped_refinements_are_found_and_well_formed() -> None:
    assert refinements_dir(SCHEMAS) == SCHEMAS / "refinements"
    assert refinements_dir(ROOT / "tests" / "fidelity" / "example") == SCHEMAS / "refinements", "shipped by default"
    names = [r.file for r in SHIPPED]
    assert names == sorted(names) and len(names) >= 4
    for refinement in SHIPPED:
        for rule in refinement.rules:
            assert rule.why and rule.evidence, rule.source
            for evidence in rule.evidence:
                if evidence.startswith("tests/"):
                    assert (ROOT / evidence).is_file(), f"{rule.source}: {evidence}"


@pytest.mark.parametrize("path", recordings(), ids=recording_id)
def test_every_recording_passes_the_refined_schema(path: Path) -> None:
    case = load_json(path)
    schema = default_registry().schema(case["model"], "output")
    if case.get("stream"):
        validator = ModelValidator(case["model"], "output", chunk_schema(schema))
        for chunk in case["chunks"]:
            assert validator.errors(chunk) == []
    else:
        assert default_registry().validator(case["model"], "output").errors(unwrap(case["response"])) == []


def _nodes(schema: Any, title: str) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("title") == title:
            yield schema
        for value in schema.values():
            yield from _nodes(value, title)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nodes(value, title)


def _recorded(model: str) -> tuple[list[Any], list[Any], list[Any]]:
    """(choices, messages, streamed choices) of every recorded answer of `model`."""
    choices, streamed = [], []
    for path in recordings():
        case = load_json(path)
        if case["model"] != model:
            continue
        if case.get("stream"):
            streamed += [c for chunk in case["chunks"] for c in chunk["choices"]]
        else:
            choices += unwrap(case["response"])["choices"]
    return choices, [c["message"] for c in choices], streamed


@pytest.mark.parametrize("model", SEED_MODELS)
def test_required_only_where_every_recorded_answer_has_it(model: str) -> None:
    output = load_model(SCHEMAS, model).output
    choices, messages, streamed = _recorded(model)
    assert choices and streamed
    for title, seen in (("Choice", choices), ("Assistant Message", messages), ("Chunk Choice", streamed)):
        [node] = list(_nodes(output, title))
        assert node["required"], title
        for key in node["required"]:
            assert all(key in item for item in seen), f"{title}.{key} is required but missing from a recording"


@pytest.mark.parametrize("model", SEED_MODELS)
def test_seed_replies_are_typed_and_each_refinement_is_a_note(model: str) -> None:
    loaded = load_model(SCHEMAS, model)
    assert loaded.notes == (), "no stale refinement"
    applied = {n.message.split(" (")[0] for n in loaded.refinements}
    assert "refined by refinements/50-openai-chat-completions.json rule 0" in applied
    assert any("as a stream chunk" in n.file for n in loaded.refinements)
    message = next(_nodes(loaded.output, "Assistant Message"))
    assert {"role", "content", "refusal", "annotations", "tool_calls"} <= message["properties"].keys()
    validator = ModelValidator(model, "output", loaded.output)
    wrong = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": 5}}
    assert not validator.is_valid({"object": "chat.completion", "choices": [wrong]})


def test_responses_output_items_are_typed() -> None:
    validator = default_registry().validator("openai/gpt-5.5", "output")
    message = {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": "hi", "annotations": []}]}  # fmt: skip
    answer = {"object": "response", "output": [{"type": "reasoning", "id": "rs_1", "summary": []}, message,
                                               {"type": "web_search_call", "id": "ws_1"}]}  # fmt: skip
    assert validator.errors(answer) == []
    broken = {**message, "content": [{"type": "output_text", "text": 5}]}
    assert not validator.is_valid({"object": "response", "output": [broken]})


def test_a_rule_whose_target_is_gone_is_a_note(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    (root / "openai" / "gpt-5.5").mkdir(parents=True)
    (root / "openai" / "gpt-5.5" / "schema-input.json").write_text((SCHEMAS / "openai/gpt-5.5/schema-input.json").read_text())
    (root / "openai" / "gpt-5.5" / "schema-output.json").write_text(json.dumps(
        {"type": "object", "title": "Something Else", "properties": {"id": {"type": "string"}}}))
    (root / "refinements").mkdir()
    (root / "refinements" / "x.json").write_text((SCHEMAS / "refinements" / "50-openai-chat-completions.json").read_text())
    loaded = load_model(root, "openai/gpt-5.5")
    assert loaded.refinements == ()
    assert any("no longer applies" in n.message and "x.json rule 0" in n.message for n in loaded.notes)


@pytest.mark.parametrize(("document", "where"), [
    ({"rules": [{"target": "/x", "set": {}, "why": "w"}]}, "$.rules[0]"),
    ({"rules": [{"target": "x", "set": {}, "why": "w", "evidence": ["e"]}]}, "$.rules[0].target"),
    ({"rules": [{"set": {}, "merge": {}, "why": "w", "evidence": ["e"]}]}, "$.rules[0]"),
    ({"rules": [{"also": [], "why": "w", "evidence": ["e"]}]}, "$.rules[0].also"),
    ({"rules": [{"set": {}, "side": "both", "why": "w", "evidence": ["e"]}]}, "$.rules[0].side"),
    ({"applies_to": {"models": "openai/gpt-5.5"}, "rules": []}, "$.applies_to"),
    ([], "$"),
])  # fmt: skip
def test_a_malformed_refinement_file_is_a_located_error(document: Any, where: str) -> None:
    with pytest.raises(SchemaLoadError) as caught:
        parse("refinements/bad.json", document)
    assert caught.value.problems[0].path == where


def _one(rule: dict[str, Any], schema: dict[str, Any], model: str = "m") -> Any:
    refinement = parse("refinements/t.json", {"rules": [{"why": "w", "evidence": ["e"], **rule}]})
    return refine(model, "output", schema, [refinement], file="m/schema-output.json").schema


@pytest.mark.parametrize(("node", "alternatives", "expected"), [
    ({"type": "string"}, [{"type": "null"}], {"type": ["string", "null"]}),
    ({"type": ["string", "null"]}, [{"type": "null"}], {"type": ["string", "null"]}),
    ({"type": "string", "enum": ["a"]}, [{"type": "null"}], {"type": ["string", "null"], "enum": ["a", None]}),
    ({"type": "string", "enum": ["a"]}, [{"type": "object"}], {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "object"}]}),
    ({"anyOf": [{"type": "object"}]}, [{"type": "null"}], {"anyOf": [{"type": "object"}, {"type": "null"}]}),
    ({"description": "d", "oneOf": [{"type": "object"}]}, [{"type": "null"}],
     {"description": "d", "anyOf": [{"oneOf": [{"type": "object"}]}, {"type": "null"}]}),
])  # fmt: skip
def test_also_adds_an_alternative(node: dict[str, Any], alternatives: list[Any], expected: Any) -> None:
    schema = {"type": "object", "properties": {"a": node}}
    assert _one({"target": "/properties/a", "also": alternatives}, schema)["properties"]["a"] == expected


def test_merge_is_a_json_merge_patch_and_set_creates() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "description": "d"}}, "required": ["a"]}
    merged = _one({"target": "/properties/a", "merge": {"description": None, "minLength": 1}}, schema)
    assert merged["properties"]["a"] == {"type": "string", "minLength": 1}
    assert _one({"target": "/properties/b", "set": {"type": "integer"}}, schema)["properties"]["b"] == {"type": "integer"}
    assert schema["properties"]["a"]["description"] == "d", "the published schema is never edited"


def test_text_generation_answers_as_the_service_sends_them() -> None:
    validator = default_registry().validator("@cf/meta/llama-3.1-8b-instruct", "output")
    assert validator.errors({"response": None, "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}) == []
    assert validator.errors({"response": {"answer": 42}, "tool_calls": []}) == []
    assert not validator.is_valid({"response": 42})
    gpt_oss = default_registry().validator("@cf/openai/gpt-oss-20b", "output")
    call = {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
                                                                   "function": {"name": "f", "arguments": "{}"}}]}  # fmt: skip
    assert gpt_oss.errors({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                           "choices": [{"index": 0, "message": call, "finish_reason": "tool_calls"}]}) == []  # fmt: skip


def test_shape_rules_apply_across_the_catalog() -> None:
    """Every shape rule applies to some catalog model; every refined catalog schema is still a schema;
    the vLLM nulls are accepted by the models that have those fields."""
    root = need_catalog()
    registry = Registry(root)
    used: set[str] = set()
    for model in registry.models():
        try:
            loaded = load_model(root, model)
        except SchemaLoadError:
            continue
        used |= {n.message.split(" (")[0].removeprefix("refined by ") for n in loaded.refinements}
        for side, schema in (("input", loaded.input), ("output", loaded.output)):
            if schema is not None:
                assert check_schema(model, side, schema, side=side) == [], (model, side)
    rules = {rule.source for refinement in _by_shape() for rule in refinement.rules}
    assert rules <= used, sorted(rules - used)
    glm = registry.validator("@cf/zai-org/glm-4.7-flash", "output")
    message = {"role": "assistant", "content": "hi", "refusal": None, "annotations": None, "audio": None}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "prompt_tokens_details": None}
    answer = {"id": "x", "object": "chat.completion", "created": 1, "model": "glm",
              "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
              "usage": usage}  # fmt: skip
    assert glm.errors(answer) == []
