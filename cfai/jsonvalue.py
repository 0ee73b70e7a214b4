"""What counts as JSON here: parsing text safely, and checking a Python value before it is validated or sent.

Two things would otherwise escape as a bare `ValueError`, a `RecursionError` or a crashed process:
values JSON cannot carry (NaN, a non-string key, a float subclass jsonschema-rs refuses) and
nesting deeper than the native validator's stack (a 20,000-deep payload against a recursive schema
overflows it and kills the process) or Python's recursion limit (`json.dumps`, `json.loads`).
`problems()` finds them with an explicit stack, never recursion; `loads()` parses text into JSON values
no deeper than `MAX_DEPTH`, refusing NaN/Infinity.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import json_path

__all__ = ["MAX_DEPTH", "NotJSON", "depth_exceeds", "loads", "problems"]

# Deeper than any real request or answer (a chat payload nests under 20 levels), and well under
# jsonschema-rs's own limits (~300 for values it converts, ~10,000 before its stack overflows)
# and Python's recursion limit (1,000) that `json` hits.
MAX_DEPTH = 128

_SCALARS = (str, int, float, bool, type(None))


class NotJSON(ValueError):
    """Text that is not JSON we accept: unparsable, not UTF-8, NaN/Infinity, or nested too deep."""


def _refuse_constant(name: str) -> Any:
    raise NotJSON(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJSON(f"{text} does not fit a float (it would become {value})")
    return value


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether containers nest deeper than `limit` (a scalar is depth 0, `[]` depth 1); stops early."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))
    return False


def loads(data: bytes | str, *, max_depth: int | None = MAX_DEPTH, finite: bool = False) -> Any:
    """JSON text as Python values; `NotJSON` (a `ValueError`) for anything we do not accept.

    `max_depth=None` leaves the depth to the caller (schema checks locate it themselves); `finite`
    also refuses a number that overflows to infinity (`1e400`), at the cost of a call per float, so
    it is for schema files, not for answers on the hot path.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError as exc:
        raise NotJSON(f"not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite if finite else None)
    except NotJSON:
        raise
    except RecursionError:  # the C parser stops cleanly at Python's recursion limit
        raise NotJSON(f"nested too deeply to parse (deeper than {MAX_DEPTH} levels)") from None
    except ValueError as exc:
        raise NotJSON(str(exc)) from None
    if max_depth is not None and depth_exceeds(value, max_depth):
        raise NotJSON(f"nested deeper than {max_depth} levels")
    return value


_PLAIN = frozenset({str, int, bool, type(None)})  # exact types that are always JSON: never looked into


def _path(link: tuple[Any, str | int] | None) -> str:
    """The JSON path of a node from its link `(parent's link, key)`."""
    keys: list[str | int] = []
    while link is not None:
        link, key = link
        keys.append(key)
    return json_path(keys[::-1])


def problems(value: Any) -> list[tuple[str, str, str]]:
    """`(json path, rule, message)` for each place `value` is not JSON we can validate and send.

    Rules: `depth` (nested deeper than `MAX_DEPTH`), `json` (NaN/Infinity, a key that is not a
    string, a type JSON has no form for, a subclass of int/float that the validator cannot read).
    Strings may be `str` subclasses (`enum.StrEnum`), as both the validator and `json` read them.
    Runs on every payload found invalid, so it is written for speed: a plain scalar is skipped
    without a step of its own, and a node's path is built only when it has a problem.
    """
    found: list[tuple[str, str, str]] = []
    # (node, depth, link): a link is (the parent's link, key), the path kept as a chain, not copied
    stack: list[tuple[Any, int, tuple[Any, str | int] | None]] = [(value, 0, None)]
    while stack and len(found) < 50:
        node, depth, link = stack.pop()
        kind = type(node)
        if kind in _PLAIN or isinstance(node, str):
            continue
        if kind is float:
            if not math.isfinite(node):
                found.append((_path(link), "json", f"{node!r} is not a JSON number"))
            continue
        if kind is dict:
            items: Any = node.items()
        elif kind is list or kind is tuple:
            items = enumerate(node)
        else:
            what = next((t.__name__ for t in _SCALARS if isinstance(node, t)), None)
            hint = f": pass {what}(value)" if what and what != "NoneType" else ""
            found.append((_path(link), "json", f"{kind.__name__} is not a JSON type{hint}"))
            continue
        if depth + 1 > MAX_DEPTH:
            found.append((_path(link), "depth", f"nested deeper than {MAX_DEPTH} levels"))
            continue
        for key, child in items:
            if kind is dict and not isinstance(key, str):
                found.append((_path(link), "json", f"key {key!r} is not a string ({type(key).__name__})"))
            elif type(child) not in _PLAIN:
                stack.append((child, depth + 1, (link, key)))
    found.sort(key=lambda p: p[0])
    return found
