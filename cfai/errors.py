"""Errors are values that carry their location.

A `PayloadError` says which model, which schema file, which JSON path, which rule, which limit and
which value; a `SchemaProblem` says which model, which file and which JSON path inside the schema.
Functions collect them and return them all; the exceptions below only carry such collections across
a boundary (the CLI, the client), so that every problem is reported at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "CfaiError",
    "ContractWarning",
    "GenerationError",
    "InvalidPayload",
    "PayloadError",
    "SchemaLoadError",
    "SchemaProblem",
    "SchemaUnavailableWarning",
    "UnknownModel",
    "json_path",
]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts: Iterable[str | int]) -> str:
    """`["messages", 2, "content"]` → `$.messages[2].content` (RFC 9535 normalized-path style)."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class PayloadError:
    """One way a payload breaks its model's schema."""

    model: str
    schema_file: str
    path: str
    rule: str
    limit: Any
    value: Any
    message: str
    variant: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.model} ({self.schema_file}"
        where += f", variant {self.variant})" if self.variant else ")"
        return f"{where} {self.path}: {self.message} [rule {self.rule}, limit {self.limit!r}]"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One way a schema file cannot be used: unreadable, not JSON, not a schema, unresolvable."""

    model: str
    file: str
    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.model}: {self.file} {self.path}: {self.message}"


class CfaiError(Exception):
    """Base of every error this package raises."""


class UnknownModel(CfaiError, LookupError):
    """A model with no schemas here; `suggestions` are the closest known names, closest first."""

    def __init__(self, model: str, known: Sequence[str]) -> None:
        self.model = model
        self.known = tuple(known)
        self.suggestions = tuple(difflib.get_close_matches(model, self.known, n=3, cutoff=0.6))
        if self.suggestions:
            super().__init__(f"unknown model {model!r}; did you mean " + " or ".join(map(repr, self.suggestions)) + "?")
            return
        hint = ", ".join(self.known[:8]) + (" …" if len(self.known) > 8 else "")
        super().__init__(f"unknown model {model!r}; known models: {hint or '(none)'}")


class InvalidPayload(CfaiError, ValueError):
    """A payload broke its schema; `errors` holds every located error."""

    def __init__(self, errors: Sequence[PayloadError]) -> None:
        self.errors = tuple(errors)
        lines = [f"{len(self.errors)} schema error(s):", *(f"  {e}" for e in self.errors)]
        super().__init__("\n".join(lines))


class SchemaLoadError(CfaiError):
    """One or more schema files cannot be used; `problems` holds every located problem."""

    def __init__(self, problems: Sequence[SchemaProblem]) -> None:
        self.problems = tuple(problems)
        lines = [f"{len(self.problems)} schema problem(s):", *(f"  {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class GenerationError(SchemaLoadError):
    """Generation stopped; nothing was written."""


class ContractWarning(UserWarning):
    """An answer (or one streamed frame) that breaks the model's output schema, returned anyway.

    The client warns with this instead of raising `ResponseValidationError` unless it is built (or
    called) with `strict=True`: the answer is never lost to our own schema check. `errors` holds
    every located error (model, schema file, JSON path, rule, limit, value); `model`, `side`
    ("output") and `where` ("response", "stream chunk 3") say what broke. Make it a failure with
    `-W error::cfai.ContractWarning` (the pytest plugin does, for tests using its fixtures).
    """

    def __init__(
        self, message: str, *, model: str = "", side: str = "output", where: str = "response", errors: Sequence[PayloadError] = ()
    ) -> None:
        super().__init__(message)
        self.model = model
        self.side = side
        self.where = where
        self.errors = tuple(errors)


class SchemaUnavailableWarning(UserWarning):
    """`run_untyped` could not get a model's schema (not shipped, and the API would not give it, or
    gave something that is not a usable schema): the payload is sent unvalidated and the answer
    comes back as plain JSON. The message says why, located."""
