"""The generated models accept exactly what the validator accepts, and give it back whole.

parse → `model_dump(mode="json", exclude_unset=True)` must be the identity on every recorded answer
and chunk and on payloads generated from every shipped schema, also with an unknown key
(`"x_extra": 1`) in every object that may take one and every integer written `7.0` (JSON Schema's
integer). What the validator refuses the models refuse too: `"7"`, `true` and `7.5` for an integer, an
unknown key where the schema says `additionalProperties: false`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import cfai_models
import pytest
from hypothesis import given, settings
from pydantic import MISSING, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError
from typing_extensions import TypeAliasType

from cfai._model import SchemaModel
from cfai.envelope import unwrap
from cfai.stream import chunk_schema
from cfai.validate import ModelValidator, default_registry
from codegen.strategies import from_schema

from .conftest import load_json, recording_id, recordings
from .roundtrip import json_equal, mutations, roundtrip

SIDES = ("input", "output")


def _check_all(adapter: TypeAdapter[Any], validator: ModelValidator, payload: Any) -> None:
    for name, mutated in mutations(payload, validator):
        assert validator.is_valid(mutated), name
        assert (why := roundtrip(adapter, mutated)) is None, f"{name}: {why}"


@pytest.mark.parametrize("path", recordings(), ids=recording_id)
def test_recorded_answers_come_back_whole(path: Path) -> None:
    case = load_json(path)
    registry = default_registry()
    module = cfai_models.load(case["model"])
    if case.get("stream"):
        schema = chunk_schema(registry.schema(case["model"], "output"))
        validator = ModelValidator(case["model"], "output", schema)
        adapter: TypeAdapter[Any] = TypeAdapter(module.ChatCompletionsChunk)
        for chunk in case["chunks"]:
            _check_all(adapter, validator, chunk)
    else:
        _check_all(TypeAdapter(module.Output), registry.validator(case["model"], "output"), unwrap(case["response"]))


def test_mutations_are_not_vacuous() -> None:
    """The recorded answers do get extra keys and integral floats, or the test above proves nothing."""
    case = load_json(recordings()[0])
    validator = default_registry().validator(case["model"], "output")
    (_, plain), (_, extras), (_, floats), _ = mutations(unwrap(case["response"]), validator)
    assert extras["x_extra"] == 1 and extras["choices"][0]["x_extra"] == 1
    assert type(floats["created"]) is float and json_equal(floats, plain)


# One model per generated types module (models publishing the same schemas share one: testing one
# tests them all), each side.
CASES = [(model, side) for model in sorted({cfai_models.TYPES[m]: m for m in sorted(cfai_models.TYPES, reverse=True)}.values())
         for side in SIDES]  # fmt: skip


@pytest.mark.parametrize(("model", "side"), CASES, ids=[f"{m}:{s}" for m, s in CASES])
def test_generated_payloads_come_back_whole(model: str, side: str) -> None:
    registry = default_registry()
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(cfai_models.load(model), side.capitalize()))
    validator = registry.validator(model, side)

    @settings(max_examples=10)
    @given(from_schema(registry.schema(model, side)))
    def whole(payload: Any) -> None:
        _check_all(adapter, validator, payload)

    whole()


# The base class on the shapes the generator writes: a field, a constrained optional, a type alias.
Count = TypeAliasType("Count", Annotated[StrictInt, Field(ge=0, le=20)])


class Closed(SchemaModel):
    model_config = ConfigDict(extra="forbid")  # what `additionalProperties: false` generates
    n: StrictInt


class Open(SchemaModel):
    n: StrictInt
    top: Annotated[StrictInt | None | MISSING, Field(ge=1)] = MISSING
    counts: list[Count] | MISSING = MISSING
    closed: Closed | MISSING = MISSING
    from_: str | MISSING = Field(default=MISSING, alias="from")


@pytest.mark.parametrize("value", [7.0, -3.0, 1e15])
def test_integral_floats_are_integers(value: float) -> None:
    parsed = Open.model_validate({"n": value, "top": value if value >= 1 else None, "counts": [0.0, 20.0]})
    assert type(parsed.n) is int and parsed.n == value
    assert parsed.counts == [0, 20]
    assert Open.model_validate_json(f'{{"n": {value}}}').n == value


@pytest.mark.parametrize("value", ["7", True, 7.5, float("inf"), float("nan"), None])
def test_what_the_schema_refuses_for_an_integer_is_refused(value: Any) -> None:
    for payload in ({"n": value}, {"n": 1, "counts": [value]}, {"n": 1, "closed": {"n": value}}):
        with pytest.raises(ValidationError):
            Open.model_validate(payload)


def test_bounds_still_apply_to_integral_floats() -> None:
    with pytest.raises(ValidationError):
        Open.model_validate({"n": 1, "counts": [21.0]})
    with pytest.raises(ValidationError):
        Open.model_validate({"n": 1, "top": 0.0})


def test_unknown_keys_kept_unless_forbidden() -> None:
    payload = {"n": 1, "x_extra": {"a": [1]}, "from": "me", "from_": "python name is an unknown key"}
    parsed = Open.model_validate(payload)
    assert parsed.from_ == "me"
    assert parsed.model_dump(mode="json", exclude_unset=True) == payload
    with pytest.raises(ValidationError):
        Open.model_validate({"n": 1, "closed": {"n": 1, "x_extra": 1}})
