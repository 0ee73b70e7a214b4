"""Per-request options of the clients (issue 17): checked once, carried by every call they apply to.

What an openai SDK user expects, in its shape where it fits:

- `client.with_options(timeout=…, max_retries=…, extra_headers=…, …)` returns a copy of the client
  with those options changed, sharing its connection pool (as `openai.OpenAI.with_options` does);
  the original is not changed. Options not given keep the client's values; `extra_headers`,
  `extra_query` and `extra_body` are merged over the client's own (a key given again wins).
- Per call, the typed methods take no option keyword: their signature is
  `run(model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs)`, the payload's TypedDict
  travelling in the `ParamSpec`, so any extra keyword would be read as a payload key and checked
  (or refused) against the TypedDict by mypy and pyright. `cf.with_options(timeout=5).run(ref, payload)`
  is the per-call form: a copy costs a few attribute copies, no connection. `run_untyped(...)`, whose
  payload is one untyped mapping, takes `timeout`, `extra_headers`, `extra_query` and `extra_body`
  as real keyword parameters, as the openai SDK's methods do.
- One name per thing: the openai SDK's client-level `default_headers`/`default_query` are
  `extra_headers`/`extra_query` here (on the constructor, `with_options` and `run_untyped`), since
  `with_options` is also the per-call form.

`extra_headers` is for AI Gateway (`cf-aig-*`) and proxies. It can never carry `Authorization`
(the token is the client's, sent only as the client decides: refused with `UsageError`), nor a header
that frames the request or the answer (`Host`, `Content-Length`, `Transfer-Encoding`, and
`Accept-Encoding`: the answer's byte cap relies on the encodings `cfai.body` inflates with a cap).

`extra_body` is merged into the JSON body sent, after the payload was validated, and is not
validated itself (as the openai SDK's `extra_body`): it is the way to send a key the published schema
does not have yet. A key that the body already holds (a payload key, or `model`/`stream` the client
sets; `stream` always: it is the call's choice) is refused with `UsageError` rather than overwritten: a validated value is never replaced by an
unvalidated one. It must be JSON (the same rules as a payload: no NaN, no non-string key, …).
`extra_query` is added to the URL's query; errors and logs show the URL path only, never the query.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from .faults import UsageError
from .jsonvalue import problems

__all__ = ["NOT_GIVEN", "NotGiven", "Options", "check_body", "check_headers", "check_query", "check_timeout"]


class NotGiven:
    """An option not given (None is a value for some of them: `stream_idle_timeout=None` turns it off)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

# Header names a caller may not set: the token, and what frames the request or bounds the answer.
_REFUSED_HEADERS = {
    "authorization": "the API token is the client's own (pass api_token= to the client)",
    "host": "it is taken from base_url",
    "content-length": "it is computed from the body",
    "transfer-encoding": "it is decided by the HTTP layer",
    "accept-encoding": "the answer's size cap relies on the encodings cfai inflates (gzip, deflate)",
}
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an HTTP header name (RFC 9110 token)
_FORBIDDEN_IN_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Options:
    """The options every call of a client carries; `merged` makes a call's own."""

    timeout: httpx.Timeout
    attempt_timeout: float | None  # the bound on one whole attempt (see cfai.deadline)
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    extra_query: Mapping[str, str] = field(default_factory=dict)
    extra_body: Mapping[str, Any] = field(default_factory=dict)

    def merged(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Options:
        """These options with the given ones checked and laid over them."""
        timeouts = (self.timeout, self.attempt_timeout) if isinstance(timeout, NotGiven) else check_timeout(timeout)
        headers = dict(self.extra_headers)
        if extra_headers is not None:
            # one spelling per header: a name given again in another case replaces the first
            given = check_headers(extra_headers)
            again = {g.lower() for g in given}
            headers = {k: v for k, v in headers.items() if k.lower() not in again} | given
        query = {**self.extra_query, **check_query(extra_query)} if extra_query is not None else dict(self.extra_query)
        body = {**self.extra_body, **check_body(extra_body)} if extra_body is not None else dict(self.extra_body)
        return Options(timeouts[0], timeouts[1], headers, query, body)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_timeout(value: object) -> tuple[httpx.Timeout, float | None]:
    """`timeout`: seconds (> 0) for each attempt whole, or an `httpx.Timeout` (its largest part bounds
    the attempt whole; all parts None: unbounded)."""
    if isinstance(value, httpx.Timeout):
        parts = [t for t in value.as_dict().values() if t is not None]
        return value, max(parts, default=None)
    if not _number(value) or not math.isfinite(value) or value <= 0:  # type: ignore[operator, arg-type]
        raise UsageError(f"timeout must be a number of seconds greater than 0 or an httpx.Timeout, not {value!r}")
    return httpx.Timeout(float(value)), float(value)  # type: ignore[arg-type]


def check_seconds(name: str, value: object, *, optional: bool = False, zero: bool = False) -> float | None:
    """A duration option: finite seconds, > 0 (or ≥ 0 with `zero`); None only if `optional` (no bound)."""
    if value is None and optional:
        return None
    if not _number(value) or not math.isfinite(value) or value < 0 or (value == 0 and not zero):  # type: ignore[operator, arg-type]
        least = "0 or more" if zero else "greater than 0"
        also = " or None (no bound)" if optional else ""
        raise UsageError(f"{name} must be a number of seconds {least}{also}, not {value!r}")
    return float(value)  # type: ignore[arg-type]


def check_count(name: str, value: object, *, least: int) -> int:
    """An integer option (`max_retries` ≥ 0, `max_response_bytes` ≥ 1); a bool is not a count."""
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise UsageError(f"{name} must be an integer of at least {least}, not {value!r}")
    return value


def check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be True or False, not {value!r}")
    return value


def check_headers(headers: object) -> dict[str, str]:
    """`extra_headers`: header names and string values; never `Authorization` or a framing header."""
    if not isinstance(headers, Mapping):
        raise UsageError(f"extra_headers must be a mapping of header names to strings, not {type(headers).__name__}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise UsageError(f"extra_headers: {name!r} is not a valid HTTP header name")
        why = _REFUSED_HEADERS.get(name.lower())
        if why is not None:
            raise UsageError(f"extra_headers may not set {name}: {why}")
        if not isinstance(value, str):
            raise UsageError(f"extra_headers[{name!r}] must be a string, not {type(value).__name__}")
        if not value.isascii() or _FORBIDDEN_IN_VALUE.search(value):
            raise UsageError(f"extra_headers[{name!r}] must be printable ASCII without line breaks")
        checked[name] = value
    return checked


def check_query(query: object) -> dict[str, str]:
    """`extra_query`: parameter names and string or number values."""
    if query is None:
        return {}
    if not isinstance(query, Mapping):
        raise UsageError(f"extra_query must be a mapping of parameter names to values, not {type(query).__name__}")
    checked: dict[str, str] = {}
    for name, value in query.items():
        if not isinstance(name, str) or not name:
            raise UsageError(f"extra_query: {name!r} is not a parameter name (a non-empty string)")
        if isinstance(value, str):
            checked[name] = value
        elif _number(value) and math.isfinite(value):
            checked[name] = str(value)
        else:
            raise UsageError(f"extra_query[{name!r}] must be a string or a finite number, not {value!r}")
    return checked


def check_body(body: object) -> dict[str, Any]:
    """`extra_body`: a JSON object (checked as a payload is: `cfai.jsonvalue`), copied."""
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise UsageError(f"extra_body must be a mapping (a JSON object), not {type(body).__name__}")
    found = problems(dict(body))
    if found:
        path, _, message = found[0]
        raise UsageError(f"extra_body is not JSON at {path}: {message}")
    return copy.deepcopy(dict(body))


def merge_body(body: object, extra: Mapping[str, Any]) -> object:
    """The body sent: the validated `body` with `extra_body`'s keys added; a key in both is refused."""
    if not extra:
        return body
    if "stream" in extra:
        raise UsageError("extra_body may not set 'stream': call stream(...) (or run_untyped(..., stream=True))")
    if not isinstance(body, Mapping):
        raise UsageError("extra_body needs a JSON object payload to merge into")
    clash = sorted(set(extra) & set(body))
    if clash:
        keys = ", ".join(map(repr, clash))
        raise UsageError(
            f"extra_body would replace {keys}, already in the body (validated, or set by the client): "
            "give each key once, in the payload or in extra_body"
        )
    return {**body, **extra}
