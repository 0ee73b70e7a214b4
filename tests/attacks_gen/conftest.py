"""Helpers for the generation attack suite: case files, scratch projects, the real `cfai` in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..conftest import SCHEMAS

HERE = Path(__file__).parent
CLI = [sys.executable, "-c", "from cfai.cli import main; main()"]


def cases(folder: str) -> list[str]:
    return sorted(p.stem for p in (HERE / folder).glob("*.json") if not p.stem.startswith("_"))


def case(folder: str, name: str, **substitute: str) -> Any:
    text = (HERE / folder / f"{name}.json").read_text(encoding="utf-8")
    for key, value in substitute.items():
        text = text.replace("{" + key + "}", json.dumps(value)[1:-1])
    return json.loads(text)


def tree_hash(top: Path) -> str:
    """Names and bytes of every file (symlinks as their target text); '' for a missing tree."""
    if not top.exists():
        return ""
    digest = hashlib.sha256()
    for path in sorted(top.rglob("*")):
        if "__pycache__" in path.parts or (path.is_dir() and not path.is_symlink()):
            continue
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        digest.update(path.relative_to(top).as_posix().encode() + b"\0" + data)
    return digest.hexdigest()


SEED = ("openai/gpt-5.1-chat", "openai/gpt-5.5")  # two models keep each killed run short
_seed_output: Path | None = None


def seed_root(top: Path) -> Path:
    """A schema root with the seed models only, and a models.toml tracking them."""
    for model in SEED:
        shutil.copytree(SCHEMAS / model, top / model)
    (top / "models.toml").write_text("".join(f'[[model]]\nname = "{m}"\n' for m in SEED))
    return top


def project(tmp: Path) -> Path:
    """A scratch project: the seed models' schemas and their bindings (generated once per session)."""
    global _seed_output
    seed_root(tmp / "schemas")
    if _seed_output is None:
        from codegen.pipeline import generate

        _seed_output = Path(tempfile.mkdtemp(prefix="cfai-seed-")) / "generated"
        generate(tmp / "schemas", _seed_output)
    shutil.copytree(_seed_output, tmp / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp


def leftovers(top: Path) -> list[str]:
    """What a killed run may leave beside schemas/ and generated/ (none must survive the next run)."""
    return sorted(p.name for p in top.iterdir() if p.name.startswith(".") and p.name not in (".regen",))


def cfai(*args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)  # fmt: skip
