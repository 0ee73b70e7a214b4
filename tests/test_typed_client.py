"""The generated per-model signatures (generated/cfai_models/_client.py): one overload per shipped
model, no catch-all, bounds in the docstrings an editor shows, and the classes users hold."""

from __future__ import annotations

import ast

import cfai_models

import cfai
from cfai.client import AsyncClientCore, ClientCore
from cfai.validate import default_registry

from .conftest import GENERATED

TREE = ast.parse((GENERATED / "cfai_models" / "_client.py").read_text())


def overloads(cls: str, method: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    [node] = [n for n in TREE.body if isinstance(n, ast.ClassDef) and n.name == cls]
    return [f for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == method
            and any(isinstance(d, ast.Name) and d.id == "overload" for d in f.decorator_list)]  # fmt: skip


def literal_model(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    arguments = [*function.args.args, *function.args.kwonlyargs]
    [model] = [a for a in arguments if a.arg == "model"]
    annotation = ast.unparse(model.annotation) if model.annotation else ""
    assert annotation.startswith("Literal["), f"{function.name}: model must be a literal, not {annotation}"
    return str(ast.literal_eval(annotation.removeprefix("Literal[").removesuffix("]")))


def test_every_shipped_model_has_its_run_signature_and_there_is_no_catch_all() -> None:
    for cls in ("Client", "AsyncClient"):
        models = {literal_model(f) for f in overloads(cls, "run")}
        assert models == set(cfai_models.MODELS), cls


def test_the_bounds_of_each_model_show_in_its_docstring() -> None:
    registry = default_registry()
    for function in overloads("Client", "chat_completions"):
        model = literal_model(function)
        doc = ast.get_docstring(function) or ""
        schema = registry.schema(model)
        [branch] = [b for b in schema.get("oneOf", [schema]) if b.get("title") == "Chat Completions"]
        for key, sub in branch["properties"].items():
            if "maximum" in sub:  # the number itself, read from the schema
                assert f"{key}: " in doc and f"≤ {sub['maximum']}" in doc, (model, key, doc)


def test_users_hold_the_typed_classes_over_the_cores() -> None:
    assert issubclass(cfai.Client, ClientCore) and issubclass(cfai.AsyncClient, AsyncClientCore)
    assert cfai.Client.__module__ == "cfai_models._client"
    from cfai.client import Client

    assert Client is cfai.Client
