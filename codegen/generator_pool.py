"""The datamodel-code-generator runs of one build, on a few long-lived workers
(`codegen.generator_worker`) instead of a fresh interpreter for each schema.

Workers start on first need (a build served wholly from the cache starts none), at most `size`,
each under the guard of `codegen.children` (stopped on an interrupt, ended if the generator dies),
and end when the build's `with` block does.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import children

__all__ = ["Pool", "pool"]


class Pool:
    """`run(args, log)`: one datamodel-code-generator run in `cwd`; its exit code. Thread-safe."""

    def __init__(self, size: int, cwd: Path, env: Mapping[str, str]) -> None:
        self.cwd = cwd
        self._size, self._env = size, dict(env)
        self._idle: queue.SimpleQueue[subprocess.Popen[str]] = queue.SimpleQueue()
        self._all: list[subprocess.Popen[str]] = []
        self._lock = threading.Lock()
        self._closed = False

    def _take(self) -> subprocess.Popen[str]:
        if self._closed:
            raise children.Stopped("the build's generator workers are closed")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._all) < self._size:
                worker = children.start([sys.executable, "-m", "codegen.generator_worker"], cwd=self.cwd,
                                        env=self._env, stderr=self.cwd / f"worker-{len(self._all)}.log")  # fmt: skip
                self._all.append(worker)
                return worker
        return self._idle.get()

    def run(self, args: Sequence[str], log: Path) -> int:
        worker = self._take()
        answer = ""
        try:
            assert worker.stdin is not None and worker.stdout is not None
            worker.stdin.write(json.dumps({"args": list(args), "log": str(log)}) + "\n")
            worker.stdin.flush()
            answer = worker.stdout.readline()
        except (OSError, ValueError):  # a broken pipe; a worker `close` has just finished (closed files)
            pass
        if not answer:  # the worker is gone: stopped (an interrupt), closed, or it crashed
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
            children.finish(worker)
            children.raise_if_stopping()
            if self._closed:
                raise children.Stopped("the build's generator workers are closed")
            log.write_text(f"the generator's worker ended unexpectedly (exit {worker.returncode})\n")
            return 1
        self._idle.put(worker)
        return int(json.loads(answer)["code"])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            children.finish(worker)


@contextmanager
def pool(size: int, cwd: Path, env: Mapping[str, str] | None = None) -> Iterator[Pool]:
    running = Pool(size, cwd, os.environ if env is None else env)
    try:
        yield running
    finally:
        running.close()
