"""How `make generate` scales with the number of models, and what the generation cache saves.

    .venv/bin/python bench/scale.py            # prints the curve as JSON

For 1, 5 and all models (the whole catalog plus the two seeds) in a temporary schema root, times
`codegen.pipeline.generate` three times, each against its own empty cache (`CFAI_CACHE_DIR`):
cold (nothing cached), warm (an unchanged re-run) and one-changed (one model's input schema edited:
only that model's module, and the client, whose document changed, are generated again). The counts
of modules generated and reused come from the pipeline's progress messages.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codegen.pipeline import generate
from cfai.schemas import discover

SCHEMAS = ROOT / "schemas"
CATALOG = ROOT.parent / "shared" / "catalog"


def _sources() -> list[tuple[Path, str]]:
    """(root, model) for the seeds, then every catalog model."""
    found = [(SCHEMAS, m) for m in discover(SCHEMAS)]
    if (CATALOG / "@cf").is_dir():
        found += [(CATALOG, m) for m in discover(CATALOG)]
    return found


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
    count = generate(root, out, progress=messages.append)
    seconds = time.perf_counter() - start
    modules = [m for m in messages if m.startswith("generated ") and "cfai_client" not in m]
    reused = sum(1 for m in modules if m.endswith("(cached)"))
    client_reused = any(m == "generated cfai_client (cached)" for m in messages)
    return {"models": count, "seconds": round(seconds, 3), "modules_generated": len(modules) - reused,
            "modules_reused": reused, "client_reused": client_reused}  # fmt: skip


def curve(sizes: tuple[int, ...] = (1, 5)) -> list[dict[str, Any]]:
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
        rows.append(
            {"models": size, "changed_model": changed_model, "cold": cold, "warm": warm, "one_changed": changed}
        )
    return rows


if __name__ == "__main__":
    print(json.dumps(curve(), indent=2))
