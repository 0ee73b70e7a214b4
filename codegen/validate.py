"""Validation before sending: every error, located, against the variant the payload was meant for.

The hot path is jsonschema-rs (`is_valid`, compiled once per model and side). Only an invalid
payload pays for locating its errors, also with jsonschema-rs: its `oneOf`/`anyOf` errors carry
every branch's own errors, so we report the branch the payload was meant for instead of the
unhelpful "not valid under any of the given schemas" that both jsonschema-rs and
python-jsonschema's `best_match` give for a root `oneOf`.

This module is imported at run time: it must not import the generator toolchain.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jsonschema_rs

from .errors import InvalidPayload, PayloadError, SchemaLoadError, SchemaProblem, UnknownModel, json_path
from .naming import variant_keyword, variant_names, variants
from .schemas import FILES, check_schema, check_shape, default_root, discover

__all__ = ["ModelValidator", "Registry", "default_registry", "validate"]

# The keys of jsonschema-rs's error kinds that hold the rule's limit, in order of preference.
_LIMIT_KEYS = ("limit", "options", "expected_value", "property", "unexpected", "pattern", "multiple_of", "types")
# Errors on the value itself (not on something inside it): a branch with one of these at the
# branch's own location was not what the payload was meant for.
_SHAPE_RULES = {"type", "required", "const", "enum", "additionalProperties", "falseSchema"}


def _limit(kind: Any) -> Any:
    details = kind.as_dict()
    for key in _LIMIT_KEYS:
        if key in details:
            value = details[key]
            return value[0] if key == "types" and len(value) == 1 else value
    return None


def _score(errors: Sequence[Any], depth: int) -> tuple[int, int]:
    """Lower is a better match: fewest errors on the value itself, then fewest errors in all."""
    own = sum(1 for e in errors if len(e.instance_path) == depth and e.kind.name in _SHAPE_RULES)
    return own, len(errors)


class ModelValidator:
    """A compiled validator for one side (`input`/`output`) of one model."""

    def __init__(self, model: str, side: str, schema: Any, *, schema_file: str | None = None) -> None:
        self.model = model
        self.side = side
        self.schema = schema
        self.schema_file = schema_file or f"{model}/{FILES[side]}"
        try:
            self._validator = jsonschema_rs.validator_for(schema)
        except jsonschema_rs.ValidationError as exc:
            problems = check_schema(model, self.schema_file, schema) or [
                SchemaProblem(model, self.schema_file, json_path(exc.instance_path), exc.message)
            ]
            raise SchemaLoadError(problems) from None
        self.variants = variant_names(model, schema, side)
        self._branches: list[Any] | None = None
        self._keyword = variant_keyword(schema)
        # A titled root without `oneOf` is a single variant: every error belongs to it.
        self._root_variant = self.variants[0] if self.variants and not variants(schema) else None

    def is_valid(self, payload: Any) -> bool:
        return bool(self._validator.is_valid(payload))

    def errors(self, payload: Any) -> list[PayloadError]:
        """Every error in `payload`; `[]` when it is valid."""
        if self._validator.is_valid(payload):
            return []
        return [e for err in self._validator.iter_errors(payload) for e in self._locate(err, self._root_variant)]

    def check(self, payload: Any) -> None:
        """Raise `InvalidPayload` with every error unless `payload` is valid."""
        if not self._validator.is_valid(payload):
            raise InvalidPayload(self.errors(payload))

    def variant_of(self, payload: Any) -> str | None:
        """The root `oneOf` variant `payload` is valid under, if the schema has variants."""
        if not self.variants or not self._validator.is_valid(payload):
            return None
        if self._root_variant is not None:
            return self._root_variant
        if self._branches is None:  # compiled on first use: most callers never ask
            self._branches = [
                jsonschema_rs.validator_for({**self.schema, self._keyword: [branch]}) for branch in variants(self.schema)
            ]
        return next((n for n, v in zip(self.variants, self._branches, strict=True) if v.is_valid(payload)), None)

    def _locate(self, err: Any, variant: str | None) -> Iterator[PayloadError]:
        rule = err.kind.name
        if rule in ("oneOf", "anyOf"):
            branches = err.kind.as_dict()["context"]
            if branches and all(branches):  # no branch matched: descend into the best one
                depth = len(err.instance_path)
                best = min(range(len(branches)), key=lambda i: _score(branches[i], depth))
                if not any(len(e.instance_path) == depth and e.kind.name == "type" for e in branches[best]):
                    if list(err.schema_path) == [self._keyword] and self.variants:
                        variant = self.variants[best]
                    for inner in branches[best]:
                        yield from self._locate(inner, variant)
                    return
        yield PayloadError(
            model=self.model,
            schema_file=self.schema_file,
            path=json_path(err.instance_path),
            rule=rule,
            limit=None if rule in ("oneOf", "anyOf") else _limit(err.kind),
            value=None if rule == "required" else err.instance,
            message=err.message,
            variant=variant,
        )


class Registry:
    """Models found under a schema root, with validators compiled once and cached."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self._validators: dict[tuple[str, str], ModelValidator] = {}
        self._lock = threading.Lock()

    def models(self) -> list[str]:
        return discover(self.root)

    def validator(self, model: str, side: str = "input") -> ModelValidator:
        key = (model, side)
        if (found := self._validators.get(key)) is not None:
            return found
        with self._lock:
            if key not in self._validators:
                self._validators[key] = ModelValidator(model, side, self.schema(model, side))
            return self._validators[key]

    def schema(self, model: str, side: str = "input") -> Any:
        file = f"{model}/{FILES[side]}"
        path = self.root / model / FILES[side]
        if not path.is_file():
            raise UnknownModel(model, self.models())
        try:
            schema = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SchemaLoadError([SchemaProblem(model, file, "$", f"not valid JSON: {exc}")]) from None
        if problems := check_shape(model, file, schema):
            raise SchemaLoadError(problems)
        return schema


_default: Registry | None = None


def default_registry() -> Registry:
    """The registry of the bundled schemas (or `$CFAI_SCHEMAS`), made on first use."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def validate(model: str, payload: Any, *, side: str = "input", registry: Registry | None = None) -> list[PayloadError]:
    """Every error of `payload` against `model`'s input (or output) schema; `[]` when valid."""
    return (registry or default_registry()).validator(model, side).errors(payload)
