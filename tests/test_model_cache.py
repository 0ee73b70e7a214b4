"""The generation cache: a cached build is byte-identical to an uncached one, and a re-run only
generates what changed (codegen/cache.py, codegen/models.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codegen import models
from codegen.describe import describe
from codegen.pipeline import build, compare

from .conftest import GENERATED, SCHEMAS

SEEDS = ("openai/gpt-5.5", "openai/gpt-5.1-chat")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A schema root with the two seed models only: small enough to build three times."""
    for seed in SEEDS:
        shutil.copytree(SCHEMAS / seed, tmp_path / "seeds" / seed)
    return tmp_path / "seeds"


def built(root: Path, out: Path) -> list[str]:
    """Build `root` into `out`; the pipeline's progress messages about what it generated."""
    messages: list[str] = []
    build(root, out, progress=messages.append)
    return sorted(m for m in messages if m.startswith("generated "))


def test_cold_and_warm_builds_match_the_golden_output(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module from the cache is byte for byte a fresh one, and both are what generated/ ships."""
    monkeypatch.setenv("CFAI_CACHE_DIR", str(tmp_path / "cache"))
    cold = built(seeds, tmp_path / "cold")
    assert cold == ["generated openai/gpt-5.1-chat", "generated openai/gpt-5.5"]
    assert built(seeds, tmp_path / "warm") == [f"{m} (cached)" for m in cold]
    assert compare(tmp_path / "cold", tmp_path / "warm") == []
    for module in ("types/gpt_5_5.py", "types/gpt_5_1_chat.py", "payloads/gpt_5_5.py"):
        shipped = (GENERATED / "cfai_models" / module).read_bytes()
        assert (tmp_path / "cold" / "cfai_models" / module).read_bytes() == shipped, module


def test_only_the_changed_model_is_generated_again(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = seeds
    monkeypatch.setenv("CFAI_CACHE_DIR", str(tmp_path / "cache"))
    built(root, tmp_path / "before")
    changed = root / "openai" / "gpt-5.5" / "schema-input.json"
    schema = json.loads(changed.read_text())
    schema["oneOf"][1]["properties"]["temperature"]["maximum"] = 1.5
    changed.write_text(json.dumps(schema, indent=2))

    assert built(root, tmp_path / "after") == ["generated openai/gpt-5.1-chat (cached)", "generated openai/gpt-5.5"]
    assert "le=1.5" in (tmp_path / "after" / "cfai_models" / "types" / "gpt_5_5.py").read_text()
    entries = sorted(p.name for p in (tmp_path / "cache").rglob("*"))
    monkeypatch.setenv("CFAI_NO_CACHE", "1")  # neither read nor written
    assert built(root, tmp_path / "uncached") == ["generated openai/gpt-5.1-chat", "generated openai/gpt-5.5"]
    assert sorted(p.name for p in (tmp_path / "cache").rglob("*")) == entries
    assert compare(tmp_path / "uncached", tmp_path / "after") == []


def test_a_toolchain_change_misses_the_cache(tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key holds the tools' versions and their pyproject tables: an upgrade regenerates."""
    fingerprint = json.loads(models.toolchain())
    assert set(fingerprint["versions"]) == {"datamodel-code-generator", "black", "isort", "pydantic"}
    assert fingerprint["config"]["datamodel-codegen"]["output-model-type"] == "pydantic_v2.BaseModel"
    monkeypatch.setenv("CFAI_CACHE_DIR", str(tmp_path / "cache"))
    messages: list[str] = []
    catalog = describe(seeds)
    models.build(catalog, tmp_path / "a", progress=messages.append)
    models.build(catalog, tmp_path / "b", progress=messages.append)
    monkeypatch.setattr(models, "toolchain", lambda: json.dumps({**fingerprint, "versions": {"black": "other"}}))
    models.build(catalog, tmp_path / "c", progress=messages.append)
    assert [m.endswith("(cached)") for m in messages] == [False, False, True, True, False, False]
