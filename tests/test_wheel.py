"""The package a user installs: a wheel built from the repo, installed in a clean virtual environment,
works from any directory without the checkout or the generator toolchain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", str(ROOT), "-w", str(top / "dist")], check=True, capture_output=True)
    [wheel] = (top / "dist").glob("cfai_bindings-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(top / "venv")], check=True)
    done = subprocess.run([str(top / "venv" / "bin" / "python"), "-m", "pip", "-q", "install", "--no-compile", str(wheel)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot install the wheel's dependencies here: {done.stderr[-300:]}")
    return top / "venv"


def run(venv: Path, *args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "CFAI_", "PYTHON"))}
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env={**clean, **(env or {})},
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip


def test_import_validate_and_the_typed_client_need_nothing_else(venv: Path, tmp_path: Path) -> None:
    code = (
        "import sys, time; start = time.perf_counter(); import cfai; ms = (time.perf_counter() - start) * 1000\n"
        "errors = cfai.validate('openai/gpt-5.5', {'messages': [], 'temperature': 9})\n"
        "glm = cfai.models.load('@cf/zai-org/glm-4.7-flash')\n"
        "print({'path': errors[0].path, 'client': cfai.Client.__name__, 'system': glm.SystemMessage.__name__,\n"
        "       'codegen': 'codegen' in sys.modules or 'datamodel_code_generator' in sys.modules, 'ms': ms})\n"
    )
    done = run(venv, "python", "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seen = eval(done.stdout)
    assert seen["path"] == "$.temperature" and seen["client"] == "Client" and seen["system"] == "SystemMessage"
    assert seen["codegen"] is False


def test_cli_validate_and_dry_run_work_and_generation_says_why_not(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}], "temperature": 2.5}))
    done = run(venv, "cfai", "validate", "--model", "openai/gpt-5.5", "p.json", cwd=tmp_path)
    assert done.returncode == 1 and "$.temperature" in done.stdout, done.stdout + done.stderr
    (tmp_path / "q.json").write_text(json.dumps({"prompt": "hi"}))
    credentials = {"CLOUDFLARE_ACCOUNT_ID": "acct", "CLOUDFLARE_API_TOKEN": "s3cr3t-token-value"}
    dry = run(venv, "cfai", "run", "--model", "@cf/meta/llama-3.1-8b-instruct", "--dry-run", "q.json", env=credentials, cwd=tmp_path)
    assert dry.returncode == 0 and "/ai/run/@cf/meta/llama-3.1-8b-instruct" in dry.stdout, dry.stderr
    assert "s3cr3t-token-value" not in dry.stdout + dry.stderr
    for command in ("generate", "check", "gate"):  # installed without the dev extra: no generator toolchain
        done = run(venv, "cfai", command, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "cfai-bindings[dev]" in done.stderr


def test_the_openapi_document_ships_in_the_wheel(venv: Path, tmp_path: Path) -> None:
    code = "import json; from cfai.schemas import openapi_path; p = openapi_path(); print(p.name, json.loads(p.read_text())['openapi'])"
    done = run(venv, "python", "-c", code, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["_openapi.json", "3.1.0"], done.stderr
