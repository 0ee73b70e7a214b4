"""`cfai diff`: every change between two schema roots, classified for a client of the bindings.

A request (input schema) change is breaking when a payload the old schema accepted may now be
refused; a response (output schema) change is breaking when the server may now send something the
old schema did not allow (a client matching on the old bindings' types breaks). Rules are the data
table `RULES`; `tests/diff_rules/<rule-id>/` holds the pair of schemas that proves each one.

The walk is structural: properties by name, `oneOf`/`anyOf` variants by `title` (else by index
among the untitled ones), `items`, `allOf` by index, `additionalProperties` schemas, local `$ref`s
resolved. Each change is located twice: `path`, where it lands in a payload (`$.temperature`,
`$.messages[*].role`, `$.metadata.*`) with `variant` the chain of variants it sits in (`Responses`),
and `schema_path`, the keyword in the schema file (`$.oneOf[0].properties.temperature.maximum`).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cfai.errors import SchemaProblem, json_path
from cfai.repair import repair
from cfai.schemas import FILES, discover

from .catalog import UsageError

__all__ = ["BREAKING", "NON_BREAKING", "RULES", "Change", "Rule", "diff_models", "diff_schema", "exceeds", "load_root"]

BREAKING, NON_BREAKING = "breaking", "non-breaking"
B, N = BREAKING, NON_BREAKING


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    side: str  # request | response | model
    level: str
    description: str


# (what changed, level on the request side, level on the response side); None: not a rule there.
# A change that narrows what is valid breaks requests; one that widens it breaks responses.
_TABLE: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("property-added-required", B, N, "a property was added, and it is required"),
    ("property-added-optional", N, N, "an optional property was added"),
    ("property-removed", B, B, "a property was removed (on requests: and unknown keys are refused)"),
    ("property-removed-open", N, None, "a property was removed; unknown keys are still accepted"),
    ("property-became-required", B, N, "an existing property became required"),
    ("property-became-optional", N, B, "a required property became optional"),
    ("additional-properties-closed", B, N, "unknown keys are now refused (additionalProperties: false)"),
    ("additional-properties-opened", N, B, "unknown keys are now allowed"),
    ("property-type-narrowed", B, N, "the type accepts fewer kinds of value (number → integer, a type set)"),
    ("property-type-widened", N, B, "the type accepts more kinds of value (integer → number, a type dropped)"),
    ("property-type-changed", B, B, "the type changed to an unrelated one"),
    ("property-enum-value-removed", B, N, "an enum (or const) value was removed"),
    ("property-enum-value-added", N, B, "an enum (or const) value was added"),
    ("property-enum-set", B, N, "an enum (or const) now restricts the value"),
    ("property-enum-removed", N, B, "the enum (or const) was dropped: any value of the type"),
    ("variant-removed", B, N, "a oneOf/anyOf variant was removed"),
    ("variant-added", N, B, "a oneOf/anyOf variant was added"),
    *(
        (f"property-{bound}-{change}", request, response, f"{keywords}: {what}")
        for bound, keywords in (
            ("max", "maximum or exclusiveMaximum"),
            ("max-length", "maxLength"),
            ("max-items", "maxItems"),
        )
        for change, request, response, what in (
            ("decreased", B, N, "lowered"),
            ("set", B, N, "added where there was no upper bound"),
            ("increased", N, B, "raised"),
            ("removed", N, B, "dropped: no upper bound"),
        )
    ),
    *(
        (f"property-{bound}-{change}", request, response, f"{keywords}: {what}")
        for bound, keywords in (
            ("min", "minimum or exclusiveMinimum"),
            ("min-length", "minLength"),
            ("min-items", "minItems"),
        )
        for change, request, response, what in (
            ("increased", B, N, "raised"),
            ("set", B, N, "added where there was no lower bound"),
            ("decreased", N, B, "lowered"),
            ("removed", N, B, "dropped: no lower bound"),
        )
    ),
    ("property-pattern-set", B, N, "a pattern now restricts the string"),
    ("property-pattern-changed", B, B, "the pattern changed (it may accept other strings)"),
    ("property-pattern-removed", N, B, "the pattern was dropped"),
    ("property-default-changed", N, N, "the default changed, was added or removed"),
    ("property-description-changed", N, N, "the description changed, was added or removed"),
    ("property-keyword-changed", N, N, "another keyword changed (title, format, examples, …)"),
)
# oasdiff's names for added request properties.
_NAMES = {
    "request-property-added-required": "new-required-request-property",
    "request-property-added-optional": "new-optional-request-property",
    "response-property-added-required": "response-required-property-added",
    "response-property-added-optional": "response-optional-property-added",
}
RULES: tuple[Rule, ...] = (
    Rule("model-removed", "model", B, "a model is no longer in the schemas"),
    Rule("model-added", "model", N, "a new model"),
    *(
        Rule(_NAMES.get(f"{side}-{stem}", f"{side}-{stem}"), side, level, description)
        for side, column in (("request", 1), ("response", 2))
        for stem, *levels, description in _TABLE
        if (level := (None, *levels)[column]) is not None
    ),
)
BY_ID = {rule.id: rule for rule in RULES}
_SIDE = {"input": "request", "output": "response"}
# Bounds: keyword → its rule stem (`property-<stem>-decreased`, …).
_BOUNDS = {
    "maximum": "max",
    "exclusiveMaximum": "max",
    "maxLength": "max-length",
    "maxItems": "max-items",
    "minimum": "min",
    "exclusiveMinimum": "min",
    "minLength": "min-length",
    "minItems": "min-items",
}
_WALKED = {
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "oneOf",
    "anyOf",
    "allOf",
}
_HANDLED = _WALKED | _BOUNDS.keys() | {"pattern", "default", "description", "$ref", "$defs", "definitions"}
ITEMS, ANY_KEY = -1, -2  # payload path parts: `[*]` and `.*`


@dataclass(frozen=True, slots=True)
class Change:
    rule: str
    level: str
    model: str
    side: str  # input | output | model
    path: str
    variant: str | None
    schema_path: str
    old: Any
    new: Any

    @property
    def description(self) -> str:
        return BY_ID[self.rule].description

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "description": self.description}


@dataclass(frozen=True, slots=True)
class _At:
    """Where the walk is: payload path, variant chain, schema path (old and new file)."""

    payload: tuple[int | str, ...] = ()
    variant: tuple[str, ...] = ()
    old: tuple[int | str, ...] = ()
    new: tuple[int | str, ...] = ()

    def into(
        self, payload: int | str | None, old: Sequence[int | str], new: Sequence[int | str], variant: str = ""
    ) -> _At:
        return _At(
            self.payload if payload is None else (*self.payload, payload),
            (*self.variant, variant) if variant else self.variant,
            (*self.old, *old),
            (*self.new, *new),
        )


def payload_path(parts: Sequence[int | str]) -> str:
    out = "$"
    for part in parts:
        out += "[*]" if part == ITEMS else ".*" if part == ANY_KEY else json_path([part])[1:]
    return out


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    kind = schema.get("type")
    return None if kind is None else {kind} if isinstance(kind, str) else {str(k) for k in kind}


def _covers(wide: set[str] | None, narrow: set[str] | None) -> bool:
    if wide is None:
        return True
    return narrow is not None and all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _variant_pairs(old: Sequence[Any], new: Sequence[Any]) -> Iterator[tuple[int | None, int | None]]:
    """Pairs of (old index, new index): same title, else same position among the untitled."""
    titled_new = {
        b.get("title"): j for j, b in enumerate(new) if isinstance(b, Mapping) and isinstance(b.get("title"), str)
    }
    untitled_new = [j for j in range(len(new)) if j not in titled_new.values()]
    paired: set[int] = set()
    untitled = 0
    for i, branch in enumerate(old):
        title = branch.get("title") if isinstance(branch, Mapping) else None
        j: int | None = None
        if isinstance(title, str):
            j = titled_new.get(title)
        elif untitled < len(untitled_new):
            j, untitled = untitled_new[untitled], untitled + 1
        if j is not None:
            paired.add(j)
        yield i, j
    for j in range(len(new)):
        if j not in paired:
            yield None, j


class _Walk:
    def __init__(self, model: str, side: str, old_root: Any, new_root: Any) -> None:
        self.model, self.side, self.prefix = model, side, _SIDE[side]
        self.roots = (old_root, new_root)
        self.changes: list[Change] = []
        self._active: set[tuple[tuple[int | str, ...], tuple[int | str, ...]]] = set()  # on the current branch

    def emit(self, stem: str, at: _At, keyword: str | None, old: Any, new: Any, *, removed: bool = False) -> None:
        rule_id = _NAMES.get(f"{self.prefix}-{stem}", f"{self.prefix}-{stem}")
        schema = at.old if removed else at.new
        where = json_path([*schema, keyword] if keyword else schema)
        variant = " / ".join(at.variant) or None
        self.changes.append(
            Change(
                rule_id, BY_ID[rule_id].level, self.model, self.side, payload_path(at.payload), variant, where, old, new
            )
        )

    def _deref(
        self, node: Any, path: tuple[int | str, ...], which: int
    ) -> tuple[dict[str, Any], tuple[int | str, ...]]:
        """A schema node as a dict, local `$ref`s followed (siblings of `$ref` kept over the target)."""
        for _ in range(32):
            if not isinstance(node, Mapping):
                return {}, path
            ref = node.get("$ref")
            if not (isinstance(ref, str) and ref.startswith("#")):
                return dict(node), path
            target, parts = self.roots[which], []
            for raw in [t for t in ref[1:].split("/") if t]:
                token: int | str = raw.replace("~1", "/").replace("~0", "~")
                if isinstance(target, list) and str(token).isdigit():
                    token = int(token)
                    target = target[token] if token < len(target) else None
                else:
                    target = target.get(str(token)) if isinstance(target, Mapping) else None
                parts.append(token)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            node, path = ({**target, **rest} if isinstance(target, Mapping) else rest), tuple(parts)
        return {}, path

    def compare(self, old_node: Any, new_node: Any, at: _At) -> None:
        o, old_path = self._deref(old_node, at.old, 0)
        n, new_path = self._deref(new_node, at.new, 1)
        at = _At(at.payload, at.variant, old_path, new_path)
        if (old_path, new_path) in self._active:  # a recursive $ref: back where this branch has been
            return
        self._active.add((old_path, new_path))
        try:
            self._compare(o, n, at)
        finally:
            self._active.discard((old_path, new_path))

    def _compare(self, o: dict[str, Any], n: dict[str, Any], at: _At) -> None:
        self._type(o, n, at)
        self._enums(o, n, at)
        for keyword, bound in _BOUNDS.items():
            self._bound(keyword, bound, o.get(keyword), n.get(keyword), at)
        self._pattern(o, n, at)
        for keyword in ("default", "description"):
            if (keyword in o or keyword in n) and _key(o.get(keyword)) != _key(n.get(keyword)):
                self.emit(f"property-{keyword}-changed", at, keyword, o.get(keyword), n.get(keyword))
        for keyword in sorted((o.keys() | n.keys()) - _HANDLED):
            if _key(o.get(keyword)) != _key(n.get(keyword)):
                self.emit("property-keyword-changed", at, keyword, o.get(keyword), n.get(keyword))
        self._properties(o, n, at)
        self._children(o, n, at)

    def _type(self, o: Mapping[str, Any], n: Mapping[str, Any], at: _At) -> None:
        old, new = _types(o), _types(n)
        if old == new:
            return
        stem = "narrowed" if _covers(old, new) else "widened" if _covers(new, old) else "changed"
        self.emit(f"property-type-{stem}", at, "type", o.get("type"), n.get("type"))

    def _enums(self, o: Mapping[str, Any], n: Mapping[str, Any], at: _At) -> None:
        old, new = _enum(o), _enum(n)
        keyword = "const" if "const" in n or ("const" in o and "enum" not in n) else "enum"
        if old is None and new is not None:
            self.emit("property-enum-set", at, keyword, None, new)
        elif old is not None and new is None:
            self.emit("property-enum-removed", at, keyword, old, None, removed=True)
        elif old is not None and new is not None:
            old_keys, new_keys = {_key(v) for v in old}, {_key(v) for v in new}
            for value in old:
                if _key(value) not in new_keys:
                    self.emit("property-enum-value-removed", at, keyword, value, None)
            for value in new:
                if _key(value) not in old_keys:
                    self.emit("property-enum-value-added", at, keyword, None, value)

    def _bound(self, keyword: str, bound: str, old: Any, new: Any, at: _At) -> None:
        if old == new or isinstance(old, bool) or isinstance(new, bool):
            return
        if old is None:
            change = "set"
        elif new is None:
            change = "removed"
        elif not (isinstance(old, int | float) and isinstance(new, int | float)):
            self.emit("property-keyword-changed", at, keyword, old, new)
            return
        else:
            change = "decreased" if new < old else "increased"
        self.emit(f"property-{bound}-{change}", at, keyword, old, new, removed=change == "removed")

    def _pattern(self, o: Mapping[str, Any], n: Mapping[str, Any], at: _At) -> None:
        old, new = o.get("pattern"), n.get("pattern")
        if old != new:
            change = "set" if old is None else "removed" if new is None else "changed"
            self.emit(f"property-pattern-{change}", at, "pattern", old, new, removed=change == "removed")

    def _properties(self, o: Mapping[str, Any], n: Mapping[str, Any], at: _At) -> None:
        old_props, new_props = o.get("properties") or {}, n.get("properties") or {}
        old_req, new_req = set(o.get("required") or []), set(n.get("required") or [])
        closed_old, closed_new = o.get("additionalProperties") is False, n.get("additionalProperties") is False
        if closed_old != closed_new:
            stem = "closed" if closed_new else "opened"
            self.emit(
                f"additional-properties-{stem}",
                at,
                "additionalProperties",
                o.get("additionalProperties"),
                n.get("additionalProperties"),
            )
        names = list(dict.fromkeys([*old_props, *sorted(old_req), *new_props, *sorted(new_req)]))
        for name in names:
            here = at.into(name, ["properties", name], ["properties", name])
            was, now = name in old_props or name in old_req, name in new_props or name in new_req
            if not was:
                self.emit(
                    "property-added-" + ("required" if name in new_req else "optional"),
                    here,
                    None,
                    None,
                    new_props.get(name),
                )
            elif not now:
                stem = "property-removed" if closed_new or self.prefix == "response" else "property-removed-open"
                self.emit(stem, here, None, old_props.get(name), None, removed=True)
            else:
                if (name in old_req) != (name in new_req):
                    req = at.into(name, ["required"], ["required"])
                    stem = "became-required" if name in new_req else "became-optional"
                    self.emit(f"property-{stem}", req, None, name in old_req, name in new_req)
                if name in old_props and name in new_props:
                    self.compare(old_props[name], new_props[name], here)

    def _children(self, o: Mapping[str, Any], n: Mapping[str, Any], at: _At) -> None:
        for keyword, part in (("items", ITEMS), ("additionalProperties", ANY_KEY)):
            if isinstance(o.get(keyword), Mapping) and isinstance(n.get(keyword), Mapping):
                self.compare(o[keyword], n[keyword], at.into(part, [keyword], [keyword]))
            elif _key(o.get(keyword)) != _key(n.get(keyword)) and keyword == "items":
                self.emit("property-keyword-changed", at, keyword, o.get(keyword), n.get(keyword))
        for keyword in ("oneOf", "anyOf"):
            old, new = o.get(keyword) or [], n.get(keyword) or []
            for i, j in _variant_pairs(old, new):
                branch = old[i] if j is None else new[j]  # type: ignore[index]
                title = branch.get("title") if isinstance(branch, Mapping) else None
                label = title if isinstance(title, str) else f"{keyword}[{j if i is None else i}]"
                if i is None or j is None:
                    here = at.into(None, [keyword, i or 0], [keyword, j or 0], label)
                    stem = "variant-added" if i is None else "variant-removed"
                    self.emit(
                        stem, here, None, None if i is None else label, None if j is None else label, removed=j is None
                    )
                else:
                    self.compare(old[i], new[j], at.into(None, [keyword, i], [keyword, j], label))
        old_all, new_all = o.get("allOf") or [], n.get("allOf") or []
        for k in range(min(len(old_all), len(new_all))):
            self.compare(old_all[k], new_all[k], at.into(None, ["allOf", k], ["allOf", k]))
        if len(old_all) != len(new_all):
            self.emit("property-keyword-changed", at, "allOf", len(old_all), len(new_all))


def diff_schema(model: str, side: str, old: Any, new: Any) -> list[Change]:
    """Every change from `old` to `new`, one side (`input` or `output`) of one model."""
    walk = _Walk(model, side, old, new)
    walk.compare(old, new, _At())
    return walk.changes


def diff_models(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]) -> list[Change]:
    """Every change between two schema roots, each given as model → {"input": …, "output": …}."""
    changes: list[Change] = []
    for model in sorted(old.keys() | new.keys()):
        if model not in new:
            changes.append(Change("model-removed", B, model, "model", "$", None, "$", model, None))
        elif model not in old:
            changes.append(Change("model-added", N, model, "model", "$", None, "$", None, model))
        else:
            for side in ("input", "output"):
                changes += diff_schema(model, side, old[model].get(side), new[model].get(side))
    return changes


def exceeds(changes: Sequence[Change], fail_on: str | None) -> bool:
    """Whether `--fail-on breaking|any` is met."""
    if fail_on == "any":
        return bool(changes)
    return fail_on == "breaking" and any(c.level == BREAKING for c in changes)


# --- reading the two roots (the only I/O here) ----------------------------------------------------

Tree = dict[str, dict[str, Any]]


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def _files(spec: str, repo: Path, subdir: str) -> dict[str, tuple[str, bytes | None]]:
    """`<model>/<schema file>` → (where it was read, its bytes or None when unreadable)."""
    folder = Path(spec)
    if folder.is_dir():
        found: dict[str, tuple[str, bytes | None]] = {}
        for model in discover(folder):
            for name in FILES.values():
                path = folder / model / name
                found[f"{model}/{name}"] = (str(path), path.read_bytes() if path.is_file() else None)
        return found
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}").returncode != 0:
        raise UsageError(f"{spec!r} is neither a folder nor a git revision in {repo}")
    listed = _git(repo, "ls-tree", "-r", "--name-only", "-z", spec, "--", f"{subdir.strip('/')}/")
    names = [n for n in listed.stdout.decode().split("\0") if n]
    root = PurePosixPath(subdir.strip("/"))
    found = {}
    for name in names:
        relative = PurePosixPath(name).relative_to(root)
        if relative.name in FILES.values() and not any(p.startswith(".") for p in relative.parts):
            for other in FILES.values():  # a model with one file: the other is reported missing
                found.setdefault(f"{relative.parent}/{other}", (f"{spec}:{root / relative.parent / other}", None))
            shown = _git(repo, "show", f"{spec}:{name}")
            found[str(relative)] = (f"{spec}:{name}", shown.stdout if shown.returncode == 0 else None)
    return found


def load_root(spec: str, *, repo: Path = Path("."), subdir: str = "schemas") -> tuple[Tree, list[SchemaProblem]]:
    """A schema root as model → {"input": …, "output": …}: the folder `spec`, else the revision `spec`
    of `subdir` in the git repository `repo` (`HEAD~1`), each schema read as it is used (`cfai.repair`:
    known slips repaired, so both roots are compared the way generation and validation see them).
    Every unreadable file is a problem."""
    tree: Tree = {}
    problems: list[SchemaProblem] = []
    for key, (where, data) in sorted(_files(spec, repo, subdir).items()):
        model, name = key.rsplit("/", 1)
        side = next(s for s, n in FILES.items() if n == name)
        if data is None:
            problems.append(SchemaProblem(model, where, "$", "missing or unreadable"))
            continue
        try:
            tree.setdefault(model, {})[side] = repair(model, f"{model}/{name}", json.loads(data))[0]
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(SchemaProblem(model, where, "$", f"not valid JSON: {exc}"))
    return tree, problems
