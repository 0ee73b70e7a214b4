"""Names a person would choose: no generated class is numbered unless listed, with its reason.

Walks every module of the shipped bindings (generated/cfai_models) and, when ../shared/catalog is
present, a fresh build of the whole real catalog.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codegen.pipeline import build

from .conftest import CATALOG, GENERATED, ROOT, load_json

ALLOWED: dict[str, str] = load_json(ROOT / "tests" / "numbered-names.json")["allowed"]
NUMBERED = re.compile(r"[A-Za-z_][A-Za-z_]*[0-9]+$")


def defined_names(module: Path) -> list[str]:
    """Classes and module-level type aliases (`X = TypeAliasType(...)`) a module defines."""
    tree = ast.parse(module.read_text())
    names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    names += [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
    return [n for n in names if n not in ("__all__",)]


def numbered(package: Path) -> dict[str, str]:
    """`module.Name` → the name, for every numbered name in a generated package."""
    return {
        f"{module.stem}.{name}": name
        for module in sorted(package.glob("*.py"))
        if module.stem != "__init__"
        for name in defined_names(module)
        if NUMBERED.fullmatch(name)
    }


def test_no_shipped_class_is_numbered_without_a_reason() -> None:
    found = numbered(GENERATED / "cfai_models")
    assert set(found) <= set(ALLOWED), f"numbered names with no reason in tests/numbered-names.json: {sorted(set(found) - set(ALLOWED))}"
    assert set(ALLOWED) <= set(found), f"listed but gone (remove them): {sorted(set(ALLOWED) - set(found))}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_real_catalog_generates_without_numbered_names(tmp_path: Path) -> None:
    if not (CATALOG / "@cf").is_dir():
        pytest.skip(f"../shared/catalog not found: {CATALOG}")
    report = build(CATALOG, tmp_path)
    assert report.skipped == {} and len(report.generated) >= 32
    found = numbered(tmp_path / "cfai_models")
    assert set(found) <= set(ALLOWED), sorted(set(found) - set(ALLOWED))


def test_the_names_say_what_the_schema_says() -> None:
    """Spot checks on the newest style of schema: branches named by their discriminating value."""
    glm = defined_names(GENERATED / "cfai_models" / "cf_zai_org_glm_4_7_flash.py")
    for name in ("SystemMessage", "UserMessage", "AssistantMessage", "ToolMessage", "FunctionTool", "CustomTool",
                 "JsonSchemaResponseFormat", "ChatCompletionsChunk", "PromptInput", "MessagesInput"):
        assert name in glm, name
    llama = defined_names(GENERATED / "cfai_models" / "cf_meta_llama_3_1_8b_instruct.py")
    assert {"PromptInput", "MessagesInput", "FunctionTool", "EventStreamOutput"} <= set(llama)


def test_no_bounded_scalar_is_a_root_model() -> None:
    """A bounded or nullable scalar is a plain annotated field or alias, never a RootModel to unwrap."""
    for module in sorted((GENERATED / "cfai_models").glob("*.py")):
        roots = re.findall(r"class (\w+)\(RootModel\[(?:Strict\w+|list\[Strict\w+\])\]\)", module.read_text())
        assert roots == [], f"{module.name}: {roots}"
