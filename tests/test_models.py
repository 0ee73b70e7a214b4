"""The generated models accept what the schema accepts: null, coercion, bounds, enums, extra keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import ValidationError

from codegen.pipeline import generate

from .conftest import ROOT, load_generated, load_json

FIDELITY = ROOT / "tests" / "fidelity"
CASES = {k: v for k, v in load_json(FIDELITY / "cases.json").items() if not k.startswith("_")}
SCHEMA = load_json(FIDELITY / "example" / "strict" / "schema-input.json")


@pytest.fixture(scope="module")
def request_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("fidelity") / "generated"
    generate(FIDELITY / "example", out)
    return load_generated(out, "strict").RequestInput


def model_accepts(model: Any, payload: Any) -> bool:
    try:
        model.model_validate(payload)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_and_schema_agree_except_where_written_down(request_model: Any, name: str) -> None:
    case = CASES[name]
    assert jsonschema_rs.validator_for(SCHEMA).is_valid(case["payload"]) == case["schema"]
    assert model_accepts(request_model, case["payload"]) == case["model"]
    assert (case["schema"] == case["model"]) or case.get("why"), "an undocumented difference"


def test_null_is_refused_where_the_seed_schema_refuses_it() -> None:
    import cfai_models

    chat = cfai_models.load("openai/gpt-5.1-chat").ChatCompletionsInput
    assert model_accepts(chat, {"messages": []})
    for field in ("temperature", "max_tokens", "stream", "stream_options", "tools"):
        assert not model_accepts(chat, {"messages": [], field: None}), field


def test_generated_names_are_the_ones_a_person_would_choose(tmp_path: Path) -> None:
    import cfai_models

    gpt55 = cfai_models.load("openai/gpt-5.5")
    for name in ("Input", "Output", "ResponsesInput", "ChatCompletionsInput", "ResponsesOutput",
                 "ChatCompletionsOutput", "ChatCompletionsChunk"):  # fmt: skip
        assert hasattr(gpt55, name), name
    assert not any(hasattr(gpt55, f"Model{i}") for i in (1, 2))
