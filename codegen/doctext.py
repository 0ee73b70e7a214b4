"""Schema prose (`title`, `description`) and model names become comments and docstrings in
generated code. Python ends a line only at `\\n` and `\\r`, but editors, diff tools and terminals also
break at U+2028/U+2029, U+0085, vertical tab and form feed, and a NUL byte makes a file unreadable
to Python: such characters are written as visible escapes (`\\u2028`) in the generators' copy, so a
generated line looks like what Python reads. The published schema is not touched.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import MutableMapping
from typing import Any

from cfai.guards import subschemas

__all__ = ["escape_json", "escape_literals", "escape_prose", "one_line"]

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


_RAW = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\x7f\x85\u2028\u2029]")
_JSON_RAW = re.compile("[\x7f\x85\u2028\u2029]")


def escape_literals(source: str) -> str:
    """`source` (a generated module) with every line break Python does not see as one (U+2028,
    U+0085, `\\v`, `\\f`, NUL, …) escaped inside its string literals and comments, so that no
    generated file carries one raw; the module means the same. Raw strings are left: a generated
    raw string (a regex pattern) holding one is refused by `codegen.verify`."""
    if not _RAW.search(source):
        return source
    starts, at = [], 0
    for line in source.split("\n"):
        starts.append(at)
        at += len(line) + 1
    pieces, last = [], 0
    for token in tokenize.generate_tokens(io.StringIO(source, newline="\n").readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT) or not _RAW.search(token.string):
            continue
        if token.type == tokenize.STRING and "r" in token.string[: token.string.index(token.string.lstrip("rRbBuUfF")[0])].lower():
            continue
        begin = starts[token.start[0] - 1] + token.start[1]
        end = starts[token.end[0] - 1] + token.end[1]
        pieces += [source[last:begin], _RAW.sub(_escape, source[begin:end])]
        last = end
    return "".join(pieces) + source[last:]


def escape_json(text: str) -> str:
    """A JSON text with U+2028, U+2029, U+0085 and DEL written as `\\u` escapes (the same JSON value)."""
    return _JSON_RAW.sub(_escape, text)
