"""A deterministic instance of a JSON Schema: the mock's answers when no recording matches.

`Instances(schema).make(rng, hints)` walks the schema with a seeded `random.Random`, so the same seed
gives the same value. `hints` is a value of the shape wanted (a realistic chat completion, say): at
every node where the hint is valid against the node's own schema it is taken whole, elsewhere the
node is generated from its keywords and the hint's parts are offered to the children. The published
output schemas are loose (`choices: {"type": "array"}`), so the hints make the answer useful and
the schema keeps it honest. The caller validates the result with the model's validator and retries
with another seed when a combination (`oneOf` exactly-one, a `pattern`) did not work out.

Values look real where the schema says what they are (`cfai.serve.realistic`): base64 that decodes
to a small PNG or WAV/MP3 where a string is an image or audio, embeddings whose `shape` matches
`data`, probabilities and scores in [0, 1], token counts that add up, ids that look like ids, the
requested model's name under `model`, words for text. `facts` carries what the request says (the
model, its text, the embedding dimension). Work is bounded: a schema asking for a string, an array
or an object over the limits below (or too many values in all) is a `NoInstance` naming the limit,
raised before anything is built.

`codegen.strategies` (hypothesis) is the generator for tests; it may not be imported at run time.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema_rs

from . import realistic

__all__ = ["LIMITS", "Instances", "NoInstance", "OverLimit"]

# What one answer may ask for (an answer is JSON sent at once: these are far above any real one).
LIMITS = {"minLength": 1_000_000, "minItems": 10_000, "minProperties": 10_000, "values": 200_000}
_MAX_DEPTH = 12
_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "email": "mock@example.com",
    "uri": "https://example.com/mock",
    "url": "https://example.com/mock",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "binary": "",
}


class NoInstance(ValueError):
    """The schema admits no value this generator can build (a `pattern` it cannot satisfy, `false`)."""


class OverLimit(NoInstance):
    """The schema asks for more than `LIMITS` allows: another seed would not help."""


class Instances:
    """Instances of one schema document; compiled sub-schema validators are kept between calls."""

    def __init__(self, schema: Any) -> None:
        self.root = schema
        self._defs = {k: schema[k] for k in ("$defs", "definitions") if isinstance(schema, Mapping) and k in schema}
        # Validators per sub-schema: nodes of the document by identity (the document is kept, so
        # their ids stay theirs); nodes built on the way (merged branches) by content, bounded.
        self._document = {id(node) for node in _nodes(schema)}
        self._fits: dict[int | str, Any] = {}

    def make(self, rng: random.Random, hint: Any = None, facts: Mapping[str, Any] | None = None) -> Any:
        self._facts: Mapping[str, Any] = facts or {}
        self._left = LIMITS["values"]
        if (least := self._least(self.root, 0)) > LIMITS["values"]:
            raise OverLimit(f"the output schema asks for at least {least:,} values (`minItems` of nested arrays), "
                            f"over the mock's limit of {LIMITS['values']:,} values")
        return self._value(self.root, rng, hint, 0)

    def _least(self, schema: Any, depth: int) -> int:
        """How many values an instance must hold at the least (arrays' `minItems` multiply), capped."""
        schema = self._resolve(schema)
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return 1
        _check_limits(schema)
        total = 1
        found = schema.get("minItems")
        if isinstance(found, int) and found > 0:
            items = schema.get("items")
            total += found * self._least(items if isinstance(items, Mapping) else {}, depth + 1)
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for key in schema.get("required") or []:
                if isinstance(key, str) and key in properties:
                    total += self._least(properties[key], depth + 1)
        branches = [b for k in ("oneOf", "anyOf") for b in schema.get(k) or []]
        if branches:
            total += min(self._least(b, depth + 1) for b in branches)
        return min(total, 10 * LIMITS["values"])

    # --- helpers ------------------------------------------------------------------------------------

    def _fits_hint(self, schema: Any, hint: Any) -> bool:
        """Whether `hint` is valid against `schema` (a node of the document; its `$ref`s resolve)."""
        if hint is None and not isinstance(schema, Mapping):
            return False
        key: int | str = id(schema)
        if key not in self._document:
            key = json.dumps(schema, sort_keys=True, default=repr)
            if len(self._fits) > 4096:
                self._fits = {k: v for k, v in self._fits.items() if isinstance(k, int)}
        if key not in self._fits:
            node = {**self._defs, **schema} if isinstance(schema, Mapping) else schema
            try:
                self._fits[key] = jsonschema_rs.validator_for(node)
            except (jsonschema_rs.ValidationError, ValueError):
                self._fits[key] = None
        validator = self._fits[key]
        return validator is not None and bool(validator.is_valid(hint))

    def _takes_whole(self, schema: Mapping[str, Any], hint: Any) -> bool:
        """A hint is the answer at this node when it fits and says nothing the node does not name:
        a combinator is descended into (its branches decide), and an object with `properties`
        takes only a hint whose keys are all among them (else a model's own fields would be lost)."""
        if not isinstance(schema, Mapping) or any(k in schema for k in ("oneOf", "anyOf", "allOf")):
            return False
        properties = schema.get("properties")
        if isinstance(hint, Mapping) and isinstance(properties, Mapping) and not hint.keys() <= properties.keys():
            return False
        return self._fits_hint(schema, hint)

    def _resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 32:
            node: Any = self.root
            for token in schema["$ref"].lstrip("#").strip("/").split("/") if schema["$ref"] != "#" else []:
                token = token.replace("~1", "/").replace("~0", "~")
                node = node[int(token)] if isinstance(node, list) else node.get(token) if isinstance(node, Mapping) else None
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**node, **rest} if isinstance(node, Mapping) else node
            seen += 1
        return schema

    # --- the walk -----------------------------------------------------------------------------------

    def _value(self, schema: Any, rng: random.Random, hint: Any, depth: int, name: str | None = None) -> Any:
        self._left -= 1
        if self._left < 0:
            raise OverLimit(f"the answer would hold over {LIMITS['values']:,} values, the mock's limit")
        if schema is True or schema == {}:
            return hint if hint is not None else realistic.words(rng, 6)
        if schema is False or not isinstance(schema, Mapping):
            raise NoInstance("the schema `false` admits no value")
        schema = self._resolve(schema)
        _check_limits(schema)
        if hint is not None and self._takes_whole(schema, hint):
            return hint
        if not any(k in schema for k in ("const", "enum", "oneOf", "anyOf", "allOf")):
            found = realistic.value(schema, name, rng, getattr(self, "_facts", {}))
            if found is not realistic.NOTHING and self._fits_hint(schema, found):
                return found
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return rng.choice(schema["enum"])
        if "allOf" in schema and isinstance(schema["allOf"], list):
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, self._resolve(part))
            return self._value(merged, rng, hint, depth)
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                rest = {k: v for k, v in schema.items() if k not in (keyword, "title", "description")}
                order = [b for b in branches if hint is not None and self._fits_hint({**rest, **b}, hint)]
                branch = order[0] if order else _preferred(branches, rng, self._resolve)
                return self._value(_merge(rest, self._resolve(branch)), rng, hint, depth, name)
        kind = _kind(schema, rng)
        if kind == "object":
            return self._object(schema, rng, hint if isinstance(hint, Mapping) else None, depth)
        if kind == "array":
            return self._array(schema, rng, hint if isinstance(hint, list) else None, depth)
        if kind == "string":
            return _string(schema, rng, name)
        if kind in ("number", "integer"):
            return _number(schema, rng, kind == "integer")
        if kind == "boolean":
            return rng.random() < 0.5
        return None

    def _object(self, schema: Mapping[str, Any], rng: random.Random, hint: Mapping[str, Any] | None, depth: int) -> Any:
        found = schema.get("properties")
        properties: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        required = [k for k in schema.get("required", []) if isinstance(k, str)]
        hinted = [k for k in hint or {} if k in properties]
        optional = [k for k in properties if k not in required and k not in hinted]
        chosen = required + [k for k in hinted if k not in required]
        if not chosen and depth < 3:  # nothing asked for: an answer with every field is the useful one
            chosen = list(properties)
        elif depth < 3:  # a little of the rest, for variety; deeper down only what is asked for
            chosen += [k for k in optional if rng.random() < 0.3]
        out: dict[str, Any] = {}
        for key in chosen:
            out[key] = self._value(properties.get(key, {}), rng, (hint or {}).get(key), depth + 1, key)
        realistic.settle(out, getattr(self, "_facts", {}))  # totals that add up, shape matching data
        minimum = schema.get("minProperties", 0)
        filler = schema.get("additionalProperties", True)
        while isinstance(minimum, int) and len(out) < minimum and filler is not False:
            out[f"key{len(out)}"] = self._value(filler if isinstance(filler, Mapping) else {}, rng, None, depth + 1)
        return out

    def _array(self, schema: Mapping[str, Any], rng: random.Random, hint: list[Any] | None, depth: int) -> Any:
        at_least, at_most = schema.get("minItems"), schema.get("maxItems")
        low: int = at_least if isinstance(at_least, int) else 0
        high: int = at_most if isinstance(at_most, int) else low + 2
        # Near the top an answer with one item says more than an empty list; deeper down, few.
        wanted = low if depth >= _MAX_DEPTH else max(low, 1) if depth < 3 else low + rng.randint(0, 1)
        count = max(low, min(high, len(hint) if hint else wanted))
        listed = schema.get("prefixItems")
        prefix: list[Any] = listed if isinstance(listed, list) else []
        items = schema.get("items", {})
        out = []
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else items if isinstance(items, Mapping | bool) else {}
            out.append(self._value(sub, rng, hint[index] if hint and index < len(hint) else None, depth + 1))
        if schema.get("uniqueItems") and len({repr(v) for v in out}) < len(out):
            raise NoInstance("uniqueItems: generated duplicates")
        return out


def _check_limits(schema: Mapping[str, Any]) -> None:
    """Refuse, before building anything, what would take the server down to build or to send."""
    for keyword in ("minLength", "minItems", "minProperties"):
        wanted = schema.get(keyword)
        if isinstance(wanted, int | float) and not isinstance(wanted, bool) and wanted > LIMITS[keyword]:
            raise OverLimit(f"the output schema asks for `{keyword}: {wanted:,}`, over the mock's limit of "
                             f"{LIMITS[keyword]:,}")


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
    for child in children:
        yield from _nodes(child)


def _merge(base: Mapping[str, Any], extra: Any) -> dict[str, Any]:
    """Two object schemas as one (properties and required united); enough for allOf and branches."""
    if not isinstance(extra, Mapping):
        return dict(base)
    out = {**base, **extra}
    if isinstance(base.get("properties"), Mapping) and isinstance(extra.get("properties"), Mapping):
        out["properties"] = {**base["properties"], **extra["properties"]}
    if isinstance(base.get("required"), list) and isinstance(extra.get("required"), list):
        out["required"] = list(dict.fromkeys(base["required"] + extra["required"]))
    return out


def _preferred(branches: list[Any], rng: random.Random, resolve: Any) -> Any:
    """A JSON branch over a streamed (`text/event-stream`) or null one, else any."""
    plain = [b for b in branches if isinstance(resolve(b), Mapping) and resolve(b).get("contentType") != "text/event-stream"]
    plain = [b for b in plain if resolve(b).get("type") != "null"] or plain
    return rng.choice(plain or branches)


def _kind(schema: Mapping[str, Any], rng: random.Random) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"] or kind
        return str(rng.choice(kinds)) if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return "number"
    return "string"


def _string(schema: Mapping[str, Any], rng: random.Random, name: str | None = None) -> str:
    if "pattern" in schema:
        for candidate in realistic.pattern_candidates(schema):
            return candidate
        raise NoInstance(f"cannot build a string for pattern {schema['pattern']!r}")
    low = schema.get("minLength", 0) if isinstance(schema.get("minLength"), int) else 0
    high = schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else max(low, 64)
    text = _FORMATS.get(str(schema.get("format")), "") or realistic.words(rng, 4 if name else 8)
    if len(text) < low:
        text += "".join(rng.choice(string.ascii_lowercase) for _ in range(low - len(text)))
    return text[:high]


def _number(schema: Mapping[str, Any], rng: random.Random, integer: bool) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    lo = float(low) if isinstance(low, int | float) else None
    hi = float(high) if isinstance(high, int | float) else None
    if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        lo = max(lo if lo is not None else float(ex_low), float(ex_low) + (1 if integer else 1e-6))
    if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
        hi = min(hi if hi is not None else float(ex_high), float(ex_high) - (1 if integer else 1e-6))
    lo = lo if lo is not None else (hi - 100 if hi is not None else 0.0)
    hi = hi if hi is not None else lo + 100
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        import math

        first, last = math.ceil(lo / step), math.floor(hi / step)
        if first > last:
            raise NoInstance(f"no multiple of {step} in [{lo}, {hi}]")
        value: float = rng.randint(first, last) * step
        return int(value) if integer else value
    if integer:
        import math

        first, last = math.ceil(lo), math.floor(hi)
        if first > last:
            raise NoInstance(f"no integer in [{lo}, {hi}]")
        return rng.randint(first, min(last, first + 1000))
    return round(rng.uniform(lo, hi), 3) if hi > lo else lo
