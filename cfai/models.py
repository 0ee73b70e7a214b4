"""The generated pydantic v2 models, imported only when first used.

`cfai.models.load("openai/gpt-5.5")` is the types module of that model (its `Input`, `Output`,
variants and chunk types: `cfai_models.types.gpt_5_5`, shared by every model publishing the same
schemas); `cfai.models.MODELS` maps every model name to its own module (`cfai_models.gpt_5_5`: its
references for `cfai.Client`), `cfai.models.TYPES` to its types module. The modules are generated
into `generated/cfai_models/` (the package `cfai_models`) and re-exported here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cfai_models import MODELS, TYPES, load

__all__ = ["MODELS", "TYPES", "load"]


def __getattr__(name: str) -> ModuleType:
    # `cfai.models.gpt_5_5`: the model's own generated module (its references and its types).
    if name in MODELS.values():
        return importlib.import_module(f"cfai_models.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
