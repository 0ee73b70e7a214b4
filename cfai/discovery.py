"""Which folders under a schema root are models, and reading their files without leaving the root.

A folder is a model when it holds a schema file and its path under the root is a model name
(`cfai.names`): a folder named `x\nimport os` is reported, never used, because a name reaches
generated code, URLs and messages. Symlinks are read only when they stay inside the root, so a
schema root cannot make the generator read (and embed) `/etc/passwd`.
"""

from __future__ import annotations

from pathlib import Path

from .errors import SchemaProblem
from .names import check_name

__all__ = ["inside", "read_inside", "scan"]

SCHEMA_FILES = ("schema-input.json", "schema-output.json")


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks resolved, is `root` or below it."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def read_inside(root: Path, relative: str) -> bytes:
    """The bytes of `root/relative`, or OSError when it resolves outside the root."""
    path = root / relative
    if not inside(root, path):
        raise OSError(f"{relative} leads outside the schema root (symlink)")
    return path.read_bytes()


def scan(root: Path) -> tuple[list[str], list[SchemaProblem]]:
    """(the model names under `root`, the folders holding schemas that cannot be models and why).

    Hidden folders (`.regen`, `.cache`, leftovers of a killed run) are not models and not problems.
    """
    found: set[str] = set()
    problems: list[SchemaProblem] = []
    for file in SCHEMA_FILES:
        for path in root.rglob(file):
            relative = path.relative_to(root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            name = relative.parent.as_posix()
            if why := check_name(name):  # the name is shown escaped: it may hold a newline or worse
                shown = name.encode("unicode_escape").decode("ascii")[:120]
                problems.append(SchemaProblem(shown, f"{shown}/{file}", "$", f"skipped: {why}"))
            elif not inside(root, path):
                problems.append(SchemaProblem(name, relative.as_posix(), "$", "skipped: a symlink leading outside the schema root"))
            else:
                found.add(name)
    return sorted(found), sorted(set(problems), key=str)
