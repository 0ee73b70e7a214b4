"""The one rule a model name must follow, wherever a name comes from (pull, models.toml, a folder
under a schema root, the command line, the Python API).

A name is a folder path under the schema root and ends up in file names, URLs, generated code and
messages, so it is checked whole (`re.fullmatch`: `$` would let a trailing newline through) and kept
to characters that mean nothing to a shell, a URL, Python or a terminal. Segments start with a letter
or digit, so `..`, `.hidden` and empty segments are impossible: a name is always a safe relative path.
"""

from __future__ import annotations

import re

__all__ = ["MAX_LENGTH", "NAME", "check_name", "is_name"]

MAX_LENGTH = 200
NAME = re.compile(r"(@[a-z0-9-]+/)?[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*", re.ASCII)


def is_name(name: object) -> bool:
    return isinstance(name, str) and len(name) <= MAX_LENGTH and NAME.fullmatch(name) is not None


def check_name(name: object) -> str | None:
    """Why `name` cannot be a model name, or None."""
    if is_name(name):
        return None
    return f"{name!r} is not a model name (like openai/gpt-5.5 or @cf/meta/llama-3.1-8b-instruct)"[:300]
