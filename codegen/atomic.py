"""Replace a directory whole: readers see the old tree or the new one, never a mix."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

__all__ = ["swap_in"]


def swap_in(staging: Path, out: Path) -> None:
    """Put the complete tree `staging` where `out` is (two renames on one filesystem).

    Should the second rename fail, the old tree is put back before the error propagates.
    """
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    out.rename(old / out.name)
    try:
        staging.rename(out)
    except OSError:
        (old / out.name).rename(out)
        raise
    shutil.rmtree(old)
