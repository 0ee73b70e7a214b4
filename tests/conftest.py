"""Shared paths, data tables and hypothesis profiles for the test suite."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
GENERATED = ROOT / "generated"
RECORDINGS = ROOT / "tests" / "recordings"
CATALOG = ROOT.parent / "shared" / "catalog"
SEED_MODELS = ("openai/gpt-5.1-chat", "openai/gpt-5.5")

# default: what `make test` runs (well under the 5-minute budget); long: ≥ 100× more examples.
settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def need_catalog() -> Path:
    if not (CATALOG / "@cf").is_dir():
        pytest.skip(f"the real catalog is not at {CATALOG} (../shared/catalog beside the project); catalog tests skipped")
    return CATALOG


def catalog_models() -> list[str]:
    """Catalog model names, or [] when the catalog is absent (tests then skip via `need_catalog`)."""
    from cfai.schemas import discover

    return discover(CATALOG) if (CATALOG / "@cf").is_dir() else []


def distinct_catalog_models(*sides: str) -> list[str]:
    """One catalog model per distinct schema of `sides` (`input`, `output`; both when none is
    given), the first by name: 38 text-generation models publish the very same schemas, and a
    property test of one of them is a property test of all. Test time then grows with the
    distinct schemas, like generation does."""
    from cfai.schemas import FILES

    seen: dict[str, str] = {}
    for model in catalog_models():
        texts = []
        for side in sides or ("input", "output"):
            path = CATALOG / model / FILES[side]
            texts.append(json.dumps(json.loads(path.read_text(encoding="utf-8")), sort_keys=True) if path.is_file() else "")
        seen.setdefault("\0".join(texts), model)
    return sorted(seen.values())


def recordings() -> list[Path]:
    return sorted(RECORDINGS.glob("*/*/*.json"))


def recording_id(path: Path) -> str:
    return path.relative_to(RECORDINGS).with_suffix("").as_posix()


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def generated_types(out: Path) -> dict[str, str]:
    """`cfai_models.TYPES` of a generated tree (model name → its types module), read without importing it."""
    import ast

    tree = ast.parse((out / "cfai_models" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "TYPES" and node.value is not None:
            return dict(ast.literal_eval(node.value))
    raise AssertionError(f"no TYPES in {out}/cfai_models/__init__.py")


def load_generated(out: Path, model: str) -> ModuleType:
    """Import one model's generated types module from any output directory, without touching `sys.path`."""
    types = generated_types(out)[model]
    name = f"_generated_{abs(hash(str(out)))}_{types}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, out / "cfai_models" / "types" / f"{types}.py")
    assert spec and spec.loader, f"no generated module for {model} in {out}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generated_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The whole real catalog generated once per session through the same code path as `make generate`."""
    from codegen.pipeline import generate

    catalog = need_catalog()
    out = tmp_path_factory.mktemp("catalog") / "generated"
    generate(catalog, out)
    yield out


# --- cfai serve (the contract mock) ------------------------------------------------------------------
LLAMA = "@cf/meta/llama-3.1-8b-instruct"


@pytest.fixture(scope="session")
def mock_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A schema root with the seed models and, when it can be had, @cf/meta/llama-3.1-8b-instruct:
    schemas/ itself once it holds that model, else schemas/ plus a copy from ../shared/catalog."""
    import shutil

    if (SCHEMAS / LLAMA).is_dir() or not (CATALOG / LLAMA).is_dir():
        return SCHEMAS
    root = tmp_path_factory.mktemp("mock") / "schemas"
    shutil.copytree(SCHEMAS, root)
    shutil.copytree(CATALOG / LLAMA, root / LLAMA)
    return root


@pytest.fixture(scope="session")
def mock_api(mock_root: Path) -> Iterator[str]:
    """`cfai serve` on 127.0.0.1 for the session (seed 0, the project's recordings); its base URL."""
    from cfai.serve import ServeConfig, serving

    with serving(ServeConfig(schemas=mock_root, recordings=RECORDINGS)) as url:
        yield url


def need_llama(root: Path) -> None:
    if not (root / LLAMA).is_dir():
        pytest.skip(f"{LLAMA} is neither in schemas/ nor in ../shared/catalog: skipped")
