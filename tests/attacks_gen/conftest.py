"""Helpers for the generation attack suite: case files, scratch projects, the real `cfai` in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..conftest import GENERATED, SCHEMAS

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


def project(tmp: Path) -> Path:
    """A scratch project: the seed schemas and the committed bindings."""
    shutil.copytree(SCHEMAS, tmp / "schemas")
    shutil.copytree(GENERATED, tmp / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp


def leftovers(top: Path) -> list[str]:
    """What a killed run may leave beside schemas/ and generated/ (none must survive the next run)."""
    return sorted(p.name for p in top.iterdir() if p.name.startswith(".") and p.name not in (".regen",))


def cfai(*args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)  # fmt: skip
