"""Type tests: user scripts (tests/typing/) under `mypy --strict` report exactly what they expect.

Expectations are written at the end of the script lines (`# error: <code>`, `# reveal: <type>`); see
tests/typing/README.md. This is how `cfai.Client`'s per-model signatures are proved: a misspelt
keyword, a wrong value in a literal payload and a wrong use of a reply field are errors, and the
revealed types are the generated models'.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from .conftest import ROOT

TYPING = ROOT / "tests" / "typing"
EXPECT = re.compile(r"#\s*(error|reveal):\s*(.+?)\s*$")
REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*?)(?:  \[(?P<code>[\w-]+)\])?$")


def expectations() -> dict[tuple[str, int], list[tuple[str, str]]]:
    found: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for script in sorted(TYPING.glob("*.py")):
        for number, line in enumerate(script.read_text().splitlines(), start=1):
            if match := EXPECT.search(line):
                found[(script.name, number)].append((match[1], match[2]))
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], list[tuple[str, str]]]:
    cache = tmp_path_factory.mktemp("mypy-cache")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--show-error-codes", "--no-error-summary",
         "--hide-error-context", f"--cache-dir={cache}", *sorted(str(p) for p in TYPING.glob("*.py"))],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for line in done.stdout.splitlines():
        if not (match := REPORT.match(line)):
            continue
        key = (Path(match["file"]).name, int(match["line"]))
        if match["kind"] == "error":
            found[key].append(("error", match["code"] or ""))
        elif reveal := re.match(r'Revealed type is "(.*)"$', match["text"]):
            found[key].append(("reveal", reveal[1]))
    return found


def _where(key: tuple[str, int]) -> str:
    return f"tests/typing/{key[0]}:{key[1]}"


@pytest.mark.parametrize("key", sorted(expectations()), ids=_where)
def test_each_expectation_is_reported(key: tuple[str, int], reports: dict[tuple[str, int], list[tuple[str, str]]]) -> None:
    for expected in expectations()[key]:
        assert expected in reports.get(key, []), f"{_where(key)}: expected {expected}, mypy said {reports.get(key)}"


def test_nothing_else_is_reported(reports: dict[tuple[str, int], list[tuple[str, str]]]) -> None:
    wanted = expectations()
    unexpected = {_where(k): v for k, v in reports.items() if any(r not in wanted.get(k, []) for r in v)}
    assert unexpected == {}
