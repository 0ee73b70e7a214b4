"""Ctrl-C and SIGTERM end a generator command cleanly: they raise `KeyboardInterrupt` (so every
`finally` and rollback runs), stop the subprocesses we started (`children`), and wait while a swap's
renames are under way (`deferred`) instead of cutting them in half."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from . import children

__all__ = ["SIGNALS", "deferred", "install"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt(number: int, frame: FrameType | None) -> None:
    children.stop()
    raise KeyboardInterrupt(signal.Signals(number).name)


def install() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt in the main thread (SIGTERM would otherwise kill the
    process on the spot, skipping every cleanup)."""
    for number in SIGNALS:
        signal.signal(number, _interrupt)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done, then act on them. Outside the main thread
    (where Python runs signal handlers) there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda n, _: caught.append(n)) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])
