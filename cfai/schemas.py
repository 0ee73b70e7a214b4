"""Schema folders: where a model's schemas live, how they are read, and whether they are usable.

A schema root holds one folder per model, named by the model (`openai/gpt-5.5`,
`@cf/meta/llama-3.1-8b-instruct`), each with `schema-input.json` and `schema-output.json`.
`check_schema` is pure; `read_model` is the only I/O here.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from . import guards
from .discovery import read_inside, scan
from .errors import SchemaLoadError, SchemaProblem, json_path
from .jsonvalue import loads
from .refine import DIRECTORY as REFINEMENTS
from .refine import Refined, load, refine
from .repair import repair

__all__ = [
    "FILES",
    "SIDES",
    "ModelSchemas",
    "check_schema",
    "check_shape",
    "default_root",
    "discover",
    "load_model",
    "openapi_path",
    "parse_schema",
    "read_model",
    "read_schema",
    "rebase_refs",
    "refined",
    "refinements_dir",
]

SIDES = ("input", "output")
FILES = {"input": "schema-input.json", "output": "schema-output.json"}

# Keywords that say what a value is; a schema with none of them gives the generator nothing to type.
_SHAPE_KEYWORDS = {"type", "properties", "oneOf", "anyOf", "allOf", "$ref", "enum", "const", "items"}


def default_root() -> Path:
    """`$CFAI_SCHEMAS`, else the schemas bundled in a wheel, else the project's `schemas/`."""
    if env := os.environ.get("CFAI_SCHEMAS"):
        return Path(env)
    bundled = Path(__file__).parent / "_schemas"
    return bundled if bundled.is_dir() else Path(__file__).resolve().parents[1] / "schemas"


def refinements_dir(root: Path) -> Path:
    """The refinements that apply to `root`: its own `refinements/` folder, else the shipped ones
    (`schemas/refinements/`, `cfai/_schemas/refinements/` in a wheel), which describe the service and
    so apply to any folder of its schemas (`../shared/catalog`)."""
    if (own := root / REFINEMENTS).is_dir():
        return own
    bundled = Path(__file__).parent / "_schemas" / REFINEMENTS
    return bundled if bundled.is_dir() else Path(__file__).resolve().parents[1] / "schemas" / REFINEMENTS


def refined(root: Path, model: str, side: str, schema: Any) -> Refined:
    """One side of `model` (as published and repaired) with the refinements of `root` applied."""
    return refine(model, side, schema, load(refinements_dir(root)), file=f"{model}/{FILES[side]}")


def openapi_path() -> Path:
    """The OpenAPI 3.1 document of the bundled models: `cfai/_openapi.json` in a wheel, else the
    project's `generated/openapi.json`. (`cfai generate --out OUT` writes yours as `OUT/openapi.json`.)"""
    bundled = Path(__file__).parent / "_openapi.json"
    return bundled if bundled.is_file() else Path(__file__).resolve().parents[1] / "generated" / "openapi.json"


def discover(root: Path) -> list[str]:
    """Every model under `root`: folders holding a schema file, named by their path under root (a
    folder whose path is not a model name is skipped: `cfai.discovery.scan` says which and why)."""
    return scan(root)[0]


def rebase_refs(node: Any, base: str) -> None:
    """Point the local `$ref`s of a schema at its new place `#<base>` inside a larger document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            node["$ref"] = "#" + base + ref[1:]
        for value in node.values():
            rebase_refs(value, base)
    elif isinstance(node, list):
        for value in node:
            rebase_refs(value, base)


def _walk(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _resolve_pointer(schema: Any, pointer: str) -> bool:
    node = schema
    for raw in pointer.lstrip("/").split("/") if pointer not in ("", "/") else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def check_shape(model: str, file: str, schema: Any) -> list[SchemaProblem]:
    """The cheap check run before every use: a non-empty object that says what a value is.

    An empty schema is valid JSON Schema, but it accepts anything: validating against it would let
    every payload through, so it is refused (Cloudflare publishes `@cf/qwen/qwq-32b` so).
    """
    message = None
    if not isinstance(schema, Mapping):
        message = f"a schema must be a JSON object, got {type(schema).__name__}"
    elif not schema:
        message = "empty schema {}: it describes nothing, so there is nothing to generate or validate"
    elif not _SHAPE_KEYWORDS & schema.keys():
        message = f"the schema has none of {', '.join(sorted(_SHAPE_KEYWORDS))}: it does not say what a value is"
    return [SchemaProblem(model, file, "$", message)] if message else []


@functools.cache
def _meta_validator() -> Any:
    # Imported here: python-jsonschema is the reference for schema checks, not for the hot path.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


def meta_problems(schema: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Where `schema` breaks the draft 2020-12 meta-schema, and how.

    jsonschema-rs gives the verdict (the whole catalog in about 10 ms; python-jsonschema takes
    seconds, paid by every pull, generation and first validation); python-jsonschema, the
    reference, is asked only about a schema found invalid, for its located messages. Both read the
    schema as 2020-12 whatever its `$schema` says, as the generator and the validator do.
    """
    probe = {key: value for key, value in schema.items() if key != "$schema"}
    try:
        if jsonschema_rs.meta.is_valid(probe):
            return []
    except (ValueError, jsonschema_rs.ReferencingError):  # a reference it cannot resolve: ask the reference
        pass
    errors = _meta_validator().iter_errors(schema)
    return [(tuple(err.absolute_path), f"not a valid JSON Schema: {err.message}")
            for err in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]  # fmt: skip


def check_schema(model: str, file: str, schema: Any, *, side: str = "input") -> list[SchemaProblem]:
    """Every reason `schema` cannot be generated from or validated against, located by JSON path.

    Known authoring slips (`cfai.repair`) are not problems: they are repaired wherever the schema is
    read. An empty output schema is not one either: the model's answers are then typed as JSON.
    """

    def problem(path: tuple[str | int, ...], message: str) -> SchemaProblem:
        return SchemaProblem(model=model, file=file, path=json_path(path), message=message)

    if side == "output" and schema == {}:
        return []
    if shape := check_shape(model, file, schema):
        return shape
    if deep := guards.too_deep(schema):  # first: everything below recurses
        return [problem(*deep)]
    schema, _ = repair(model, file, schema)

    problems = [problem(path, message) for path, message in meta_problems(schema)]
    for path, node in guards.subschemas(schema):  # schema positions only: an enum value is data
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            continue
        ref = node["$ref"]
        if not ref.startswith("#"):
            problems.append(problem((*path, "$ref"), f"$ref {ref!r} points outside the file"))
        elif not _resolve_pointer(schema, ref[1:]):
            problems.append(problem((*path, "$ref"), f"dangling $ref {ref!r}: no such location"))
    problems += [problem(*found) for found in (*guards.references(schema), *guards.cycles(schema))]
    # One slip can break several meta-schema branches with the same message: report it once.
    return list(dict.fromkeys(problems))


def parse_schema(model: str, file: str, text: bytes | str, *, side: str = "input") -> tuple[Any, list[SchemaProblem]]:
    """Parse and check one schema file's content (as published: repairs happen where it is read)."""
    try:
        schema = loads(text, max_depth=None, finite=True)  # depth: located by check_schema
    except ValueError as exc:  # not JSON, NaN/Infinity, nested too deeply to parse
        return None, [SchemaProblem(model, file, "$", f"not valid JSON: {exc}")]
    return schema, check_schema(model, file, schema, side=side)


def _read(root: Path, model: str, side: str) -> tuple[Any, list[SchemaProblem]]:
    file = f"{model}/{FILES[side]}"
    try:
        text = read_inside(root, f"{model}/{FILES[side]}")
    except OSError as exc:
        return None, [SchemaProblem(model, file, "$", f"cannot read: {exc.strerror or exc}")]
    return parse_schema(model, file, text, side=side)


def read_schema(root: Path, model: str, side: str) -> Any:
    """One checked schema of `model`, or `SchemaLoadError`."""
    schema, problems = _read(root, model, side)
    if problems:
        raise SchemaLoadError(problems)
    return schema


@dataclass(frozen=True, slots=True)
class ModelSchemas:
    """A model's schemas as they are used: repaired and refined, and `output` None when none is
    published (`{}` or no file), the answers then being typed as JSON. `notes` says what was done
    and why; `refinements`, which refinement rules (`cfai.refine`) changed the schemas: deliberate,
    reviewed facts, so `cfai generate --strict` does not fail on them, while a rule written for the
    model that no longer finds its target is a note."""

    model: str
    input: Any
    output: Any | None
    notes: tuple[SchemaProblem, ...] = ()
    refinements: tuple[SchemaProblem, ...] = ()


def load_model(root: Path, model: str) -> ModelSchemas:
    """The usable schemas of `model`, or `SchemaLoadError` when it cannot be used at all.

    An input schema that is missing, empty or broken, or an output schema that is broken, makes the
    model unusable; an output that is missing or `{}` leaves it usable for its requests.
    """
    notes: list[SchemaProblem] = []
    output_file = f"{model}/{FILES['output']}"
    if not (root / model / FILES["output"]).is_file() and (root / model / FILES["input"]).is_file():
        output: Any = {}
        problems: list[SchemaProblem] = []
    else:
        output, problems = _read(root, model, "output")
    source, found = _read(root, model, "input")
    problems = found + problems
    if problems:
        raise SchemaLoadError(problems)
    schema, repairs = repair(model, f"{model}/{FILES['input']}", source)
    notes += repairs
    sides = [refined(root, model, "input", schema)]
    if output == {}:
        notes.append(SchemaProblem(model, output_file, "$", "input only: no output schema is published, "
                                   "answers are typed as JSON"))
    else:
        output, repairs = repair(model, output_file, output)
        notes += repairs
        sides.append(refined(root, model, "output", output))
    notes += [stale for side in sides for stale in side.stale]
    applied = tuple(note for side in sides for note in side.applied)
    return ModelSchemas(model, sides[0].schema, sides[1].schema if len(sides) > 1 else None, tuple(notes), applied)


def read_model(root: Path, model: str) -> dict[str, Any]:
    """Both usable schemas of `model` (`{}` for an unpublished output), or `SchemaLoadError`."""
    loaded = load_model(root, model)
    return {"input": loaded.input, "output": {} if loaded.output is None else loaded.output}
