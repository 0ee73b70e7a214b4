"""Files the generator writes follow the user's umask, and a symlink in the schema root is never
written through (pull) nor followed outside the root (generate)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.catalog_server import CatalogServer

from ..conftest import SCHEMAS
from .conftest import CLI, case, cases, seed_root, tree_hash

UMASK = [n for n in cases("disk") if case("disk", n)["kind"] == "umask"]
SYMLINK = [n for n in cases("disk") if case("disk", n)["kind"] == "symlink"]
OUTSIDE_SCHEMA = {"type": "object", "description": "OUTSIDE-SECRET", "properties": {"s": {"type": "string"}}}


@pytest.fixture(scope="module")
def server() -> Iterator[CatalogServer]:
    with CatalogServer(SCHEMAS) as running:
        yield running


def run(args: list[str], cwd: Path, umask: str = "022") -> subprocess.CompletedProcess[str]:
    # the umask is set in the child only: the test process keeps its own
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: os.umask(int(umask, 8)),
    )  # fmt: skip


def modes(top: Path) -> set[tuple[str, int]]:
    return {("d" if p.is_dir() else "f", stat.S_IMODE(p.stat().st_mode)) for p in [top, *top.rglob("*")]
            if "__pycache__" not in p.parts}  # fmt: skip


@pytest.mark.parametrize("name", UMASK)
def test_output_follows_the_umask(name: str, tmp_path: Path, server: CatalogServer) -> None:
    data = case("disk", name)
    mask = int(data["umask"], 8)
    root = seed_root(tmp_path / "schemas")
    if data["command"] == "generate":
        done = run(["generate", "--schemas", str(root), "--out", str(tmp_path / "out")], tmp_path, data["umask"])
    else:
        done = run(["pull", "--schemas", str(root), "--out", str(tmp_path / "out"), "--base-url", server.url],
                   tmp_path, data["umask"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    want = {("d", 0o777 & ~mask)} | {("f", 0o666 & ~mask)}
    if data["command"] == "pull":  # the copied root keeps its own mode; what the pull writes follows the umask
        new = {("f", stat.S_IMODE((tmp_path / "out" / ".pull-state.json").stat().st_mode))}
        assert new == {("f", 0o666 & ~mask)}
        return
    assert modes(tmp_path / "out") == want


def _place(tmp: Path, root: Path, data: dict[str, Any]) -> Path:
    """Make the symlink the case names; returns what it points at."""
    link = root / data["link"]
    if link.exists() or link.is_symlink():
        shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    if data["to"] == "outside-dir":
        target = tmp / "outside"
        shutil.copytree(SCHEMAS / "openai", target) if data["command"] == "pull" else target.mkdir()
        if data["command"] == "generate":
            (target / "schema-input.json").write_text(json.dumps(OUTSIDE_SCHEMA))
            (target / "schema-output.json").write_text(json.dumps(OUTSIDE_SCHEMA))
    elif data["to"] == "outside-file":
        target = tmp / "outside.json"
        target.write_text(json.dumps(OUTSIDE_SCHEMA))
    else:
        target = root / "real" / "model" / "schema-input.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}))
        (target.parent / "schema-output.json").write_text('{"type": "object"}')
        (link.parent / "schema-output.json").write_text('{"type": "object"}')
    link.symlink_to(target)
    if data["command"] == "generate" and data["link"].endswith(".json"):
        (link.parent / "schema-output.json").write_text('{"type": "object"}')
    return target


@pytest.mark.parametrize("name", SYMLINK)
def test_symlinks_are_not_followed_out_of_the_root(name: str, tmp_path: Path, server: CatalogServer) -> None:
    data = case("disk", name)
    root = seed_root(tmp_path / "schemas")
    target = _place(tmp_path, root, data)
    before = tree_hash(target) if target.is_dir() else target.read_bytes()
    if data["command"] == "pull":
        root_before = tree_hash(root)
        server.edit("openai/gpt-5.5", "input", lambda s: s.update(description="changed upstream"))
        done = run(["pull", "--schemas", str(root), "--base-url", server.url], tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "not written through" in done.stderr
        assert tree_hash(root) == root_before
    else:
        done = run(["generate", "--schemas", str(root), "--out", str(tmp_path / "out")], tmp_path)
        if done.returncode == 2:  # refused outright, located: nothing written at all
            assert data["expect"] != "read" and "outside the schema root" in done.stderr, done.stderr
            assert not (tmp_path / "out").exists()
            return
        assert done.returncode in (0, 1), done.stderr  # 1: generated, the model reading outside skipped
        assert done.returncode == 0 or "outside the schema root" in done.stderr
        text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.py")) + (tmp_path / "out/openapi.json").read_text()
        if data["expect"] == "read":
            assert "alias_model" in text
        else:
            assert "OUTSIDE-SECRET" not in text and "leak" not in text
            assert "outside the schema root" in done.stderr or data["link"].endswith("model")
    assert (tree_hash(target) if target.is_dir() else target.read_bytes()) == before


# --- the file system refuses: the user's environment, exit 2 with the path, never "a bug" ---------

ENVIRONMENT = [n for n in cases("disk") if case("disk", n)["kind"] == "environment"]
_REFUSING = r"""
import errno, json, os, resource, signal, sys
spec = json.loads(sys.argv[1])
if "fsize" in spec:  # a file-size limit: writes past it fail with EFBIG (SIGXFSZ ignored, as a shell's ulimit -f would not)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec["fsize"], spec["fsize"]))
if "raise" in spec:  # a dotted function made to raise OSError(errno), naming a file or not
    hurt = spec["raise"]
    module, _, attribute = hurt["in"].rpartition(".")
    owner, _, name = module.rpartition(".")
    target = getattr(__import__(owner, fromlist=[name]), name) if owner else __import__(module)
    code = getattr(errno, hurt["errno"])
    def boom(*args, **kwargs):
        if hurt.get("filename"):
            raise OSError(code, os.strerror(code), hurt["filename"])
        raise OSError(code, os.strerror(code))
    setattr(target, attribute, boom)
from cfai.cli import main
sys.argv = ["cfai", *spec["args"]]
main()
"""


@pytest.mark.parametrize("name", ENVIRONMENT)
def test_a_refusing_file_system_is_the_users_environment(name: str, tmp_path: Path, server: CatalogServer) -> None:
    data = case("disk", name, DIR=str(tmp_path))
    root = seed_root(tmp_path / "schemas")
    target = data.get("out", str(tmp_path / "out"))
    args = {
        "generate": ["generate", "--schemas", str(root), "--out", target],
        "pull": ["pull", "--schemas", str(root), "--out", target, "--base-url", server.url],
    }[data["command"]]
    spec = {k: v for k, v in data.items() if k in ("fsize", "raise")} | {"args": args}
    done = subprocess.run([sys.executable, "-c", _REFUSING, json.dumps(spec)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180, check=False)  # fmt: skip
    shown = f"exit {done.returncode}\n{done.stderr[-2000:]}"
    assert done.returncode == data["expect"]["exit"], shown
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and "internal error" not in errors[0] and "Traceback" not in done.stderr, shown
    assert data["expect"]["stderr"] in errors[0], shown
    assert data["expect"].get("path", target) in errors[0], shown
