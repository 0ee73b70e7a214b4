"""schemathesis 4.32.5 against `cfai serve`, with the OpenAPI document generated from a few models: no
failure, bounded (a few models, few examples, well under 60 s).

The models are chosen for what broke before: `@cf/microsoft/resnet-50` (the whole input may be a
binary string: now the operation's `application/octet-stream` body, which the mock takes),
`@cf/llava-hf/llava-1.5-7b-hf` (that, and a `format: binary` string inside JSON, now
`contentEncoding: base64`), `openai/gpt-5.5` and `@cf/meta/llama-3.1-8b-instruct` (`stream: true`
answers, now documented as `text/event-stream`). The coverage phase runs on the first two only (it
tries every optional field of the chat models and costs half a minute each).

Excluded check: `ignored_auth` — the mock takes any well-formed bearer token by design (`cfai serve`
is a test double; README), so "accepts invalid credentials" is its contract, not a bug.

schemathesis needs hypothesis ≥ 6.130.12, and the dev extra pins hypothesis 6.129.5 (the last release
hypothesis-jsonschema 0.23.1 works with): it lives in its own virtual environment, made by
`make schemathesis-venv` (`.venv-schemathesis`, or `$CFAI_SCHEMATHESIS` naming an `st` executable),
and is run as a process; the test skips with that reason when it is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cfai.serve import ServeConfig, serving
from codegen.describe import describe
from codegen.openapi import document

from .conftest import CATALOG, ROOT, SCHEMAS

ST = Path(os.environ.get("CFAI_SCHEMATHESIS", ROOT / ".venv-schemathesis" / "bin" / "st"))
RUNS = (
    (("@cf/microsoft/resnet-50", "@cf/llava-hf/llava-1.5-7b-hf"), ("--phases", "coverage,fuzzing", "-n", "5")),
    (("openai/gpt-5.5", "@cf/meta/llama-3.1-8b-instruct"), ("--phases", "fuzzing", "-n", "10")),
)


def _root(tmp: Path, models: tuple[str, ...]) -> Path:
    for model in models:
        source = SCHEMAS / model if (SCHEMAS / model).is_dir() else CATALOG / model
        if not source.is_dir():
            pytest.skip(f"{model} is neither in schemas/ nor in ../shared/catalog")
        shutil.copytree(source, tmp / "schemas" / model)
    return tmp / "schemas"


@pytest.mark.parametrize(("models", "options"), RUNS, ids=["bytes", "streams"])
def test_schemathesis_finds_no_failure(tmp_path: Path, models: tuple[str, ...], options: tuple[str, ...]) -> None:
    if not ST.is_file():
        pytest.skip(f"schemathesis is not installed at {ST}: `make schemathesis-venv` (it needs a newer hypothesis "
                    "than the dev extra pins)")
    root = _root(tmp_path, models)
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document(describe(root).models)))
    with serving(ServeConfig(schemas=root, recordings=tmp_path / "none")) as base:
        command = [str(ST), "run", str(spec), "--url", base, "-H", "Authorization: Bearer any-token", "--seed", "1",
                   "--workers", "1", "--no-color", "--exclude-checks", "ignored_auth", *options]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    # A warning may remain: `GET …/models/schema?model=<random>` is a 404 for every made-up name.
    assert "Failures:" not in done.stdout and "Errors:" not in done.stdout, done.stdout[-8000:]
