"""`cfai diff`: the rule table, each rule proved by its pair in tests/diff_rules/, and the command."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cfai.cli import app
from cfai.schemas import check_schema
from codegen.diff import BREAKING, NON_BREAKING, RULES, Change, diff_models, diff_schema, load_root

from .conftest import CATALOG, ROOT, SCHEMAS, catalog_models, load_json, need_catalog

PAIRS = ROOT / "tests" / "diff_rules"
RULE_IDS = [rule.id for rule in RULES]
SIDE = {"request": "input", "response": "output"}


def found(changes: list[Change]) -> list[dict[str, Any]]:
    keys = ("rule", "path", "schema_path", "old", "new")
    return [{k: getattr(c, k) for k in keys} | ({"variant": c.variant} if c.variant else {}) for c in changes]


def test_the_table_is_well_formed() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))
    for rule in RULES:
        assert rule.side in ("request", "response", "model") and rule.level in (BREAKING, NON_BREAKING)
        assert rule.description and (rule.side in rule.id or rule.side == "model")


@pytest.mark.parametrize(
    ("rule", "level"),
    [  # what the issue names breaking, and some of what it names non-breaking
        ("new-required-request-property", BREAKING),
        ("request-property-removed", BREAKING),
        ("request-property-max-decreased", BREAKING),
        ("request-property-min-increased", BREAKING),
        ("request-property-max-length-decreased", BREAKING),
        ("request-property-max-items-decreased", BREAKING),
        ("request-property-min-length-increased", BREAKING),
        ("request-property-min-items-increased", BREAKING),
        ("request-property-enum-value-removed", BREAKING),
        ("request-property-type-narrowed", BREAKING),
        ("request-variant-removed", BREAKING),
        ("model-removed", BREAKING),
        ("response-property-removed", BREAKING),
        ("response-property-became-optional", BREAKING),
        ("response-property-type-changed", BREAKING),
        ("response-property-enum-value-added", BREAKING),
        ("response-variant-added", BREAKING),
        ("request-property-max-increased", NON_BREAKING),
        ("new-optional-request-property", NON_BREAKING),
        ("request-property-description-changed", NON_BREAKING),
        ("model-added", NON_BREAKING),
    ],
)
def test_levels_the_issue_asks_for(rule: str, level: str) -> None:
    assert {r.id: r.level for r in RULES}[rule] == level


def test_every_rule_has_its_pair_and_every_pair_its_rule() -> None:
    folders = {p.name for p in PAIRS.iterdir() if p.is_dir()}
    assert folders == set(RULE_IDS)
    for rule in RULE_IDS:
        assert {p.name for p in (PAIRS / rule).iterdir()} == {"old.json", "new.json", "expect.json"}, rule


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_pair(rule: str) -> None:
    side = next(r.side for r in RULES if r.id == rule)
    old, new, expect = (load_json(PAIRS / rule / f"{name}.json") for name in ("old", "new", "expect"))
    if side == "model":
        changes = diff_models(old, new)
        assert [{"model": c.model, **found([c])[0]} for c in changes] == expect["changes"]
        return
    for schema in (old, new):
        assert check_schema(rule, "pair", schema) == [], "a pair must be valid JSON Schemas"
    changes = diff_schema("acme/model", SIDE[side], old, new)
    assert found(changes) == expect["changes"]
    assert {c.level for c in changes} == {next(r.level for r in RULES if r.id == rule)}
    assert diff_schema("acme/model", SIDE[side], old, copy.deepcopy(old)) == []


WALK = [  # (old, new, path, variant, schema_path, rule) for one change found deep in a schema
    (
        {
            "type": "object",
            "properties": {
                "messages": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"role": {"enum": ["user", "system"]}}},
                }
            },
        },
        {
            "type": "object",
            "properties": {
                "messages": {"type": "array", "items": {"type": "object", "properties": {"role": {"enum": ["user"]}}}}
            },
        },
        "$.messages[*].role",
        None,
        "$.properties.messages.items.properties.role.enum",
        "request-property-enum-value-removed",
    ),
    (  # a $ref is followed; the change is located at its target
        {
            "$defs": {"T": {"type": "number", "maximum": 2}},
            "type": "object",
            "properties": {"t": {"$ref": "#/$defs/T"}},
        },
        {
            "$defs": {"T": {"type": "number", "maximum": 1}},
            "type": "object",
            "properties": {"t": {"$ref": "#/$defs/T"}},
        },
        "$.t",
        None,
        "$['$defs'].T.maximum",
        "request-property-max-decreased",
    ),
    (  # variants matched by title, whatever their order
        {
            "oneOf": [
                {"title": "A", "type": "object", "properties": {"a": {"type": "string"}}},
                {"title": "B", "type": "object", "properties": {"b": {"type": "string", "maxLength": 9}}},
            ]
        },
        {
            "oneOf": [
                {"title": "B", "type": "object", "properties": {"b": {"type": "string", "maxLength": 5}}},
                {"title": "A", "type": "object", "properties": {"a": {"type": "string"}}},
            ]
        },
        "$.b",
        "B",
        "$.oneOf[0].properties.b.maxLength",
        "request-property-max-length-decreased",
    ),
    (  # untitled variants by position; a nested variant chain
        {"type": "object", "properties": {"input": {"oneOf": [{"type": "string"}, {"type": "array", "maxItems": 4}]}}},
        {"type": "object", "properties": {"input": {"oneOf": [{"type": "string"}, {"type": "array", "maxItems": 2}]}}},
        "$.input",
        "oneOf[1]",
        "$.properties.input.oneOf[1].maxItems",
        "request-property-max-items-decreased",
    ),
    (
        {"type": "object", "properties": {"metadata": {"type": "object", "additionalProperties": {"type": "string"}}}},
        {"type": "object", "properties": {"metadata": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        "$.metadata.*",
        None,
        "$.properties.metadata.additionalProperties.type",
        "request-property-type-changed",
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "variant", "schema_path", "rule"), WALK)
def test_the_walk_locates_deep_changes(
    old: Any, new: Any, path: str, variant: str | None, schema_path: str, rule: str
) -> None:
    [change] = diff_schema("acme/model", "input", old, new)
    assert (change.rule, change.path, change.variant, change.schema_path) == (rule, path, variant, schema_path)


def test_a_recursive_ref_terminates() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#"}, "n": {"type": "integer"}}}
    changed = copy.deepcopy(node)
    changed["properties"]["n"]["minimum"] = 0
    assert [c.rule for c in diff_schema("acme/model", "input", node, changed)] == ["request-property-min-set"]


def test_the_catalog_against_itself_has_no_change() -> None:
    need_catalog()
    tree, problems = load_root(str(CATALOG))
    assert problems == [] and sorted(tree) == catalog_models()
    assert diff_models(tree, copy.deepcopy(tree)) == []


# --- the command ------------------------------------------------------------------------------------


def lowered_temperature(tmp_path: Path) -> tuple[Path, Path]:
    """The seed schemas, and a copy whose Responses temperature maximum is lowered from 2 to 1.5."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(SCHEMAS, old)
    shutil.copytree(SCHEMAS, new)
    file = new / "openai/gpt-5.5/schema-input.json"
    schema = json.loads(file.read_text())
    assert schema["oneOf"][0]["properties"]["temperature"]["maximum"] == 2
    schema["oneOf"][0]["properties"]["temperature"]["maximum"] = 1.5
    file.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return old, new


TEMPERATURE = {
    "rule": "request-property-max-decreased",
    "level": BREAKING,
    "model": "openai/gpt-5.5",
    "side": "input",
    "path": "$.temperature",
    "variant": "Responses",
    "schema_path": "$.oneOf[0].properties.temperature.maximum",
    "old": 2,
    "new": 1.5,
}


def test_the_lowered_temperature_is_breaking(tmp_path: Path) -> None:
    old, new = lowered_temperature(tmp_path)
    runner = CliRunner()
    report = runner.invoke(app, ["diff", str(old), str(new), "--json"])
    assert report.exit_code == 0, report.output
    [change] = json.loads(report.stdout)["changes"]
    assert {k: change[k] for k in TEMPERATURE} == TEMPERATURE
    table = runner.invoke(app, ["diff", str(old), str(new), "--fail-on", "breaking"])
    assert table.exit_code == 1
    assert (
        "request-property-max-decreased" in table.output and "$.oneOf[0].properties.temperature.maximum" in table.output
    )
    assert runner.invoke(app, ["diff", str(old), str(new), "--fail-on", "any"]).exit_code == 1
    assert runner.invoke(app, ["diff", str(old), str(old), "--fail-on", "any"]).exit_code == 0


def test_a_non_breaking_change_passes_fail_on_breaking(tmp_path: Path) -> None:
    old, new = lowered_temperature(tmp_path)
    file = new / "openai/gpt-5.5/schema-input.json"
    file.write_text(file.read_text().replace('"maximum": 1.5', '"maximum": 3', 1))
    result = CliRunner().invoke(app, ["diff", str(old), str(new), "--fail-on", "breaking"])
    assert result.exit_code == 0 and "request-property-max-increased" in result.output
    assert CliRunner().invoke(app, ["diff", str(old), str(new), "--fail-on", "any"]).exit_code == 1


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True, capture_output=True
    )


def test_git_revisions(tmp_path: Path) -> None:
    old, new = lowered_temperature(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(old, repo / "schemas")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "seed")
    shutil.rmtree(repo / "schemas")
    shutil.copytree(new, repo / "schemas")
    shutil.rmtree(repo / "schemas/openai/gpt-5.1-chat")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "lower the temperature, drop a model")
    result = CliRunner().invoke(app, ["diff", "HEAD~1", "HEAD", "--repo", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [(c["rule"], c["model"]) for c in changes] == [
        ("model-removed", "openai/gpt-5.1-chat"),
        ("request-property-max-decreased", "openai/gpt-5.5"),
    ]
    mixed = CliRunner().invoke(app, ["diff", "HEAD~1", str(new), "--repo", str(repo), "--fail-on", "breaking"])
    assert mixed.exit_code == 1 and "request-property-max-decreased" in mixed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-folder-or-rev", "schemas"], "neither a folder nor a git revision"),
        (["schemas", "schemas", "--fail-on", "sometimes"], "must be breaking or any"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["diff", *args, "--repo", str(ROOT)])
    assert result.exit_code == 2 and message in result.output, result.output


def test_an_unreadable_schema_is_located_and_exits_2(tmp_path: Path) -> None:
    old, new = lowered_temperature(tmp_path)
    (new / "openai/gpt-5.5/schema-output.json").write_text('{"type": ')
    result = CliRunner().invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 2
    assert "openai/gpt-5.5" in result.output and "schema-output.json $: not valid JSON" in result.output
