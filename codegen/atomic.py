"""Replace directories whole, as one transaction: readers see the old trees or the new ones, never a
mix, whatever interrupts the process, and the next run finishes or undoes what a killed run began.

A swap writes a journal (`.cfai-swap-<pid>.json` beside the first target), renames each target to
a backup and each staged tree to its target, and records `committed` before removing the backups.
`recover` (run at the start of generate, pull and regen) reads the journals of processes that no
longer run: not committed → every target gets its old tree back; committed → the backups are
removed. It also removes the staging, backup and trash folders such processes left (`.<target>-
<kind>-<pid>-…`, git-ignored). SIGINT/SIGTERM are held off while the renames and the journal
change (`signals.deferred`), so only SIGKILL or a power cut can stop a swap half-way.

Staged trees are created with the user's umask applied (`tempfile.mkdtemp` makes them 0700) and
files are written into a tree without following symlinks (`write_inside`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import signals

__all__ = ["KINDS", "Swap", "follow_umask", "recover", "staging_dir", "swap_in", "umask", "write_inside"]

JOURNAL = ".cfai-swap-{pid}.json"
KINDS = ("new", "old", "pull", "trash")  # what a leftover folder was: staged tree, backup, pull copy, being deleted
_LEFTOVER = re.compile(r"^\.(?P<target>.+)-(?P<kind>new|old|pull|trash)-(?P<pid>[0-9]+)-[0-9a-f]{8}$")
_JOURNAL = re.compile(r"^\.cfai-swap-(?P<pid>[0-9]+)\.json$")


def umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def follow_umask(top: Path) -> None:
    """Give every folder and file under `top` the mode a plain mkdir/open would (no executables)."""
    mask = umask()
    os.chmod(top, 0o777 & ~mask)
    for folder, dirs, files in os.walk(top):
        for name in dirs:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o777 & ~mask)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o666 & ~mask)


def staging_dir(target: Path, kind: str) -> Path:
    """A new empty folder beside `target` named so `recover` knows its owner: `.<name>-<kind>-<pid>-<hex>`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = target.parent / f".{target.name}-{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o777 & ~umask())  # the mode mkdtemp would not give
            return path
        except FileExistsError:
            continue


_IN_THE_WAY = frozenset({errno.ELOOP, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.EMLINK})  # a symlink or other entry


def write_inside(top: Path, relative: str, data: bytes) -> None:
    """Write `top/relative`, creating folders, never following a symlink below `top` (a schema root
    may hold one pointing anywhere): OSError when one is in the way."""
    parts = relative.split("/")
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            try:
                os.mkdir(part, 0o777, dir_fd=fd)
            except FileExistsError:
                pass
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in _IN_THE_WAY:  # the file system refused (read-only, full, …): said as such
                    raise OSError(exc.errno, exc.strerror, str(top / relative)) from None
                raise OSError(exc.errno, f"{relative}: {part} is a symlink or not a folder; not written through") from None
            os.close(fd)
            fd = child
        try:  # a new file, so that it gets the umask's mode, not the copied one's
            if stat.S_ISREG(os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode):
                os.unlink(parts[-1], dir_fd=fd)
        except FileNotFoundError:
            pass
        try:
            out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=fd)
        except OSError as exc:
            if exc.errno not in _IN_THE_WAY:
                raise OSError(exc.errno, exc.strerror, str(top / relative)) from None
            raise OSError(exc.errno, f"{relative} is a symlink or not a file; not written through") from None
        try:
            with os.fdopen(out, "wb") as file:
                file.write(data)
        except OSError as exc:  # full, over a size limit: name the file
            raise OSError(exc.errno, exc.strerror, str(top / relative)) from None
    finally:
        os.close(fd)


def _start_time(pid: int) -> str | None:
    """When process `pid` started (Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot);
    None where that cannot be read. With the boot id it tells a reused pid from the run that wrote a journal."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            fields = file.read().rpartition(b")")[2].split()
        return fields[19].decode()  # fields after `(comm)` start at field 3
    except (OSError, IndexError, UnicodeDecodeError):
        return None


def _boot_id() -> str | None:
    try:
        with open("/proc/sys/kernel/random/boot_id") as file:
            return file.read().strip() or None
    except OSError:
        return None


def _owner() -> dict[str, str | None]:
    """Who writes a journal: enough to know later whether a live process of that pid is still it."""
    return {"started": _start_time(os.getpid()), "boot": _boot_id()}


def _same_run(record: Any, pid: int) -> bool:
    """Whether the live process `pid` is the run that wrote `record`: not when the machine rebooted
    since (another boot id) or the pid now names a process started at another time (a container
    restart, another PID namespace). A journal without these (or where they cannot be read) says yes."""
    if not isinstance(record, dict):
        return True
    boot, started = record.get("boot"), record.get("started")
    if boot is not None and (now := _boot_id()) is not None and now != boot:
        return False
    return not (started is not None and (now := _start_time(pid)) is not None and now != started)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a tree so that a kill half-way leaves a leftover `recover` removes, never a half tree
    at a name someone reads: it is renamed to a trash name first."""
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return
    trash = path.parent / f".{path.name.lstrip('.')}-trash-{os.getpid()}-{secrets.token_hex(4)}"
    path.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


class Swap:
    """Targets replaced by staged trees, undoable until `commit`."""

    def __init__(self, pairs: Sequence[tuple[Path, Path]]) -> None:
        """`pairs`: (staged tree, target), each staged tree on the target's filesystem."""
        self.entries: list[dict[str, Any]] = [
            {"staged": str(staged.absolute()), "target": str(target.absolute()),
             "backup": str(target.absolute().parent / f".{target.name}-old-{os.getpid()}-{secrets.token_hex(4)}"),
             "existed": target.exists() or target.is_symlink()}
            for staged, target in pairs
        ]  # fmt: skip
        self.journal = Path(self.entries[0]["target"]).parent / JOURNAL.format(pid=os.getpid())
        self.state = "new"

    def _write(self, state: str) -> None:
        tmp = self.journal.with_name(self.journal.name + ".tmp")
        with open(tmp, "w") as file:
            json.dump({"version": 1, "pid": os.getpid(), **_owner(), "state": state, "entries": self.entries}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, self.journal)
        self.state = state

    def apply(self) -> None:
        """Put every staged tree in place, the old ones kept as backups."""
        with signals.deferred():
            self._write("applied")
            try:
                for entry in self.entries:
                    target = Path(entry["target"])
                    if entry["existed"]:
                        target.rename(entry["backup"])
                    Path(entry["staged"]).rename(target)
            except BaseException:
                _undo(self.entries)
                self.journal.unlink(missing_ok=True)
                self.state = "rolled back"
                raise

    def commit(self) -> None:
        with signals.deferred():
            self._write("committed")
        _finish(self.entries)
        self.journal.unlink(missing_ok=True)
        self.state = "committed"

    def rollback(self) -> None:
        with signals.deferred():
            _undo(self.entries)
            self.journal.unlink(missing_ok=True)
        self.state = "rolled back"


def _undo(entries: Sequence[dict[str, Any]]) -> None:
    """Every target back to its old tree (or to absent), from any point of `apply`."""
    for entry in reversed(entries):
        target, backup = Path(entry["target"]), Path(entry["backup"])
        if backup.exists():
            _remove(target)  # the new tree, if it got there
            backup.rename(target)
        elif not entry["existed"]:
            _remove(target)
        # else: the target was never moved, it is still the old tree


def _finish(entries: Sequence[dict[str, Any]]) -> None:
    for entry in entries:
        _remove(Path(entry["backup"]))


def swap_in(staging: Path, out: Path) -> None:
    """Put the complete tree `staging` where `out` is: all or nothing, recoverable if killed."""
    swap = Swap([(staging, out)])
    swap.apply()
    swap.commit()


def recover(*targets: Path) -> list[str]:
    """Finish or undo the swaps of killed runs touching `targets`' folders, and remove their
    leftovers; returns what was done, one line each."""
    done: list[str] = []
    stale: set[int] = set()
    parents = dict.fromkeys(t.absolute().parent for t in targets)
    for parent in parents:
        if not parent.is_dir():
            continue
        for path in sorted(parent.iterdir()):
            if (m := _JOURNAL.match(path.name)) and (pid := int(m["pid"])) != os.getpid():
                try:
                    record = json.loads(path.read_text())
                    entries = record["entries"]
                except (OSError, ValueError, KeyError, TypeError):
                    if not _alive(pid):
                        path.unlink(missing_ok=True)
                    continue
                if _alive(pid) and _same_run(record, pid):
                    continue  # a live run's swap: never touched
                stale.add(pid)  # dead, or its pid reused: its leftovers below are removed too
                with signals.deferred():
                    if record.get("state") == "committed":
                        _finish(entries)
                        done.append(f"recovered: finished the swap of a killed run ({path.name})")
                    else:
                        _undo(entries)
                        done.append(f"recovered: put back the old trees a killed run was replacing ({path.name})")
                    path.unlink(missing_ok=True)
            elif path.name.startswith(".cfai-swap-") and path.name.endswith(".json.tmp"):
                path.unlink(missing_ok=True)
    for parent in parents:
        if not parent.is_dir():
            continue
        names = {t.name for t in targets if t.absolute().parent == parent}
        for path in sorted(parent.iterdir()):
            m = _LEFTOVER.match(path.name)
            # a backup being deleted is `.<target>-old-…-trash-…`: it belongs to <target> too
            owned = m and any(m["target"] == n or m["target"].startswith(f"{n}-old-") for n in names)
            gone = m and (int(m["pid"]) in stale or not _alive(int(m["pid"])))
            if m and owned and gone and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                done.append(f"removed {path.name}, left by a killed run")
    return done
