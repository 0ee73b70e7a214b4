"""Every run-time dependency declared in pyproject.toml is imported by cfai/ or codegen/ (issue 17:
httpx-sse and referencing were declared and imported by nothing), and every third-party module they
import is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

from .conftest import ROOT

SOURCES = ("cfai", "codegen")
# Imported by the generated modules (generated/cfai_models), which ship in the wheel.
GENERATED = {"cfai_models"}


def _distribution(requirement: str) -> str:
    """`jsonschema-rs==0.60.3` → `jsonschema-rs`, normalized (PEP 503)."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert name, requirement
    return _normalize(name[0])


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_distribution(r) for r in project["dependencies"]}


def imported() -> set[str]:
    """The top-level names cfai/ and codegen/ import (absolute imports only), lazily or not."""
    names: set[str] = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.partition(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.partition(".")[0])
    return names


def distributions_of(modules: set[str]) -> dict[str, set[str]]:
    """Import name → the distributions that provide it (`jsonschema_rs` → `jsonschema-rs`)."""
    provided = importlib.metadata.packages_distributions()
    return {m: {_normalize(d) for d in provided.get(m, [])} for m in modules}


def test_every_declared_dependency_is_imported() -> None:
    used = set().union(*distributions_of(imported()).values())
    unused = sorted(declared() - used)
    assert not unused, f"declared in [project] dependencies but imported by nothing in cfai/ or codegen/: {unused}"


def test_every_third_party_import_is_declared() -> None:
    ours = set(SOURCES) | GENERATED | set(sys.stdlib_module_names)
    third_party = {m for m in imported() if m not in ours}
    allowed = declared()
    # The dev extra: imported only by the generator's stages (codegen/), never by the library at run time.
    dev = {_distribution(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
           ["optional-dependencies"]["dev"]}
    # Installed with a declared dependency, so present wherever cfai is (httpcore comes with httpx).
    transitive = {"httpcore"}
    missing = {
        m: sorted(d) for m, d in distributions_of(third_party).items()
        if m not in transitive and not d & (allowed | dev)
    }
    assert not missing, f"imported but declared nowhere in pyproject.toml: {missing}"
