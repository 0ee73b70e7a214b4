"""Refinements: what we know about a model's answers beyond its published schema, written on top of it.

Published schemas leave the headline answers open (`"choices": {"type": "array"}`, `"output":
{"type": "array"}`) and miss what the service is known to send (`"response": null` beside
`tool_calls`). Editing the pulled files would be lost on the next `cfai pull` and would hide what
Cloudflare publishes, so, in the spirit of OpenAPI Overlays, each fact is a rule in a file under
`schemas/refinements/` (format: `schemas/refinements/README.md`), applied on top of the published
(and repaired) schema wherever one is read (`cfai.schemas.load_model`, `cfai.validate.Registry`):
generation, validation, `cfai serve` and the client see the same refined schema.

A file applies to the models it names (`applies_to.models`) or, without that, to every model. A
rule finds where it applies by a JSON Pointer (`target`) from the schema's root or from a root
variant (`variant`, its title), or by shape (`where`: every subschema whose `properties` name these
keys), then replaces (`set`), merges (`merge`, JSON Merge Patch, RFC 7396) or adds alternatives
(`also`: `[{"type": "null"}]` lets a value be null). Each carries `why` and `evidence` (a recording,
the field notes, a documentation page).

Pure: `refine` returns a refined copy, one note per rule that changed the schema (`applied`) and one
per rule that no longer finds its target (`stale`, a problem: the published schema moved under it).
`side: "chunk"` rules apply to the streamed chunk schema (`cfai.stream.chunk_schema`), which is
derived from the refined output and carried inside it (`x-cfai-chunk`), so every reader of the
output schema derives the same chunk.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .errors import SchemaLoadError, SchemaProblem, json_path
from .guards import subschemas
from .jsonvalue import loads
from .naming import variants
from .stream import CHUNK_KEY, chat_variant, chunk_schema

__all__ = ["DIRECTORY", "Refined", "Refinement", "Rule", "load", "parse", "refine"]

DIRECTORY = "refinements"
SIDES = ("input", "output", "chunk")
OPS = ("set", "merge", "also")
_RULE_KEYS = {"side", "variant", "target", "where", "why", "evidence", *OPS}

Location = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One refinement: where (`variant`, `where`, `target`), what (`op`, `value`), and why."""

    source: str  # "refinements/<file> rule <n>"
    side: str
    op: str
    value: Any
    why: str
    evidence: tuple[str, ...]
    target: str = ""
    variant: str | None = None
    where: tuple[str, ...] | None = None  # keys every matched subschema's `properties` must have


@dataclass(frozen=True, slots=True)
class Refinement:
    """One file of rules (`about` is for people), for `models` or, when None, for every model."""

    file: str
    models: frozenset[str] | None  # None: every model
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Refined:
    """A refined copy of a schema; the notes of the rules that changed it and of those gone stale."""

    schema: Any
    applied: tuple[SchemaProblem, ...] = ()
    stale: tuple[SchemaProblem, ...] = ()


def _fail(file: str, path: str, message: str) -> SchemaLoadError:
    return SchemaLoadError([SchemaProblem("-", file, path, message)])


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def parse(file: str, document: Any) -> Refinement:
    """One refinement file's content, checked; `SchemaLoadError` (located) when it is malformed."""
    if not isinstance(document, Mapping) or not isinstance(document.get("rules"), list):
        raise _fail(file, "$", "a refinement file is an object with a `rules` list")
    applies = document.get("applies_to", {})
    if not isinstance(applies, Mapping) or ("models" in applies and not _strings(applies["models"])):
        raise _fail(file, "$.applies_to", "`applies_to` is {} or {\"models\": [names]}")
    rules = []
    for index, raw in enumerate(document["rules"]):
        at = f"$.rules[{index}]"
        if not isinstance(raw, Mapping) or (unknown := raw.keys() - _RULE_KEYS):
            raise _fail(file, at, f"a rule is an object of {sorted(_RULE_KEYS)}"
                        + (f"; unknown: {sorted(unknown)}" if isinstance(raw, Mapping) else ""))  # fmt: skip
        ops = [op for op in OPS if op in raw]
        side = raw.get("side", "output")
        if len(ops) != 1:
            raise _fail(file, at, f"a rule has exactly one of {', '.join(OPS)}")
        if side not in SIDES:
            raise _fail(file, f"{at}.side", f"side is one of {', '.join(SIDES)}")
        if not isinstance(raw.get("why"), str) or not raw["why"] or not _strings(raw.get("evidence")) or not raw["evidence"]:
            raise _fail(file, at, "a rule says `why` (text) and gives `evidence` (a non-empty list of strings)")
        target, where, variant = raw.get("target", ""), raw.get("where"), raw.get("variant")
        if not isinstance(target, str) or (target and not target.startswith("/")):
            raise _fail(file, f"{at}.target", "`target` is a JSON Pointer (\"/properties/choices\")")
        if where is not None and not (_strings(where.get("properties")) if isinstance(where, Mapping) else False):
            raise _fail(file, f"{at}.where", "`where` is {\"properties\": [keys]}")
        if variant is not None and not isinstance(variant, str):
            raise _fail(file, f"{at}.variant", "`variant` is the title of a root branch")
        value = raw[ops[0]]
        if ops[0] == "also" and not (isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)):
            raise _fail(file, f"{at}.also", "`also` is a non-empty list of schemas")
        if ops[0] == "merge" and not isinstance(value, Mapping):
            raise _fail(file, f"{at}.merge", "`merge` is an object (a JSON Merge Patch)")
        rules.append(Rule(
            source=f"{file} rule {index}", side=side, op=ops[0], value=value, why=raw["why"],
            evidence=tuple(raw["evidence"]), target=target, variant=variant,
            where=tuple(where["properties"]) if where is not None else None,
        ))  # fmt: skip
    models = frozenset(applies["models"]) if "models" in applies else None
    return Refinement(file, models, tuple(rules))


@functools.lru_cache(maxsize=16)
def _load(directory: str, stamp: tuple[tuple[str, int, int], ...]) -> tuple[Refinement, ...]:
    out = []
    for name, _, _ in stamp:
        file = f"{DIRECTORY}/{name}"
        try:
            document = loads((Path(directory) / name).read_bytes(), finite=True)
        except (ValueError, OSError) as exc:
            raise _fail(file, "$", f"not readable JSON: {exc}") from None
        out.append(parse(file, document))
    return tuple(out)


def load(directory: Path) -> tuple[Refinement, ...]:
    """Every `*.json` refinement file of `directory`, in file-name order (none if it is absent)."""
    if not directory.is_dir():
        return ()
    files = sorted(p for p in directory.glob("*.json") if p.is_file())
    return _load(str(directory), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))


# --- applying ---------------------------------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _step(node: Any, token: str) -> tuple[Any, str | int] | None:
    if isinstance(node, dict) and token in node:
        return node[token], token
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)], int(token)
    return None


def _anchors(schema: Any, rule: Rule) -> Iterator[Location] | None:
    """Where the rule's `target` starts: the root, a root variant, or every subschema of that shape.
    None when the named variant is absent."""
    base: Location = ()
    scope = schema
    if rule.variant is not None:
        keyword = next((k for k in ("oneOf", "anyOf") if isinstance(schema.get(k), list)), None)
        titles = [b.get("title") for b in variants(schema)]
        if keyword is None or rule.variant not in titles:
            if schema.get("title") != rule.variant:
                return None
        else:
            base = (keyword, titles.index(rule.variant))
            scope = schema[keyword][titles.index(rule.variant)]
    if rule.where is None:
        return iter([base])
    keys = rule.where
    return iter([(*base, *path) for path, node in list(subschemas(scope))
                 if isinstance(node.get("properties"), Mapping) and all(k in node["properties"] for k in keys)])  # fmt: skip


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, `null` removes a key, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_patch(out.get(key), value)
    return out


def _allows(node: Any, alternative: Mapping[str, Any]) -> bool:
    """Whether `node` already plainly allows the simple alternative `{"type": t}`."""
    if set(alternative) != {"type"} or not isinstance(node, Mapping):
        return False
    kind = alternative["type"]
    types = node.get("type")
    if (types == kind or (isinstance(types, list) and kind in types)) and "enum" not in node and "const" not in node:
        return True
    branches = node.get("anyOf")
    return isinstance(branches, list) and any(_allows(b, alternative) for b in branches)


def _also(node: Any, alternatives: Sequence[Mapping[str, Any]]) -> Any:
    """`node` that also accepts each alternative: a plain `{"type": t}` joins `type` where the node is
    a plain typed value (no enum/const: `null` joins an enum too), else an `anyOf` branch."""
    out: Any = copy.deepcopy(node)
    for alternative in alternatives:
        if _allows(out, alternative):
            continue
        plain = set(alternative) == {"type"} and isinstance(out, dict) and isinstance(out.get("type"), str | list)
        if plain and "const" not in out and ("enum" not in out or alternative["type"] == "null"):
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, alternative["type"]]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif isinstance(out, dict) and isinstance(out.get("anyOf"), list) and not {"type", "oneOf", "allOf"} & out.keys():
            out["anyOf"] = [*out["anyOf"], copy.deepcopy(dict(alternative))]
        else:
            keep = {k: out.pop(k) for k in ("title", "description", "default") if isinstance(out, dict) and k in out}
            out = {**keep, "anyOf": [out, copy.deepcopy(dict(alternative))]}
    return out


def _apply_at(schema: Any, path: Location, rule: Rule) -> tuple[bool, Location] | None:
    """Apply `rule` at `path` + its target: (whether it changed anything, where), None if unreachable."""
    node, parents = schema, []
    tokens = _tokens(rule.target)
    for token in path:
        parents.append((node, token))
        node = node[token]
    where = list(path)
    for i, token in enumerate(tokens):
        step = _step(node, token)
        if step is None:
            if i == len(tokens) - 1 and isinstance(node, dict) and rule.op in ("set", "merge"):
                parents.append((node, token))
                node, where = None, [*where, token]
                break
            return None
        parents.append((node, step[1]))
        node, where = step[0], [*where, step[1]]
    if rule.op == "set":
        new = copy.deepcopy(rule.value)
    elif rule.op == "merge":
        new = _merge_patch(node, rule.value)
    else:
        if node is None:
            return None
        new = _also(node, rule.value)
    if new == node:
        return False, tuple(where)
    if not parents:
        if not isinstance(schema, dict) or not isinstance(new, dict):
            return None
        schema.clear()
        schema.update(new)
    else:
        container, key = parents[-1]
        container[key] = new
    return True, tuple(where)


def refine(
    model: str, side: str, schema: Any, refinements: Sequence[Refinement], *, file: str
) -> Refined:
    """`schema` (one side of `model`, as published and repaired) with every applicable rule applied."""
    if not isinstance(schema, Mapping) or not schema:
        return Refined(schema)
    out = copy.deepcopy(dict(schema))
    applied: list[SchemaProblem] = []
    stale: list[SchemaProblem] = []
    chunk_rules: list[Rule] = []
    for refinement in refinements:
        if refinement.models is not None and model not in refinement.models:
            continue
        for rule in refinement.rules:
            if rule.side == "chunk" and side == "output":
                chunk_rules.append(rule)
            if rule.side != side:
                continue
            changed = _apply(model, out, rule, file, applied)
            if changed is None and (refinement.models is not None and rule.where is None):
                # A rule written for named models that finds no target: the published schema moved.
                stale.append(SchemaProblem(model, file, "$", f"refinement {rule.source} no longer applies: "
                                           f"no {rule.variant or 'root'} {rule.target or '(root)'} in the schema"))  # fmt: skip
    if chunk_rules and (chunk := chunk_schema(out)) is not None and (chat := chat_variant(out)) is not None:
        only = [Refinement(r.file, r.models, tuple(x for x in r.rules if x.side == "chunk")) for r in refinements]
        streamed = refine(model, "chunk", chunk, only, file=f"{file} (as a stream chunk)")
        if streamed.applied:
            cast(dict[str, Any], chat)[CHUNK_KEY] = streamed.schema  # a branch of `out`, our own copy
        applied += streamed.applied
        stale += streamed.stale
    return Refined(out, tuple(applied), tuple(stale))


def _apply(model: str, schema: dict[str, Any], rule: Rule, file: str, applied: list[SchemaProblem]) -> bool | None:
    """Apply one rule everywhere it matches; True/False whether it changed anything, None if it found nothing."""
    anchors = _anchors(schema, rule)
    if anchors is None:
        return None
    found: bool | None = None
    for anchor in list(anchors):
        result = _apply_at(schema, anchor, rule)
        if result is None:
            continue
        changed, where = result
        found = bool(found) or changed
        if changed:
            applied.append(SchemaProblem(model, file, json_path(where), f"refined by {rule.source} ({rule.op}): {rule.why}"))
    return found
