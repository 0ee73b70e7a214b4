"""Ctrl-C, SIGTERM or SIGKILL at several points of the real `cfai generate`, `cfai pull` and
`cfai regen` (subprocesses, bounded in time): schemas/ and generated/ are all old or all new right
after SIGINT/SIGTERM, and after the next run whatever the signal, with no leftovers."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.catalog_server import CatalogServer

from ..conftest import SCHEMAS
from .conftest import case, cases, cfai, leftovers, project, tree_hash

CASES = [n for n in cases("interrupts") if "command" in case("interrupts", n)]
STALE = [n for n in cases("interrupts") if case("interrupts", n).get("kind") == "reused-pid"]
DEADLINE = 60.0  # seconds any killed run may take to end
# The real command line, with one test-only addition: CFAI_TEST_KILL_AT_RENAME=N makes the process
# SIGKILL itself right after the Nth rename done by codegen/atomic.py (a crash inside a swap).
WRAPPER = r"""
import os, pathlib, signal, sys
n = int(os.environ.pop("CFAI_TEST_KILL_AT_RENAME", "0") or 0)
if n:
    real, seen = pathlib.Path.rename, [0]
    def rename(self, target):
        done = real(self, target)
        if sys._getframe(1).f_code.co_filename.endswith("atomic.py"):
            seen[0] += 1
            if seen[0] == n:
                os.kill(os.getpid(), signal.SIGKILL)
        return done
    pathlib.Path.rename = rename
from cfai.cli import main
main()
"""
# the test stage of regen: long enough to be killed in; it leaves its pid so no run outlives the test
SLOW_TEST = "import os, time\n\ndef test_slow():\n    open('slow.pid', 'w').write(str(os.getpid()))\n    time.sleep(30)\n"


def _lower(schema: dict) -> None:  # type: ignore[type-arg]
    for branch in schema.get("oneOf", [schema]):
        branch.get("properties", {}).get("temperature", {})["maximum"] = 1.25


@pytest.fixture(scope="module")
def server() -> Iterator[CatalogServer]:
    """Upstream publishes gpt-5.5 changed: a pull has something new to land."""
    with CatalogServer(SCHEMAS) as running:
        running.edit("openai/gpt-5.5", "input", _lower)
        yield running


def _args(command: str, top: Path, url: str) -> list[str]:
    if command == "generate":
        return ["generate", "--schemas", str(top / "schemas"), "--out", str(top / "generated")]
    if command == "pull":
        return ["pull", "--schemas", str(top / "schemas"), "--base-url", url, "--retries", "0"]
    return ["regen", "--schemas", str(top / "schemas"), "--out", str(top / "generated"), "--work", str(top / ".regen"),
            "--pull-args", f"--base-url {url}", "--pytest-args", "-q -p no:cacheprovider test_slow.py", "--no-mypy"]  # fmt: skip


def _survivors(marker: bytes, within: float) -> list[int]:
    """Processes whose environment carries `marker` (everything a run started inherits it) still
    alive after up to `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "environ").read_bytes():  # a zombie's reads empty: not alive
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _killed_run(args: list[str], top: Path, spec: dict) -> str:  # type: ignore[type-arg]
    """Start the command, wait for the case's moment, send its signal; returns what it printed on
    stderr. Whatever the signal, nothing the run started may outlive it."""
    marker = f"cfai-test-run-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "CFAI_TEST_KILL_AT_RENAME": str(spec.get("at_rename", "")), "CFAI_TEST_RUN": marker}
    if spec.get("cold"):  # an empty generation cache: datamodel-code-generator is running when the signal comes
        env["CFAI_CACHE_DIR"] = str(top / "cold-cache")
    process = subprocess.Popen([sys.executable, "-c", WRAPPER, *args], cwd=top, env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or []], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + DEADLINE
    try:
        if isinstance(spec.get("after"), str):
            while not any(re.search(spec["after"], line) for line in seen):
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        elif "after" in spec:
            time.sleep(spec["after"])
        while "after_file" in spec and not (top / spec["after_file"]).exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # a file the run's own child writes: that child is surely running
        if "at_rename" not in spec and process.poll() is None:
            number = getattr(signal, spec["signal"])
            if number == signal.SIGTERM or spec.get("kill") == "process":
                # `kill PID`: the command itself must stop its children; a SIGKILL of the process
                # alone (the OOM killer): its children must see it die and stop themselves
                os.kill(process.pid, number)
            else:
                os.killpg(process.pid, number)  # Ctrl-C reaches the whole foreground group; SIGKILL: a crash
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
        survivors = _survivors(f"CFAI_TEST_RUN={marker}".encode(), within=2.0)  # the guards act at once: a child alive 2 s on was not stopped
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        assert not survivors, f"processes outlived the killed run: {survivors}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # orphans of a SIGKILLed parent
        except ProcessLookupError:
            pass
    time.sleep(0.05)
    while not lines.empty():
        seen.append(lines.get())
    return "".join(seen)


def _end_orphan(pid_file: Path) -> None:
    try:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)


@pytest.mark.parametrize("name", CASES)
def test_all_old_or_all_new_and_next_run_recovers(name: str, tmp_path: Path, server: CatalogServer) -> None:
    spec = case("interrupts", name)
    command = spec["command"]
    top = project(tmp_path)
    if command == "generate":  # a schema change, so that new output differs from the old
        import json

        path = top / "schemas/openai/gpt-5.5/schema-input.json"
        schema = json.loads(path.read_text())
        _lower(schema)
        path.write_text(json.dumps(schema, indent=2) + "\n")
    (top / "test_slow.py").write_text(SLOW_TEST)
    old = (tree_hash(top / "schemas"), tree_hash(top / "generated"))
    server.latency = spec.get("latency", 0.0)  # seconds per answer: a pull still fetching when killed
    try:
        stderr = _killed_run(_args(command, top, server.url), top, spec)
    finally:
        server.latency = 0.0
    now = (tree_hash(top / "schemas"), tree_hash(top / "generated"))
    _end_orphan(top / "slow.pid")  # a safety net: the guard of a SIGKILLed regen's test stage stops it
    if spec["signal"] != "SIGKILL":
        if command == "regen":  # the tests never passed: nothing new may stay
            assert now == old, stderr[-3000:]
        assert not leftovers(top) and not (top / ".regen").exists(), (leftovers(top), stderr[-3000:])
    # the next run: the same command for generate and pull; for regen, a generate from the schemas
    # it finds (a regen killed during its tests must have been undone: all old)
    after = cfai(*(_args(command, top, server.url) if command != "regen" else _args("generate", top, "")), cwd=top)
    assert after.returncode == 0, after.stderr[-3000:]
    final = (tree_hash(top / "schemas"), tree_hash(top / "generated"))
    assert not leftovers(top), leftovers(top)
    if command == "regen":
        assert final == old, "a killed regen's new trees survived the next run"
    elif spec["signal"] != "SIGKILL":
        assert now in (old, final), "left a mix of old and new"
    assert final != ("", "") and all(final)


def test_leftovers_are_ignored_by_git() -> None:
    root = Path(__file__).resolve().parents[2]
    names = [".generated-new-123-0a1b2c3d", ".schemas-old-123-0a1b2c3d", ".schemas-pull-9-0a1b2c3d",
             ".generated-trash-9-0a1b2c3d", ".cfai-swap-123.json", ".cfai-swap-123.json.tmp", ".regen/x"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=root, capture_output=True, text=True,
                          check=False)
    assert sorted(done.stdout.split()) == sorted(names), done.stdout + done.stderr


# --- a journal whose pid now names another live process (a container restart, a PID namespace) ---


@pytest.mark.parametrize("name", STALE)
def test_a_reused_pid_does_not_keep_a_journal_alive(name: str, tmp_path: Path) -> None:
    """A killed run's half swap (generated/ moved to its backup, the journal left) whose pid is alive
    again as an unrelated process: recovery must still put generated/ back."""
    import json

    from codegen import atomic

    spec = case("interrupts", name)
    top = project(tmp_path)
    old = tree_hash(top / "generated")
    sleeper = subprocess.Popen(["sleep", "60"]) if spec["pid"] == "sleep" else None
    try:
        pid = sleeper.pid if sleeper is not None else os.getppid()
        backup, staged = top / f".generated-old-{pid}-0a1b2c3d", top / f".generated-new-{pid}-0a1b2c3d"
        shutil.copytree(top / "generated", staged)
        (top / "generated").rename(backup)  # killed right after the first rename of `apply`
        stat_fields = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()
        owner = {"started": stat_fields[19].decode(), "boot": Path("/proc/sys/kernel/random/boot_id").read_text().strip()}
        owner |= {k: v for k, v in spec["journal"].items() if k in ("started", "boot")}
        record = {"version": 1, "pid": pid, **owner, "state": "applied", "entries": [
            {"staged": str(staged), "target": str(top / "generated"), "backup": str(backup), "existed": True}]}
        (top / f".cfai-swap-{pid}.json").write_text(json.dumps(record))
        done = atomic.recover(top / "generated")
        if spec.get("expect") == "kept":  # the journal's own run, alive: its swap is never touched
            assert not (top / "generated").exists() and backup.exists() and (top / f".cfai-swap-{pid}.json").exists(), done
            return
        assert tree_hash(top / "generated") == old, (done, leftovers(top))
        assert not leftovers(top), leftovers(top)
    finally:
        if sleeper is not None:
            sleeper.kill()
            sleeper.wait()
