"""Every `--json` output of the generator's commands carries `version` and is described by the JSON
Schema shipped for it in `cfai/json_output/` (validate's and run's are checked in test_attacks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from cfai.cli import app

from .catalog_server import ACCOUNT, TOKEN, CatalogServer
from .conftest import ROOT, SCHEMAS, load_json

OUTPUT_SCHEMAS = ROOT / "cfai" / "json_output"
SEEDS = ("openai/gpt-5.5", "openai/gpt-5.1-chat")
ENV = {"CLOUDFLARE_ACCOUNT_ID": ACCOUNT, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": None}


def described(command: str, stdout: str) -> dict[str, object]:
    document = json.loads(stdout)
    Draft202012Validator(load_json(OUTPUT_SCHEMAS / f"{command}.schema.json")).validate(document)
    assert document["version"] == 1
    return document  # type: ignore[no-any-return]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    for seed in SEEDS:
        shutil.copytree(SCHEMAS / seed, tmp_path / "schemas" / seed)
    (tmp_path / "schemas" / "models.toml").write_text("".join(f'[[model]]\nname = "{s}"\n\n' for s in SEEDS))
    return tmp_path / "schemas"


def test_pull_diff_models_and_gate_print_described_documents(seeds: Path, tmp_path: Path) -> None:
    with CatalogServer(SCHEMAS) as server:
        server.edit("openai/gpt-5.5", "input", lambda s: s["oneOf"][1]["properties"]["temperature"].update(maximum=1.5))
        runner = CliRunner()
        pulled = runner.invoke(app, ["pull", "--schemas", str(seeds), "--base-url", server.url,
                                     "--out", str(tmp_path / "new"), "--json"], env=ENV)  # fmt: skip
        assert pulled.exit_code == 0, pulled.output
        assert {m["status"] for m in described("pull", pulled.stdout)["models"]} == {"updated", "unchanged"}  # type: ignore[index]
        changed = runner.invoke(app, ["diff", str(seeds), str(tmp_path / "new"), "--json"])
        rows = described("diff", changed.stdout)["changes"]
        assert changed.exit_code == 0 and any(r["rule"] == "request-property-max-decreased" for r in rows)  # type: ignore[union-attr,index]
        listed = runner.invoke(app, ["models", "--base-url", server.url, "--schemas", str(seeds), "--json"], env=ENV)
        assert listed.exit_code == 0, listed.output
        assert {m["name"] for m in described("models", listed.stdout)["models"] if m["tracked"]} == set(SEEDS)  # type: ignore[union-attr,index]
        gated = runner.invoke(app, ["gate", "--schemas", str(seeds), "--base-url", server.url, "--no-mypy", "--json"], env=ENV)
        assert gated.exit_code == 1, gated.output
        assert described("gate", gated.stdout)["summary"] == {"breaking": 1, "non-breaking": 0}


def test_diff_of_two_roots_without_models_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    result = CliRunner().invoke(app, ["diff", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 2 and "holds a model" in result.output


def test_models_shows_server_text_as_text(seeds: Path) -> None:
    with CatalogServer(SCHEMAS) as server:
        server.metas["openai/gpt-5.5"] = {**server.metas.get("openai/gpt-5.5", {}), "description": "[/red] not markup [bold]"}
        result = CliRunner().invoke(app, ["models", "--base-url", server.url, "--schemas", str(seeds)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "[/red] not markup" in result.output
