"""Schema strings (titles, descriptions, enum values, defaults, consts, patterns, property names)
land in generated code only as data: generation succeeds, importing runs nothing from the schema
(each case tries to create a canary file), values round-trip through the typed models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from codegen.pipeline import generate
from codegen.verify import audit

from ..conftest import generated_types, load_generated
from .conftest import case, cases

CASES = cases("strings")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Every case as one model of one schema root, generated once; (output, canary folder)."""
    top = tmp_path_factory.mktemp("strings")
    # The canary paths are written into the schemas, so they are part of the generation cache's key:
    # a fixed folder (one per user and test worker) keeps that key, and the cache, from run to run.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    canaries = Path(tempfile.gettempdir()) / f"cfai-string-canaries-{os.getuid()}-{worker}"
    shutil.rmtree(canaries, ignore_errors=True)  # a canary of an earlier run would fail this one
    canaries.mkdir()
    for name in CASES:
        data = case("strings", name, canary=str(canaries / name))
        for side in ("input", "output"):
            folder = top / "schemas" / "attack" / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"schema-{side}.json").write_text(json.dumps(data[side]))
    generate(top / "schemas", top / "generated")
    return top / "generated", canaries


def _data(name: str, built: tuple[Path, Path]) -> Any:
    return case("strings", name, canary=str(built[1] / name))


@pytest.mark.parametrize("name", CASES)
def test_no_schema_text_runs(name: str, built: tuple[Path, Path]) -> None:
    out, canaries = built
    module = out / "cfai_models" / "types" / f"{generated_types(out)['attack/' + name]}.py"
    assert audit(module.read_text()) == []
    script = "import sys, importlib, pkgutil; sys.path.insert(0, sys.argv[1]); import cfai_models\n" \
             "[importlib.import_module(m.name) for m in pkgutil.walk_packages(cfai_models.__path__, 'cfai_models.')]"
    done = subprocess.run([sys.executable, "-I", "-c", script, str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not list(canaries.iterdir()), "schema text ran as code"


@pytest.mark.parametrize("name", CASES)
def test_no_invisible_line_breaks_in_code(name: str, built: tuple[Path, Path]) -> None:
    """Not in the model's types, its payload TypedDicts, its own module (bounds in docstrings), nor
    in the files every model shares."""
    out = built[0]
    types = generated_types(out)["attack/" + name]
    package = out / "cfai_models"
    files = [package / "types" / f"{types}.py", package / "payloads" / f"{types}.py", package / f"{types}.py",
             package / "catalog.py", package / "__init__.py", out / "openapi.json"]
    for path in files:
        if path.exists():
            found = set(path.read_text()) & {"\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x00"}
            assert not found, f"{path.relative_to(out)}: {sorted(found)}"


@pytest.mark.parametrize("name", [n for n in CASES if "accept" in case("strings", n) or "reject" in case("strings", n)])
def test_values_round_trip(name: str, built: tuple[Path, Path]) -> None:
    from pydantic import ValidationError

    data = _data(name, built)
    models = load_generated(built[0], "attack/" + name)
    for payload in data.get("accept", []):
        models.Input.model_validate(payload)
    for payload in data.get("reject", []):
        with pytest.raises(ValidationError):
            models.Input.model_validate(payload)
