"""Differential fidelity: our validator's verdict is python-jsonschema's, payload for payload.

For every input variant of every seed and catalog model, hypothesis generates valid payloads
(`codegen.strategies.from_schema`) and mutates each one: a bound crossed, a required key dropped, a
wrong type, a value outside an enum, an extra key where `additionalProperties` is false. Every
payload, mutated or not, must get the same verdict from `validator.errors(payload) == []` and from
`Draft202012Validator(schema).is_valid(payload)` — `schema` being the schema as read, known slips
repaired (`cfai.repair`: an overlapping `oneOf` is an `anyOf` to both); where both reject, every path we report must be one
python-jsonschema reports too, on an error or, recursively, on one of its `context` sub-errors.

Locations are compared, not spellings: python-jsonschema's path parts (`err.absolute_path`) are
rendered with our `json_path`. Its own `err.json_path` is the same string but for a key starting with
"_", which it brackets (`$['_x']`) where we use the shorthand (`$._x`): the long profile found that.

The number of payloads checked is printed at the end of the run and written to
`bench/fidelity-count-<profile>.json`. Per variant: 40 examples in the default profile (a few
thousand payloads in all), 1,000 in `HYPOTHESIS_PROFILE=long` (over 100,000). A disagreement, once
found and shrunk by hypothesis, goes to tests/regressions/ as a data file replayed below.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cfai.errors import json_path
from cfai.naming import variant_names, variants
from cfai.validate import MAX_ERRORS, ModelValidator, Registry, default_registry
from codegen.strategies import from_schema

from .conftest import (
    CATALOG,
    ROOT,
    SCHEMAS,
    SEED_MODELS,
    catalog_models,
    distinct_catalog_models,
    load_json,
    need_catalog,
)

# Payloads per input variant: half the profile's (20 by default) for the catalog's 80-odd variants,
# each also mutated once per kind; HYPOTHESIS_PROFILE=long runs 1,000 each (`make fidelity` counts).
EXAMPLES = min(settings().max_examples, 1000)
CATALOG_EXAMPLES = max(EXAMPLES // 2, 10)
REGRESSIONS = ROOT / "tests" / "regressions"
KINDS = ("bound", "required", "type", "enum", "extra")
_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_TYPE_SAMPLES: dict[str, list[Any]] = {
    "null": [None], "boolean": [True, False], "integer": [0, 7, -1], "number": [2.5, -0.5, 1e300],
    "string": ["", "text"], "array": [[], [1]], "object": [{}, {"k": 1}],
}  # fmt: skip

CHECKED: Counter[str] = Counter()  # payloads checked, per variant
VERDICTS: Counter[str] = Counter()  # how many both accepted, how many both rejected
DISAGREED: list[str] = []  # variants where a disagreement was found (hypothesis shows the shrunk payload)


# --- where a payload can be broken --------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    kind: str  # one of KINDS
    at: tuple[str | int, ...]  # where in the payload
    node: Mapping[str, Any]  # the schema node that applies there
    key: str | None = None  # the required key, for "required"


def _pointer(parts: tuple[str | int, ...]) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Sites:
    """The places in a payload where the schema says something a mutation can break. Under a
    `oneOf`/`anyOf` only the branches the value matches are followed (all when none does)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.validators = jsonschema_rs.validator_map_for(dict(schema))

    def find(self, payload: Any) -> list[Site]:
        return list(self._walk(self.schema, (), payload, (), 0))

    def _matches(self, ptr: tuple[str | int, ...], value: Any) -> bool:
        validator = self.validators.get(_pointer(ptr))
        return validator is None or bool(validator.is_valid(value))

    def _walk(
        self, node: Any, ptr: tuple[str | int, ...], value: Any, at: tuple[str | int, ...], depth: int
    ) -> Iterator[Site]:
        if not isinstance(node, Mapping) or depth > 64:
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = self.schema
            parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/"))
            for p in parts:
                target = target[int(p)] if isinstance(target, list) else target[p]
            yield from self._walk(target, parts, value, at, depth + 1)
        for i, sub in enumerate(node.get("allOf", [])):
            yield from self._walk(sub, (*ptr, "allOf", i), value, at, depth + 1)
        for comb in ("oneOf", "anyOf"):
            branches = node.get(comb, [])
            matching = [i for i in range(len(branches)) if self._matches((*ptr, comb, i), value)]
            for i in matching or range(len(branches)):
                yield from self._walk(branches[i], (*ptr, comb, i), value, at, depth + 1)
        yield from _sites_here(node, value, at)
        if isinstance(value, dict):
            props, extra = node.get("properties", {}), node.get("additionalProperties")
            for k, v in value.items():
                if k in props:
                    yield from self._walk(props[k], (*ptr, "properties", k), v, (*at, k), depth + 1)
                elif isinstance(extra, Mapping):
                    yield from self._walk(extra, (*ptr, "additionalProperties"), v, (*at, k), depth + 1)
        elif isinstance(value, list):
            prefix, items = node.get("prefixItems", []), node.get("items")
            for i, v in enumerate(value):
                if i < len(prefix):
                    yield from self._walk(prefix[i], (*ptr, "prefixItems", i), v, (*at, i), depth + 1)
                elif isinstance(items, Mapping):
                    yield from self._walk(items, (*ptr, "items"), v, (*at, i), depth + 1)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sites_here(node: Mapping[str, Any], value: Any, at: tuple[str | int, ...]) -> Iterator[Site]:
    if "type" in node:
        yield Site("type", at, node)
    if "enum" in node or "const" in node:
        yield Site("enum", at, node)
    if isinstance(value, dict):
        if node.get("additionalProperties") is False:
            yield Site("extra", at, node)
        for key in node.get("required", []):
            if key in value:
                yield Site("required", at, node, key)
    bounded = (
        _is_number(value) and any(k in node for k in _NUMERIC)
        or isinstance(value, str) and ("minLength" in node or "maxLength" in node)
        or isinstance(value, list) and ("minItems" in node or "maxItems" in node)
    )  # fmt: skip
    if bounded:
        yield Site("bound", at, node)


# --- how it is broken -----------------------------------------------------------------------------


def _past(node: Mapping[str, Any], keyword: str, data: st.DataObject) -> Any:
    """A value on the wrong side of `keyword`: the nearest one past it, or well past it."""
    limit = node[keyword]
    if keyword in ("minLength", "maxLength"):
        return "a" * (limit + 1 if keyword == "maxLength" else max(limit - 1, 0))
    if keyword in ("minItems", "maxItems"):
        return [None] * (limit + 1 if keyword == "maxItems" else max(limit - 1, 0))
    up = keyword in ("maximum", "exclusiveMaximum")
    sign = 1 if up else -1
    types = node.get("type", "number")
    if "integer" in types and "number" not in types:
        nearest = {"maximum": math.floor(limit) + 1, "exclusiveMaximum": math.ceil(limit),
                   "minimum": math.ceil(limit) - 1, "exclusiveMinimum": math.floor(limit)}[keyword]  # fmt: skip
        # an integer-valued float is an integer to JSON Schema, so it must be refused the same way
        options: list[Any] = [nearest, nearest + sign * 1000, float(nearest)]
    else:
        nearest = limit if keyword.startswith("exclusive") else math.nextafter(limit, sign * math.inf)
        options = [nearest, limit + sign, limit + sign * 1000]
    return data.draw(st.sampled_from(options), label=f"past {keyword}")


def _set(payload: Any, at: tuple[str | int, ...], value: Any) -> Any:
    if not at:
        return value
    parent = payload
    for part in at[:-1]:
        parent = parent[part]
    parent[at[-1]] = value
    return payload


def mutate(payload: Any, site: Site, data: st.DataObject) -> Any:
    out = copy.deepcopy(payload)
    node = site.node
    if site.kind == "required":
        target = out
        for part in site.at:
            target = target[part]
        del target[site.key]
        return out
    if site.kind == "extra":
        # odd keys too: jsonschema-rs garbled "" and "0" in error paths (tests/regressions/)
        names = [k for k in ("unexpected", "x-extra", "a b", "", "0", "01", "_") if k not in node.get("properties", {})]
        key = data.draw(st.sampled_from(names), label="extra key")
        target = out
        for part in site.at:
            target = target[part]
        target[key] = data.draw(st.sampled_from([1, "x", None]), label="extra value")
        return out
    if site.kind == "type":
        allowed = node["type"] if isinstance(node["type"], list) else [node["type"]]
        wrong = [v for t, vs in _TYPE_SAMPLES.items() if t not in allowed and not (t == "integer" and "number" in allowed)
                 for v in vs]  # fmt: skip
        if "integer" in allowed:
            wrong.append(7.0)  # an integer-valued float is an integer to JSON Schema: both must accept it
        return _set(out, site.at, data.draw(st.sampled_from(wrong or [None]), label="wrong type"))
    if site.kind == "enum":
        options = node["enum"] if "enum" in node else [node["const"]]
        outside = [v for v in ("__not_an_option__", 123456789, None, "") if v not in options]
        strings = [f"{v}x" for v in options if isinstance(v, str)]
        return _set(out, site.at, data.draw(st.sampled_from(outside + strings), label="outside enum"))
    keywords = [k for k in (*_NUMERIC, "minLength", "maxLength", "minItems", "maxItems") if k in node]
    keyword = data.draw(st.sampled_from(keywords), label="bound")
    return _set(out, site.at, _past(node, keyword, data))


# --- the comparison -------------------------------------------------------------------------------


def _all_paths(errors: list[ValidationError]) -> set[str]:
    paths: set[str] = set()
    for e in errors:
        paths.add(json_path(list(e.absolute_path)))
        paths |= _all_paths(list(e.context or []))
    return paths


def check(validator: ModelValidator, reference: Draft202012Validator, payload: Any, case: str) -> None:
    CHECKED[case] += 1
    ours = validator.errors(payload)
    theirs = list(reference.iter_errors(payload))
    shown = json.dumps(payload)[:2000]
    assert (ours == []) == (theirs == []), (
        f"verdicts differ on {shown}: ours {[str(e) for e in ours] or 'valid'}, "
        f"python-jsonschema {[e.message for e in theirs] or 'valid'}"
    )
    VERDICTS["rejected" if ours else "accepted"] += 1
    if ours:
        known = _all_paths(theirs)
        assert {e.path for e in ours if e.rule != "locate"} <= known, f"paths python-jsonschema does not report: {[str(e) for e in ours]}"
        # The fast route of `errors` (each variant alone) must give what the general route gives.
        general = validator._errors_from_root(payload)
        if len(general) > MAX_ERRORS:  # both routes list the first MAX_ERRORS, then a note says there are more
            general = [*general[:MAX_ERRORS], ours[-1]]
        assert ours == general


def variant_cases() -> list[tuple[str, str, int | None]]:
    """(root, model, root variant index or None) for every input variant of every model."""
    out: list[tuple[str, str, int | None]] = []
    for root, models in (("schemas", list(SEED_MODELS)), ("catalog", distinct_catalog_models("input"))):
        registry = _registry(root) if models else None
        for model in models:
            assert registry is not None
            count = len(variants(registry.schema(model)))
            out += [(root, model, i) for i in range(count)] if count else [(root, model, None)]
    return out


def _registry(root: str) -> Registry:
    return default_registry() if root == "schemas" else Registry(need_catalog())


def case_id(case: tuple[str, str, int | None]) -> str:
    root, model, index = case
    if index is None:
        return model
    return f"{model}:{variant_names(model, _registry(root).schema(model), 'input')[index]}"


CASES = variant_cases()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_verdicts_and_paths_agree_with_python_jsonschema(case: tuple[str, str, int | None]) -> None:
    root, model, index = case
    registry = _registry(root)
    validator = registry.validator(model)
    reference = Draft202012Validator(validator.schema)
    sites = Sites(validator.schema)
    name = case_id(case)
    payloads = from_schema(validator.schema)
    if index is not None:
        payloads = payloads.filter(lambda p: validator.variant_of(p) == validator.variants[index])

    @settings(max_examples=EXAMPLES if root == "schemas" else CATALOG_EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])  # fmt: skip
    @given(payloads, st.data())
    def agree(payload: Any, data: st.DataObject) -> None:
        check(validator, reference, payload, name)
        found = sites.find(payload)
        for kind in KINDS:
            of_kind = [s for s in found if s.kind == kind]
            if of_kind:
                site = data.draw(st.sampled_from(of_kind), label=kind)
                check(validator, reference, mutate(payload, site, data), name)

    try:
        agree()
    except AssertionError:
        DISAGREED.append(name)
        raise


def test_catalog_is_covered() -> None:
    """Every catalog model's input schema is among the cases: its own, or one it publishes the same."""
    need_catalog()
    covered = {m for root, m, _ in CASES if root == "catalog"}
    registry = Registry(CATALOG)
    schemas = {json.dumps(registry.schema(m), sort_keys=True) for m in covered}
    assert all(json.dumps(registry.schema(m), sort_keys=True) in schemas for m in catalog_models())


# --- regressions: disagreements found here, shrunk, kept as data ---------------------------------


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.json")), ids=lambda p: p.stem)
def test_regression(path: Path) -> None:
    case = load_json(path)
    root = SCHEMAS if case["root"] == "schemas" else need_catalog()
    validator = Registry(root).validator(case["model"], case.get("side", "input"))
    check(validator, Draft202012Validator(validator.schema), case["payload"], f"regression:{path.stem}")
    if "expect" in case:
        got = [{"path": e.path, "rule": e.rule} for e in validator.errors(case["payload"])]
        assert got == case["expect"]


@pytest.fixture(scope="module", autouse=True)
def _count(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the number of payloads checked at the end of the run; keep it in bench/ after a full run."""
    yield
    profile = os.environ.get("HYPOTHESIS_PROFILE", "default")
    total = sum(CHECKED.values())
    complete = {case_id(c) for c in CASES} <= set(CHECKED)
    record = {"profile": profile, "examples_per_variant": EXAMPLES, "variants": len(CASES), "payloads_checked": total,
              "both_accepted": VERDICTS["accepted"], "both_rejected": VERDICTS["rejected"], "disagreed": DISAGREED,
              "per_variant": dict(sorted(CHECKED.items()))}  # fmt: skip
    if complete:
        (ROOT / "bench" / f"fidelity-count-{profile}.json").write_text(json.dumps(record, indent=2) + "\n")

    class Summary:
        def pytest_terminal_summary(self, terminalreporter: Any) -> None:
            terminalreporter.write_line(
                f"fidelity: {total:,} payloads checked against python-jsonschema ({VERDICTS['accepted']:,} accepted "
                f"and {VERDICTS['rejected']:,} rejected by both; {len(CASES)} variants, {EXAMPLES} examples each, "
                f"profile {profile}); disagreements: {', '.join(DISAGREED) or 'none'}"
            )

    manager = request.config.pluginmanager
    if (earlier := manager.get_plugin("cfai-fidelity-summary")) is not None:  # the module's fixture ran again
        manager.unregister(earlier)  # on this worker (xdist's worksteal splits a module): the latest counts
    manager.register(Summary(), "cfai-fidelity-summary")
