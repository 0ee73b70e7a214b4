"""A content-addressed cache of generated output, so that an unchanged model is not generated again.

Generation is a function of its inputs, so its output is stored under a hash of them and copied
back the next time the same inputs come up: only the models whose inputs changed go through
datamodel-code-generator again. The key lists every input that shapes the output (see
`models._module_key` and `pipeline.build`), so a hit is exactly what a fresh run would write.

Location: `$CFAI_CACHE_DIR`, else `.cache/cfai/` of a source checkout (git-ignored), else the user's
cache folder (`$XDG_CACHE_HOME/cfai-bindings`, `~/.cache/cfai-bindings`; `codegen.models.cache_home`). Entries are
written atomically (a temporary name, then a rename), so concurrent builds never see half an entry;
an entry being made is `claimed` (a lock), so two builds at once (two test workers, two terminals)
make it once: the second waits and reads it.
`CFAI_NO_CACHE=1` neither reads nor writes it. A cache that cannot be written is skipped, not an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["claimed", "directory", "get_file", "get_tree", "key", "put_file", "put_tree", "tree_digest"]

_STRIPES = 64  # lock files, at most: entries share them by their key's first digits (a rare wait)


def directory(kind: str, home: Path) -> Path | None:
    """Where entries of `kind` (`models`, `client`) live under the default cache folder `home`
    (unless `$CFAI_CACHE_DIR`); None when caching is switched off."""
    if os.environ.get("CFAI_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("CFAI_CACHE_DIR")
    return (Path(base) if base else home) / kind


def key(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def tree_digest(top: Path) -> str:
    """One hash of every file under `top` (names and bytes), e.g. a templates folder."""
    files = sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return key(*(part for p in files for part in (p.relative_to(top).as_posix(), p.read_bytes())))


@contextmanager
def claimed(where: Path | None, name: str) -> Iterator[None]:
    """Hold the lock of entry `name` while it is looked up and, on a miss, made: a concurrent build
    needing the same entry waits for it instead of making it too. A cache that cannot be locked
    (switched off, read-only, no `fcntl`) is used unlocked: a duplicate effort, never an error."""
    handle = _lock(where, name)
    try:
        yield
    finally:
        if handle is not None:
            handle.close()  # closing releases the lock


def _lock(where: Path | None, name: str) -> IO[str] | None:
    if where is None:
        return None
    try:
        import fcntl  # POSIX only

        (where / "locks").mkdir(parents=True, exist_ok=True)
        handle = open(where / "locks" / f"{int(name[:8], 16) % _STRIPES:02d}.lock", "a")  # noqa: SIM115
    except (ImportError, OSError, ValueError):
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
    except OSError:
        handle.close()
        return None
    return handle


def get_file(where: Path | None, name: str) -> bytes | None:
    if where is None:
        return None
    try:
        return (where / name).read_bytes()
    except OSError:
        return None


def put_file(where: Path | None, name: str, data: bytes) -> None:
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, where / name)
    except OSError:
        pass


def get_tree(where: Path | None, name: str, dest: Path) -> list[str] | None:
    """Copy entry `name` (a folder) to `dest`; returns the notes stored with it, None on a miss."""
    if where is None or not (where / name / "notes.json").is_file():
        return None
    notes: list[str] = json.loads((where / name / "notes.json").read_text())
    shutil.copytree(where / name / "tree", dest)
    return notes


def put_tree(where: Path | None, name: str, src: Path, notes: list[str]) -> None:
    """Store a copy of the folder `src` with `notes` (e.g. the generator's warnings) as entry `name`."""
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=where, prefix=f".{name}."))
        shutil.copytree(src, staging / "tree", ignore=shutil.ignore_patterns("__pycache__"))
        (staging / "notes.json").write_text(json.dumps(notes))
        try:  # the rename makes the entry appear whole
            staging.rename(where / name)
        except OSError:  # another build stored the same entry first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass
