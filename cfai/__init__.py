"""cfai: validated, schema-generated bindings for the AI models Cloudflare serves.

The public run-time API. The generator toolchain (datamodel-code-generator)
is never imported from here; it runs only inside `make generate` / `make check`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CfaiError,
    ContractWarning,
    InvalidPayload,
    PayloadError,
    SchemaLoadError,
    SchemaProblem,
    SchemaUnavailableWarning,
    UnknownModel,
)
from .validate import ModelValidator, Registry, validate

if TYPE_CHECKING:  # at run time imported on first use (`__getattr__`): `import cfai` stays light
    from . import models
    from .refs import ModelRef
    from .typed import AsyncClient, Client

__all__ = [
    "AsyncClient",
    "CfaiError",
    "Client",
    "ContractWarning",
    "InvalidPayload",
    "ModelRef",
    "ModelValidator",
    "PayloadError",
    "Registry",
    "SchemaLoadError",
    "SchemaProblem",
    "SchemaUnavailableWarning",
    "UnknownModel",
    "models",
    "validate",
]


def __getattr__(name: str) -> Any:
    # The HTTP client pulls in httpx; import it only for users who ask for it.
    if name in ("Client", "AsyncClient"):
        from . import typed

        return getattr(typed, name)
    if name == "ModelRef":
        from .refs import ModelRef

        return ModelRef
    if name == "models":
        import importlib

        return importlib.import_module(".models", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
