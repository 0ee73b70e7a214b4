"""Generation never reports success on a broken artifact: every generated file is proven usable
before the output is swapped in (`pipeline.build` calls `artifacts` last).

- every `.json` file parses as strict JSON (no NaN/Infinity: `openapi.json` is read by other tools);
- every typed-model module is declarations only (`audit`): schema text can reach it only as string
  constants, never as a statement, whatever datamodel-code-generator does with quotes and newlines;
- every module of every generated package imports, in a fresh interpreter with only the staging
  directory added to `sys.path`: a `pattern` the regex engine cannot compile, a class name taken
  twice, a syntax error all fail here, not in the user's program.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from cfai.errors import GenerationError, SchemaProblem
from cfai.jsonvalue import loads

from . import children
from .doctext import escape_json

__all__ = ["IMPORT_TIMEOUT", "artifacts", "audit", "imports", "json_files", "strict_dumps"]

IMPORT_TIMEOUT = 300.0  # seconds for importing every generated module (the real catalog: a few)
_MODULES = frozenset({"__future__", "typing", "typing_extensions", "pydantic", "enum", "datetime", "decimal",
                      "uuid", "ipaddress", "pathlib", "collections.abc", "annotated_types", "re",
                      "cfai._model"})  # fmt: skip  # cfai._model: SchemaModel, the base of every generated class
_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "type", "None",
                            "frozenset", "object"})  # fmt: skip


def _problem(file: str, message: str, model: str = "-") -> SchemaProblem:
    return SchemaProblem(model, file, "$", message)


def strict_dumps(document: object) -> str:
    """JSON as the generator writes it; a NaN or Infinity is a `GenerationError`, not a file other tools reject."""
    try:
        return escape_json(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    except ValueError as exc:
        raise GenerationError([_problem("openapi.json", f"would not be JSON: {exc}")]) from None


def json_files(top: Path) -> list[SchemaProblem]:
    """Every generated JSON file that is not strict JSON."""
    problems = []
    for path in sorted(top.rglob("*.json")):
        try:
            loads(path.read_bytes(), finite=True)
        except (ValueError, OSError) as exc:
            problems.append(_problem(path.relative_to(top).as_posix(), f"generated file is not strict JSON: {exc}"))
    return problems


def audit(source: str) -> list[str]:
    """Why a typed-model module is more than declarations (imports from the typing libraries,
    classes of annotated fields, calls to what pydantic exports, `X.model_rebuild()`), or `[]`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        return [f"not Python: {exc}"]
    found: list[str] = []
    callable_names: set[str] = set()
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    aliases = {t.id for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)
               for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}  # fmt: skip
    known = set(_BUILTIN_TYPES) | classes | aliases

    def docstring(node: ast.stmt) -> bool:
        return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)

    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in _MODULES:
            names = {a.asname or a.name for a in node.names}
            known |= names
            callable_names |= names if node.module == "pydantic" else names & {"TypeAliasType", "TypedDict"}
        elif isinstance(node, ast.ClassDef):
            if node.decorator_list or not all(isinstance(k.value, ast.Constant) for k in node.keywords):
                found.append(f"line {node.lineno}: class {node.name} has decorators or computed keywords")
            for item in node.body:
                if not (docstring(item) or isinstance(item, ast.AnnAssign | ast.Assign | ast.Pass)):
                    found.append(f"line {item.lineno}: {type(item).__name__} statement in class {node.name}")
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if not (isinstance(func, ast.Attribute) and func.attr == "model_rebuild"
                    and isinstance(func.value, ast.Name) and func.value.id in classes):  # fmt: skip
                found.append(f"line {node.lineno}: a call statement")
        elif not (docstring(node) or isinstance(node, ast.AnnAssign | ast.Assign)):
            found.append(f"line {node.lineno}: {type(node).__name__} statement at module level")
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Call):
            func = sub.func
            ok = isinstance(func, ast.Name) and func.id in callable_names
            ok = ok or (isinstance(func, ast.Attribute) and func.attr == "model_rebuild")
            if not ok:
                found.append(f"line {sub.lineno}: call to {ast.unparse(func)[:60]!r}")
        elif isinstance(sub, ast.Lambda | ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom):
            found.append(f"line {sub.lineno}: {type(sub).__name__}")
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in known:
            found.append(f"line {sub.lineno}: unknown name {sub.id!r}")
        elif isinstance(sub, ast.Attribute) and sub.attr.startswith("__"):
            found.append(f"line {sub.lineno}: dunder attribute {sub.attr!r}")
    return found


_IMPORT_ALL = r"""
import importlib, json, pkgutil, sys, traceback, warnings
warnings.simplefilter("ignore")
top = sys.argv[1]
sys.path.insert(0, top)
failed = []
for package in sys.argv[2:]:
    names = [package]
    try:
        root = importlib.import_module(package)
        names += [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
    except BaseException as exc:
        failed.append([package, traceback.format_exception_only(exc)[-1].strip()])
        continue
    for name in names[1:]:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failed.append([name, traceback.format_exception_only(exc)[-1].strip()])
print(json.dumps(failed))
"""


def imports(top: Path, packages: list[str]) -> list[tuple[str, str]]:
    """(module, error) for every module of `packages` under `top` that does not import."""
    command = [sys.executable, "-I", "-c", _IMPORT_ALL, str(top), *packages]
    try:
        done = children.run(command, timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return [(",".join(packages), f"importing took over {IMPORT_TIMEOUT:g} s")]
    try:
        return [(str(m), str(e)) for m, e in json.loads(done.stdout.strip().splitlines()[-1])]
    except (ValueError, IndexError):
        return [(",".join(packages), f"the import check crashed: {(done.stderr or done.stdout).strip()[-500:]}")]


def artifacts(top: Path, models_package: str, models: Mapping[str, str]) -> list[SchemaProblem]:
    """Every reason the tree at `top` is not a usable output; `models` maps module names to model names."""
    problems = json_files(top)
    for path in sorted((top / models_package).glob("*/*.py")):
        if path.name.startswith("_"):  # __init__.py; the models' own modules and catalog.py are rendered
            continue  # from our own templates: only the generator's output (types/, payloads/) is audited
        file = path.relative_to(top).as_posix()
        model = models.get(path.stem, "-")
        problems += [_problem(file, f"not declarations only: {why}", model) for why in audit(path.read_text())]
    if problems:  # never import a module that failed its audit
        return problems
    packages = sorted(p.name for p in top.iterdir() if (p / "__init__.py").is_file())
    for module, error in imports(top, packages):
        stem = module.rsplit(".", 1)[-1]
        model = models.get(stem, "-") if module.startswith(models_package + ".") else "-"
        file = module.replace(".", "/") + ".py"
        error = " / ".join(line.strip() for line in error.splitlines() if line.strip())
        problems.append(_problem(file, f"generated module does not import: {error}", model))
    return problems
