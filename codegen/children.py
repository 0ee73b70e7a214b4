"""The subprocesses the generator starts (datamodel-code-generator, mypy, the
import check, regen's stages), tracked so an interrupt stops them all at once: once `stop` is
called, running ones get SIGTERM (then SIGKILL) and new ones are refused, so a worker pool drains in
moments instead of generating every remaining model first."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["GRACE", "Stopped", "run", "stop"]

GRACE = 5.0  # seconds a stopped child has to clean up (a regen stage rolls back) before SIGKILL
_live: set[subprocess.Popen[str]] = set()
_lock = threading.Lock()
_stopping = False


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
            list(command), cwd=cwd, env=dict(env) if env is not None else None, stdout=pipe, stderr=pipe, text=True,
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


def stop() -> None:
    """Refuse new subprocesses and ask the running ones to end (they are reaped by `run`)."""
    global _stopping
    _stopping = True
    for process in list(_live):
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
