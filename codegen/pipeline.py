"""The one code path behind `make generate` and `make check`.

`build` describes every model of a schema root once (`describe`) and writes every generated
artifact into an empty staging directory; a model that cannot be used is skipped and reported.
`generate` swaps the staging directory into place only when the whole build succeeded, so a failure
leaves the previous output exactly as it was; `check` compares it byte for byte with the committed
output and type-checks the committed output with `mypy --strict`.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from cfai.discovery import scan
from cfai.errors import GenerationError, SchemaProblem

from . import atomic, children, models, openapi, verify
from .atomic import swap_in
from .describe import Catalog, Description, describe

__all__ = ["Report", "build", "check", "compare", "generate", "typecheck"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Report:
    """What a build made of a schema root: the models generated, the notes (repairs, input-only
    models), and the models skipped with their located problems."""

    generated: tuple[str, ...]
    notes: tuple[SchemaProblem, ...]
    skipped: dict[str, tuple[SchemaProblem, ...]]

    @property
    def problems(self) -> list[SchemaProblem]:
        return [p for found in self.skipped.values() for p in found]


def build(root: Path, staging: Path, *, progress: Progress | None = None, package: str = models.PACKAGE) -> Report:
    """Everything generated from `root`, written into `staging`.

    The typed models (`cfai_models/`) and the assembled OpenAPI document (`openapi.json`). A model
    that cannot be described or generated is skipped and reported; the others are generated.
    """
    misnamed: dict[str, tuple[SchemaProblem, ...]] = {}  # folders whose path is not a model name
    for problem in scan(root)[1]:
        misnamed[problem.model] = (*misnamed.get(problem.model, ()), problem)
    catalog = describe(root)
    if not catalog.models and not catalog.skipped and not misnamed:
        raise GenerationError([SchemaProblem("-", str(root), "$", "no schema-input.json/schema-output.json here")])
    done, failed = _proven(catalog, staging, progress, package)
    notes = tuple(note for m in done for note in m.notes)
    return Report(tuple(m.name for m in done), notes, {**misnamed, **catalog.skipped, **failed})


def _proven(
    catalog: Catalog, staging: Path, progress: Progress | None, package: str = models.PACKAGE
) -> tuple[list[Description], dict[str, tuple[SchemaProblem, ...]]]:
    """The models and openapi.json written into `staging` and proven (`verify`: strict JSON,
    declarations only, every module imports). A model whose module proves broken (a pattern the
    regex engine refuses) is left out like one the generator failed on, and the rest written again;
    anything else broken is a `GenerationError`."""
    left_out: dict[str, tuple[SchemaProblem, ...]] = {}
    while True:
        done, failed = models.build(catalog, staging, progress=progress, package_name=package)
        (staging / "openapi.json").write_text(verify.strict_dumps(openapi.document(done)) + "\n")
        owners = {m.types: m.name for m in reversed(done)} | {m.module: m.name for m in done}
        problems = verify.artifacts(staging, package, owners)
        if not problems:
            return done, {**failed, **left_out}
        if any(p.model == "-" for p in problems) and len(done) > 1:
            problems = _blame(done, staging, package, owners, problems)
        broken = {p.model for p in problems} & {m.name for m in done}
        # A broken types module is the problem of every model sharing it.
        shared = {m.types for m in done if m.name in broken}
        broken |= {m.name for m in done if m.types in shared}
        problems = [*problems, *(replace(p, model=m.name) for p in problems for m in done
                                 if m.name in broken and p.model != m.name and m.types in shared
                                 and p.model in {o.name for o in done if o.types == m.types})]  # fmt: skip
        if not broken:
            raise GenerationError(problems)
        left_out |= {name: tuple(p for p in problems if p.model == name) for name in broken}
        catalog = replace(catalog, models=tuple(m for m in catalog.models if m.name not in broken))
        for child in staging.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def _blame(
    done: list[Description], staging: Path, package: str, owners: dict[str, str], problems: list[SchemaProblem]
) -> list[SchemaProblem]:
    """`problems` with those of a shared file (`catalog.py`, `__init__.py`, `openapi.json`: no one
    model's) given to the models whose part breaks it, found by halving: the shared files are
    written again for a half of the models at a time and proven. A problem no model explains stays
    the run's (`-`). Only runs when a shared file is broken, so its cost (a proof per halving) is
    paid by failing runs alone."""

    def broken(subset: list[Description]) -> bool:
        models.write_shared(subset, staging / package)
        (staging / "openapi.json").write_text(verify.strict_dumps(openapi.document(subset)) + "\n")
        return any(p.model == "-" for p in verify.artifacts(staging, package, owners))

    def culprits(subset: list[Description]) -> list[Description]:
        if len(subset) == 1:
            return subset
        halves = subset[: len(subset) // 2], subset[len(subset) // 2 :]
        found = [m for half in halves if broken(half) for m in culprits(half)]
        return found or subset  # only together do they break it: each of them is named

    try:
        if broken([]):  # the shared files are broken with no model in them: the generator's problem
            return problems
        blamed = culprits(done)
        if len(blamed) == len(done):  # no smaller set explains it: the run's problem, not every model's
            return problems
    except GenerationError:  # a shared file that cannot even be rendered for a subset
        return problems
    finally:
        models.write_shared(done, staging / package)
    return [replace(p, model=m.name) for p in problems if p.model == "-" for m in blamed] + \
        [p for p in problems if p.model != "-"]  # fmt: skip


def _files(top: Path) -> set[str]:
    return {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def compare(expected: Path, actual: Path) -> list[str]:
    """Files that differ between two trees, as `path (why)`; `[]` when byte-identical."""
    want = _files(expected)
    have = _files(actual) if actual.is_dir() else set()
    out = [f"{name} (missing)" for name in want - have]
    out += [f"{name} (not generated by the schemas)" for name in have - want]
    out += [f"{n} (differs)" for n in want & have if not filecmp.cmp(expected / n, actual / n, shallow=False)]
    return sorted(out)


def generate(
    root: Path, out: Path, *, strict: bool = False, progress: Progress | None = None, package: str = models.PACKAGE
) -> Report:
    """Build beside `out`, then swap the result in; `out` is untouched unless the build succeeded.

    `strict`: a note (a repair, an input-only model) or a skipped model stops generation with
    `GenerationError` (for CI, where any surprise in a schema should be looked at).
    """
    out = out.resolve()
    for note in atomic.recover(out):  # a killed run's half swap is undone before anything else
        if progress:
            progress(note)
    staging = atomic.staging_dir(out, "new")
    try:
        report = build(root, staging, progress=progress, package=package)
        if strict and (report.notes or report.skipped):
            raise GenerationError([*report.notes, *report.problems])
        if not report.generated:
            raise GenerationError(report.problems)
        atomic.follow_umask(staging)  # cached trees carry the modes of whoever stored them
        swap_in(staging, out)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def typecheck(out: Path) -> list[str]:
    """`mypy --strict` on the generated packages: its error lines, `[]` when clean."""
    packages = sorted(p.name for p in out.iterdir() if (p / "__init__.py").is_file()) if out.is_dir() else []
    if not packages:
        return [f"no generated package in {out}"]
    command = [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={os.devnull}", *packages]
    done = children.run(command, cwd=out)
    return [] if done.returncode == 0 else [line for line in done.stdout.splitlines() if line.strip()]


def check(root: Path, out: Path, *, mypy: bool = True, package: str = models.PACKAGE) -> tuple[list[str], list[str]]:
    """(files differing from a fresh build, mypy errors); both empty when `out` is up to date.

    A model skipped by the build is a difference: `out` must hold every model of `root`.
    """
    with tempfile.TemporaryDirectory(prefix="cfai-check-") as tmp:
        report = build(root, Path(tmp), package=package)
        differences = compare(Path(tmp), out)
    differences += [f"{p.model}: skipped: {p.file} {p.path}: {p.message}" for p in report.problems]
    return differences, typecheck(out) if mypy else []
