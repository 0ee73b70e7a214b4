"""Generation never reports success on a broken artifact: a pattern the regex engine cannot compile,
a NaN or Infinity that would reach openapi.json are errors naming the model; a class name a schema
`title` (or key) would take from `Input`, `Output` or a variant is given back to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from cfai.errors import GenerationError
from codegen.pipeline import generate

from ..conftest import load_generated
from .conftest import case, cases

ERRORS = [n for n in cases("artifacts") if "error" in case("artifacts", n)["expect"]]
HANDLED = [n for n in cases("artifacts") if "classes" in case("artifacts", n)["expect"]]


def write(root: Path, model: str, data: dict[str, Any]) -> None:
    folder = root / model
    folder.mkdir(parents=True)
    (folder / "schema-input.json").write_text(data.get("input_text") or json.dumps(data["input"]))
    (folder / "schema-output.json").write_text(data.get("output_text") or json.dumps(data["output"]))


@pytest.mark.parametrize("name", ERRORS)
def test_broken_artifact_is_an_error(name: str, tmp_path: Path) -> None:
    data = case("artifacts", name)
    write(tmp_path / "schemas", f"attack/{name}", data)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "old.txt").write_text("old")
    with pytest.raises(GenerationError) as caught:
        generate(tmp_path / "schemas", tmp_path / "generated")
    assert any(data["expect"]["error"] in p.message and p.model == f"attack/{name}" for p in caught.value.problems), \
        caught.value
    assert [p.name for p in (tmp_path / "generated").iterdir()] == ["old.txt"]


@pytest.fixture(scope="module")
def handled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("artifacts")
    for name in HANDLED:
        write(top / "schemas", f"attack/{name}", case("artifacts", name))
    generate(top / "schemas", top / "generated")
    return top / "generated"


@pytest.mark.parametrize("name", HANDLED)
def test_public_classes_keep_their_names(name: str, handled: Path) -> None:
    module = load_generated(handled, f"attack/{name}")
    for cls, fields in case("artifacts", name)["expect"]["classes"].items():
        model = getattr(module, cls)
        inner = model.model_fields.get("root")
        names = set(model.model_fields)
        if inner is not None and hasattr(inner.annotation, "model_fields"):  # Input as a root over one class
            names = set(inner.annotation.model_fields)
        assert set(fields) <= names, f"{cls} has {sorted(names)}"


@pytest.mark.parametrize("name", [n for n in HANDLED if {"accepts", "refuses", "output_accepts", "output_refuses"}
                                  & case("artifacts", n)["expect"].keys()])  # fmt: skip
def test_generated_models_admit_what_the_schema_admits(name: str, handled: Path) -> None:
    """A `const` or `enum` of objects and arrays is enforced by the generated model, not just typed `dict`."""
    module = load_generated(handled, f"attack/{name}")
    expect = case("artifacts", name)["expect"]
    for side in ("Input", "Output"):
        adapter = TypeAdapter(getattr(module, side))
        prefix = "" if side == "Input" else "output_"
        for value in expect.get(prefix + "accepts", []):
            adapter.validate_python(value)
        for value in expect.get(prefix + "refuses", []):
            with pytest.raises(ValidationError):
                adapter.validate_python(value)
                pytest.fail(f"{side} admitted {value!r}")


def test_one_broken_module_leaves_the_others_generated(tmp_path: Path) -> None:
    """A model whose module does not import is left out and reported; the rest is generated."""
    name = next(n for n in ERRORS if "does not import" in case("artifacts", n)["expect"]["error"])
    write(tmp_path / "schemas", f"attack/{name}", case("artifacts", name))
    write(tmp_path / "schemas", "attack/fine", {"input": {"type": "object", "properties": {"a": {"type": "string"}}},
                                                 "output": {"type": "object"}})
    report = generate(tmp_path / "schemas", tmp_path / "generated")
    assert report.generated == ("attack/fine",) and set(report.skipped) == {f"attack/{name}"}
    assert not (tmp_path / "generated" / "cfai_models" / f"attack_{name.replace('-', '_')}.py").exists()


def test_a_shared_file_broken_by_one_model_is_that_models_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`catalog.py` has a part of every model: when one model's part breaks it, that model is left
    out and named (found by halving), and the others are generated, never the whole run stopped
    with a problem of `-`. The break is injected: the generator's own checks leave no schema a way
    to reach a shared file today, and this is the net behind them."""
    from codegen import references

    real = references.catalog_module

    def catalog_module(described: Any) -> str:
        broken = any(m.name == "attack/bad" for m in described)
        return real(described) + ("\nraise ImportError('a part of attack/bad')\n" if broken else "")

    monkeypatch.setattr(references, "catalog_module", catalog_module)
    for name in ("attack/one", "attack/bad", "attack/two", "attack/three"):
        write(tmp_path / "schemas", name, {"input": {"type": "object", "properties": {name[7:]: {"type": "string"}}},
                                            "output": {"type": "object"}})
    report = generate(tmp_path / "schemas", tmp_path / "generated")
    assert report.generated == ("attack/one", "attack/three", "attack/two"), report
    assert set(report.skipped) == {"attack/bad"}
    assert any("catalog.py" in p.file and "a part of attack/bad" in p.message for p in report.skipped["attack/bad"])
    assert "attack/bad" not in (tmp_path / "generated" / "cfai_models" / "catalog.py").read_text()


def test_a_shared_file_broken_only_by_models_together_stops_the_run(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Two models whose parts break `catalog.py` only together, in different halves: no half breaks
    it, so the run stops with the file's problem, rather than every model being left out and named.
    (Two models in the same half are found and named, like one.)"""
    from codegen import references

    real = references.catalog_module

    def catalog_module(described: Any) -> str:
        names = {m.name for m in described}
        return real(described) + ("\nraise ImportError('together')\n" if {"attack/one", "attack/two"} <= names else "")

    monkeypatch.setattr(references, "catalog_module", catalog_module)
    for name in ("attack/one", "attack/two", "attack/three", "attack/four"):
        write(tmp_path / "schemas", name, {"input": {"type": "object", "properties": {name[7:]: {"type": "string"}}},
                                            "output": {"type": "object"}})
    with pytest.raises(GenerationError) as caught:
        generate(tmp_path / "schemas", tmp_path / "generated")
    assert any(p.model == "-" and "together" in p.message for p in caught.value.problems), caught.value
    assert not (tmp_path / "generated").exists()
