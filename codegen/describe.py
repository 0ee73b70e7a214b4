"""One description of each model, read once, that every stage works from.

`describe` reads a schema root into `Description` values (name, module, the usable schemas, their
variants with their names, the Chat Completions chunk schema, the notes of what was repaired) and
the models it had to skip, each with its located problems. Models, the OpenAPI document and the
reports all take these values; none of them re-reads or re-derives a name from a raw schema.

What happens to a model, by kind of problem (`cfai.schemas.load_model`, `cfai.repair`):
- a known authoring slip (`required` inside `properties`, `default: null` on a non-null value):
  repaired, with a note naming the repair;
- no output schema (`{}` or no file): input bindings only, answers typed as JSON, with a note;
- anything else (not JSON, not a schema, a dangling `$ref`, no input schema): the model is skipped
  with its problems, and every other model is still generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfai.errors import SchemaLoadError, SchemaProblem
from cfai.naming import module_name, variant_names, variants
from cfai.schemas import FILES, discover, load_model
from cfai.stream import chunk_schema

__all__ = ["CHUNK_CLASS", "Catalog", "Description", "describe"]

CHUNK_CLASS = "ChatCompletionsChunk"


@dataclass(frozen=True, slots=True)
class Description:
    name: str
    module: str
    input: Mapping[str, Any]
    output: Mapping[str, Any] | None  # None: no output schema, answers are typed as JSON
    input_variants: tuple[str, ...]
    output_variants: tuple[str, ...]
    chunk: Mapping[str, Any] | None  # the streamed Chat Completions chunk, when the output has one
    notes: tuple[SchemaProblem, ...] = ()

    @property
    def files(self) -> str:
        return ", ".join(f"{self.name}/{FILES[side]}" for side in ("input", "output"))

    def variant(self, side: str, name: str) -> Mapping[str, Any] | None:
        """The branch of `side` named `name` (`ChatCompletionsInput`), if the model has it."""
        schema = self.input if side == "input" else self.output
        names = self.input_variants if side == "input" else self.output_variants
        if schema is None or name not in names:
            return None
        branches = variants(schema)
        return branches[names.index(name)] if branches else schema


@dataclass(frozen=True, slots=True)
class Catalog:
    """What `describe` made of a schema root: the usable models and the skipped ones."""

    models: tuple[Description, ...]
    skipped: dict[str, tuple[SchemaProblem, ...]]


def _one(root: Path, model: str) -> Description:
    loaded = load_model(root, model)
    output = loaded.output
    return Description(
        name=model,
        module=module_name(model),
        input=loaded.input,
        output=output,
        input_variants=tuple(variant_names(model, loaded.input, "input")),
        output_variants=tuple(variant_names(model, output, "output")) if output is not None else (),
        chunk=chunk_schema(output) if output is not None else None,
        notes=loaded.notes,
    )


def describe(root: Path) -> Catalog:
    """Every model under `root`, described once; a model that cannot be used is skipped, located."""
    described: list[Description] = []
    skipped: dict[str, tuple[SchemaProblem, ...]] = {}
    owners: dict[str, str] = {}
    for model in discover(root):
        try:
            description = _one(root, model)
        except SchemaLoadError as exc:
            skipped[model] = exc.problems
            continue
        if (owner := owners.setdefault(description.module, model)) != model:
            clash = f"module name {description.module} is taken by {owner}"
            skipped[model] = (SchemaProblem(model, model, "$", clash),)
            continue
        described.append(description)
    return Catalog(tuple(described), skipped)
