"""codegen.strategies: generated instances are valid, bounds are found and sit exactly where the
schema puts them. python-jsonschema's Draft202012Validator is the reference throughout."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from jsonschema import Draft202012Validator

from cfai.repair import repair
from codegen.strategies import (
    bounds,
    from_schema,
    instance_with,
    just_inside,
    just_outside,
    minimal_instance,
)

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalog"
# 50 examples, or more under a longer profile (conftest: HYPOTHESIS_PROFILE=long).
FAST = settings(max_examples=max(50, settings().max_examples), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _catalog(side: str | None = None) -> list[Any]:
    if not CATALOG.is_dir():  # one placeholder case, so the skip (and its reason) shows up
        return [pytest.param(None, id="catalog-missing")]
    files = sorted(CATALOG.glob(f"@*/*/*/schema-{side or '*'}.json"))
    distinct: dict[tuple[str, str], Path] = {}  # one file per distinct schema: 38 models share falcon's
    for f in files:
        distinct.setdefault((f.name, json.dumps(json.loads(f.read_text()), sort_keys=True)), f)
    return [pytest.param(f, id=f"{f.parent.relative_to(CATALOG)}:{f.stem.removeprefix('schema-')}")
            for f in sorted(distinct.values())]  # fmt: skip


def _load(path: Path | None) -> Any:
    """The schema as the product reads it: known authoring slips repaired (`cfai.repair`)."""
    if path is None:
        pytest.skip(f"../shared/catalog not found: {CATALOG}")
    return repair(str(path.parent.relative_to(CATALOG)), path.name, json.loads(path.read_text()))[0]


def _assert_valid(schema: Any, instance: Any) -> None:
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert not errors, f"{instance!r}: {errors[0].message} at {errors[0].json_path}"


def _check_examples(schema: Any) -> None:
    @FAST
    @given(from_schema(schema))
    def check(instance: Any) -> None:
        _assert_valid(schema, instance)

    check()


@pytest.mark.parametrize("path", _catalog())
def test_catalog_examples_are_valid(path: Path | None) -> None:
    _check_examples(_load(path))


OVERLAPPING_ONEOF = {  # like @cf/meta/llama-3.3-70b-instruct-fp8-fast: branch 1 accepts branch 0
    "type": "object",
    "oneOf": [
        {"title": "Prompt", "properties": {"prompt": {"type": "string"}}, "required": ["prompt"]},
        {"title": "Batch", "properties": {"requests": {"type": "array", "items": {"type": "string"}}}},
    ],
}
TREE = {
    "$defs": {"node": {"type": "object", "required": ["v"], "properties": {
        "v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node",
}  # fmt: skip
KEYWORD_SCHEMAS: dict[str, Any] = {
    "true": True,
    "empty": {},
    "type-list": {"type": ["string", "null", "integer"]},
    "properties-required": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}},
                            "required": ["a"]},
    "additionalProperties-false": {"type": "object", "properties": {"a": {"type": "integer"}},
                                   "required": ["a"], "additionalProperties": False},
    "additionalProperties-schema": {"type": "object", "properties": {"a": {"type": "integer"}},
                                    "additionalProperties": {"type": "string", "maxLength": 3}},
    "free-form-map": {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"type": {"type": "string"}}, "required": ["type"]}},
    "enum": {"enum": ["a", 1, None, [1], {"k": True}]},
    "enum-with-type": {"type": "string", "enum": ["x", 1, "y"]},
    "const": {"const": {"a": [1, 2]}},
    "integer-bounds": {"type": "integer", "minimum": -3, "maximum": 7},
    "integer-exclusive": {"type": "integer", "exclusiveMinimum": 0.5, "exclusiveMaximum": 10},
    "integer-huge": {"type": "integer", "minimum": 1, "maximum": 9999999999},
    "number-bounds": {"type": "number", "minimum": 0.001, "maximum": 1},
    "number-exclusive": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "number-unbounded": {"type": "number"},
    "multipleOf-int": {"type": "integer", "multipleOf": 3, "minimum": 1, "maximum": 100},
    "multipleOf-float": {"type": "number", "multipleOf": 0.25, "maximum": 10},
    "multipleOf-fractional-bounds": {"type": "number", "multipleOf": 0.25, "minimum": 0.1, "maximum": 0.9},
    "string-length": {"type": "string", "minLength": 25, "maxLength": 30},
    "pattern-prefix": {"type": "string", "pattern": "^data:*"},
    "pattern-length": {"type": "string", "pattern": "[a-zA-Z0-9]{9}", "maxLength": 12},
    "format-binary": {"type": "string", "format": "binary"},
    "items": {"type": "array", "items": {"type": "number", "minimum": 0}},
    "prefixItems": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
                    "items": {"type": "boolean"}},
    "min-maxItems": {"type": "array", "items": {"type": "integer"}, "minItems": 6, "maxItems": 8},
    "uniqueItems": {"type": "array", "items": {"enum": [1, 1.0, True, 2, "2"]}, "uniqueItems": True},
    "oneOf-overlapping": OVERLAPPING_ONEOF,
    "oneOf-scalar-or-object": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["image"],
                                                              "properties": {"image": {"type": "string"}}}]},
    "oneOf-numbers": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
    "anyOf": {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "array", "items": {"type": "string"}}]},
    "allOf": {"allOf": [
        {"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}, "required": ["a"]},
        {"properties": {"a": {"maximum": 10}, "b": {"type": "string"}}, "required": ["b"]}]},
    "not": {"type": "integer", "minimum": 0, "maximum": 20, "not": {"multipleOf": 2}},
    "filtered-keyword": {"type": "object", "properties": {"a": {"type": "integer"}}, "minProperties": 1},
    "ref-recursive": TREE,
    "ref-definitions": {"definitions": {"t": {"anyOf": [{"type": "null"}, {
        "type": "object", "required": ["l", "r"],
        "properties": {"l": {"$ref": "#/definitions/t"}, "r": {"$ref": "#/definitions/t"}}}]}},
        "$ref": "#/definitions/t"},
    "ref-pointer-with-sibling": {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"$ref": "#/properties/a", "minLength": 2}}, "required": ["b"]},
}  # fmt: skip


@pytest.mark.parametrize("schema", KEYWORD_SCHEMAS.values(), ids=KEYWORD_SCHEMAS.keys())
def test_keyword_examples_and_minimal_instance_are_valid(schema: Any) -> None:
    _check_examples(schema)
    _assert_valid(schema, minimal_instance(schema))


def test_false_schema_generates_nothing() -> None:
    assert from_schema(False).is_empty


@pytest.mark.parametrize(
    ("schema", "wanted"),
    [
        ({"type": "number", "minimum": 0, "maximum": 5}, 5),
        ({"type": "number", "exclusiveMinimum": 0}, math.nextafter(0, 1)),
        ({"type": "integer", "minimum": 1, "maximum": 9999999999}, 9999999999),
    ],
)
def test_exact_bounds_are_generated(schema: Any, wanted: float) -> None:
    find(from_schema(schema), lambda x: x == wanted, settings=settings(database=None, max_examples=200))


def test_every_branch_of_an_overlapping_oneof_is_generated() -> None:
    seen: set[str] = set()

    @settings(max_examples=100, deadline=None, database=None)
    @given(from_schema(OVERLAPPING_ONEOF))
    def collect(instance: dict[str, Any]) -> None:
        seen.add("Prompt" if "prompt" in instance else "Batch")

    collect()
    assert seen == {"Prompt", "Batch"}


def test_bounds_finds_llama_temperature() -> None:
    schema = _load(CATALOG / "@cf/meta/llama-3.1-8b-instruct/schema-input.json" if CATALOG.is_dir() else None)
    found = [(b.branch_title, b.keyword, b.limit, b.type) for b in bounds(schema) if b.path == "$.temperature"]
    assert ("Prompt", "maximum", 5, "number") in found
    assert ("Messages", "maximum", 5, "number") in found
    assert ("Prompt", "minimum", 0, "number") in found


def test_bounds_follow_items_and_refs_without_recursing() -> None:
    schema = {"$ref": "#/$defs/node", "$defs": {"t": {"type": "number", "exclusiveMaximum": 2}, "node": {
        "type": "object", "properties": {"x": {"$ref": "#/$defs/t"},
                                         "kids": {"type": "array", "maxItems": 3, "items": {"$ref": "#/$defs/node"}}}}}}
    found = {(b.path, b.pointer, b.keyword, b.branch) for b in bounds(schema)}
    assert found == {("$.kids", ("$ref", "properties", "kids"), "maxItems", None),
                     ("$.x", ("$ref", "properties", "x", "$ref"), "exclusiveMaximum", None)}
    for b in bounds(schema):
        _assert_valid(schema, instance_with(schema, b, just_inside(b)))
        assert not Draft202012Validator(schema).is_valid(instance_with(schema, b, just_outside(b) or 0))


@pytest.mark.parametrize(
    ("bound", "inside", "outside"),
    [
        ({"type": "number", "exclusiveMinimum": 0}, 5e-324, 0),
        ({"type": "number", "maximum": 5}, 5, math.nextafter(5, math.inf)),
        ({"type": "integer", "exclusiveMinimum": 0.5}, 1, 0),
        ({"type": "integer", "maximum": 9999999999}, 9999999999, 10000000000),
        ({"type": "string", "minLength": 1}, 1, 0),
        ({"type": "string", "minLength": 0}, 0, None),
        ({"type": "array", "maxItems": 4}, 4, 5),
    ],
)
def test_just_inside_and_outside(bound: dict[str, Any], inside: float, outside: float | None) -> None:
    (b,) = bounds(bound)
    assert (just_inside(b), just_outside(b)) == (inside, outside)


@pytest.mark.parametrize("path", _catalog("input"))
def test_catalog_bounds_are_exact(path: Path | None) -> None:
    schema = _load(path)
    validator, checked = Draft202012Validator(schema), 0
    found = bounds(schema)
    for b in found:
        inside = instance_with(schema, b, just_inside(b))
        assert validator.is_valid(inside), f"{b}: {inside!r} should be valid"
        outside = just_outside(b)
        if outside is not None:
            instance = instance_with(schema, b, outside)
            assert not validator.is_valid(instance), f"{b}: {instance!r} should be invalid"
        checked += 1
    assert checked > 0 or not found
