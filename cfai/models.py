"""The generated pydantic v2 models, one module per model, imported only when first used.

`cfai.models.load("openai/gpt-5.5")` is the module of that model (its `Input`, `Output`, variants
and chunk types); `cfai.models.MODELS` maps every model name to its module name. The modules are
generated into `generated/cfai_models/` (the package `cfai_models`) and re-exported here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cfai_models import MODELS, load

__all__ = ["MODELS", "load"]


def __getattr__(name: str) -> ModuleType:
    # `cfai.models.openai_gpt_5_5`: the generated module itself (the same object as `load` returns).
    if name in MODELS.values():
        return importlib.import_module(f"cfai_models.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
