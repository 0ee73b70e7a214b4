"""Bad input: one broken model never blocks the others.

Each case under tests/broken/ is one schema file and what must happen to its model (`_expected.json`):
skipped with a located problem, repaired with a note, or generated input-only with a note; every
other model is generated either way, and `--strict` turns any of them into a failure that leaves the
output untouched.
"""

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

from .conftest import CATALOG, ROOT, SCHEMAS, load_json

BROKEN = ROOT / "tests" / "broken"
EXPECTED = load_json(BROKEN / "_expected.json")
CASES = sorted(p.stem for p in BROKEN.glob("*.json") if not p.stem.startswith("_"))
SEEDS = ("openai/gpt-5.5", "openai/gpt-5.1-chat")


def tree_hash(top: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(top).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def broken_text(case: str) -> bytes:
    source = EXPECTED[case].get("from_catalog")
    if source and (CATALOG / source).is_file():  # the real thing, as Cloudflare publishes it
        if source.startswith("raw/"):
            return json.dumps(load_json(CATALOG / source)["schema"].get("input", {})).encode()
        return (CATALOG / source).read_bytes()
    return (BROKEN / f"{case}.json").read_bytes()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A schema root with the seed models, and an output directory holding something already."""
    for seed in SEEDS:
        shutil.copytree(SCHEMAS / seed, tmp_path / "schemas" / seed)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "previous.txt").write_text("the bindings of an earlier run\n")
    return tmp_path


def add_broken(project: Path, case: str) -> str:
    model = f"broken/{case}"
    folder = project / "schemas" / model
    folder.mkdir(parents=True)
    side = EXPECTED[case].get("side", "input")
    other = "output" if side == "input" else "input"
    (folder / f"schema-{side}.json").write_bytes(broken_text(case))
    (folder / f"schema-{other}.json").write_text('{"type": "object", "properties": {"text": {"type": "string"}}}\n')
    return model


def test_every_case_has_an_expectation() -> None:
    assert CASES and set(CASES) == set(EXPECTED) - {"_about"}


@pytest.mark.parametrize("case", CASES)
def test_the_model_is_handled_by_kind_and_the_others_generated(project: Path, case: str) -> None:
    model = add_broken(project, case)
    expected = EXPECTED[case]
    file = f"{model}/schema-{expected.get('side', 'input')}.json"
    report = generate(project / "schemas", project / "generated")
    assert set(SEEDS) <= set(report.generated), "one broken model must not block the others"
    if expected["outcome"] == "skipped":
        found = report.skipped[model]
        assert model not in report.generated
        assert not (project / "generated" / "cfai_models" / "broken_" / case).exists()
    else:
        found = tuple(n for n in report.notes if n.model == model)
        assert model in report.generated
        assert (expected["outcome"] == "input-only") == any("input only" in n.message for n in found)
    assert found and {p.file for p in found} == {file}
    assert expected["path"] in {p.path for p in found}
    assert all(path in {p.path for p in found} for path in expected.get("also", []))
    assert any(expected["message"] in p.message for p in found)
    assert len(set(found)) == len(found), "each problem is reported once"


@pytest.mark.parametrize("case", CASES)
def test_strict_fails_on_any_case_and_leaves_the_output_untouched(project: Path, case: str) -> None:
    model = add_broken(project, case)
    before = tree_hash(project / "generated")
    with pytest.raises(GenerationError) as caught:
        generate(project / "schemas", project / "generated", strict=True)
    assert {p.model for p in caught.value.problems} == {model}
    assert tree_hash(project / "generated") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".generated-")], "staging left behind"


@pytest.mark.parametrize("case", CASES)
def test_cli_exit_codes_say_what_happened(project: Path, case: str) -> None:
    model = add_broken(project, case)
    args = ["generate", "--schemas", str(project / "schemas"), "--out", str(project / "generated")]
    result = CliRunner().invoke(app, args)
    skipped = EXPECTED[case]["outcome"] == "skipped"
    assert result.exit_code == (1 if skipped else 0), result.output
    assert model in result.output and EXPECTED[case]["message"] in result.output
    lines = [line for line in result.output.splitlines() if model in line]
    assert len(lines) == len(set(lines)), "each problem is reported once"
    strict = CliRunner().invoke(app, [*args, "--strict"])
    assert strict.exit_code == 1, strict.output
    side = EXPECTED[case].get("side", "input")
    validate = CliRunner().invoke(
        app, ["validate", "-m", model, "--side", side, "--schemas", str(project / "schemas"), "-"], input="{}"
    )
    assert (validate.exit_code == 2) == skipped, validate.output  # a usable model validates: 0 or 1


def test_all_problems_of_all_models_are_reported_at_once(project: Path) -> None:
    models = {add_broken(project, case) for case in CASES}
    report = generate(project / "schemas", project / "generated")
    flagged = set(report.skipped) | {n.model for n in report.notes}
    assert flagged == models and set(SEEDS) <= set(report.generated)


def test_runtime_registry_locates_a_broken_schema(project: Path) -> None:
    model = add_broken(project, "unknown-type")
    with pytest.raises(SchemaLoadError) as caught:
        Registry(project / "schemas").validator(model)
    assert "$.properties.temperature.type" in {p.path for p in caught.value.problems}


def test_runtime_reads_a_repaired_slip_as_generation_does(project: Path) -> None:
    model = add_broken(project, "required-inside-properties")
    validator = Registry(project / "schemas").validator(model)
    assert {e.rule for e in validator.errors({"audio": "x"})} == {"required"}  # encoding, sample_rate
    assert validator.errors({"audio": "x", "encoding": "linear16", "sample_rate": "16000"}) == []


def _corpus() -> list[Path]:
    """Every schema file the project holds: the vendored catalog, the broken and attack cases."""
    here = Path(__file__).parent
    return sorted([*SCHEMAS.rglob("schema-*.json"), *(here / "broken").glob("*.json"),
                   *(here / "attacks" / "schemas").glob("*.json")])  # fmt: skip


def test_the_fast_meta_verdict_is_the_reference_verdict() -> None:
    """`meta_problems` trusts jsonschema-rs's "valid" and asks python-jsonschema only otherwise: on
    every schema we hold (and, for the hand-made cases, each subschema as a schema of its own), both
    say the same."""
    from cfai import guards
    from cfai.schemas import _meta_validator, meta_problems

    reference = _meta_validator()
    seen = 0
    for path in _corpus():
        try:
            document = json.loads(path.read_text())
        except ValueError:
            continue
        for candidate in (document, document.get("schema"), document.get("input"), document.get("output")) \
                if isinstance(document, dict) else ():  # fmt: skip
            if not isinstance(candidate, dict) or guards.too_deep(candidate):
                continue
            nodes = [candidate] if path.is_relative_to(SCHEMAS) else [n for _, n in guards.subschemas(candidate)]
            for node in nodes[:400]:
                if isinstance(node, dict):
                    seen += 1
                    probe = {k: v for k, v in node.items() if k != "$schema"}
                    assert (meta_problems(node) == []) == reference.is_valid(probe), (path, node)
    assert seen > 300
