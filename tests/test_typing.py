"""Type tests: user scripts (tests/typing/) under `mypy --strict` and pyright report exactly what they expect.

Expectations are written at the end of the script lines (`# error: <mypy codes> [names <word>]`,
`# reveal: <type>`); see tests/typing/README.md. This is how `cfai.Client`'s typing by model
reference is proved, with both type checkers users run in editors and CI: a misspelt key, a wrong
value in a literal payload and a wrong use of a reply field are errors located at the mistake and
naming the key or field, and the revealed types are the generated models'.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import ROOT

TYPING = ROOT / "tests" / "typing"
EXPECT = re.compile(r"#\s*(error|reveal):\s*(.+?)\s*$")
REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*?)(?:  \[(?P<code>[\w-]+)\])?$")
Key = tuple[str, int]


@dataclass(frozen=True)
class Expected:
    kind: str  # error | reveal
    codes: tuple[str, ...] = ()  # mypy's error codes on the line
    names: str | None = None  # the key or field both checkers must name
    reveal: str = ""


def expectations() -> dict[Key, Expected]:
    found: dict[Key, Expected] = {}
    for script in sorted(TYPING.glob("*.py")):
        for number, line in enumerate(script.read_text().splitlines(), start=1):
            if not (match := EXPECT.search(line)):
                continue
            if match[1] == "reveal":
                found[(script.name, number)] = Expected("reveal", reveal=match[2])
            else:
                codes, _, names = match[2].partition(" names ")
                found[(script.name, number)] = Expected(
                    "error", tuple(c.strip() for c in codes.split(",")), names.strip() or None
                )
    return found


@dataclass
class Said:
    """What one checker said about one line."""

    codes: list[str]
    messages: list[str]
    reveals: list[str]
    spans: list[tuple[str, str]] = field(default_factory=list)  # pyright: (underlined source, what precedes it)


def _line(key: Key) -> str:
    return (TYPING / key[0]).read_text().splitlines()[key[1] - 1]


@pytest.fixture(scope="module")
def mypy(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, Said]:
    cache = tmp_path_factory.mktemp("mypy-cache")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--show-error-codes", "--no-error-summary",
         "--hide-error-context", f"--cache-dir={cache}", *sorted(str(p) for p in TYPING.glob("*.py"))],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found: dict[Key, Said] = defaultdict(lambda: Said([], [], []))
    for line in done.stdout.splitlines():
        if not (match := REPORT.match(line)):
            continue
        key = (Path(match["file"]).name, int(match["line"]))
        if match["kind"] == "error":
            found[key].codes.append(match["code"] or "")
            found[key].messages.append(match["text"])
        elif reveal := re.match(r'Revealed type is "(.*)"$', match["text"]):
            found[key].reveals.append(reveal[1])
    return dict(found)


@pytest.fixture(scope="module")
def pyright() -> dict[Key, Said]:
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "--outputjson", str(TYPING)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        report = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"pyright did not run: {(done.stderr or done.stdout)[-2000:]}")
    found: dict[Key, Said] = defaultdict(lambda: Said([], [], []))
    for d in report["generalDiagnostics"]:
        key = (Path(d["file"]).name, d["range"]["start"]["line"] + 1)
        if d["severity"] == "error":
            start, end = d["range"]["start"], d["range"]["end"]
            line = _line(key)
            # What pyright points at: its message, and the source it underlines (a wrong value is
            # underlined where it stands, after its key).
            span = line[start["character"] : end["character"]] if start["line"] == end["line"] else line
            found[key].codes.append(d.get("rule", ""))
            found[key].messages.append(d["message"])
            found[key].spans.append((span, line[: start["character"]]))
        elif reveal := re.match(r'Type of ".*" is "(.*)"$', d["message"]):
            found[key].reveals.append(reveal[1])
    return dict(found)


def _where(key: Key) -> str:
    return f"tests/typing/{key[0]}:{key[1]}"


def _short(revealed: str) -> str:
    """mypy's `cfai_models.types.gpt_5_5.ChatCompletionsOutput` as pyright prints it."""
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", revealed)


def _names(word: str, message: str, span: tuple[str, str]) -> bool:
    underlined, before = span
    return word in message or word in underlined or before.rstrip().endswith((f'"{word}":', f"'{word}':"))


@pytest.mark.parametrize("key", sorted(expectations()), ids=_where)
def test_each_expectation_is_reported_by_mypy(key: Key, mypy: dict[Key, Said]) -> None:
    expected, said = expectations()[key], mypy.get(key, Said([], [], []))
    if expected.kind == "reveal":
        assert said.reveals == [expected.reveal], f"{_where(key)}: mypy revealed {said.reveals}"
        return
    assert sorted(said.codes) == sorted(expected.codes), f"{_where(key)}: mypy said {said.messages}"
    if expected.names:
        assert any(expected.names in m for m in said.messages), f"{_where(key)}: mypy said {said.messages}"


@pytest.mark.parametrize("key", sorted(expectations()), ids=_where)
def test_each_expectation_is_reported_by_pyright(key: Key, pyright: dict[Key, Said]) -> None:
    expected, said = expectations()[key], pyright.get(key, Said([], [], []))
    if expected.kind == "reveal":
        assert said.reveals == [_short(expected.reveal)], f"{_where(key)}: pyright revealed {said.reveals}"
        return
    assert said.messages, f"{_where(key)}: pyright reported nothing"
    if expected.names:
        named = any(_names(expected.names, m, s) for m, s in zip(said.messages, said.spans, strict=True))
        assert named, f"{_where(key)}: pyright said {said.messages} at {said.spans}"


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_nothing_else_is_reported(checker: str, request: pytest.FixtureRequest) -> None:
    said: dict[Key, Said] = request.getfixturevalue(checker)
    wanted = expectations()
    unexpected = {_where(k): v.messages for k, v in said.items() if v.messages and wanted.get(k, Expected("reveal")).kind != "error"}
    assert unexpected == {}
