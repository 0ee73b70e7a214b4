"""One strict model-name rule everywhere: `check_name`, models.toml, `cfai pull`, `cfai validate`,
the Python API, and the folders under a schema root (skipped, never generated from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cfai.cli import app
from cfai.discovery import scan
from cfai.errors import UnknownModel
from cfai.names import check_name
from cfai.validate import Registry
from codegen.catalog import parse_tracked

from .conftest import case, cases

CASES = cases("names")
SCHEMA = '{"type": "object", "properties": {"a": {"type": "string"}}}'


def test_real_names_pass() -> None:
    assert all(check_name(name) is None for name in case("names", "_valid")["names"])


@pytest.mark.parametrize("name", CASES)
def test_refused_by_the_rule(name: str) -> None:
    assert check_name(case("names", name)["name"])


@pytest.mark.parametrize("name", CASES)
def test_refused_in_models_toml(name: str) -> None:
    text = f"[[model]]\nname = {json.dumps(case('names', name)['name'])}\n"
    tracked, problems = parse_tracked(text, "models.toml")
    assert not tracked and problems


@pytest.mark.parametrize("name", CASES)
def test_refused_on_the_command_line(name: str, tmp_path: Path) -> None:
    bad = case("names", name)["name"]
    if "\0" in bad:
        pytest.skip("an argv cannot hold NUL")
    pulled = CliRunner().invoke(app, ["pull", "--schemas", str(tmp_path), "--base-url", "http://127.0.0.1:9", "--", bad])
    assert pulled.exit_code == 2, pulled.output
    validated = CliRunner().invoke(app, ["validate", "-m", bad, "--schemas", str(tmp_path), "-"], input="{}")
    assert validated.exit_code == 2, validated.output
    with pytest.raises(UnknownModel):
        Registry(tmp_path).validator(bad)


@pytest.mark.parametrize("name", CASES)
def test_a_folder_so_named_is_skipped_and_reported(name: str, tmp_path: Path) -> None:
    bad = case("names", name)["name"]
    root = tmp_path / "root"
    folder = root / bad
    try:
        if not folder.resolve().is_relative_to(root.resolve()) or "\0" in bad or not bad.strip("/"):
            raise OSError("not a folder under the root")
        folder.mkdir(parents=True)
        (folder / "schema-input.json").write_text(SCHEMA)
    except (OSError, ValueError):
        pytest.skip("no such folder can exist under a root")
    found = (root / bad).relative_to(root).as_posix()
    names, problems = scan(root)
    if check_name(found) is None:  # the file system normalised it (a trailing /) into a valid name
        assert names == [found]
        return
    assert names == [], "a folder that is not a model name was taken for a model"
    hidden = any(part.startswith(".") for part in found.split("/"))
    assert hidden or problems, "skipped without a word"
    assert all("\n" not in str(p) for p in problems)


def test_generation_skips_such_a_folder_and_says_so(tmp_path: Path) -> None:
    """The issue's example: a folder named with a newline and Python is reported, never generated."""
    from codegen.pipeline import generate

    canary = tmp_path / "ran"
    bad = f"evil\nimport pathlib; pathlib.Path({str(canary)!r}).touch()#"
    for model in ("fine", bad):
        (tmp_path / "schemas" / model).mkdir(parents=True)
        (tmp_path / "schemas" / model / "schema-input.json").write_text(SCHEMA)
    report = generate(tmp_path / "schemas", tmp_path / "generated")
    assert report.generated == ("fine",) and len(report.skipped) == 1
    text = "".join(p.read_text() for p in (tmp_path / "generated").rglob("*.py"))
    assert "import pathlib" not in text and not canary.exists()
