"""Validation before sending: located errors, best-matching variant, the CLI's output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cfai.cli import app
from cfai.errors import InvalidPayload, UnknownModel
from cfai.validate import Registry, default_registry, validate

from .conftest import ROOT, load_json

INVALID = sorted((ROOT / "tests" / "payloads" / "invalid").glob("*.json"))
ISSUE_PAYLOAD = {"model": "openai/gpt-5.5", "messages": [{"role": "user", "content": "hi"}], "temperature": 2.5}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_payload_errors_are_located(path: Path) -> None:
    case = load_json(path)
    errors = validate(case["model"], case["payload"])
    got = [{"path": e.path, "rule": e.rule, "limit": e.limit, "variant": e.variant} for e in errors]
    assert got == case["expect"]
    for error in errors:
        assert error.model == case["model"]
        assert error.schema_file == f"{case['model']}/schema-input.json"
        if error.rule != "required":
            assert error.value == case["payload"][error.path.removeprefix("$.")]


def test_check_raises_with_every_error() -> None:
    validator = default_registry().validator("openai/gpt-5.1-chat")
    with pytest.raises(InvalidPayload) as caught:
        validator.check({"messages": [], "temperature": 9, "top_p": 9})
    assert [e.path for e in caught.value.errors] == ["$.temperature", "$.top_p"]
    assert "$.temperature" in str(caught.value) and "maximum" in str(caught.value)


def test_variant_of_names_the_matching_variant() -> None:
    validator = default_registry().validator("openai/gpt-5.5")
    assert validator.variant_of({"input": "hi"}) == "ResponsesInput"
    assert validator.variant_of({"messages": []}) == "ChatCompletionsInput"
    assert validator.variant_of({"messages": [], "temperature": 3}) is None


def test_unknown_model_lists_known_ones() -> None:
    with pytest.raises(UnknownModel, match="openai/gpt-5.5"):
        validate("openai/gpt-9", {})


def test_cli_rejects_the_issue_payload_and_accepts_the_bound(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    good = tmp_path / "good.json"
    bad.write_text(json.dumps(ISSUE_PAYLOAD))
    good.write_text(json.dumps({**ISSUE_PAYLOAD, "temperature": 2}))
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "--model", "openai/gpt-5.5", str(bad), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    [error] = report["results"][0]["errors"]
    assert (error["path"], error["rule"], error["limit"], error["value"]) == ("$.temperature", "maximum", 2, 2.5)
    assert runner.invoke(app, ["validate", "--model", "openai/gpt-5.5", str(good)]).exit_code == 0
    both = runner.invoke(app, ["validate", "--model", "openai/gpt-5.5", str(good), str(bad)])
    assert both.exit_code == 1
    assert "$.temperature" in both.output and "maximum" in both.output and "ChatCompletionsInput" in both.output


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["validate", "--model", "openai/nope", "-"], "{}"),  # unknown model
        (["validate", "--model", "openai/gpt-5.5", "-"], "{not json"),  # payload is not JSON
        (["validate", "--model", "openai/gpt-5.5", "/no/such/file.json"], ""),  # unreadable
        (["validate", "--model", "openai/gpt-5.5", "--side", "sideways", "-"], "{}"),  # bad option
        (["validate", "-"], "{}"),  # missing --model
    ],
    ids=["unknown-model", "not-json", "unreadable", "bad-side", "no-model"],
)
def test_cli_usage_errors_exit_2(args: list[str], stdin: str) -> None:
    assert CliRunner().invoke(app, args, input=stdin).exit_code == 2


def test_cli_validates_responses_with_side_output(tmp_path: Path) -> None:
    case = load_json(ROOT / "tests" / "recordings" / "openai" / "gpt-5.5" / "basic.json")
    path = tmp_path / "response.json"
    path.write_text(json.dumps(case["response"]))
    assert CliRunner().invoke(app, ["validate", "-m", "openai/gpt-5.5", "--side", "output", str(path)]).exit_code == 0


def test_console_script_runs_installed(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(ISSUE_PAYLOAD))
    cfai = Path(sys.executable).parent / "cfai"
    done = subprocess.run([str(cfai), "validate", "-m", "openai/gpt-5.5", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "$.temperature" in done.stdout


def test_registry_compiles_once_per_model_and_side() -> None:
    registry = Registry()
    assert registry.validator("openai/gpt-5.5") is registry.validator("openai/gpt-5.5")
    assert registry.validator("openai/gpt-5.5", "output") is not registry.validator("openai/gpt-5.5")


def test_runtime_imports_no_generator_toolchain() -> None:
    """What users import at run time must not drag in the generator or the test toolchain."""
    code = (
        "import sys, cfai, cfai.validate, cfai.errors, cfai.stream, cfai.envelope, cfai.client, cfai.models;"
        "cfai.models.load('openai/gpt-5.5'); cfai.validate('openai/gpt-5.5', {'input': 'x', 'temperature': 9});"
        "bad = [m for m in sys.modules if m.split('.')[0] in"
        " {'codegen', 'datamodel_code_generator', 'openapi_python_client', 'hypothesis', 'black', 'isort', 'mypy', 'jsonschema'}];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("count", [3, 150, 30_000])
def test_a_payload_wrong_everywhere_gets_its_first_errors_and_a_note(count: int) -> None:
    """Every message's content of the wrong type: each error located up to `MAX_ERRORS`, then one
    `locate` note; a payload past `SMALL_PAYLOAD` values is walked first, and cut short the same way."""
    from cfai.validate import LOCATE_BUDGET, MAX_ERRORS

    payload = {"messages": [{"role": "user", "content": 5}] * count}
    errors = validate("@cf/meta/llama-3.1-8b-instruct", payload)
    located = [e for e in errors if e.rule == "type"]
    assert all(e.path.startswith("$.messages[") for e in located), errors[:3]
    if count < MAX_ERRORS:
        assert len(located) == count and len(errors) == count
        return
    [note] = [e for e in errors if e.rule == "locate"]
    assert note.path == "$" and (f"more than {MAX_ERRORS}" in note.message or f"{LOCATE_BUDGET:,}" in note.message)
    assert 1 <= len(located) <= MAX_ERRORS
