"""Parse → dump through the generated models, and the payload mutations that probe it.

Shared by `tests/test_roundtrip.py` and runnable as a measurement (`python -m tests.roundtrip
[OUT_DIR] [N]`): for every shipped model and side, N payloads generated from the schema
(`codegen.strategies`), each also with `"x_extra": 1` in every object that may take it and every
integer written as an integral float (`7.0`), each kept only when our validator accepts it; prints
how many the models refuse or do not give back whole.

"Whole" is JSON equality: the same keys, the same strings and booleans, numbers equal by value
(`7 == 7.0`, as JSON Schema counts them), never `true` for `1`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from cfai.validate import ModelValidator

__all__ = ["ints_as_floats", "json_equal", "mutations", "roundtrip", "with_extras"]

EXTRA = "x_extra"


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (`7 == 7.0`), booleans never numbers, keys and order of lists."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _positions(node: Any, kind: type, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of every value of `kind` (dicts, or non-bool ints) inside `node`, outermost first."""
    if isinstance(node, kind) and not isinstance(node, bool):
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _positions(value, kind, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _positions(value, kind, (*path, index))


def _replaced(node: Any, path: tuple[Any, ...], change: Callable[[Any], Any]) -> Any:
    if not path:
        return change(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, change)}
    out = list(node)
    out[head] = _replaced(node[head], rest, change)
    return out


def _greedy(payload: Any, kind: type, change: Callable[[Any], Any], valid: Callable[[Any], bool]) -> Any:
    """`payload` with `change` applied at every position of `kind` where the result stays valid."""
    everywhere = payload
    for path in reversed(list(_positions(payload, kind))):
        everywhere = _replaced(everywhere, path, change)
    if valid(everywhere):
        return everywhere
    out = payload
    for path in _positions(payload, kind):
        candidate = _replaced(out, path, change)
        if valid(candidate):
            out = candidate
    return out


def with_extras(payload: Any, valid: Callable[[Any], bool]) -> Any:
    """`"x_extra": 1` added to every object the schema lets take an unknown key."""
    return _greedy(payload, dict, lambda d: d if EXTRA in d else {**d, EXTRA: 1}, valid)


def ints_as_floats(payload: Any, valid: Callable[[Any], bool]) -> Any:
    """Every integer written as the equal float (`7` → `7.0`) where the schema still accepts it."""
    return _greedy(payload, int, lambda n: float(n) if abs(n) < 2**53 else n, valid)


def mutations(payload: Any, validator: ModelValidator) -> list[tuple[str, Any]]:
    """The payload as generated, with extra keys, with integral floats, and with both."""
    valid = validator.is_valid
    extras = with_extras(payload, valid)
    return [("as generated", payload), ("x_extra", extras), ("7.0", ints_as_floats(payload, valid)),
            ("x_extra+7.0", ints_as_floats(extras, valid))]  # fmt: skip


def roundtrip(adapter: TypeAdapter[Any], payload: Any) -> str | None:
    """Why parse → dump is not the identity on `payload` (refused, or given back different), or None."""
    try:
        parsed = adapter.validate_python(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"refused: {first['type']} at {'.'.join(map(str, first['loc']))}: {first['msg']}"
    dumped = adapter.dump_python(parsed, mode="json", exclude_unset=True)
    return None if json_equal(dumped, payload) else f"given back different: {dumped!r:.300}"


def _measure_one(registry: Any, model: str, side: str, adapter: TypeAdapter[Any], count: int,
                 tally: dict[str, int], examples: dict[str, str]) -> None:  # pragma: no cover  # fmt: skip
    from hypothesis import HealthCheck, given, settings

    from codegen.strategies import from_schema

    validator = registry.validator(model, side)

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(from_schema(registry.schema(model, side)))
    def one(payload: Any) -> None:
        for name, mutated in mutations(payload, validator):
            if not validator.is_valid(mutated):
                continue
            tally["payloads"] += 1
            if why := roundtrip(adapter, mutated):
                tally["refused" if why.startswith("refused") else "different"] += 1
                examples.setdefault(f"{model} {side} {name}", why)

    one()


def measure(out: Path | None, count: int) -> dict[str, int]:  # pragma: no cover - a measurement, run by hand
    from cfai.validate import default_registry

    from .conftest import load_generated

    registry = default_registry()
    tally = {"payloads": 0, "refused": 0, "different": 0}
    examples: dict[str, str] = {}
    for model in registry.models():
        if out is None:
            import cfai_models

            module = cfai_models.load(model)
        else:
            module = load_generated(out, model)
        for side in ("input", "output"):
            _measure_one(registry, model, side, TypeAdapter(getattr(module, side.capitalize())), count, tally, examples)
    for key, why in sorted(examples.items()):
        print(f"  {key}: {why}")
    print(tally)
    return tally


if __name__ == "__main__":  # pragma: no cover
    measure(Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "-" else None,
            int(sys.argv[2]) if len(sys.argv) > 2 else 20)  # fmt: skip
