"""Bad input: a broken schema stops generation with a located error and leaves the output untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cfai.cli import app
from cfai.errors import GenerationError, SchemaLoadError
from cfai.validate import Registry
from codegen.pipeline import generate

from .conftest import CATALOG, GENERATED, ROOT, SCHEMAS, load_json

BROKEN = ROOT / "tests" / "broken"
EXPECTED = load_json(BROKEN / "_expected.json")
CASES = sorted(p.stem for p in BROKEN.glob("*.json") if not p.stem.startswith("_"))


def tree_hash(top: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(top).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def broken_text(case: str) -> bytes:
    source = EXPECTED[case].get("from_catalog")
    if source and (CATALOG / source).is_file():  # the real thing, as Cloudflare publishes it
        return json.dumps(load_json(CATALOG / source)["schema"].get("input", {})).encode()
    return (BROKEN / f"{case}.json").read_bytes()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A schema root with the seed models, and an output directory holding the committed bindings."""
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    shutil.copytree(GENERATED, tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def add_broken(project: Path, case: str) -> str:
    model = f"broken/{case}"
    folder = project / "schemas" / model
    folder.mkdir(parents=True)
    (folder / "schema-input.json").write_bytes(broken_text(case))
    (folder / "schema-output.json").write_text('{"type": "object"}\n')
    return model


def test_every_case_has_an_expectation() -> None:
    assert CASES and set(CASES) == set(EXPECTED) - {"_about"}


@pytest.mark.parametrize("case", CASES)
def test_generation_stops_with_located_error_and_output_untouched(project: Path, case: str) -> None:
    model = add_broken(project, case)
    before = tree_hash(project / "generated")
    with pytest.raises(GenerationError) as caught:
        generate(project / "schemas", project / "generated")
    problems = [p for p in caught.value.problems if p.model == model]
    assert problems, caught.value
    assert {p.file for p in problems} == {f"{model}/schema-input.json"}
    expected = EXPECTED[case]
    assert expected["path"] in {p.path for p in problems}
    assert all(path in {p.path for p in problems} for path in expected.get("also", []))
    assert any(expected["message"] in p.message for p in problems)
    assert tree_hash(project / "generated") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".generated-")], "staging left behind"


@pytest.mark.parametrize("case", CASES)
def test_cli_reports_every_problem_and_exits_2(project: Path, case: str) -> None:
    model = add_broken(project, case)
    args = ["generate", "--schemas", str(project / "schemas"), "--out", str(project / "generated")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert model in result.output and "schema-input.json" in result.output
    validate = CliRunner().invoke(app, ["validate", "-m", model, "--schemas", str(project / "schemas"), "-"], input="{}")
    assert validate.exit_code == 2, validate.output


def test_all_problems_of_all_models_are_reported_at_once(project: Path) -> None:
    models = [add_broken(project, case) for case in CASES]
    with pytest.raises(GenerationError) as caught:
        generate(project / "schemas", project / "generated")
    assert {p.model for p in caught.value.problems} == set(models)


def test_runtime_registry_locates_a_broken_schema(project: Path) -> None:
    model = add_broken(project, "unknown-type")
    with pytest.raises(SchemaLoadError) as caught:
        Registry(project / "schemas").validator(model)
    assert "$.properties.temperature.type" in {p.path for p in caught.value.problems}
