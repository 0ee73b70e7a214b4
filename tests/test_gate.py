"""`cfai gate` against the local catalog server (tests/catalog_server.py) on 127.0.0.1: exit codes, the
JUnit report parsed back and matched with the diff rows, the working tree untouched, and the GitHub
Actions workflow in examples/ run as written."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from cfai.cli import app

from .catalog_server import CatalogServer, Fault
from .conftest import GENERATED, ROOT, SCHEMAS, SEED_MODELS

WORKFLOW = ROOT / "examples" / "github-actions" / "cfai-gate.yml"
NO_ENV = {"CLOUDFLARE_ACCOUNT_ID": None, "CLOUDFLARE_API_TOKEN": None, "CLOUDFLARE_BASE_URL": None}


def lower_temperature(schema: dict[str, Any]) -> None:
    for branch in schema["oneOf"]:
        branch["properties"]["temperature"]["maximum"] = 1.5


@pytest.fixture
def server() -> Iterator[CatalogServer]:
    with CatalogServer(SCHEMAS) as running:
        yield running


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository tracking the seed models (schemas/ with its models.toml, and generated/), as
    the working directory; the seed models only, whatever else this project's schemas/ holds."""
    for model in SEED_MODELS:
        shutil.copytree(SCHEMAS / model, tmp_path / "schemas" / model)
    tracked = "".join(f'[[model]]\nname = "{m}"\nsource = "docs"\n\n' for m in ("openai/gpt-5.5", "openai/gpt-5.1-chat"))
    (tmp_path / "schemas" / "models.toml").write_text(tracked)
    shutil.copytree(GENERATED, tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def gate(server: CatalogServer, *args: str) -> Result:
    return CliRunner().invoke(app, ["gate", "--base-url", server.url, "--retries", "0", *args], env=NO_ENV)


def junit(path: Path) -> dict[str, list[ET.Element]]:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    return {case.get("name", ""): list(case) for case in suite.iter("testcase")}


def test_breaking_change_fails_the_gate_and_the_junit_report_matches_the_diff(project: Path, server: CatalogServer) -> None:
    server.edit("openai/gpt-5.5", "input", lower_temperature)
    server.edit("openai/gpt-5.1-chat", "input", lambda s: s.update(description="As published."))
    before = tree(project)
    report = project / "reports" / "gate.xml"

    result = gate(server, "--junit-xml", str(report), "--json")

    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)["changes"]
    breaking = [r for r in rows if r["level"] == "breaking"]
    assert {(r["rule"], r["model"], r["path"], r["variant"]) for r in breaking} == {
        ("request-property-max-decreased", "openai/gpt-5.5", "$.temperature", "Responses"),
        ("request-property-max-decreased", "openai/gpt-5.5", "$.temperature", "Chat Completions"),
    }
    cases = junit(report)
    assert set(cases) == {"openai/gpt-5.5", "openai/gpt-5.1-chat", "generate", "typecheck"}
    failures = [e for e in cases["openai/gpt-5.5"] if e.tag == "failure"]
    assert sorted((f.get("type"), f.get("message")) for f in failures) == sorted(
        (r["rule"], f"breaking {r['rule']}: input {r['path']} ({r['variant']}): {r['old']!r} -> {r['new']!r}")
        for r in breaking
    )
    assert not [e for e in cases["openai/gpt-5.1-chat"] if e.tag == "failure"], "non-breaking: reported, not failed"
    assert cases["generate"] == [] and cases["typecheck"] == [], "the new schemas still generate and type-check"
    suite = ET.parse(report).getroot()[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", str(len(breaking)), "0")
    after = tree(project)
    assert {k: v for k, v in after.items() if not k.startswith("reports/")} == before, "the working tree is untouched"


def test_unchanged_upstream_passes_and_fail_on_any_counts_every_change(project: Path, server: CatalogServer) -> None:
    report = project / "gate.xml"
    passed = gate(server, "--no-mypy", "--junit-xml", str(report))
    assert passed.exit_code == 0, passed.output
    assert "gate passed" in passed.output
    assert all(not children for children in junit(report).values())

    server.edit("openai/gpt-5.1-chat", "input", lambda s: s.update(description="As published."))
    assert gate(server, "--no-mypy").exit_code == 0
    strict = gate(server, "--no-mypy", "--fail-on", "any", "--junit-xml", str(report))
    assert strict.exit_code == 1, strict.output
    [failure] = [e for e in junit(report)["openai/gpt-5.1-chat"] if e.tag == "failure"]
    assert "non-breaking" in (failure.get("message") or "")


def test_a_model_that_cannot_be_pulled_exits_3_with_an_error_case(project: Path, server: CatalogServer) -> None:
    server.faults.append(Fault("gpt-5.5/schema-input.json", "status", status=503))
    report = project / "gate.xml"
    result = gate(server, "--junit-xml", str(report), "--timeout", "2")
    assert result.exit_code == 3, result.output
    errors = [e for e in junit(report)["openai/gpt-5.5"] if e.tag == "error"]
    assert errors and "HTTP 503" in (errors[0].get("message") or "")


def test_usage_errors_exit_2(project: Path, server: CatalogServer) -> None:
    assert gate(server, "--fail-on", "sometimes").exit_code == 2
    assert gate(server, "--source", "api").exit_code == 2, "the API source needs credentials"
    (project / "schemas" / "models.toml").write_text("[[model]]\nname = 7\n")
    assert gate(server).exit_code == 2


def test_the_example_workflow_runs_the_gate(project: Path, server: CatalogServer) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "schedule" in triggers and "pull_request" in triggers
    assert triggers["schedule"][0]["cron"].count(" ") == 4
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    [command] = [s["run"] for s in steps if "cfai gate" in s.get("run", "")]
    [upload] = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    words = shlex.split(command)
    assert words[:2] == ["cfai", "gate"]
    server.edit("openai/gpt-5.5", "input", lower_temperature)

    result = CliRunner().invoke(app, [*words[1:], "--base-url", server.url, "--no-mypy"], env=NO_ENV)

    assert result.exit_code == 1, result.output
    report = project / upload["with"]["path"]
    assert report.is_file(), "the workflow uploads the report the gate wrote"
    assert len([e for e in junit(report)["openai/gpt-5.5"] if e.tag == "failure"]) == 2
