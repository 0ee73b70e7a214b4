"""Schema prose (`title`, `description`) and model names become comments and docstrings in
generated code. Python ends a line only at `\\n` and `\\r`, but editors, diff tools and terminals also
break at U+2028/U+2029, U+0085, vertical tab and form feed, and a NUL byte makes a file unreadable
to Python: such characters are written as visible escapes (`\\u2028`) in the generators' copy, so a
generated line looks like what Python reads. The published schema is not touched.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from cfai.guards import subschemas

__all__ = ["escape_prose", "one_line"]

_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
_LINE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def one_line(text: str) -> str:
    """`text` fit for one comment line: every line break and control character escaped."""
    return _LINE.sub(_escape, text)


def escape_prose(schema: Any) -> None:
    """Escape, in place, the invisible line breaks and control characters of every title and
    description of `schema` (newlines and tabs stay: generators indent them)."""
    for _, node in subschemas(schema):
        if not isinstance(node, MutableMapping):
            continue
        for key in ("title", "description"):
            if isinstance(node.get(key), str):
                node[key] = _BREAKS.sub(_escape, node[key])
