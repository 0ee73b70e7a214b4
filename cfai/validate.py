"""Validation before sending: every error, located, against the variant the payload was meant for.

The hot path is jsonschema-rs (`is_valid`, compiled once per model and side). Only an invalid
payload pays for locating its errors, also with jsonschema-rs: its `oneOf`/`anyOf` errors carry
every branch's own errors, so we report the branch the payload was meant for instead of the
unhelpful "not valid under any of the given schemas" that both jsonschema-rs and
python-jsonschema's `best_match` give for a root `oneOf`.

For the usual failure (no root variant matches) each variant is validated on its own: jsonschema-rs
then never builds the root `oneOf` error, whose message quotes the whole payload and so costs more
than locating the errors does. Anything else takes the general route through the root's errors;
both routes give the same errors (tests/test_fidelity.py checks it).

Locating is bounded: jsonschema-rs builds every failing branch's errors, so `anyOf`/`oneOf` nested
through a recursive `$ref` cost exponential time and memory in the payload's depth (a 42-byte payload:
17 s and 1 GB), while the verdict itself is instant. Before locating, a walk of the failing
(subschema, value) pairs, pruned by each subschema's own `is_valid`, counts the work; past
`LOCATE_BUDGET` steps the answer is the root error, the leaf errors found so far, and a note that
locating was cut short (rule `locate`). The walk is skipped where locating is known to cost less
than the budget (a schema that does not refer into itself, whose unfolded size times the payload's
number of values is within `LOCATE_BUDGET`), as it would cost as much as the locating; at most `MAX_ERRORS` errors are listed, then a note (rule `locate`) says there are more.

This module is imported at run time: it must not import the generator toolchain.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema_rs

from . import guards
from .errors import InvalidPayload, PayloadError, SchemaLoadError, SchemaProblem, UnknownModel, json_path
from .jsonvalue import NotJSON, depth_exceeds, loads, problems
from .names import check_name
from .naming import variant_keyword, variant_names, variants
from .repair import repair
from .schemas import FILES, check_schema, check_shape, default_root, discover, refined

__all__ = ["LOCATE_BUDGET", "ModelValidator", "Registry", "default_registry", "validate"]

LOCATE_BUDGET = 10_000  # failing (subschema, value) pairs walked before locating is cut short
_FOUND_SO_FAR = 10  # leaf errors kept from a cut-short walk
MAX_ERRORS = 100  # errors located in one payload; past that, a note (rule `locate`) says there are more

# The keys of jsonschema-rs's error kinds that hold the rule's limit, in order of preference.
_LIMIT_KEYS = ("limit", "options", "expected_value", "property", "unexpected", "pattern", "multiple_of", "types")
# Errors on the value itself (not on something inside it): a branch with one of these at the
# branch's own location was not what the payload was meant for.
_SHAPE_RULES = {"type", "required", "const", "enum", "additionalProperties", "falseSchema"}
# Object keys that jsonschema-rs's `instance_path` turns into ints (Rust's unsigned integer syntax).
_NUMBER_LIKE = re.compile(r"\+?[0-9]+")


_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_DATA = frozenset({"enum", "const", "default", "examples"})  # values, not schemas: never unfolded
_DEFS = frozenset({"$defs", "definitions"})  # applied only where referenced
_NAME_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})


def _no_retrieval(uri: str) -> Any:
    """The retriever of every validator: a schema never causes I/O at run time. Without it,
    jsonschema-rs fetches a remote `$ref` or `$schema` over HTTP (or reads a file) while compiling."""
    raise ValueError(f"{uri} is outside the schema: references are resolved within the file only, never fetched")


def compile_schema(schema: Any) -> Any:
    """A jsonschema-rs validator that never retrieves anything."""
    return jsonschema_rs.validator_for(schema, retriever=_no_retrieval)


def _has_refs(schema: Any) -> bool:
    """Whether a `$ref` may make validation descend as deep as the payload (a recursive schema)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(k in node for k in _REF_KEYWORDS):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


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


def _instance_path(err: Any, payload: Any) -> list[str | int]:
    """Where `err` is in `payload`: jsonschema-rs's `instance_path`, with the object keys it garbles
    put back.

    jsonschema-rs 0.60 builds `instance_path` from a JSON pointer, so an object key that reads as a
    number comes back as an int (`"0"` and `"01"` as `0` and `1`) and an empty key is left out (an
    error in `{"a": {"": 1}}` is reported at `["a"]`). Walking the reported path down the payload
    restores the keys where that is unambiguous, the usual case; otherwise the paths that fit are
    searched for the one leading to the value the error is about.
    """
    parts: list[str | int] = list(err.instance_path)
    path: list[str | int] = []
    node = payload
    for part in parts:
        keys = _keys(node, part)
        if len(keys) != 1 or isinstance(node, dict) and "" in node:
            return next(_paths_to(err.instance, payload, parts), parts)
        path.append(keys[0])
        node = node[keys[0]]
    if isinstance(node, dict) and "" in node:
        return next(_paths_to(err.instance, payload, parts), parts)
    return path


def _keys(node: Any, part: str | int) -> list[str | int]:
    """The keys (or index) of `node` that jsonschema-rs reports as `part`."""
    if isinstance(node, list):
        return [part] if isinstance(part, int) and 0 <= part < len(node) else []
    if not isinstance(node, dict):
        return []
    if isinstance(part, str):
        return [part] if part in node else []
    return [k for k in node if _NUMBER_LIKE.fullmatch(k) and int(k) == part]


def _paths_to(instance: Any, node: Any, parts: list[str | int]) -> Iterator[list[str | int]]:
    """Paths to `instance` in `node` that jsonschema-rs would report as `parts`."""
    if not parts and type(node) is type(instance) and node == instance:
        yield []
    if isinstance(node, dict) and "" in node:
        for rest in _paths_to(instance, node[""], parts):
            yield ["", *rest]
    for key in _keys(node, parts[0]) if parts else ():
        for rest in _paths_to(instance, node[key], parts[1:]):
            yield [key, *rest]


class _OverBudget(Exception):
    pass


_SAME_VALUE = ("allOf", "anyOf", "oneOf")
_ONE_SCHEMA = ("not", "if", "then", "else")


def _pointer(ptr: str, *keys: str | int) -> str:
    return ptr + "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys)


def _anchors(root: Any) -> dict[str, tuple[Any, str]]:
    """Every `$anchor` / `$dynamicAnchor` name of a schema, with its subschema and JSON pointer."""
    found: dict[str, tuple[Any, str]] = {}
    for path, node in guards.subschemas(root):
        for keyword in ("$anchor", "$dynamicAnchor"):
            if isinstance(name := node.get(keyword), str):
                found.setdefault(name, (node, _pointer("#", *path)))
    return found


def _resolve(root: Any, ref: Any, anchors: dict[str, tuple[Any, str]] | None = None) -> tuple[Any, str] | None:
    """The subschema a local reference names (`#/…`, percent-encoded or not, or `#name` of an
    anchor in `anchors`), with its canonical pointer; None for any other reference."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    if ref != "#" and not ref.startswith("#/"):
        return (anchors or {}).get(unquote(ref[1:]))
    node = root
    keys: list[str | int] = []
    for raw in ref[2:].split("/") if ref != "#" else ():
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
        keys.append(key)
    return node, _pointer("#", *keys)


def _unfolded_size(schema: Any, cap: int, anchors: dict[str, tuple[Any, str]]) -> int | None:
    """How many subschemas `schema` has once its `$ref`s are followed (a `$defs` entry counts where
    it is used); None past `cap`, for a schema that refers into itself, or for a reference that does
    not resolve here. Locating an error costs at most about this many steps per payload value
    (jsonschema-rs builds every branch's errors), so `ModelValidator` can tell when the budgeted walk
    is needed. Iterative, like every walk of untrusted input here."""
    stack: list[tuple[Any, frozenset[str]]] = [(schema, frozenset())]
    count = 0
    while stack:
        node, refs = stack.pop()
        if isinstance(node, list):
            stack += [(item, refs) for item in node]
            continue
        if not isinstance(node, dict):
            continue
        count += 1
        if count > cap:
            return None
        for key, value in node.items():
            if key in _DATA or key in _DEFS:
                continue
            if key in _REF_KEYWORDS:
                target = _resolve(schema, value, anchors)
                if target is None or target[1] in refs:  # unresolvable here, or recursive: no bound known
                    return None
                stack.append((target[0], refs | {target[1]}))
            elif key in _NAME_MAPS and isinstance(value, dict):  # keys are names, values schemas
                stack += [(sub, refs) for sub in value.values()]
            elif isinstance(value, dict | list):
                stack.append((value, refs))
    return count


def _at_most(value: Any, nodes: int) -> bool:
    """Whether `value` holds at most `nodes` values (itself, items, keys' values), counted up to that."""
    stack, seen = [value], 0
    while stack:
        seen += 1
        if seen > nodes:
            return False
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return True


class _Walk:
    """The failing (subschema, value) pairs under the root, each subschema's `is_valid` pruning what
    passes: what locating the errors will cost, counted up to a budget, and the leaf failures met."""

    def __init__(self, root: Any, checks: Any, budget: int, anchors: dict[str, tuple[Any, str]]) -> None:
        self.root, self.checks, self.budget, self.anchors = root, checks, budget, anchors
        self.steps = 0
        self.leaves: list[tuple[list[str | int], Any, Any]] = []  # (path, validator, value)

    def visit(self, node: Any, ptr: str, value: Any, path: list[str | int]) -> None:
        self.steps += 1
        if self.steps > self.budget:
            raise _OverBudget
        if not isinstance(node, dict):
            return
        check = self.checks.get(ptr)
        try:
            if check is not None and check.is_valid(value):
                return
        except ValueError:
            pass
        children: list[tuple[Any, str, Any, list[str | int]]] = []
        for keyword in _REF_KEYWORDS:
            if (target := _resolve(self.root, node.get(keyword), self.anchors)) is not None:
                children.append((target[0], target[1], value, path))
        for keyword in _SAME_VALUE:
            for i, branch in enumerate(node.get(keyword) or ()) if isinstance(node.get(keyword), list) else ():
                children.append((branch, _pointer(ptr, keyword, i), value, path))
        for keyword in _ONE_SCHEMA:
            if keyword in node:
                children.append((node[keyword], _pointer(ptr, keyword), value, path))
        if isinstance(value, list):
            found = node.get("prefixItems")
            prefix: list[Any] = found if isinstance(found, list) else []
            for i, item in enumerate(value):
                if i < len(prefix):
                    children.append((prefix[i], _pointer(ptr, "prefixItems", i), item, [*path, i]))
                elif "items" in node:
                    children.append((node["items"], _pointer(ptr, "items"), item, [*path, i]))
        if isinstance(value, dict):
            given = node.get("properties")
            props: dict[str, Any] = given if isinstance(given, dict) else {}
            for key, item in value.items():
                if key in props:
                    children.append((props[key], _pointer(ptr, "properties", key), item, [*path, key]))
                elif isinstance(node.get("additionalProperties"), dict):
                    children.append((node["additionalProperties"], _pointer(ptr, "additionalProperties"), item, [*path, key]))
        nested = any(k in node for k in (*_REF_KEYWORDS, *_SAME_VALUE, *_ONE_SCHEMA))  # never located here
        if not children and not nested and check is not None and len(self.leaves) < _FOUND_SO_FAR:
            self.leaves.append((path, check, value))
        for child in children:
            self.visit(*child)


def _best_branch(branches: Sequence[Sequence[Any]], depth: int) -> int | None:
    """The `oneOf`/`anyOf` branch a failing value was meant for, given each branch's errors.

    None when there is no such branch: a branch matched (so the failure is elsewhere), or even the
    best branch refuses the value's type (so the value was meant for none of them).
    """
    if not branches or not all(branches):
        return None
    best = min(range(len(branches)), key=lambda i: _score(branches[i], depth))
    if any(len(e.instance_path) == depth and e.kind.name == "type" for e in branches[best]):
        return None
    return best


class ModelValidator:
    """A compiled validator for one side (`input`/`output`) of one model."""

    def __init__(self, model: str, side: str, schema: Any, *, schema_file: str | None = None) -> None:
        self.model = model
        self.side = side
        self.schema = schema
        self.schema_file = schema_file or f"{model}/{FILES[side]}"
        try:
            self._validator = compile_schema(schema)
        except (jsonschema_rs.ValidationError, ValueError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            location = json_path(getattr(exc, "instance_path", ()))
            try:
                found = check_schema(model, self.schema_file, schema)
            except (RecursionError, ValueError):  # the reference checker recurses; the first line is enough
                found = []
            raise SchemaLoadError(found or [SchemaProblem(model, self.schema_file, location, message.splitlines()[0])]) from None
        self.variants = variant_names(model, schema, side)
        self._keyword = variant_keyword(schema)  # `oneOf`/`anyOf` holding the variants, or None
        # A titled root without `oneOf` is a single variant: every error belongs to it.
        self._root_variant = self.variants[0] if self.variants and not variants(schema) else None
        # Bound once: on the valid path this is the only call after the method's own. A schema with
        # `$ref`s can recurse as deep as the payload, and jsonschema-rs's stack overflows (killing the
        # process) somewhere past 10,000 levels: such validators check the depth first.
        self._is_valid = self._guarded_is_valid if _has_refs(schema) else self._validator.is_valid
        # (the root without its variants, each variant): compiled on first use, as a valid
        # payload never needs them.
        self._split: tuple[Any, list[Any]] | None = None
        self._walk_checks: Any = None  # every subschema's validator, for the locating budget
        self._anchor_index: dict[str, tuple[Any, str]] | None = None  # `_anchors`, once locating needs them
        self._unfolded: int | None = 0  # `_unfolded_size` of the schema, once needed (0: not yet)

    def _guarded_is_valid(self, payload: Any) -> bool:
        return not depth_exceeds(payload) and bool(self._validator.is_valid(payload))

    def is_valid(self, payload: Any) -> bool:
        try:
            return bool(self._is_valid(payload))
        except ValueError:  # jsonschema-rs: a key that is not a string, a type it cannot read, …
            return False

    def errors(self, payload: Any) -> list[PayloadError]:
        """Every error in `payload`; `[]` when it is valid. What is not JSON (NaN, a key that is not a
        string, nesting deeper than `cfai.jsonvalue.MAX_DEPTH`) is reported as rule `json` / `depth`."""
        if self.is_valid(payload):
            return []
        if found := problems(payload):
            return [PayloadError(self.model, self.schema_file, p, r, None, None, m, self._root_variant) for p, r, m in found]
        try:
            if (cut := self._cut_short(payload)) is not None:
                return cut
            located = self._errors_in_best_variant(payload) if self._keyword is not None else None
            located = self._errors_from_root(payload) if located is None else located
        except (ValueError, RecursionError) as exc:  # a value jsonschema-rs cannot render: one located error
            return [PayloadError(self.model, self.schema_file, "$", "json", None, None, str(exc), self._root_variant)]
        if len(located) > MAX_ERRORS:  # a payload wrong everywhere: its first errors say enough
            note = f"more than {MAX_ERRORS} errors: the first {MAX_ERRORS} are listed"
            located = [*located[:MAX_ERRORS], PayloadError(self.model, self.schema_file, "$", "locate", None, None,
                                                           note, self._root_variant)]  # fmt: skip
        return located

    def _cut_short(self, payload: Any) -> list[PayloadError] | None:
        """None when locating the errors costs at most `LOCATE_BUDGET` steps; else a shorter answer:
        the root error, the leaf errors found before the budget ran out, and a note saying so."""
        if self._unfolded == 0:
            self._anchor_index = _anchors(self.schema)
            self._unfolded = _unfolded_size(self.schema, LOCATE_BUDGET, self._anchor_index)
        if self._unfolded is not None and _at_most(payload, LOCATE_BUDGET // self._unfolded):
            return None  # locating costs at most the budget: the walk below would cost as much as locating
        if self._walk_checks is None:
            self._walk_checks = jsonschema_rs.validator_map_for(self.schema, retriever=_no_retrieval)
        walk = _Walk(self.schema, self._walk_checks, LOCATE_BUDGET, self._anchor_index or {})
        try:
            walk.visit(self.schema, "#", payload, [])
        except _OverBudget:
            pass
        else:
            return None
        note = (f"not valid against the schema; locating the errors was cut short after {LOCATE_BUDGET:,} steps "
                "(anyOf/oneOf nested through recursive $refs make it exponential): the errors below are those found so far")
        out = [PayloadError(self.model, self.schema_file, "$", "locate", None, None, note, self._root_variant)]
        for path, check, value in walk.leaves:
            for err in check.iter_errors(value):
                out.append(PayloadError(
                    model=self.model, schema_file=self.schema_file, path=json_path([*path, *err.instance_path]),
                    rule=err.kind.name, limit=_limit(err.kind), value=err.instance, message=err.message,
                    variant=self._root_variant,
                ))
        return out

    def not_json(self, payload: Any) -> list[PayloadError]:
        """The errors of a payload that cannot be sent as JSON at all (see `errors`), before validating."""
        return [PayloadError(self.model, self.schema_file, p, r, None, None, m) for p, r, m in problems(payload)]

    def check(self, payload: Any) -> None:
        """Raise `InvalidPayload` with every error unless `payload` is valid."""
        if not self.is_valid(payload):
            raise InvalidPayload(self.errors(payload))

    def variant_of(self, payload: Any) -> str | None:
        """The root `oneOf` variant `payload` is valid under, if the schema has variants."""
        if not self.variants or not self.is_valid(payload):
            return None
        if self._root_variant is not None:
            return self._root_variant
        _, branches = self._variant_validators()
        return next((n for n, v in zip(self.variants, branches, strict=True) if v.is_valid(payload)), None)

    def _variant_validators(self) -> tuple[Any, list[Any]]:
        if self._split is None:
            rest = compile_schema({k: v for k, v in self.schema.items() if k != self._keyword})
            # A validator map resolves each branch's `$ref`s against the whole document.
            found = jsonschema_rs.validator_map_for(self.schema, retriever=_no_retrieval)
            self._split = rest, [found.get(f"#/{self._keyword}/{i}") for i in range(len(self.variants))]
        return self._split

    def _errors_in_best_variant(self, payload: Any) -> list[PayloadError] | None:
        """The errors of the variant `payload` was meant for, when no variant matched and nothing
        else at the root failed; None otherwise (the general route then decides)."""
        rest, branches = self._variant_validators()
        if not rest.is_valid(payload):
            return None
        found = [list(islice(branch.iter_errors(payload), MAX_ERRORS + 1)) for branch in branches]
        best = _best_branch(found, 0)
        if best is None:
            return None
        return list(islice((e for err in found[best] for e in self._locate(err, self.variants[best], payload)),
                           MAX_ERRORS + 1))  # fmt: skip

    def _errors_from_root(self, payload: Any) -> list[PayloadError]:
        """Every error of the root, each one located: the general route."""
        errors = self._validator.iter_errors(payload)
        located = (e for err in errors for e in self._locate(err, self._root_variant, payload, top=True))
        return list(islice(located, MAX_ERRORS + 1))

    def _locate(self, err: Any, variant: str | None, payload: Any, *, top: bool = False) -> Iterator[PayloadError]:
        rule = err.kind.name
        if rule in ("oneOf", "anyOf"):
            branches = err.kind.context
            best = _best_branch(branches, len(err.instance_path))
            if best is not None:  # no branch matched: descend into the one the value was meant for
                if top and self.variants and list(err.schema_path) == [self._keyword]:
                    variant = self.variants[best]
                for inner in branches[best]:
                    yield from self._locate(inner, variant, payload)
                return
        yield PayloadError(
            model=self.model,
            schema_file=self.schema_file,
            path=json_path(_instance_path(err, payload)),
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
        if check_name(model):  # a name is a path: `../x` never reaches the disk
            raise UnknownModel(model, self.models())
        if not path.is_file():
            if side == "output" and (self.root / model / FILES["input"]).is_file():
                return {}  # an input-only model: its answers are JSON, unchecked
            raise UnknownModel(model, self.models())
        try:
            schema = loads(path.read_bytes())
        except NotJSON as exc:
            raise SchemaLoadError([SchemaProblem(model, file, "$", f"not valid JSON: {exc}")]) from None
        except OSError as exc:
            raise SchemaLoadError([SchemaProblem(model, file, "$", f"cannot read: {exc.strerror or exc}")]) from None
        if side == "output" and schema == {}:
            return schema
        if problems := check_shape(model, file, schema):
            raise SchemaLoadError(problems)
        return refined(self.root, model, side, repair(model, file, schema)[0]).schema


_default: Registry | None = None


def default_registry() -> Registry:
    """The registry of the bundled schemas (or `$CFAI_SCHEMAS`), made on first use."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def validate(model: str, payload: Any, *, side: str = "input", registry: Registry | None = None) -> list[PayloadError]:
    """Every error of `payload` against `model`'s input (or output) schema; `[]` when valid."""
    # The hot path, kept to one dict lookup and the jsonschema-rs call: on a small valid payload
    # each further Python call costs a sizeable fraction of the validation itself.
    registry = registry or _default or default_registry()
    try:
        validator = registry._validators[model, side]
    except KeyError:  # first use: compile and cache it
        validator = registry.validator(model, side)
    try:
        valid = validator._is_valid(payload)
    except ValueError:  # not JSON jsonschema-rs can read: `errors` says where
        valid = False
    return [] if valid else validator.errors(payload)
