"""`cfai gate`: would the bindings survive what Cloudflare publishes today? One command for CI.

pull the tracked models into a temporary staging root (the schema root is only read) → diff the
committed schemas against the staged ones → generate the staged root into a temporary directory →
type-check it (`mypy --strict`). Nothing in the working tree is written. The outcome is a `Gate`:
the diff rows (`codegen.diff.Change`), the models that could not be pulled, and the generation and
type-check problems; `exit_code` maps it to the documented exit codes and `junit_xml` renders it for
a CI system (one test case per tracked model, a failure per change that meets --fail-on).
"""

from __future__ import annotations

import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfai.errors import SchemaLoadError, SchemaProblem

from .catalog import Tracked, endpoint, read_tracked
from .diff import BREAKING, Change, diff_models, exceeds, load_root
from .pull import Options, pull

__all__ = ["EXIT", "Gate", "run_gate"]

# 0 pass · 1 changes meeting --fail-on, or the published schemas do not generate / type-check ·
# 2 usage (models.toml, settings) · 3 a model could not be pulled (network, or an unusable schema)
EXIT = {"pass": 0, "fail": 1, "usage": 2, "pull": 3}


@dataclass
class Gate:
    models: list[str]
    fail_on: str
    changes: list[Change] = field(default_factory=list)
    pull_problems: list[SchemaProblem] = field(default_factory=list)
    build_problems: list[str] = field(default_factory=list)
    type_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def failing(self, change: Change) -> bool:
        return exceeds([change], self.fail_on)

    @property
    def exit_code(self) -> int:
        if self.pull_problems:
            return EXIT["pull"]
        if self.build_problems or self.type_errors or any(map(self.failing, self.changes)):
            return EXIT["fail"]
        return EXIT["pass"]

    def to_dict(self) -> dict[str, Any]:
        breaking = sum(1 for c in self.changes if c.level == BREAKING)
        return {
            "changes": [c.to_dict() for c in self.changes],
            "summary": {"breaking": breaking, "non-breaking": len(self.changes) - breaking},
            "models": self.models,
            "fail_on": self.fail_on,
            "pull_problems": [p.to_dict() for p in self.pull_problems],
            "generate_problems": self.build_problems,
            "type_errors": self.type_errors,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "exit_code": self.exit_code,
        }


def run_gate(
    schemas: Path,
    *,
    env: Mapping[str, str],
    source: str | None = None,
    base_url: str | None = None,
    fail_on: str = "breaking",
    typecheck: bool = True,
    options: Options | None = None,
    progress: Callable[[str], None] | None = None,
) -> Gate:
    """Run the gate against the schema root `schemas` (its models.toml names the tracked models).
    Raises `UsageError` / `SchemaLoadError` for what stops it before the pull (exit 2)."""
    from .pipeline import build
    from .pipeline import typecheck as mypy

    say = progress or (lambda _: None)
    tracked, problems = read_tracked(schemas)
    if problems:
        raise SchemaLoadError(problems)
    chosen = [Tracked(t.name, source) for t in tracked] if source else tracked
    endpoints = {s: endpoint(s, env, base_url) for s in sorted({t.source for t in chosen})}
    gate = Gate([t.name for t in chosen], fail_on)
    with tempfile.TemporaryDirectory(prefix="cfai-gate-") as tmp:
        staged, out = Path(tmp) / "schemas", Path(tmp) / "generated"
        started = time.monotonic()
        report = pull(chosen, endpoints, schemas, out=staged, options=options or Options())
        gate.seconds["pull"] = time.monotonic() - started
        say(f"pulled {len(chosen)} model(s) in {gate.seconds['pull']:.1f} s")
        gate.pull_problems = report.problems
        if report.failed:
            return gate
        (before, old_problems), (after, new_problems) = load_root(str(schemas)), load_root(str(staged))
        if old_problems or new_problems:
            raise SchemaLoadError([*old_problems, *new_problems])
        gate.changes = diff_models(before, after)
        started = time.monotonic()
        out.mkdir()
        try:
            built = build(staged, out)
        except SchemaLoadError as exc:
            gate.build_problems = [str(p) for p in exc.problems]
        else:
            # A pipeline that skips an unusable model reports it instead of raising: count the
            # skipped models whose schemas changed (one already skipped before is no news).
            changed = {c.model for c in gate.changes}
            skipped = getattr(built, "problems", None) or []
            gate.build_problems = [str(p) for p in skipped if getattr(p, "model", None) in changed]
        gate.seconds["generate"] = time.monotonic() - started
        say(f"generated in {gate.seconds['generate']:.1f} s")
        if typecheck and not gate.build_problems:
            started = time.monotonic()
            gate.type_errors = mypy(out)
            gate.seconds["typecheck"] = time.monotonic() - started
            say(f"type-checked in {gate.seconds['typecheck']:.1f} s")
    return gate


def _where(change: Change) -> str:
    side = "" if change.side == "model" else f"{change.side} "
    return side + change.path + (f" ({change.variant})" if change.variant else "")


def junit_xml(gate: Gate) -> str:
    """JUnit XML: a test case per tracked model (a failure per change meeting --fail-on, other
    changes in system-out, an error if it could not be pulled), plus `generate` and `typecheck`."""
    suite = ET.Element("testsuite", name="cfai gate")
    failures = errors = 0
    by_model: dict[str, list[Change]] = {}
    for change in gate.changes:
        by_model.setdefault(change.model, []).append(change)
    names = list(dict.fromkeys([*gate.models, *by_model]))
    for model in names:
        case = ET.SubElement(suite, "testcase", classname="cfai.gate.schemas", name=model)
        for problem in (p for p in gate.pull_problems if p.model == model):
            ET.SubElement(case, "error", type="pull", message=f"{problem.file} {problem.path}: {problem.message}")
            errors += 1
        quiet = []
        for change in by_model.get(model, []):
            if gate.failing(change):
                message = f"{change.level} {change.rule}: {_where(change)}: {change.old!r} -> {change.new!r}"
                failure = ET.SubElement(case, "failure", type=change.rule, message=message)
                failure.text = f"{change.description}\nschema path: {change.schema_path}"
                failures += 1
            else:
                quiet.append(f"{change.level} {change.rule}: {_where(change)}: {change.old!r} -> {change.new!r}")
        if quiet:
            ET.SubElement(case, "system-out").text = "\n".join(quiet)
    for name, found in (("generate", gate.build_problems), ("typecheck", gate.type_errors)):
        if gate.pull_problems:
            continue  # not reached
        case = ET.SubElement(suite, "testcase", classname="cfai.gate.bindings", name=name)
        if found:
            ET.SubElement(case, "failure", type=name, message=found[0]).text = "\n".join(found)
            failures += 1
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("time", f"{sum(gate.seconds.values()):.3f}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def summary(gate: Gate) -> Sequence[str]:
    breaking = sum(1 for c in gate.changes if c.level == BREAKING)
    lines = [f"{len(gate.changes)} change(s): {breaking} breaking, {len(gate.changes) - breaking} non-breaking"]
    if gate.pull_problems:
        lines.append(f"{len(gate.pull_problems)} pull problem(s)")
    if gate.build_problems or gate.type_errors:
        lines.append(f"{len(gate.build_problems)} generation problem(s), {len(gate.type_errors)} type error(s)")
    verdict = {0: "gate passed", 1: f"gate failed (--fail-on {gate.fail_on})", 3: "gate failed: pull"}
    lines.append(verdict[gate.exit_code])
    return lines
