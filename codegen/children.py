"""The subprocesses the generator starts (datamodel-code-generator, mypy, the
import check, regen's stages), tracked so an interrupt stops them all at once: once `stop` is
called, running ones get SIGTERM (then SIGKILL) and new ones are refused, so a worker pool drains in
moments instead of generating every remaining model first.

A parent that is killed outright (SIGKILL, the OOM killer) cannot stop anything, so every child is
started under a small guard (`_GUARD`) that the kernel tells when the parent dies (Linux's
`PR_SET_PDEATHSIG`); the guard then stops its child's whole process group, so no formatter, mypy or
test stage lives on to write into a staging folder the next run has removed. The guard is a process
of its own rather than a `preexec_fn` because `preexec_fn` is unsafe in a program with threads (the
generator runs its children from a thread pool)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["GRACE", "Stopped", "finish", "guarded", "raise_if_stopping", "run", "start", "stop"]

GRACE = 5.0  # seconds a stopped child has to clean up (a regen stage rolls back) before SIGKILL
_live: set[subprocess.Popen[str]] = set()
_lock = threading.Lock()
_stopping = False


# Runs as `python -I -S -c _GUARD <parent pid> <grace> <command…>`, the leader of the child's process
# group: it starts the command in the same group, waits for it and exits as it did. A SIGTERM while
# the parent lives is the parent's own stop (`_end` signals the group: the command has it too) and is
# waited out; once the parent is gone (the death signal, or a reparenting seen on any SIGTERM) the
# guard ends the group: SIGTERM, `grace` seconds, SIGKILL.
_GUARD = r"""
import os, signal, subprocess, sys
parent, grace, command = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
class Orphaned(Exception):
    pass
def on_term(number, frame):
    if os.getppid() != parent:
        raise Orphaned
signal.signal(signal.SIGTERM, on_term)
try:
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass  # not Linux: a SIGKILLed parent's children are not stopped
try:
    if os.getppid() != parent:  # the parent died before the death signal was set
        raise Orphaned
    child = subprocess.Popen(command)
    code = child.wait()
except Orphaned:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.killpg(0, signal.SIGTERM)
    try:
        child.wait(grace)
    except (NameError, subprocess.TimeoutExpired):
        pass
    os.killpg(0, signal.SIGKILL)
    raise SystemExit(137)
if code < 0:  # ended by a signal: so is the guard, for the parent to see the same
    try:
        signal.signal(-code, signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL, SIGSTOP: never caught anyway
    os.kill(os.getpid(), -code)
raise SystemExit(code)
"""


def guarded(command: Sequence[str]) -> list[str]:
    """`command` run under the guard that stops it when this process dies."""
    return [sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid()), str(GRACE), *command]


class Stopped(RuntimeError):
    """A subprocess was not started, or was ended, because the command is being interrupted."""


def run(
    command: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    capture: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Like `subprocess.run(command, capture_output=capture, text=True, check=False)`, but stoppable."""
    pipe = subprocess.PIPE if capture else None
    with _lock:
        if _stopping:
            raise Stopped("interrupted")
        # its own process group, so that stopping it reaches what it starts too (a formatter a
        # child runs would otherwise write on into a folder being removed)
        process = subprocess.Popen(
            guarded(command), cwd=cwd, env=dict(env) if env is not None else None, stdout=pipe, stderr=pipe, text=True,
            process_group=0,
        )
        _live.add(process)
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException:
        _end(process)
        raise
    finally:
        with _lock:
            _live.discard(process)
    return subprocess.CompletedProcess(list(command), process.returncode, out, err)


def start(command: Sequence[str], *, cwd: Path | str | None = None, env: Mapping[str, str] | None = None,
          stderr: Path | None = None) -> subprocess.Popen[str]:  # fmt: skip
    """A long-lived child spoken to line by line over its stdin and stdout (its stderr to the file
    `stderr`, or discarded), stopped like any other; end it with `finish`."""
    with _lock:
        if _stopping:
            raise Stopped("interrupted")
        with open(stderr or os.devnull, "w") as err:
            process = subprocess.Popen(
                guarded(command), cwd=cwd, env=dict(env) if env is not None else None, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1, process_group=0,
            )
        _live.add(process)
    return process


def finish(process: subprocess.Popen[str]) -> None:
    """Close a `start`ed child's stdin (its signal to exit) and reap it; one that lingers is ended."""
    try:
        if process.stdin:
            process.stdin.close()
        process.wait(GRACE)
    except (OSError, subprocess.TimeoutExpired):
        pass
    finally:
        _end(process)
        if process.stdout:
            process.stdout.close()
        with _lock:
            _live.discard(process)


def _signal_group(process: subprocess.Popen[str], number: int) -> None:
    try:
        os.killpg(process.pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def _end(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the child's group, SIGKILL after `GRACE`, then SIGKILL to whatever of its group is left."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
    try:
        process.wait(GRACE)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    _signal_group(process, signal.SIGKILL)


def raise_if_stopping() -> None:
    """`Stopped` once `stop` was called: a child that ended early was ended by it."""
    if _stopping:
        raise Stopped("interrupted")


def stop() -> None:
    """Refuse new subprocesses and ask the running ones to end (they are reaped by `run`)."""
    global _stopping
    _stopping = True
    for process in list(_live):
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
