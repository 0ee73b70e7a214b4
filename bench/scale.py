"""How `make generate` scales with the number of models, and what the generation cache saves.

    .venv/bin/python bench/scale.py            # prints the curve as JSON

For 1, 5, 15, 50 and all models (schemas/: the two seeds and the whole catalog) in a temporary schema
root, times `codegen.pipeline.generate` three times, each against its own empty cache
(`CFAI_CACHE_DIR`): cold (nothing cached), warm (an unchanged re-run) and one-changed (one model's
input schema edited: only that model's module is generated again, plus the OpenAPI document), then
`codegen.pipeline.check` (a rebuild compared byte for byte, and mypy --strict on the output). The
counts of modules generated and reused come from the pipeline's progress messages; generation works
per distinct pair of schemas, whose count is in each row.

Then the user's side: a one-model script (`USER_SCRIPT`, calling gpt-5.1-chat, in every size, by its reference) checked
by mypy --strict and by pyright against the bindings generated at that size, cold (an empty cache)
and warm (mypy's cache kept; pyright has none between runs), so that the table shows whether a
user's type-checking cost grows with the catalog.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cases import generated_types  # bench/ is on the path: this file's folder

from cfai.schemas import discover
from codegen.pipeline import check, generate

SCHEMAS = ROOT / "schemas"


def _sources() -> list[tuple[Path, str]]:
    """(root, model) for every shipped model, the seeds first."""
    return sorted(((SCHEMAS, m) for m in discover(SCHEMAS)), key=lambda s: (s[1].startswith("@"), s[1]))


def _root_with(models: list[tuple[Path, str]], into: Path) -> Path:
    for source, model in models:
        shutil.copytree(source / model, into / model, ignore=shutil.ignore_patterns("meta.json"))
    return into


def _change_one(root: Path, model: str) -> None:
    """A real change a re-pull could bring: the input schema's description is reworded."""
    path = root / model / "schema-input.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["description"] = str(schema.get("description", "")) + " (reworded)"
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False), encoding="utf-8")


def _timed(root: Path, out: Path) -> dict[str, Any]:
    messages: list[str] = []
    start = time.perf_counter()
    report = generate(root, out, progress=messages.append)
    seconds = time.perf_counter() - start
    modules = [m for m in messages if m.startswith("generated ")]
    reused = sum(1 for m in modules if m.endswith("(cached)"))
    return {"models": len(report.generated), "seconds": round(seconds, 3), "modules_generated": len(modules) - reused,
            "modules_reused": reused}  # fmt: skip


USER_SCRIPT = """\
from cfai import Client
from cfai_models import gpt_5_1_chat

with Client("account", "token") as cf:
    reply = cf.chat_completions(gpt_5_1_chat.chat_completions, {"messages": [{"role": "user", "content": "hi"}]})
    choices: object = reply.data.choices
"""


def _checked(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed on the user script: {(done.stdout + done.stderr)[-1500:]}")
    return round(seconds, 3)


def user_typecheck(out: Path) -> dict[str, float]:
    """Seconds for mypy --strict (cold, warm) and pyright (cold, again) on `USER_SCRIPT` against the
    bindings in `out` (which take precedence over the installed ones: MYPYPATH, pyright's extraPaths)."""
    with tempfile.TemporaryDirectory(prefix="cfai-user-") as tmp:
        project = Path(tmp)
        (project / "app.py").write_text(USER_SCRIPT)
        (project / "pyrightconfig.json").write_text(json.dumps({"extraPaths": [str(out)], "typeCheckingMode": "strict"}))
        env = {**os.environ, "MYPYPATH": str(out)}
        mypy = [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={project / 'cache'}", "app.py"]
        pyright = [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "app.py"]
        return {"mypy_cold": _checked(mypy, project, env), "mypy_warm": _checked(mypy, project, env),
                "pyright_cold": _checked(pyright, project, env), "pyright_again": _checked(pyright, project, env)}  # fmt: skip


def curve(sizes: tuple[int, ...] = (1, 5, 15, 50)) -> list[dict[str, Any]]:
    """One row per size (plus all models): cold, warm and one-changed timings."""
    sources = _sources()
    rows = []
    for size in [*[s for s in sizes if s < len(sources)], len(sources)]:
        with tempfile.TemporaryDirectory(prefix="cfai-scale-") as tmp:
            work = Path(tmp)
            root = _root_with(sources[:size], work / "schemas")
            out = work / "generated"
            with mock.patch.dict(os.environ, {"CFAI_CACHE_DIR": str(work / "cache")}):  # empty: a cold start
                cold = _timed(root, out)
                warm = _timed(root, out)
                changed_model = sources[size - 1][1]
                _change_one(root, changed_model)
                changed = _timed(root, out)
                start = time.perf_counter()
                differences, type_errors = check(root, out)
                checked = {"seconds": round(time.perf_counter() - start, 3), "clean": not (differences or type_errors)}
                distinct = len(set(generated_types(out).values()))
                user = user_typecheck(out)
        rows.append({"models": size, "distinct_schemas": distinct, "changed_model": changed_model, "cold": cold,
                     "warm": warm, "one_changed": changed, "check": checked, "user_typecheck": user})  # fmt: skip
    return rows


if __name__ == "__main__":
    print(json.dumps(curve(), indent=2))
