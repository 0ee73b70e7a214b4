"""Hypothesis strategies built directly from a JSON Schema, for property-based contract tests.

`from_schema(schema)` yields only instances valid under JSON Schema 2020-12 as python-jsonschema's
Draft202012Validator implements it. Why not hypothesis-jsonschema: 0.23.1 crashes with hypothesis
>= 6.130, and it is slow (3-6 examples/s on @cf/meta/llama-3.3-70b-instruct-fp8-fast's input)
because its `oneOf` generates every branch and then filters out the overlaps. Here a `oneOf` picks
one branch, generates from it and checks exclusivity with jsonschema-rs validators compiled once
per schema node: 80-95 examples/s on that schema, 20-30x faster.

Generated constructively: type (string or list), properties, required, additionalProperties,
enum, const, minimum/maximum/exclusiveMinimum/exclusiveMaximum, multipleOf, minLength/maxLength,
pattern, items, prefixItems, minItems/maxItems, uniqueItems, oneOf/anyOf/allOf, boolean schemas and
local `#/...` $ref. `format` is an annotation in 2020-12, so it is ignored (`binary` is a plain
string). Other assertions (not, patternProperties, propertyNames, min/maxProperties, if/then/else,
dependent*, contains, unevaluated*) are enforced by filtering with the node's validator.

`bounds()`, `just_inside()`, `just_outside()`, `minimal_instance()` and `instance_with()` support
boundary tests: the exact bound must be accepted, the nearest value past it rejected.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

Node = Mapping[str, Any] | bool
Ptr = tuple[str | int, ...] | None  # JSON pointer of a node in the document; None once merged
MAX_REF_DEPTH = 3  # $ref hops along one path before recursion falls back to the minimal instance
MAX_STR, MAX_ITEMS, MAX_EXTRA = 20, 4, 2  # keep examples small, hence fast
SAFE_INT = 2**53  # unbounded integers stay exact for JavaScript (Workers parse JSON as doubles)
TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")  # smallest first
_IMPLIED = {  # without "type", keywords of a type make us generate that type (a valid subset)
    "object": {"properties", "required", "additionalProperties"},
    "array": {"items", "prefixItems", "minItems", "maxItems", "uniqueItems"},
    "string": {"minLength", "maxLength", "pattern"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
}
_FILTERED = {"not", "patternProperties", "propertyNames", "minProperties", "maxProperties", "if",
             "dependentRequired", "dependentSchemas", "contains", "unevaluatedProperties",
             "unevaluatedItems", "$dynamicRef"}  # fmt: skip
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems")
_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_BREAKERS: tuple[Any, ...] = (None, False, 0, "", [], {})  # tried to make a value miss a branch
_QUIET = settings(database=None, derandomize=True, suppress_health_check=list(HealthCheck))
_SCALAR = (st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | st.text(max_size=MAX_STR)
           | st.floats(allow_nan=False, allow_infinity=False))  # fmt: skip
_JSON = st.recursive(_SCALAR, lambda c: st.lists(c, max_size=3)
                     | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=5)  # fmt: skip


class _NoInstance(Exception):
    """No finite instance within the recursion limit (or the schema is unsatisfiable)."""


def _sub(ptr: Ptr, *keys: str | int) -> Ptr:
    return None if ptr is None else (*ptr, *keys)


def _merge(a: Node, b: Node) -> Node:
    """Best-effort conjunction of two schemas. Conflicts keep b's value: callers always filter
    the result with the validators of the original nodes, so this only needs to be a good guess."""
    if isinstance(a, bool) or isinstance(b, bool):
        return b if a is True else a if b is True else False
    out = dict(a)
    for k, v in b.items():
        if k not in out:
            out[k] = v
        elif k == "properties":
            out[k] = {**out[k], **{p: _merge(out[k][p], s) if p in out[k] else s for p, s in v.items()}}
        elif k == "required":
            out[k] = list(dict.fromkeys([*out[k], *v]))
        elif k == "type":
            ta, tb = _as_list(out[k]), _as_list(v)
            out[k] = [t for t in TYPES if (t in ta or t == "integer" and "number" in ta)
                      and (t in tb or t == "integer" and "number" in tb)]  # fmt: skip
        elif k in ("minimum", "exclusiveMinimum", "minLength", "minItems"):
            out[k] = max(out[k], v)
        elif k in ("maximum", "exclusiveMaximum", "maxLength", "maxItems"):
            out[k] = min(out[k], v)
        elif k in ("items", "additionalProperties"):
            out[k] = _merge(out[k], v)
        elif k == "enum":
            out[k] = [e for e in out[k] if e in v]
        else:
            out[k] = v
    return out


def _merge_all_of(node: Mapping[str, Any]) -> Node:
    return functools.reduce(_merge, node["allOf"], _merge(_without(node, "allOf"), True))


def _as_list(t: Any) -> list[str]:
    return [t] if isinstance(t, str) else list(t)


def _without(node: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


def branch_schema(schema: Node, branch: int | None) -> Node:
    """Branch `branch` of the root oneOf with the root's other keywords merged in."""
    if branch is None or isinstance(schema, bool):
        return schema
    return _merge(_without(schema, "oneOf"), schema["oneOf"][branch])


def _range(node: Mapping[str, Any]) -> tuple[float | None, bool, float | None, bool]:
    """The tighter of minimum/exclusiveMinimum and of maximum/exclusiveMaximum (with exclusivity)."""
    lo, lo_x, hi, hi_x = node.get("minimum"), False, node.get("maximum"), False
    if "exclusiveMinimum" in node and (lo is None or node["exclusiveMinimum"] >= lo):
        lo, lo_x = node["exclusiveMinimum"], True
    if "exclusiveMaximum" in node and (hi is None or node["exclusiveMaximum"] <= hi):
        hi, hi_x = node["exclusiveMaximum"], True
    return lo, lo_x, hi, hi_x


def _number_ok(node: Mapping[str, Any], integer: bool, x: float) -> bool:
    lo, lo_x, hi, hi_x = _range(node)
    if integer and not isinstance(x, int) or lo is not None and (x <= lo if lo_x else x < lo):
        return False
    if hi is not None and (x >= hi if hi_x else x > hi):
        return False
    m = node.get("multipleOf")
    if m is None:
        return True
    if isinstance(m, float):  # the same test as python-jsonschema's multipleOf
        try:
            return bool(int(x / m) == x / m)
        except OverflowError:
            return False
    return bool(x % m == 0)


def _int_range(node: Mapping[str, Any]) -> tuple[int, int]:
    lo, lo_x, hi, hi_x = _range(node)
    ilo = -SAFE_INT if lo is None else math.floor(lo) + 1 if lo_x else math.ceil(lo)
    ihi = SAFE_INT if hi is None else math.ceil(hi) - 1 if hi_x else math.floor(hi)
    return min(ilo, ihi) if lo is None else ilo, max(ilo, ihi) if hi is None else ihi


def _multiples(node: Mapping[str, Any], integer: bool) -> tuple[int, int]:
    """Range of k such that k * multipleOf lies within the bounds."""
    lo, _, hi, _ = _range(node)
    (ilo, ihi), m = _int_range(node), node["multipleOf"]
    a, z = (ilo, ihi) if integer else (ilo if lo is None else lo, ihi if hi is None else hi)
    return math.ceil(a / m), math.floor(z / m)


def _around(*limits: float | None) -> list[float]:
    return [v for b in limits if b is not None for v in (b, math.nextafter(b, -math.inf), math.nextafter(b, math.inf))]


def _numbers(node: Mapping[str, Any], integer: bool) -> SearchStrategy[Any]:
    lo, lo_x, hi, hi_x = _range(node)
    ilo, ihi = _int_range(node)
    ok = functools.partial(_number_ok, node, integer)
    m = node.get("multipleOf")
    if m is not None:  # k * m, made an int where the type asks for one, then checked exactly
        def tidy(k: int) -> Any:
            return int(k * m) if integer and float(k * m).is_integer() else k * m

        k_lo, k_hi = _multiples(node, integer)
        return st.integers(k_lo, k_hi).map(tidy).filter(ok) if k_lo <= k_hi else st.nothing()
    base: SearchStrategy[Any] = st.integers(ilo, ihi) if ilo <= ihi else st.nothing()
    edges: list[float] = [*([ilo, ilo + 1] if lo is not None else []), *([ihi - 1, ihi] if hi is not None else [])]
    if not integer and (lo is None or hi is None or lo < hi or lo == hi and not (lo_x or hi_x)):
        base |= st.floats(lo, hi, exclude_min=lo_x, exclude_max=hi_x, allow_nan=False, allow_infinity=False)
        edges += _around(lo, hi)
    # Exact bounds and their neighbours are where implementations disagree: draw them often.
    edges = list(dict.fromkeys(e for e in edges if ok(e)))
    return st.sampled_from(edges) | base if edges else base


def _cap(lo: int, hi: int | None, soft: int) -> int:
    return max(lo, soft) if hi is None else min(hi, max(lo, soft))


def _strings(node: Mapping[str, Any]) -> SearchStrategy[str]:
    lo, hi = node.get("minLength", 0), node.get("maxLength")
    if "pattern" not in node:
        cap = _cap(lo, hi, MAX_STR)
        return st.text(min_size=lo, max_size=cap) if lo <= cap else st.nothing()
    rx = re.compile(node["pattern"])  # JSON Schema patterns search, they are not anchored...
    # ...but full matches are short, so they survive a maxLength: draw both kinds. Control characters
    # are left out: Python's `\s` matches \x1c-\x1f and \x85, ECMA-262's (JSON Schema's) does not.
    alphabet = st.characters(exclude_categories=("Cc", "Cs"))
    drawn = st.from_regex(rx, fullmatch=True, alphabet=alphabet) | st.from_regex(rx, alphabet=alphabet)
    # Python's `$` also matches before a final newline, ECMA-262's does not: the validator decides.
    matches = jsonschema_rs.validator_for({"type": "string", "pattern": node["pattern"]}).is_valid
    return drawn.filter(lambda s: lo <= len(s) <= (math.inf if hi is None else hi) and matches(s))


@functools.cache
def _minimal_match(pattern: str, lo: int, hi: int | None) -> str:
    """Shrinking finds a shortest, simplest match; it takes a second or so, hence the cache."""
    node = {"pattern": pattern, "minLength": lo, **({} if hi is None else {"maxLength": hi})}
    return find(_strings(node), lambda _: True, settings=_QUIET)


def _canon(x: Any) -> Hashable:
    """Equality key of python-jsonschema's uniqueItems: 1 == 1.0, but True != 1."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return (type(x).__name__, x)
    if isinstance(x, (int, float)):
        return ("n", float(x))
    if isinstance(x, list):
        return ("a", tuple(_canon(v) for v in x))
    return ("o", tuple(sorted((k, _canon(v)) for k, v in x.items())))


def _exclusive(branches: list[Node], vs: list[jsonschema_rs.Validator], i: int, x: Any) -> Any:
    """Make `x`, drawn from oneOf branch i, fail the other branches it also matches.

    Real schemas have overlapping branches (a branch without `required` accepts what the others
    produce), so filtering alone would reject most draws and never show some branches. An object
    misses branch j if, under one of j's property names, it has a value j refuses but i allows."""
    if not isinstance(x, dict):
        return x
    for j, b in enumerate(branches):
        if j == i or isinstance(b, bool) or not vs[j].is_valid(x):
            continue
        for y in ({**x, k: bad} for k in b.get("properties", {}) if k not in x for bad in _BREAKERS):
            if vs[i].is_valid(y) and not vs[j].is_valid(y):
                x = y
                break
    return x


class _Ctx:
    """One root schema: $ref resolution and validators compiled once, per node."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.vmap = jsonschema_rs.validator_map_for(root if isinstance(root, bool) else dict(root))
        self.compiled: dict[int, tuple[Node, jsonschema_rs.Validator]] = {}

    def validator(self, node: Node, ptr: Ptr) -> jsonschema_rs.Validator:
        if ptr is not None and (v := self.vmap.get("#" + "".join(
                "/" + str(p).replace("~", "~0").replace("/", "~1") for p in ptr))) is not None:  # fmt: skip
            return v
        if id(node) not in self.compiled:  # a merged node: compile it alone, with the root's $defs
            doc: Any = node
            if isinstance(node, Mapping) and isinstance(self.root, Mapping):
                doc = {**{k: self.root[k] for k in ("$defs", "definitions") if k in self.root}, **node}
            self.compiled[id(node)] = (node, jsonschema_rs.Draft202012Validator(doc))
        return self.compiled[id(node)][1]

    def deref(self, node: Mapping[str, Any]) -> tuple[Node, Ptr]:
        ref = node["$ref"]
        if not ref.startswith("#"):
            raise NotImplementedError(f"only local $ref is supported, not {ref!r}")
        target: Any = self.root
        parts = [unquote(p).replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/")[1:]]
        for p in parts:
            target = target[int(p)] if isinstance(target, list) else target[p]
        rest = _without(node, "$ref")  # 2020-12: keywords next to $ref apply too
        return (_merge(target, rest), None) if rest else (target, tuple(parts))

    def build(self, node: Node, ptr: Ptr, depth: int = 0) -> SearchStrategy[Any]:
        if isinstance(node, bool):
            return _JSON if node else st.nothing()
        if "$ref" in node:
            if depth >= MAX_REF_DEPTH:  # recursion: settle for the smallest valid option
                try:
                    return st.just(self.minimal(node, ptr))
                except _NoInstance:
                    return st.nothing()
            target, tptr = self.deref(node)
            s = self.build(target, tptr, depth + 1)
            return s if tptr is not None else s.filter(self.validator(node, ptr).is_valid)  # merged siblings
        if "allOf" in node:
            return self.build(_merge_all_of(node), None, depth).filter(self.validator(node, ptr).is_valid)
        for comb in ("oneOf", "anyOf"):
            if comb in node:  # one branch at a time, root keywords merged into it
                rest = _without(node, comb)
                strats = [self.build(_merge(rest, b), None, depth) for b in node[comb]]
                if comb == "oneOf":
                    vs = self.branch_validators(node, ptr)
                    strats = [s.map(functools.partial(_exclusive, node["oneOf"], vs, i)) for i, s in enumerate(strats)]
                return st.one_of(strats).filter(self.validator(node, ptr).is_valid)
        if "const" in node or "enum" in node:
            values = [node["const"]] if "const" in node else node["enum"]
            return st.sampled_from(values).filter(self.validator(node, ptr).is_valid)
        types = self.types(node)
        s = _JSON if types is None else st.one_of([self.typed(node, ptr, t, depth) for t in types])
        return s.filter(self.validator(node, ptr).is_valid) if _FILTERED & node.keys() else s

    @staticmethod
    def types(node: Mapping[str, Any]) -> list[str] | None:
        if "type" in node:
            return _as_list(node["type"])
        return [t for t, kws in _IMPLIED.items() if kws & node.keys()] or None

    def typed(self, node: Mapping[str, Any], ptr: Ptr, t: str, depth: int) -> SearchStrategy[Any]:
        if t in ("integer", "number"):
            return _numbers(node, t == "integer")
        if t == "string":
            return _strings(node)
        if t == "array":
            return self.array(node, ptr, depth)
        if t == "object":
            return self.obj(node, ptr, depth)
        return st.none() if t == "null" else st.booleans()

    def array(self, node: Mapping[str, Any], ptr: Ptr, depth: int) -> SearchStrategy[Any]:
        lo, cap = node.get("minItems", 0), _cap(node.get("minItems", 0), node.get("maxItems"), MAX_ITEMS)
        items = self.build(node.get("items", True), _sub(ptr, "items"), depth)
        prefix = [self.build(s, _sub(ptr, "prefixItems", i), depth) for i, s in enumerate(node.get("prefixItems", []))]
        if cap < lo:
            return st.nothing()
        if not prefix:
            return st.lists(items, min_size=lo, max_size=cap, unique_by=_canon if node.get("uniqueItems") else None)
        head = prefix[:cap]  # basic prefixItems: the whole prefix, then `items`
        tail = st.lists(items, min_size=max(0, lo - len(head)), max_size=cap - len(head))
        s = st.tuples(st.tuples(*head), tail).map(lambda t: [*t[0], *t[1]])
        return s.filter(self.validator(node, ptr).is_valid) if node.get("uniqueItems") else s

    def obj(self, node: Mapping[str, Any], ptr: Ptr, depth: int) -> SearchStrategy[Any]:
        props, req = node.get("properties", {}), node.get("required", [])
        addl = node.get("additionalProperties", True)

        def child(k: str) -> SearchStrategy[Any]:
            if k in props:
                return self.build(props[k], _sub(ptr, "properties", k), depth)
            return self.build(addl, _sub(ptr, "additionalProperties"), depth)

        fixed = st.fixed_dictionaries({k: child(k) for k in req}, optional={k: child(k) for k in props if k not in req})
        if addl is False:
            return fixed
        names = set(props) | set(req)
        values = _SCALAR if addl is True else self.build(addl, _sub(ptr, "additionalProperties"), depth)
        keys = st.text(max_size=8).filter(lambda k: k not in names)
        if not names:  # a free-form map: the extra keys are the content
            return st.dictionaries(keys, values, max_size=MAX_ITEMS)
        extra = st.dictionaries(keys, values, min_size=1, max_size=MAX_EXTRA)
        # Undeclared keys are legal but not the point of most tests: add them one draw in four.
        return st.tuples(fixed, st.one_of(st.just({}), st.just({}), st.just({}), extra)).map(lambda t: {**t[0], **t[1]})

    def branch_validators(self, node: Mapping[str, Any], ptr: Ptr) -> list[jsonschema_rs.Validator]:
        return [self.validator(b, _sub(ptr, "oneOf", j)) for j, b in enumerate(node["oneOf"])]

    def minimal(self, node: Node, ptr: Ptr, depth: int = 0, branch: int | None = None) -> Any:
        """Smallest instance: required keys only, minItems items, values closest to 0 or empty."""
        if isinstance(node, bool):
            if node:
                return None
            raise _NoInstance
        if "$ref" in node:
            if depth >= MAX_REF_DEPTH:
                raise _NoInstance
            return self.minimal(*self.deref(node), depth + 1)
        if "allOf" in node:
            return self.minimal(_merge_all_of(node), None, depth)
        for comb in ("oneOf", "anyOf"):
            if comb in node:
                for i in range(len(node[comb])) if branch is None else [branch]:
                    try:
                        x = self.minimal(_merge(_without(node, comb), node[comb][i]), None, depth)
                    except _NoInstance:
                        continue
                    if comb == "oneOf":
                        x = _exclusive(node[comb], self.branch_validators(node, ptr), i, x)
                    if branch is not None or self.validator(node, ptr).is_valid(x):
                        return x
                raise _NoInstance
        if "const" in node:
            return node["const"]
        if "enum" in node:
            for v in node["enum"]:
                if self.validator(node, ptr).is_valid(v):
                    return v
            raise _NoInstance
        for t in sorted(self.types(node) or TYPES, key=TYPES.index):
            try:
                return self.minimal_typed(node, ptr, t, depth)
            except _NoInstance:
                continue
        raise _NoInstance

    def minimal_typed(self, node: Mapping[str, Any], ptr: Ptr, t: str, depth: int) -> Any:
        if t in ("integer", "number"):
            lo, _, hi, _ = _range(node)
            ilo, ihi = _int_range(node)
            cands: list[float] = [0, ilo, ihi]
            if "multipleOf" in node:
                cands += [k * node["multipleOf"] for k in (0, *_multiples(node, t == "integer"))]
            if t == "number":
                cands += _around(lo, hi)
            ok = [c for c in cands if _number_ok(node, t == "integer", c)]
            if not ok:
                raise _NoInstance
            return min(ok, key=lambda v: (abs(v), v))
        if t == "string":
            s = "a" * node.get("minLength", 0)
            if "pattern" in node and not re.search(node["pattern"], s):
                s = _minimal_match(node["pattern"], node.get("minLength", 0), node.get("maxLength"))
            return s
        if t == "array":
            prefix, items = node.get("prefixItems", []), node.get("items", True)
            n = node.get("minItems", 0)
            return [self.minimal(prefix[i] if i < len(prefix) else items, None, depth) for i in range(n)]
        if t == "object":
            props, addl = node.get("properties", {}), node.get("additionalProperties", True)
            out = {k: self.minimal(props.get(k, addl), _sub(ptr, "properties", k) if k in props else None, depth)
                   for k in node.get("required", [])}  # fmt: skip
            # minProperties: the declared properties first, then keys the additional schema allows
            for k in [*props, *(f"k{i}" for i in range(node.get("minProperties", 0)))]:
                if len(out) >= node.get("minProperties", 0):
                    break
                if k not in out and (k in props or addl is not False):
                    out[k] = self.minimal(props.get(k, addl), _sub(ptr, "properties", k) if k in props else None, depth)
            return out
        return None if t == "null" else False


def from_schema(schema: Node) -> SearchStrategy[Any]:
    """Strategy of instances valid under `schema` (JSON Schema 2020-12)."""
    return _Ctx(schema).build(schema, ())


def minimal_instance(schema: Node, branch: int | None = None) -> Any:
    """Deterministic minimal valid instance of `schema`, or of its root oneOf branch `branch`
    (made to fail the other branches when it can be, so it is valid under the whole schema)."""
    ctx = _Ctx(schema)
    try:
        x = ctx.minimal(schema, (), branch=branch)
    except _NoInstance:
        x = ...
    target = branch_schema(schema, branch)
    if x is ... or not ctx.validator(target, () if branch is None else None).is_valid(x):
        x = find(ctx.build(target, None), lambda _: True, settings=_QUIET)  # shrinking finds the minimum
    return x


@dataclass(frozen=True)
class Bound:
    """A numeric bound of the schema. `pointer` is the keyword location (JSON pointer steps, through
    `$ref` when there is one) of the constrained node; `path` is where it applies in an instance."""

    path: str  # "$.temperature", "$.messages[*].content"
    pointer: tuple[str | int, ...]
    keyword: str  # minimum, maximum, exclusiveMinimum, exclusiveMaximum, min/maxLength, min/maxItems
    limit: int | float
    type: str | list[str] | None  # the constrained node's "type"
    branch: int | None  # index of the root oneOf branch, None without a root oneOf
    branch_title: str | None


def bounds(schema: Node) -> list[Bound]:
    """Every numeric bound, in oneOf/anyOf/allOf branches, items and nested properties (not `not`)."""
    ctx, out = _Ctx(schema), []

    def walk(node: Node, path: str, ptr: tuple[str | int, ...], branch: int | None, refs: frozenset[str]) -> None:
        if isinstance(node, bool):
            return
        if "$ref" in node and node["$ref"] not in refs:  # each $ref once per path: no recursion
            walk(ctx.deref(node)[0], path, (*ptr, "$ref"), branch, refs | {node["$ref"]})
        for kw in (*_NUMERIC, *_COUNTS):
            if isinstance(node.get(kw), (int, float)) and not isinstance(node[kw], bool):
                root = schema["oneOf"][branch] if branch is not None and isinstance(schema, Mapping) else {}
                title = root.get("title") if isinstance(root, Mapping) else None
                typ = node.get("type")
                out.append(Bound(path, ptr, kw, node[kw], list(typ) if isinstance(typ, list) else typ, branch, title))
        for k, sub in node.get("properties", {}).items():
            step = f".{k}" if re.fullmatch(r"\w+", k) else f"[{k!r}]"
            walk(sub, path + step, (*ptr, "properties", k), branch, refs)
        if isinstance(node.get("additionalProperties"), Mapping):
            walk(node["additionalProperties"], f"{path}.*", (*ptr, "additionalProperties"), branch, refs)
        for i, sub in enumerate(node.get("prefixItems", [])):
            walk(sub, f"{path}[{i}]", (*ptr, "prefixItems", i), branch, refs)
        if "items" in node:
            walk(node["items"], f"{path}[*]", (*ptr, "items"), branch, refs)
        for comb in ("oneOf", "anyOf", "allOf"):
            for i, sub in enumerate(node.get(comb, [])):
                walk(sub, path, (*ptr, comb, i), i if not ptr and comb == "oneOf" else branch, refs)

    walk(schema, "$", (), None, frozenset())
    return out


def _integral(b: Bound) -> bool:
    types = _as_list(b.type or "number")
    return "integer" in types and "number" not in types


def just_inside(b: Bound) -> int | float:
    """The value closest to the bound that the bound accepts (a count for length/items bounds)."""
    lim = b.limit
    if b.keyword in _COUNTS:
        return int(lim)
    if _integral(b):
        return {"minimum": math.ceil(lim), "maximum": math.floor(lim),
                "exclusiveMinimum": math.floor(lim) + 1, "exclusiveMaximum": math.ceil(lim) - 1}[b.keyword]  # fmt: skip
    return {"minimum": lim, "maximum": lim, "exclusiveMinimum": math.nextafter(lim, math.inf),
            "exclusiveMaximum": math.nextafter(lim, -math.inf)}[b.keyword]  # fmt: skip


def just_outside(b: Bound) -> int | float | None:
    """The nearest value past the bound (None for minLength/minItems 0: nothing is shorter)."""
    lim = b.limit
    if b.keyword in _COUNTS:
        return int(lim) + 1 if b.keyword.startswith("max") else int(lim) - 1 if lim > 0 else None
    if _integral(b):
        return {"minimum": math.ceil(lim) - 1, "maximum": math.floor(lim) + 1,
                "exclusiveMinimum": math.floor(lim), "exclusiveMaximum": math.ceil(lim)}[b.keyword]  # fmt: skip
    return {"minimum": math.nextafter(lim, -math.inf), "maximum": math.nextafter(lim, math.inf)}.get(b.keyword, lim)


def instance_with(schema: Node, b: Bound, value: float) -> Any:
    """`minimal_instance` of b's branch with `value` at b.path: the number itself, or for a length or
    items bound a string of `value` "a"s / an array of `value` minimal items. Missing parents on the
    way are created minimal (one item for arrays), nested oneOf/anyOf take the branch b lives in."""
    ctx = _Ctx(schema)
    holder: list[Any] = [None]
    cont: Any = holder  # the current value is cont[key]
    key: Any = 0
    node: Any = schema
    ptr: Ptr = ()
    steps = list(b.pointer)
    if not steps or steps[0] not in ("oneOf", "anyOf"):
        holder[0] = minimal_instance(schema)
    while steps:
        s = steps.pop(0)
        if s == "$ref":
            node, ptr = ctx.deref(node)
        elif s in ("oneOf", "anyOf", "allOf"):
            i = steps.pop(0)
            if s != "allOf":
                cont[key] = ctx.minimal(node, ptr, branch=int(i))
            node, ptr = (node[s][i], _sub(ptr, s, i)) if s == "allOf" else (_merge(_without(node, s), node[s][i]), None)
        elif s in ("properties", "additionalProperties"):
            k = steps.pop(0) if s == "properties" else "x-extra"
            node, ptr = (node["properties"][k], _sub(ptr, s, k)) if s == "properties" else (node[s], _sub(ptr, s))
            if k not in cont[key]:
                cont[key][k] = ctx.minimal(node, ptr)
            cont, key = cont[key], k
        elif s in ("items", "prefixItems"):
            i = steps.pop(0) if s == "prefixItems" else 0
            parent = node
            node, ptr = (node[s][i], _sub(ptr, s, i)) if s == "prefixItems" else (node[s], _sub(ptr, s))
            while len(cont[key]) <= int(i):
                j = len(cont[key])
                cont[key].append(ctx.minimal(parent["prefixItems"][j] if s == "prefixItems" else node, None))
            cont, key = cont[key], i
    if b.keyword in ("minLength", "maxLength"):
        cont[key] = "a" * int(value)
    elif b.keyword in ("minItems", "maxItems"):
        cont[key] = [copy.deepcopy(ctx.minimal(node.get("items", True), None)) for _ in range(int(value))]
    else:
        cont[key] = value
    return holder[0]
