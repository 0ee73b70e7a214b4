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

import json
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cfai.errors import SchemaLoadError, SchemaProblem, json_path
from cfai.guards import subschemas
from cfai.naming import module_name, qualified_module_name, variant_names, variants
from cfai.schemas import FILES, discover, load_model
from cfai.stream import chunk_schema

__all__ = ["CHUNK_CLASS", "Catalog", "Description", "describe"]

CHUNK_CLASS = "ChatCompletionsChunk"


@dataclass(frozen=True, slots=True)
class Description:
    name: str
    module: str  # the model's own module (`llama_3_1_8b_instruct`): its references for the client
    types: str  # the module of its schemas' types, shared by every model publishing the same schemas
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


def _same_identifiers(model: str, side: str, schema: Any) -> list[SchemaProblem]:
    """Property names of one object that Python reads as the same identifier (it normalises names
    to NFKC: `ﬁeld` is `field`, `ｘ` is `x`): one field would silently replace the other."""
    found = []
    for path, node in subschemas(schema):
        properties = node.get("properties") if isinstance(node, Mapping) else None
        if not isinstance(properties, Mapping):
            continue
        seen: dict[str, str] = {}
        for key in properties:
            if not isinstance(key, str):
                continue
            other = seen.setdefault(unicodedata.normalize("NFKC", key), key)
            if other != key:
                where = json_path([*path, "properties"])
                message = f"property names {other!r} and {key!r} are the same Python identifier (NFKC): rename one"
                found.append(SchemaProblem(model, f"{model}/{FILES[side]}", where, message))
    return found


def _one(root: Path, model: str) -> Description:
    loaded = load_model(root, model)
    output = loaded.output
    clashes = _same_identifiers(model, "input", loaded.input)
    clashes += _same_identifiers(model, "output", output) if output is not None else []
    if clashes:
        raise SchemaLoadError(clashes)
    return Description(
        name=model,
        module=module_name(model),
        types="",  # set by `describe` once every model is read: it depends on the others
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
    for model in discover(root):
        try:
            described.append(_one(root, model))
        except SchemaLoadError as exc:
            skipped[model] = exc.problems
    named = _module_names(described, skipped)
    return Catalog(tuple(named), skipped)


# Names the generated package holds besides the models' modules.
RESERVED = frozenset({"types", "payloads", "catalog", "py", "load", "MODELS"})


def _module_names(models: list[Description], skipped: dict[str, tuple[SchemaProblem, ...]]) -> list[Description]:
    """Each model's module (its last segment; qualified by its author when that is shared or
    reserved) and its types module (one per distinct pair of schemas, see `_types_names`)."""
    short = Counter(m.module for m in models)
    owners: dict[str, str] = {}
    out: list[Description] = []
    for m in models:
        module = m.module if short[m.module] == 1 and m.module not in RESERVED else qualified_module_name(m.name)
        if (owner := owners.setdefault(module, m.name)) != m.name:
            skipped[m.name] = (SchemaProblem(m.name, m.name, "$", f"module name {module} is taken by {owner}"),)
            continue
        out.append(replace(m, module=module))
    names = _types_names(out)
    return [replace(m, types=names[fingerprint(m)]) for m in out]


def fingerprint(model: Description) -> str:
    """What makes two models' bindings the same: their (repaired) schemas, nothing else."""
    return json.dumps([model.input, model.output], sort_keys=True, separators=(",", ":"))


def _types_names(models: list[Description]) -> dict[str, str]:
    """A name per distinct pair of schemas. A model alone keeps its module's name; models sharing
    schemas get the words their names share (`whisper`, `whisper-tiny-en` → `whisper`), else the
    task their schemas describe (`text_generation`), else the first model's module name."""
    groups: dict[str, list[Description]] = {}
    for m in sorted(models, key=lambda m: m.name):
        groups.setdefault(fingerprint(m), []).append(m)
    taken = {members[0].module for members in groups.values() if len(members) == 1}
    names: dict[str, str] = {}
    for key, members in sorted(groups.items(), key=lambda kv: kv[1][0].name):
        if len(members) == 1:
            names[key] = members[0].module
            continue
        for name in (_shared_words([m.module for m in members]), _task(members[0]), members[0].module):
            if name and name not in taken:
                break
        taken.add(name)
        names[key] = name
    return names


def _shared_words(modules: list[str]) -> str:
    """The words of the first name that every other name has too, in order, if one is a word
    (not only numbers): `bge_base_en_v1_5`, `omni_bge_base_en_v1_5` → `bge_base_en_v1_5`."""
    first, *others = [name.split("_") for name in modules]
    common = [w for w in first if all(w in other for other in others)]
    return "_".join(common) if any(len(w) > 2 and not w.isdigit() for w in common) else ""


def _task(model: Description) -> str:
    """The task a model's schemas describe, named as Cloudflare's catalog names it."""
    def keys(schema: Mapping[str, Any] | None) -> set[str]:
        found: set[str] = set()
        for branch in [schema or {}, *variants(schema or {})]:
            if isinstance(branch.get("properties"), Mapping):
                found |= set(branch["properties"])
        return found

    inputs, outputs = keys(model.input), keys(model.output)
    text = json.dumps(model.output or {})
    if "response" in outputs and inputs & {"prompt", "messages"}:
        return "text_generation"
    if "choices" in outputs and "messages" in inputs:
        return "chat_completions"
    if {"data", "shape"} <= outputs:
        return "text_embeddings"
    if '"image/' in text or "image" in outputs:
        return "text_to_image"
    if '"audio/' in text or "audio" in outputs:
        return "text_to_speech"
    if "audio" in inputs:
        return "speech_recognition"
    return ""
