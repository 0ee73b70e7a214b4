"""`cfai regen` (`make regen`): pull → diff → generate → check → test, with the schema root and the
generated output replaced together only when every stage passed.

The new schemas and bindings are built in a work folder (`.regen/`), then swapped in as one
transaction (`atomic.Swap`: both trees, one journal) for the test stage, which runs the project's
tests against them. Tests pass → the swap is committed; tests fail, Ctrl-C or SIGTERM at any point
→ both old trees are put back at once. A run killed outright (SIGKILL, power cut) is undone by the
next run's `atomic.recover`, which also removes what it left behind. Each stage runs as the
`cfai` command of the same name, so PULL_ARGS/DIFF_ARGS mean what they do on the command line.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic, children

__all__ = ["Plan", "regen"]

Say = Callable[[str], None]
_CLI = ("-c", "from cfai.cli import main; main()")


@dataclass(frozen=True, slots=True)
class Plan:
    schemas: Path = Path("schemas")
    out: Path = Path("generated")
    work: Path = Path(".regen")
    pull_args: Sequence[str] = field(default_factory=tuple)
    diff_args: Sequence[str] = field(default_factory=tuple)
    pytest_args: Sequence[str] = field(default_factory=tuple)
    mypy: bool = True


def split(args: str | None) -> list[str]:
    """Make-style `PULL_ARGS="--base-url http://…"` → argument list."""
    return shlex.split(args or "")


def _stage(name: str, command: Sequence[str], say: Say) -> int:
    say(f"regen: {name}")
    return children.run(command, capture=False).returncode


def regen(plan: Plan, say: Say) -> int:
    """Run every stage; the exit code of the first that failed, 0 when the new trees are in place."""
    schemas, out, work = plan.schemas.absolute(), plan.out.absolute(), plan.work.absolute()
    for note in atomic.recover(schemas, out, work):
        say(f"regen: {note}")
    shutil.rmtree(work, ignore_errors=True)  # a killed regen's staged trees: never reused
    work.mkdir(parents=True)
    new_schemas, new_out = work / "schemas", work / "generated"
    cli = [sys.executable, *_CLI]
    try:
        stages = [
            ("pull", [*cli, "pull", "--schemas", str(schemas), "--out", str(new_schemas), *plan.pull_args]),
            ("diff", [*cli, "diff", str(schemas), str(new_schemas), *plan.diff_args]),
            ("generate", [*cli, "generate", "--schemas", str(new_schemas), "--out", str(new_out)]),
            ("check", [*cli, "check", "--schemas", str(new_schemas), "--out", str(new_out),
                       "--mypy" if plan.mypy else "--no-mypy"]),
        ]  # fmt: skip
        for name, command in stages:
            if code := _stage(name, command, say):
                say(f"regen: {name} failed (exit {code}); {plan.schemas} and {plan.out} unchanged")
                return code
        swap = atomic.Swap([(new_schemas, schemas), (new_out, out)])
        swap.apply()
        try:
            code = _stage("test", [sys.executable, "-m", "pytest", *plan.pytest_args], say)
        except BaseException:
            swap.rollback()
            say(f"regen: interrupted during the tests; {plan.schemas} and {plan.out} restored")
            raise
        if code:
            swap.rollback()
            say(f"regen: tests failed (exit {code}); {plan.schemas} and {plan.out} restored")
            return 1
        swap.commit()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
