"""Overlapping `oneOf` is read as `anyOf` (`cfai.repair`), and real exclusivity stays `oneOf`.

Each case under tests/overlaps/ is one schema (inline, or a file of `schemas/` or of the real catalog
named by `from_schemas` / `from_catalog`), which keyword must hold the branches at each listed place
after the repair (`keyword_at`), where the repair notes are (`notes`), which branch is read as requiring
its one property (`required_read`: an "Async Batch" that requires nothing), and payloads that must be valid
or invalid against the repaired schema — for our validator and for python-jsonschema alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cfai.repair import repair
from cfai.validate import ModelValidator

from .conftest import ROOT, SCHEMAS, load_json, need_catalog

CASES = ROOT / "tests" / "overlaps"


def _at(schema: Any, path: str) -> Any:
    node = schema
    for part in path.removeprefix("$").split(".")[1:]:
        node = node[part]
    return node


def _schema(case: dict[str, Any]) -> Any:
    if "from_catalog" in case:
        return load_json(need_catalog() / case["from_catalog"])
    if "from_schemas" in case:
        return load_json(SCHEMAS / case["from_schemas"])
    return case["schema"]


@pytest.mark.parametrize("path", sorted(CASES.glob("*.json")), ids=lambda p: p.stem)
def test_overlap_case(path: Path) -> None:
    case = load_json(path)
    side = case.get("side", "input")
    original = _schema(case)
    repaired, notes = repair("case/model", f"case/model/schema-{side}.json", original)
    overlap_notes = [n.path for n in notes if "`oneOf`" in n.message]
    assert overlap_notes == case["notes"]
    assert all(n.message.startswith("repaired: ") for n in notes)
    for where, keyword in case["keyword_at"].items():
        node = _at(repaired, where)
        other = "oneOf" if keyword == "anyOf" else "anyOf"
        assert isinstance(node.get(keyword), list) and other not in node, f"{where}: {sorted(node)}"
        expected = [dict(b) for b in _at(original, where).get("oneOf")]
        for index, keys in case.get("required_read", {}).items():  # a branch marked by its one property
            expected[int(index)]["required"] = keys
        assert node[keyword] == expected, "the branches themselves are untouched"
    ours = ModelValidator("case/model", side, repaired)
    reference = Draft202012Validator(repaired)
    for payload in case["valid"]:
        assert ours.errors(payload) == [] and reference.is_valid(payload), payload
    for payload in case["invalid"]:
        assert ours.errors(payload) and not reference.is_valid(payload), payload


def test_repair_is_pure_and_idempotent() -> None:
    case = load_json(CASES / "async-batch-requires-nothing.json")
    before = repr(case["schema"])
    once, notes = repair("m", "f", case["schema"])
    assert repr(case["schema"]) == before and notes
    assert repair("m", "f", once) == (once, [])


def test_errors_are_located_in_the_variant_meant_for() -> None:
    """Within an `anyOf`, an invalid request is still reported against the variant it was meant for."""
    schema = load_json(CASES / "optional-keys-only.json")["schema"]
    repaired, _ = repair("m", "m/schema-input.json", {**schema, "oneOf": [
        {**schema["oneOf"][0], "title": "Pooled"}, {**schema["oneOf"][1], "title": "Truncated", "required": ["text", "truncate_inputs"]},
    ]})
    errors = ModelValidator("m", "input", repaired).errors({"text": 5})
    assert errors and {e.path for e in errors} == {"$.text"} and {e.rule for e in errors} == {"type"}
