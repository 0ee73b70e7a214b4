"""The payloads and the implementations `bench/bench.py` times, side by side.

Every implementation validates the same payload object against the same schema, each built once, as
its users would hold it: our validator (through `cfai.validate` and held), python-jsonschema,
jsonschema-rs, fastjsonschema and the generated pydantic model. Built lazily, so that a pyperf worker
process only imports and compiles what its one benchmark needs.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

if TYPE_CHECKING:
    from cfai.validate import Registry

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
CATALOG = ROOT.parent / "shared" / "catalog"
SEED = "openai/gpt-5.5"
LLAMA = "@cf/meta/llama-3.1-8b-instruct"
HEAVIEST = "@cf/meta/llama-3.3-70b-instruct-fp8-fast"  # the largest catalog input schema


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    model: str
    root: Path  # the schema root the model lives under
    valid: bool

    @property
    def payload(self) -> Any:
        return PAYLOADS[self.name]()


def _seed_chat() -> dict[str, Any]:
    recording = ROOT / "tests" / "recordings" / "openai" / "gpt-5.5" / "multi-turn-conversation.json"
    request: dict[str, Any] = json.loads(recording.read_text(encoding="utf-8"))["request"]
    return request


def _seed_chat_three_violations() -> dict[str, Any]:
    # temperature ≤ 2, top_p ≤ 1, max_completion_tokens > 0
    return {**_seed_chat(), "temperature": 7, "top_p": 3, "max_completion_tokens": 0}


def _responses() -> dict[str, Any]:
    """The same conversation in the Responses format."""
    turns = [{"role": m["role"], "content": m["content"]} for m in _seed_chat()["messages"]]
    return {
        "model": SEED,
        "input": turns,
        "instructions": "You are a concise travel planner.",
        "temperature": 1,
        "top_p": 0.9,
        "max_output_tokens": 8192,
        "reasoning": {"effort": "medium"},
        "text": {"format": {"type": "text"}},
    }


def _long_conversation() -> dict[str, Any]:
    """200 messages: the seed conversation's turns repeated, user and assistant alternating."""
    turns = _seed_chat()["messages"]
    messages = [{"role": ("user", "assistant")[i % 2], "content": turns[i % len(turns)]["content"]} for i in range(200)]
    return {"model": SEED, "messages": messages, "max_completion_tokens": 8192}


def _catalog_tools() -> dict[str, Any]:
    def tool(name: str, description: str, parameter: str) -> dict[str, Any]:
        properties = {parameter: {"type": "string", "description": f"The {parameter}."}}
        parameters = {"type": "object", "properties": properties, "required": [parameter]}
        return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}

    messages = [{"role": "system", "content": "You plan road trips. Use the tools for live data."}]
    messages += [{"role": m["role"], "content": m["content"]} for m in _seed_chat()["messages"]]
    tools = [
        tool("get_weather", "Current weather at a place.", "location"),
        tool("get_route", "Driving route between two places.", "destination"),
        tool("find_stops", "Points of interest along a route.", "route"),
    ]
    return {"messages": messages, "tools": tools, "temperature": 0.6, "top_p": 0.9, "max_tokens": 512}


def _catalog_tools_invalid() -> dict[str, Any]:
    # The field notes' violations: temperature ≤ 5, top_p ≤ 2 here, and max_tokens is an integer.
    return {**_catalog_tools(), "temperature": 7, "top_p": 3, "max_tokens": "x"}


PAYLOADS: dict[str, Callable[[], Any]] = {
    "seed-chat": _seed_chat,
    "seed-chat-3-violations": _seed_chat_three_violations,
    "seed-responses": _responses,
    "seed-chat-200-messages": _long_conversation,
    "llama-3.1-8b-tools": _catalog_tools,
    "llama-3.1-8b-tools-3-violations": _catalog_tools_invalid,
}

CASES = [
    Case("seed-chat", "gpt-5.5 multi-turn chat (recording)", SEED, SCHEMAS, True),
    Case("seed-chat-3-violations", "gpt-5.5 chat, 3 bound violations", SEED, SCHEMAS, False),
    Case("seed-responses", "gpt-5.5 Responses payload", SEED, SCHEMAS, True),
    Case("seed-chat-200-messages", "gpt-5.5 chat, 200 messages", SEED, SCHEMAS, True),
    Case("llama-3.1-8b-tools", "llama-3.1-8b messages + tools (catalog)", LLAMA, CATALOG, True),
    Case("llama-3.1-8b-tools-3-violations", "llama-3.1-8b tools, field notes' 3 violations", LLAMA, CATALOG, False),
]
BY_NAME = {case.name: case for case in CASES}

# name → (label, how it is called)
IMPLEMENTATIONS = {
    "ours-validate": ("ours: cfai.validate(model, p)", "the documented entry point; registry lookup per call"),
    "ours-held": ("ours: held Registry().validator(m).errors(p)", "the validator object kept by the caller"),
    "jsonschema-rs": ("jsonschema-rs 0.60", "validator_for once; is_valid (valid) / list(iter_errors) (invalid)"),
    "python-jsonschema": ("python-jsonschema 4.26", "Draft202012Validator once; list(iter_errors)"),
    "fastjsonschema": ("fastjsonschema 2.22", "compile once (draft-07 semantics); raises on the first error"),
    "pydantic": ("generated pydantic model", "TypeAdapter(cfai_models.load(model).Input).validate_python; raises all errors"),
}
REFERENCE = "ours-validate"  # ratios are to this one


@functools.cache
def schema(case: Case) -> Any:
    return registry(case.root).schema(case.model)


@functools.cache
def registry(root: Path) -> Registry:
    from cfai.validate import Registry, default_registry

    return default_registry() if root == SCHEMAS else Registry(root)


def generated_types(out: Path) -> dict[str, str]:
    """`cfai_models.TYPES` of a generated tree (model → its types module), read without importing it."""
    import ast

    for node in ast.parse((out / "cfai_models" / "__init__.py").read_text()).body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "TYPES" and node.value is not None:
            return dict(ast.literal_eval(node.value))
    return {}


def load_module(models_dir: Path, model: str) -> ModuleType:
    """A model's generated types module from any output directory (as tests/conftest.py
    `load_generated` does: its `cfai_models.TYPES` read without importing the package)."""
    types = generated_types(models_dir)[model]
    name = f"_bench_{types}"
    spec = importlib.util.spec_from_file_location(name, models_dir / "cfai_models" / "types" / f"{types}.py")
    assert spec and spec.loader, f"no generated module for {model} in {models_dir}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def pydantic_input(case: Case, catalog_models: Path | None) -> Any:
    """The generated `Input` model: the committed one for a seed, else one generated for the bench."""
    if case.root == SCHEMAS:
        import cfai_models

        return cfai_models.load(case.model).Input
    if catalog_models is None:
        return None
    return load_module(catalog_models, case.model).Input


def build(case: Case, impl: str, catalog_models: Path | None) -> Callable[[Any], Any] | None:
    """The one-argument call to time for `impl` on `case`; None where it cannot run (noted)."""
    if impl == "ours-held":
        return registry(case.root).validator(case.model).errors
    if impl == "jsonschema-rs":
        import jsonschema_rs

        rs = jsonschema_rs.validator_for(schema(case))
        return rs.is_valid if case.valid else (lambda p: list(rs.iter_errors(p)))
    if impl == "python-jsonschema":
        from jsonschema import Draft202012Validator

        py = Draft202012Validator(schema(case))
        return lambda p: list(py.iter_errors(p))
    if impl == "fastjsonschema":
        import fastjsonschema

        return fastjsonschema.compile(copy.deepcopy(schema(case)))
    if impl == "pydantic":
        model = pydantic_input(case, catalog_models)
        return None if model is None else TypeAdapter(model).validate_python
    raise ValueError(impl)


def first_errors(case: Case, catalog_models: Path | None) -> dict[str, dict[str, Any]]:
    """Where each implementation puts the first error of an invalid payload, and how many it reports."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    payload = case.payload
    out: dict[str, dict[str, Any]] = {}
    ours = registry(case.root).validator(case.model).errors(payload)
    out["ours"] = {"count": len(ours), "path": ours[0].path, "message": ours[0].message, "variant": ours[0].variant}
    import jsonschema_rs

    rs = list(jsonschema_rs.validator_for(schema(case)).iter_errors(payload))
    out["jsonschema-rs"] = {"count": len(rs), "path": _path(rs[0].instance_path), "message": rs[0].message}
    py = Draft202012Validator(schema(case))
    best = best_match(py.iter_errors(payload))
    assert best is not None
    count = sum(1 for _ in py.iter_errors(payload))
    out["python-jsonschema"] = {"count": count, "path": best.json_path, "message": best.message, "via": "best_match"}
    import fastjsonschema

    try:
        fastjsonschema.compile(copy.deepcopy(schema(case)))(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        out["fastjsonschema"] = {"count": 1, "path": _path(exc.path[1:]), "message": exc.message}
    model = pydantic_input(case, catalog_models)
    if model is not None:
        from pydantic import ValidationError

        try:
            TypeAdapter(model).validate_python(payload)
        except ValidationError as exc:
            errors = exc.errors()
            # loc, not a JSON path: a union's errors start with the variant's class name
            loc = ".".join(map(str, errors[0]["loc"]))
            out["pydantic"] = {"count": len(errors), "path": f"loc {loc}", "message": errors[0]["msg"]}
    return out


def _path(parts: Any) -> str:
    from cfai.errors import json_path

    return json_path(list(parts))
