"""Names a person would choose: no generated class is numbered unless listed, with its reason.

Walks every module of the shipped bindings (generated/cfai_models) and, when ../shared/catalog is
present, a fresh build of the whole real catalog.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import cfai_models
import pytest

from .conftest import GENERATED, ROOT, catalog_models, generated_types, load_json

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
        for module in sorted(package.glob("types/*.py"))
        if module.stem != "__init__"
        for name in defined_names(module)
        if NUMBERED.fullmatch(name)
    }


def test_no_shipped_class_is_numbered_without_a_reason() -> None:
    found = numbered(GENERATED / "cfai_models")
    assert set(found) <= set(ALLOWED), f"numbered names with no reason in tests/numbered-names.json: {sorted(set(found) - set(ALLOWED))}"
    assert set(ALLOWED) <= set(found), f"listed but gone (remove them): {sorted(set(ALLOWED) - set(found))}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_real_catalog_generates_without_numbered_names(generated_catalog: Path) -> None:
    assert len(generated_types(generated_catalog)) == len(catalog_models())
    found = numbered(generated_catalog / "cfai_models")
    assert set(found) <= set(ALLOWED), sorted(set(found) - set(ALLOWED))


def test_the_names_say_what_the_schema_says() -> None:
    """Spot checks on the newest style of schema: branches named by their discriminating value."""
    glm = defined_names(GENERATED / "cfai_models" / "types" / "glm_4_7_flash.py")
    for name in ("SystemMessage", "UserMessage", "AssistantMessage", "ToolMessage", "FunctionTool", "CustomTool",
                 "JsonSchemaResponseFormat", "ChatCompletionsChunk", "PromptInput", "MessagesInput"):
        assert name in glm, name
    llama = defined_names(GENERATED / "cfai_models" / "types" / f"{cfai_models.TYPES['@cf/meta/llama-3.1-8b-instruct']}.py")
    assert {"PromptInput", "MessagesInput", "FunctionTool", "EventStreamOutput", "ResponseOutput"} <= set(llama)


@pytest.mark.parametrize(("model", "kind"), [
    ("@cf/tiiuae/falcon-7b-instruct", "ResponseOutput"),  # a text-generation answer, not `UsageOutput`
    ("@cf/zai-org/glm-4.7-flash", "ChatCompletionOutput"),  # a chat completion, not `IdOutput`
    ("@cf/baai/bge-base-en-v1.5", "EmbeddingOutput"),  # an embedding, not `ShapeOutput`
    ("@cf/meta/llama-4-scout-17b-16e-instruct", "PromptInput"),  # not `AiCfMetaLlama4PromptInput`
    ("@cf/cloudflare/clef-omni", "VideoDataURL"),  # a title shared by three kinds of data URL, not `DataURL1`
    ("@cf/tiiuae/falcon-7b-instruct", "Property"),  # a tool parameter's property, not `PropertiesValue`
])  # fmt: skip
def test_classes_are_named_by_the_role_they_play(model: str, kind: str) -> None:
    assert kind in defined_names(GENERATED / "cfai_models" / "types" / f"{cfai_models.TYPES[model]}.py")


def test_a_schema_written_out_again_is_one_class_not_prefixed_copies() -> None:
    """kimi-k2.5 repeats its tool classes in each input variant: one `CustomTool`, no `RequestsInput…` copies."""
    kimi = defined_names(GENERATED / "cfai_models" / "types" / f"{cfai_models.TYPES['@cf/moonshotai/kimi-k2.5']}.py")
    assert "CustomTool" in kimi and not [n for n in kimi if n.startswith(("RequestsInput", "MessagesInput", "PromptInput"))
                                         and n not in ("PromptInput", "MessagesInput", "RequestsInput")]  # fmt: skip


@pytest.mark.parametrize(("model", "module"), [
    ("@cf/baai/bge-m3", "bge_m3"), ("@cf/meta/m2m100-1.2b", "m2m100_1_2b"),
    ("@cf/qwen/qwen3-embedding-0.6b", "qwen3_embedding_0_6b"), ("@cf/meta/llama-3.1-8b-instruct", "llama_3_1_8b_instruct"),
    ("@hf/thebloke/zephyr-7b-beta-awq", "zephyr_7b_beta_awq"), ("openai/gpt-5.5", "gpt_5_5"),
])  # fmt: skip
def test_module_names_keep_numbers_with_their_words(model: str, module: str) -> None:
    assert cfai_models.MODELS[model] == module


def test_models_with_the_same_schemas_share_one_types_module() -> None:
    shared = {cfai_models.TYPES[m] for m in ("@cf/tiiuae/falcon-7b-instruct", "@hf/thebloke/zephyr-7b-beta-awq",
                                            "@cf/meta/llama-2-7b-chat-fp16")}  # fmt: skip
    assert shared == {"text_generation"}
    assert cfai_models.TYPES["@cf/openai/whisper-tiny-en"] == cfai_models.TYPES["@cf/openai/whisper"] == "whisper"
    assert len(set(cfai_models.TYPES.values())) < len(cfai_models.TYPES)


def test_no_bounded_scalar_is_a_root_model() -> None:
    """A bounded or nullable scalar is a plain annotated field or alias, never a RootModel to unwrap."""
    for module in sorted((GENERATED / "cfai_models").glob("types/*.py")):
        roots = re.findall(r"class (\w+)\(RootModel\[(?:Strict\w+|list\[Strict\w+\])\]\)", module.read_text())
        assert roots == [], f"{module.name}: {roots}"


def test_a_model_named_like_a_subpackage_is_not_shadowed(tmp_path: Path) -> None:
    """`x/payloads`, `y/types`, `z/catalog` pass the name rule; their modules are qualified by the
    author (`x_payloads`), never `cfai_models.payloads` (the TypedDicts' package) or the like."""
    import shutil
    import subprocess
    import sys

    from codegen.pipeline import generate

    for name in ("x/payloads", "y/types", "z/catalog"):
        shutil.copytree(ROOT / "schemas" / "openai" / "gpt-5.1-chat", tmp_path / "schemas" / name)
    generate(tmp_path / "schemas", tmp_path / "out")
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import cfai_models, importlib\n"
              "assert cfai_models.MODELS == {'x/payloads': 'x_payloads', 'y/types': 'y_types', 'z/catalog': 'z_catalog'}\n"
              "for name, module in cfai_models.MODELS.items():\n"
              "    assert importlib.import_module('cfai_models.' + module).NAME == name\n"
              "assert importlib.import_module('cfai_models.payloads').__path__ and importlib.import_module('cfai_models.catalog').ref('x/payloads').name == 'x/payloads'\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-I", "-c", script, str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
