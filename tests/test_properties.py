"""Property-based contracts, per model and per variant, every bound read from the schema.

Payloads come from `codegen.strategies.from_schema` (the schema itself, nothing typed in here); both
the validator and the generated pydantic model must accept them. Bounds are found by walking the
schema: the exact bound is accepted, the nearest value past it is rejected at the right path with
the right rule.
"""

from __future__ import annotations

from typing import Any

import cfai_models
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from cfai.naming import variant_keyword, variant_names, variants
from cfai.validate import Registry, default_registry
from codegen.strategies import Bound, bounds, from_schema, instance_with, just_inside, just_outside

from .conftest import SEED_MODELS, distinct_catalog_models, load_generated, need_catalog

SIDES = ("input", "output")


def variant_cases(models: list[str] | tuple[str, ...], registry: Registry) -> list[tuple[str, str, int | None]]:
    """(model, side, root variant index or None) for every variant of every model."""
    cases: list[tuple[str, str, int | None]] = []
    for model in models:
        for side in SIDES:
            count = len(variants(registry.schema(model, side)))
            cases += [(model, side, i) for i in range(count)] if count else [(model, side, None)]
    return cases


def case_id(case: tuple[str, str, int | None]) -> str:
    model, side, index = case
    if index is None:
        return f"{model}:{side}"
    return f"{model}:{variant_names(model, default_registry().schema(model, side), side)[index]}"


def variant_payloads(registry: Registry, model: str, side: str, index: int | None) -> st.SearchStrategy[Any]:
    """Payloads of one root variant: generated from the whole schema (so `oneOf` exclusivity holds)
    and kept when they are that variant."""
    strategy = from_schema(registry.schema(model, side))
    if index is None:
        return strategy
    validator = registry.validator(model, side)
    return strategy.filter(lambda payload: validator.variant_of(payload) == validator.variants[index])


def check_accepts(registry: Registry, module: Any, model: str, side: str, payload: Any) -> None:
    errors = registry.validator(model, side).errors(payload)
    assert errors == [], f"validator refused a schema-generated payload: {errors}"
    TypeAdapter(getattr(module, side.capitalize())).validate_python(payload)


SEED_CASES = variant_cases(SEED_MODELS, default_registry())


@pytest.mark.parametrize("case", SEED_CASES, ids=case_id)
def test_seed_payloads_from_the_schema_are_accepted(case: tuple[str, str, int | None]) -> None:
    model, side, index = case
    registry = default_registry()
    module = cfai_models.load(model)

    @given(variant_payloads(registry, model, side, index))
    def accepted(payload: Any) -> None:
        check_accepts(registry, module, model, side, payload)

    accepted()


def seed_bounds(model: str) -> list[Bound]:
    return bounds(default_registry().schema(model, "input"))


def test_bounds_are_found_for_every_seed_model() -> None:
    """The bound tests must never pass vacuously."""
    for model in SEED_MODELS:
        found = seed_bounds(model)
        assert found, f"no numeric bounds found in {model}"
        assert {"minimum", "maximum", "exclusiveMinimum"} <= {b.keyword for b in found}


SEED_BOUNDS = [(model, bound) for model in SEED_MODELS for bound in seed_bounds(model)]


def bound_id(case: tuple[str, Bound]) -> str:
    model, b = case
    return f"{model}:{b.branch_title or ''}:{b.path}:{b.keyword}={b.limit}"


@pytest.mark.parametrize("case", SEED_BOUNDS, ids=bound_id)
def test_seed_bound_exact_accepted_next_rejected(case: tuple[str, Bound]) -> None:
    model, bound = case
    registry = default_registry()
    schema = registry.schema(model, "input")
    validator = registry.validator(model, "input")
    model_class = cfai_models.load(model).Input
    inside = instance_with(schema, bound, just_inside(bound))
    assert validator.errors(inside) == []
    TypeAdapter(model_class).validate_python(inside)
    outside_value = just_outside(bound)
    assert outside_value is not None
    outside = instance_with(schema, bound, outside_value)
    errors = validator.errors(outside)
    assert [(e.path, e.rule, e.limit) for e in errors] == [(bound.path, bound.keyword, bound.limit)]
    assert errors[0].variant == variant_names(model, schema, "input")[bound.branch or 0]
    if bound.keyword == "exclusiveMinimum" and bound.limit == 0:
        assert instance_with(schema, bound, 0)[bound.path.removeprefix("$.")] == 0
        assert validator.errors(instance_with(schema, bound, 0)) != []
        assert just_inside(bound) == 5e-324, "the smallest positive value is accepted"


@given(st.data())
@settings(max_examples=20)
def test_out_of_range_values_are_rejected_with_path_and_rule(data: st.DataObject) -> None:
    """Any value past a bound, not only the nearest, is refused and located."""
    model, bound = data.draw(st.sampled_from(SEED_BOUNDS))
    schema = default_registry().schema(model, "input")
    step = data.draw(st.floats(min_value=1e-9, max_value=1e6, allow_nan=False))
    value = bound.limit + step if "ax" in bound.keyword else bound.limit - step
    errors = default_registry().validator(model).errors(instance_with(schema, bound, value))
    assert (bound.path, bound.keyword) in {(e.path, e.rule) for e in errors}


# --- the real catalog: same generation, same validation --------------------------------------------

CATALOG_CASES = [(model, side) for side in SIDES for model in distinct_catalog_models(side)]


@pytest.mark.parametrize("case", CATALOG_CASES or [("catalog-absent", "")], ids=lambda c: f"{c[0]}:{c[1]}")
def test_catalog_payloads_from_the_schema_are_accepted(case: tuple[str, str], generated_catalog: Any) -> None:
    """Each catalog model generates, imports, and accepts payloads generated from its schema;
    every root variant of the schema is among them."""
    model, side = case
    registry = Registry(need_catalog())
    module = load_generated(generated_catalog, model)
    validator = registry.validator(model, side)
    seen: set[str | None] = set()

    @settings(max_examples=max(40, settings().max_examples))  # enough to reach every root variant
    @given(from_schema(registry.schema(model, side)))
    def accepted(payload: Any) -> None:
        check_accepts(registry, module, model, side, payload)
        seen.add(validator.variant_of(payload))

    accepted()
    if variant_keyword(validator.schema) != "anyOf":  # an `anyOf` (an overlapping `oneOf`, repaired) has
        # branches that admit each other's values: the first that fits is reported, others may never be
        assert seen >= set(validator.variants), f"variants never generated: {set(validator.variants) - seen}"
