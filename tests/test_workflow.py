"""The example workflow (examples/github-actions/cfai-gate.yml), proven the way a user meets it: our
wheel built and installed with the `dev` extra into a clean virtual environment, then, in an empty
project folder outside this repository and against the local catalog server, the adoption steps of
the README and the workflow's own commands:

    cfai pull --schemas schemas NAME…          → schemas/ with its models.toml
    cfai generate --out generated --package my_models
    mypy --strict app.py                        (MYPYPATH=generated)
    cfai check / cfai diff                      → 0
    <the workflow's `cfai gate …` step> --base-url <server>   → 0, reports/cfai-gate.xml

Slow by nature (a wheel build and a clean install of the dev toolchain: about two minutes on two
shared cores, 80 s of it pip; marked `slow`); the phases' wall times are printed (`pytest -s`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from .catalog_server import CatalogServer
from .conftest import CATALOG, ROOT, SCHEMAS, need_catalog

WORKFLOW = ROOT / "examples" / "github-actions" / "cfai-gate.yml"
MODELS = ("@cf/meta/llama-3.1-8b-instruct", "@cf/baai/bge-m3")
APP = '''\
from cfai import Client
from my_models import bge_m3, llama_3_1_8b_instruct as llama


def ask(cf: Client, question: str) -> str:
    reply = cf.run(llama.prompt, {"prompt": question, "max_tokens": 64})
    return str(reply.data)


def embed(cf: Client, text: str) -> object:
    return cf.run(bge_m3.model, {"text": [text]}).data
'''
MISTAKE = 'from cfai import Client\nfrom my_models import llama_3_1_8b_instruct as llama\n\n\ndef ask(cf: Client) -> None:\n    cf.run(llama.prompt, {"prompt": "hi", "temprature": 1})\n'


def steps() -> list[str]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]


@pytest.mark.slow
def test_the_example_workflow_from_the_wheel_in_a_users_project(tmp_path_factory: pytest.TempPathFactory) -> None:
    need_catalog()
    top = tmp_path_factory.mktemp("workflow")
    assert not top.resolve().is_relative_to(ROOT), "the user's project is outside this repository"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "CFAI_", "PYTHON", "MYPY", "VIRTUAL_ENV"))}
    clean["CFAI_CACHE_DIR"] = str(top / "cache")  # a user's first run: nothing cached
    timings: dict[str, float] = {}

    def timed(phase: str, command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=600)
        timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - started
        return done

    # The install step, with our wheel file for the package the workflow names.
    [install] = [run for run in steps() if "pip install" in run]
    [requirement] = [w for w in shlex.split(install) if w.startswith("cfai-bindings")]
    assert requirement == "cfai-bindings[dev]", "the gate needs the generator toolchain: the dev extra"
    built = timed("wheel", [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(top / "dist")], top)
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (top / "dist").glob("cfai_bindings-*.whl")
    assert timed("venv", [sys.executable, "-m", "venv", str(top / "venv")], top).returncode == 0
    bin_ = top / "venv" / "bin"
    words = [str(bin_ / "python") if w == "python" else w for w in shlex.split(install)]
    words = [f"{wheel}[dev]" if w == requirement else w for w in words]
    installed = timed("install", words, top)
    if installed.returncode != 0:
        pytest.skip(f"cannot install the wheel's dependencies here: {installed.stderr[-300:]}")

    project = top / "project"
    project.mkdir()
    path = {"PATH": f"{bin_}{os.pathsep}{clean.get('PATH', '')}"}
    with CatalogServer(CATALOG, SCHEMAS) as server:
        pulled = timed("pull", ["cfai", "pull", "--schemas", "schemas", "--base-url", server.url, *MODELS], project, **path)
        assert pulled.returncode == 0, pulled.stdout + pulled.stderr
        assert "models.toml" in {p.name for p in (project / "schemas").iterdir()}

        generated = timed("generate", ["cfai", "generate", "--schemas", "schemas", "--out", "generated",
                                       "--package", "my_models"], project, **path)  # fmt: skip
        assert generated.returncode == 0, generated.stderr
        package = project / "generated" / "my_models"
        assert {p.stem for p in package.glob("*.py")} == {"__init__", "catalog", "bge_m3", "llama_3_1_8b_instruct"}
        assert (project / "generated" / "openapi.json").is_file()

        (project / "app.py").write_text(APP)
        (project / "mistake.py").write_text(MISTAKE)
        typed = timed("mypy", ["mypy", "--strict", "app.py"], project, MYPYPATH="generated", **path)
        assert typed.returncode == 0, typed.stdout
        wrong = timed("mypy", ["mypy", "--strict", "mistake.py"], project, MYPYPATH="generated", **path)
        assert wrong.returncode == 1 and '"temprature"' in wrong.stdout, wrong.stdout
        imported = timed("import", ["python", "-c", "import app, my_models; print(sorted(my_models.MODELS))"],
                         project, PYTHONPATH="generated", **path)  # fmt: skip
        assert imported.returncode == 0 and imported.stdout.strip() == str(sorted(MODELS)), imported.stderr

        checked = timed("check", ["cfai", "check", "--schemas", "schemas", "--out", "generated", "--package", "my_models"],
                        project, **path)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        diffed = timed("diff", ["cfai", "diff", "schemas", "schemas", "--fail-on", "breaking"], project, **path)
        assert diffed.returncode == 0 and "0 change(s)" in diffed.stdout, diffed.stderr

        # The workflow's gate step, as written, pointed at the local server.
        [gate] = [run for run in steps() if "cfai gate" in run]
        gated = timed("gate", [*shlex.split(gate), "--base-url", server.url], project, **path)
        assert gated.returncode == 0, gated.stdout + gated.stderr
        assert "pulled 2 model(s)" in gated.stderr and "gate passed" in gated.stdout

    suite = ET.parse(project / "reports" / "cfai-gate.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("errors") == "0"
    names = {case.get("name") for case in suite.iter("testcase")}
    assert names == {*MODELS, "generate", "typecheck"}
    print("\nworkflow from the wheel: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
          + f"; total {sum(timings.values()):.1f} s")
