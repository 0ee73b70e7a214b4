"""Fault modes: what a request asks to go wrong, from its `cfai-fault` header or the server's flags.

A spec is a comma-separated list of faults, each a name with `;key=value` parameters:

    429;retry-after=1   answer that status (any 4xx/5xx) in the Cloudflare error envelope, with Retry-After
    500                 the same, without Retry-After
    latency=200ms       wait before answering (ms or s; the answer is otherwise normal)
    truncate            a JSON answer cut in half (Content-Length consistent); a stream cut mid-event
    cut-stream=5        a stream whose connection drops after 5 events, without `[DONE]`

`parse` returns the faults and every problem found (a located value, not an exception), so a bad
header gets one 400 that names them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HEADER", "Faults", "parse"]

HEADER = "cfai-fault"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")
_MAX_LATENCY = 60.0


@dataclass(frozen=True)
class Faults:
    status: int | None = None
    retry_after: str | None = None
    latency: float = 0.0  # seconds
    truncate: bool = False
    cut_stream: int | None = None  # events sent before the connection drops

    def merged(self, other: Faults) -> Faults:
        """`other` (the request's header) over `self` (the server's flags)."""
        return Faults(
            other.status if other.status is not None else self.status,
            other.retry_after if other.status is not None else self.retry_after,
            other.latency or self.latency,
            other.truncate or self.truncate,
            other.cut_stream if other.cut_stream is not None else self.cut_stream,
        )


def _duration(text: str) -> float | None:
    match = _DURATION.match(text.strip())
    if not match:
        return None
    value = float(match.group(1)) / (1000 if match.group(2) in (None, "ms") else 1)
    return value if value <= _MAX_LATENCY else None


def parse(spec: str, where: str = HEADER) -> tuple[Faults, list[str]]:
    """The faults of a spec such as `latency=200ms, 429;retry-after=1`, and its problems."""
    faults, problems = Faults(), []
    for index, item in enumerate(p.strip() for p in spec.split(",")):
        if not item:
            continue
        head, *params = [p.strip() for p in item.split(";")]
        name, _, value = head.partition("=")
        options = dict(p.partition("=")[::2] for p in params)
        at = f"{where}[{index}] {item!r}"
        if name.isdigit():
            status = int(name)
            if not 400 <= status <= 599:
                problems.append(f"{at}: a status fault must be 400-599")
                continue
            retry = options.pop("retry-after", None)
            if retry is not None and _duration(retry) is None and not retry.isdigit():
                problems.append(f"{at}: retry-after must be seconds")
            faults = Faults(status, retry, faults.latency, faults.truncate, faults.cut_stream)
        elif name == "latency":
            seconds = _duration(value)
            if seconds is None:
                problems.append(f"{at}: latency must be a duration such as 200ms or 1.5s, at most {_MAX_LATENCY:g}s")
                continue
            faults = Faults(faults.status, faults.retry_after, seconds, faults.truncate, faults.cut_stream)
        elif name == "truncate" and not value:
            faults = Faults(faults.status, faults.retry_after, faults.latency, True, faults.cut_stream)
        elif name == "cut-stream" and value.isdigit():
            faults = Faults(faults.status, faults.retry_after, faults.latency, faults.truncate, int(value))
        else:
            known = "NNN[;retry-after=S], latency=DURATION, truncate, cut-stream=N"
            problems.append(f"{at}: unknown fault (known: {known})")
            continue
        if options:
            problems.append(f"{at}: unknown parameter(s) {', '.join(sorted(options))}")
    return faults, problems
