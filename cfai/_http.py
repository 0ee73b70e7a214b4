"""The client's core that is the same for sync and async: no I/O happens here.

Building and validating a request, turning an answer (status, headers, bytes) into a typed result or a
typed error, deciding whether and how long to wait before a retry, and reading a stream's events one
at a time. `client.py` only moves bytes and sleeps; so both clients behave identically by construction.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import sys
import threading
import typing
import warnings
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import cfai_models
import httpx
import pydantic

from .baseurl import host_of
from .body import ACCEPT_ENCODING
from .envelope import unwrap
from .errors import (
    ContractWarning,
    InvalidPayload,
    PayloadError,
    SchemaLoadError,
    SchemaProblem,
    SchemaUnavailableWarning,
    UnknownModel,
    json_path,
)
from .faults import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseDecodeError,
    ResponseValidationError,
    StreamIncomplete,
    StreamTimeout,
    UsageError,
    cloudflare_errors,
    excerpt,
    status_error,
)
from .jsonvalue import NotJSON, loads
from .naming import variant_keyword, variants
from .options import Options, merge_body
from .redact import Redactor
from .repair import repair
from .schemas import FILES, check_schema
from .stream import Reassembled, chunk_schema, frame_schema, reassemble, stream_kind
from .validate import ModelValidator, Registry

__all__ = ["Response"]

logger = logging.getLogger("cfai")

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
FIRST_BACKOFF = 0.5  # seconds; doubled per retry, capped: 0.5, 1, 2, 4, 8, 8, …
MAX_BACKOFF = 8.0
USER_AGENT = "cfai-bindings/0.1.0"

T = TypeVar("T")
Kind = Literal["run", "chat", "responses"]
# How a stream's events are read: OpenAI chunks and Workers AI frames (validated, typed), Responses
# events and the events of a call sent unvalidated (`run_untyped` without a schema) as plain dicts.
Reading = Literal["openai", "workers", "responses", "raw"]
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True, slots=True)
class Response(Generic[T]):
    """A typed result plus everything the typed model drops.

    `data` is the generated pydantic model of the answer (e.g. `ChatCompletionsOutput`), or the plain
    JSON when there is no generated model (`run_untyped` of a model the bindings do not ship). An
    answer that breaks the output schema is returned (with a `ContractWarning`) unless the call is
    strict: `data` is then, for a JSON object, the expected class built with `model_construct`, each
    top-level field that validates typed and every other field kept as the JSON received (nested
    values as dicts and lists); for anything else, the JSON value itself. `body` is the JSON exactly
    as received (the `/ai/run` envelope included), `output` the part `data` was parsed from; keys
    the models ignore, such as `gatewayMetadata`, live there.

    The raw answer, for what the openai SDK gives through `with_raw_response`: `status_code`,
    `headers` (`cf-aig-*`, `cf-ray`, rate limits, …) and `content`, the body's bytes as received
    (after HTTP decompression). `attempts` and `waits`: the tries the call took.
    """

    data: T
    body: Any
    output: Any
    status_code: int
    headers: httpx.Headers
    path: str
    attempts: int = 1
    waits: tuple[float, ...] = ()
    content: bytes = b""


@dataclass(frozen=True, slots=True)
class Call:
    """One prepared call: where it goes, what it sends, what kind of answer it expects."""

    model: str
    kind: Kind
    path: str  # the URL path; errors and logs show this, never the query, headers or token
    request: httpx.Request
    output_variant: str | None  # the output schema variant the answer must match, when known
    include_usage: bool
    host: str = ""  # named by connection errors only
    redact: Redactor = field(default_factory=Redactor)  # applied to everything the server says
    strict: bool = False  # an answer breaking the output schema raises (True) or warns (False)
    reading: Reading | None = None  # how the stream is read (streamed calls only)
    validated: bool = True  # False: sent unvalidated (no schema), the answer is plain JSON
    bindings: Bindings | None = None  # the schemas it was validated against (fetched ones included)
    attempt_timeout: float | None = None  # the bound on each attempt, whole (`timeout`)


class Bindings:
    """Validators and generated classes of one registry, compiled on first use and kept."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._outputs: dict[tuple[str, str | None], tuple[ModelValidator, type[pydantic.BaseModel] | None]] = {}
        self._chunks: dict[str, tuple[ModelValidator, Any]] = {}

    def check_input(self, model: str, body: Any) -> None:
        validator = self.registry.validator(model, "input")
        # What cannot be sent as JSON is refused before the validator sees it (see cfai.jsonvalue).
        errors = validator.not_json(body) or validator.errors(body)
        if errors:
            raise InvalidPayload(errors)

    def output_variant(self, model: str, body: Any) -> str | None:
        """The output variant answering an input variant: `ResponsesInput` → `ResponsesOutput`."""
        name = self.registry.validator(model, "input").variant_of(body)
        return name.removesuffix("Input") + "Output" if name else None

    def output(self, model: str, variant: str | None) -> tuple[ModelValidator, Any]:
        """The validator and class for the answer. With a known variant, only that `oneOf` branch is
        checked: the endpoint says which format comes back, and the branches of a published schema
        may overlap (gpt-5.5's Chat Completions branch also accepts every Responses answer, so the
        whole `oneOf` rejects them all as "valid under more than one")."""
        key = (model, variant)
        if key not in self._outputs:
            whole = self.registry.validator(model, "output")
            module = _module(model)  # None: no generated models, the answer stays plain JSON
            validator, cls = whole, getattr(module, "Output", None)
            if variant in whole.variants:
                cls = getattr(module, variant, cls)
                keyword = variant_keyword(whole.schema)
                if keyword:
                    branch = whole.schema[keyword][whole.variants.index(variant)]
                    validator = ModelValidator(model, "output", {**whole.schema, keyword: [branch]})
            self._outputs[key] = (validator, cls)
        return self._outputs[key]

    def reading(self, model: str, kind: Kind) -> Reading:
        """How a stream of `model` through `kind` is read; a model that cannot stream is refused
        here, before anything is sent. Decided by the model's schemas (`cfai.stream.stream_kind`)."""
        if kind == "responses":
            return "responses"
        found = stream_kind(self.registry.schema(model, "input"), self.registry.schema(model, "output"))
        if kind == "chat" and found != "openai":
            raise UnknownModel(f"{model} (streamed Chat Completions)", sorted(cfai_models.MODELS))
        if found is None:
            raise UsageError(f"{model} does not stream: its output has no Chat Completions variant and its input no `stream`")
        return found

    def chunk(self, model: str, reading: Reading = "openai") -> tuple[ModelValidator, Any]:
        """The validator and class of one streamed chunk (`openai`) or frame (`workers`)."""
        key = f"{reading}:{model}"
        if key not in self._chunks:
            output = self.registry.schema(model, "output")
            if reading == "workers":
                schema: dict[str, Any] | None = frame_schema(output)
                from .frames import WorkersAIChunk  # a pydantic model: defined on first use

                cls: Any = WorkersAIChunk
                file = f"{self.registry.validator(model, 'output').schema_file} (as a Workers AI stream frame)"
            else:
                schema = chunk_schema(output)
                cls = getattr(_module(model), "ChatCompletionsChunk", None)
                file = f"{self.registry.validator(model, 'output').schema_file} (as a stream chunk)"
            if schema is None:
                raise UnknownModel(f"{model} (streamed Chat Completions)", sorted(cfai_models.MODELS))
            self._chunks[key] = (ModelValidator(model, "output", schema, schema_file=file), cls)
        return self._chunks[key]


def _module(model: str) -> Any:
    """The generated models of `model`, or None when the bindings do not ship them."""
    try:
        return cfai_models.load(model)
    except LookupError:
        return None


_bindings: weakref.WeakKeyDictionary[Registry, Bindings] = weakref.WeakKeyDictionary()


def bindings_for(registry: Registry) -> Bindings:
    if registry not in _bindings:
        _bindings[registry] = Bindings(registry)
    return _bindings[registry]


# The OpenAI-compatible endpoints, and the output variant each answers with.
_OPENAI_ENDPOINTS = {
    "chat": ("/ai/v1/chat/completions", "ChatCompletionsOutput"),
    "responses": ("/ai/v1/responses", "ResponsesOutput"),
}


def prepare(
    bindings: Bindings,
    *,
    base_url: str,
    account_id: str,
    token: str,
    redact: Redactor,
    options: Options,
    kind: Kind,
    model: str,
    body: Mapping[str, Any],
    stream: bool,
    strict: bool = False,
    validate: bool = True,
) -> Call:
    """Validate `body` (raising `InvalidPayload` with every error, before anything is sent) and build
    the request. The model's slashes stay slashes (`/ai/run/openai/gpt-5.5`), unlike the official
    SDK's `%2F`; only characters that would break the URL are escaped. `validate=False`: nothing is
    checked, before or after (the loose path for a model whose schema is not to be had). `options`:
    the timeout, and the extra headers, query and body (`cfai.options`), laid over what is validated."""
    reading: Reading | None = None
    if validate:
        bindings.check_input(model, body)
        if stream:  # a model that cannot stream fails here, not mid-call
            reading = bindings.reading(model, kind)
            if reading != "responses":
                bindings.chunk(model, reading)
    elif stream:
        reading = "responses" if kind == "responses" else "raw"
    if kind == "run":
        tail = f"/ai/run/{quote(model, safe='/@:')}"
        variant = bindings.output_variant(model, body) if validate else None
    else:
        tail, variant = _OPENAI_ENDPOINTS[kind]
    url = f"{base_url.rstrip('/')}/accounts/{quote(account_id, safe='')}{tail}"
    sent = merge_body(body, options.extra_body)  # after validation: extra_body is not validated
    try:
        content = json.dumps(sent, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        file = bindings.registry.validator(model, "input").schema_file if validate else f"{model} (unvalidated)"
        raise InvalidPayload([PayloadError(model, file, "$", "json", None, None, f"not JSON: {exc}")]) from None
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        "User-Agent": USER_AGENT,
        # Only what `cfai.body` can decompress with a cap on the output.
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if stream:
        headers["Cache-Control"] = "no-store"  # as httpx-sse's connect_sse sends (cfai.sse: why not httpx-sse)
    # The timeout travels with the request, so it holds with an injected http_client too.
    request = httpx.Request(
        "POST", url, content=content, headers=_with_extra(headers, options), params=options.extra_query or None,
        extensions={"timeout": options.timeout.as_dict()},
    )
    stream_options = body.get("stream_options") if isinstance(body, Mapping) else None
    include_usage = isinstance(stream_options, Mapping) and stream_options.get("include_usage") is True
    return Call(
        model, kind, urlsplit(url).path, request, variant, include_usage, host_of(url), redact,
        strict=strict, reading=reading, validated=validate, bindings=bindings, attempt_timeout=options.attempt_timeout,
    )


def _with_extra(headers: dict[str, str], options: Options) -> dict[str, str]:
    """`headers` with the caller's extra ones laid over them (a name in any case replaces ours; the
    token and the framing headers were refused by `cfai.options.check_headers`)."""
    if not options.extra_headers:
        return headers
    given = {name.lower() for name in options.extra_headers}
    return {k: v for k, v in headers.items() if k.lower() not in given} | dict(options.extra_headers)


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit to print: the token replaced by `***`, and any other credential header (AI
    Gateway's `cf-aig-authorization`) too."""
    return {
        k: ("Bearer ***" if k.lower() == "authorization" else "***" if "authorization" in k.lower() else v)
        for k, v in headers.items()
    }


# --- answers ------------------------------------------------------------------------------------


def connection_error(call: Call, exc: httpx.TransportError) -> tuple[APIError, bool]:
    """The typed error for no answer, and whether to retry: yes for a refused or reset connection or
    a dropped keep-alive, and for a timeout while connecting; no after a read or write timeout, where
    the model may still be generating an answer that would be paid for twice."""
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        message = f"no answer from {call.host} in time ({type(exc).__name__})"
        error: APIError = APITimeoutError(message, model=call.model, path=call.path)
        return error, isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
    return APIConnectionError(f"connection to {call.host} failed: {reason}", model=call.model, path=call.path), True


def http_error(call: Call, response: httpx.Response, content: bytes) -> tuple[APIStatusError, bool]:
    """The typed error of an HTTP error status, and whether to retry."""
    error = status_error(
        response.status_code, response.headers, content, model=call.model, path=call.path, redact=call.redact.text
    )
    return error, response.status_code in RETRY_STATUSES


def body_error(call: Call, status: int, exc: httpx.TransportError) -> APIError:
    """The error for a body that stopped arriving after its status line."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError("timed out reading the body", model=call.model, path=call.path, status=status)
    reason = str(exc) or type(exc).__name__
    return ResponseDecodeError(f"body cut short: {reason}", model=call.model, path=call.path, status=status)


def not_a_stream(call: Call, response: httpx.Response, content: bytes) -> APIError:
    """A 2xx answer to a streamed call that is not an event stream."""
    kind = response.headers.get("content-type", "no content type")
    text = content.decode("utf-8", errors="replace")
    short = excerpt(text, redact=call.redact.text)
    message = f"expected text/event-stream, got {call.redact.text(kind)}: {excerpt(short, 80, redact=call.redact.text)!r}"
    return ResponseDecodeError(message, model=call.model, path=call.path, status=response.status_code, excerpt=short)


def parse(
    call: Call, response: httpx.Response, content: bytes, bindings: Bindings, *, strict: bool
) -> Response[pydantic.BaseModel]:
    """A successful answer (its body `content`, already read) as a typed `Response`, or the typed error."""
    status, model, path = response.status_code, call.model, call.path
    if _raw_bytes(call, response, bindings):  # an image or audio answered as itself, as the service does
        raw: Response[Any] = Response(content, content, content, status, response.headers, call.path, content=content)
        return raw
    try:
        body = loads(content)
    except NotJSON as exc:  # not UTF-8, NaN, nested too deep included
        text = content.decode("utf-8", errors="replace")
        # (_unclosed walks the text in Python: only worth it, and cheap, on an answer of ordinary size)
        cut = len(content) <= 1 << 20 and _unclosed(text)
        what = f"JSON cut short after {len(content)} bytes" if cut else f"not JSON ({exc})"
        short = excerpt(text, redact=call.redact.text)
        message = f"body is {what}: {excerpt(short, 80, redact=call.redact.text)!r}"
        raise ResponseDecodeError(message, model=model, path=path, status=status, excerpt=short) from None
    if isinstance(body, Mapping) and body.get("success") is False:  # an envelope that failed with a 2xx
        errors = cloudflare_errors(body)
        message = "; ".join(map(str, errors)) or "success: false"
        raise APIStatusError(message, model=model, path=path, status=status, errors=errors)
    output = unwrap(body)
    if not call.validated:  # sent without a schema: the answer is plain JSON
        return Response(output, body, output, status, response.headers, call.path, content=content)
    validator, cls = bindings.output(call.model, call.output_variant)
    data = typed(call, validator, cls, output, status, strict=strict)
    return Response(data, body, output, status, response.headers, call.path, content=content)


_JSON_TYPES = ("application/json", "text/json")


def _raw_bytes(call: Call, response: httpx.Response, bindings: Bindings) -> bool:
    """Whether a 2xx answer is the model's output as raw bytes (`image/png`, `audio/mpeg`): not a
    JSON media type, and the model's output schema admits a binary string (`format: binary`, or a
    `contentType` that is not JSON), or, for a model sent without a schema, a media type that is
    plainly binary. Such an answer is the model's `bytes`, kept whole; it is not validated (JSON
    Schema has nothing to say of bytes beyond "a string")."""
    kind = str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()
    if not kind or kind in _JSON_TYPES or kind.endswith("+json") or kind == "text/event-stream":
        return False
    if not call.validated:
        return kind.startswith(("image/", "audio/", "video/")) or kind == "application/octet-stream"
    try:
        schema = bindings.registry.schema(call.model, "output")
    except (UnknownModel, SchemaLoadError):  # no output schema to read: the answer is read as JSON, as before
        return False
    return any(
        b.get("format") == "binary" or (isinstance(b.get("contentType"), str) and "json" not in b["contentType"])
        for b in (schema, *variants(schema)) if isinstance(b, Mapping) and b.get("type") == "string"
    )  # fmt: skip


def _unclosed(text: str) -> bool:
    """Whether `text` starts a JSON object or array and ends before closing it: cut short, not garbage."""
    if text.lstrip()[:1] not in ("{", "["):
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return in_string or depth > 0


def typed(
    call: Call,
    validator: ModelValidator,
    cls: Any,
    value: Any,
    status: int | None,
    *,
    strict: bool,
    chunk: int | None = None,
) -> Any:
    """`value` as its generated type (a model class, or an alias such as `Output`, the union of the
    variants; `None`: no generated type, the value is returned as it is once validated).

    A value that breaks the schema (or that the generated models refuse where the schema accepts
    it) raises `ResponseValidationError` when `strict`; otherwise a `ContractWarning` carrying the
    located errors is emitted and the best-effort value is returned (see `Response`): the answer is
    never lost to our own check. An integer-valued float (`7.0`) where the schema says `integer` is
    valid JSON Schema: it is typed as the int it is (`reply.body` keeps the `7.0` received)."""
    errors = validator.errors(value)
    if not errors:
        if cls is None:
            return value
        try:
            return _validate_typed(cls, value)
        except pydantic.ValidationError as exc:  # the schema and the models disagree: report like the schema
            errors = [
                PayloadError(call.model, validator.schema_file, json_path(_value_path(value, e["loc"])), e["type"],
                             None, e["input"], e["msg"])
                for e in exc.errors()
            ]
    where = "response" if chunk is None else f"stream chunk {chunk}"
    failure = ResponseValidationError(errors, model=call.model, path=call.path, status=status, where=where)
    if strict:
        raise failure
    warned = call.redact.value(list(failure.errors))
    message = call.redact.text(f"{failure} (returned anyway: strict=False)")
    warning = ContractWarning(message, model=call.model, side="output", where=where, errors=warned)
    # Pointed at the caller's line, not at this module: 3.12+ skips every frame of the package.
    where_kwargs: dict[str, Any] = (
        {"skip_file_prefixes": (_PACKAGE_DIR,)} if sys.version_info >= (3, 12) else {"stacklevel": 4}
    )
    warnings.warn(warning, **where_kwargs)
    return _best_effort(call, cls, value)


def _validate_typed(cls: Any, value: Any) -> Any:
    """`cls` from `value`; where the strict `int` fields refuse an integer-valued float (valid JSON
    Schema `integer`), retried with those floats made ints, on a copy (`value` is never changed)."""
    validate = adapter(cls).validate_python
    for _ in range(8):  # each round fixes every such float pydantic reported; unions may hide more
        try:
            return validate(value)
        except pydantic.ValidationError as exc:
            fixed = _integral_floats(value, exc.errors())
            if fixed is None:
                raise
            value = fixed
    return validate(value)


def _value_path(value: Any, loc: tuple[Any, ...]) -> list[str | int]:
    """A pydantic error location as a path into `value`: the union and validator tags it inserts
    (`ChatCompletionsOutput`, `function-after[…]`) are not keys of the value and are dropped."""
    path: list[str | int] = []
    node = value
    for part in loc:
        if isinstance(node, Mapping) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        path.append(part)
    return path


def _integral_floats(value: Any, errors: list[Any]) -> Any:
    """A copy of `value` with the floats pydantic refused as ints (and that are whole) made ints;
    None when there is none."""
    copied: Any = None
    for error in errors:
        found = error.get("input")
        if error.get("type") not in ("int_type", "int_from_float") or type(found) is not float or not found.is_integer():
            continue
        if copied is None:
            copied = copy.deepcopy(value)
        path = _value_path(copied, error["loc"])
        if not path:
            continue
        parent = copied
        for part in path[:-1]:
            parent = parent[part]
        if type(parent[path[-1]]) is float and parent[path[-1]] == found:
            parent[path[-1]] = int(found)
        else:
            continue
    return None if copied is None or copied == value and _same_types(copied, value) else copied


def _same_types(a: Any, b: Any) -> bool:
    """Whether two equal JSON values also agree on int versus float everywhere."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


def _best_effort(call: Call, cls: Any, value: Any) -> Any:
    """What an answer that does not validate is returned as (strict=False): see `Response`."""
    if not isinstance(value, Mapping):
        return value
    target = cls if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel) else _lenient_class(call, value, cls)
    if target is None:
        return value
    try:
        built = target.model_construct(**{str(k): v for k, v in value.items()})
    except (TypeError, ValueError, AttributeError):  # a model that cannot even be built from it: keep the JSON
        return value
    for name, info in target.model_fields.items():  # typed as far as each top-level field parses
        key = info.alias or name
        if key in value:
            field_value: Any = {name: value[key]}
            for _ in range(8):  # integer-valued floats made ints, as in `_validate_typed`
                try:
                    target.__pydantic_validator__.validate_assignment(built, name, field_value[name])
                    break
                except pydantic.ValidationError as exc:
                    field_value = _integral_floats(field_value, exc.errors())
                    if field_value is None:
                        break
                except (TypeError, ValueError):
                    break
    return built


@functools.cache
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """One TypeAdapter per generated type: building one costs far more than validating with it."""
    return pydantic.TypeAdapter(tp)


def _lenient_class(call: Call, value: Mapping[str, Any], cls: Any = None) -> type[pydantic.BaseModel] | None:
    """The class an unvalidated answer most looks like (None: keep it as JSON): among the model
    classes of `cls` (an alias of a union of variants), the one sharing most keys with the answer."""
    if call.reading == "workers":
        return None
    candidates = _model_classes(cls)
    if not candidates:
        module = _module(call.model)
        names = ("ResponsesOutput", "ChatCompletionsOutput")
        candidates = [getattr(module, n) for n in names if hasattr(module, n)] if module is not None else []
    if not candidates:
        return None
    if value.get("object") == "response":  # the Responses format says so itself
        candidates = [c for c in candidates if c.__name__ == "ResponsesOutput"] or candidates
    return max(candidates, key=lambda c: len(value.keys() & {f.alias or n for n, f in c.model_fields.items()}))


def _model_classes(tp: Any, depth: int = 0) -> list[type[pydantic.BaseModel]]:
    """The pydantic classes a generated type stands for: itself, or the members of its union."""
    if depth > 8 or tp is None:
        return []
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return [tp]
    inner = getattr(tp, "__value__", None)  # a type alias
    if inner is not None:
        return _model_classes(inner, depth + 1)
    return [c for arg in typing.get_args(tp) for c in _model_classes(arg, depth + 1)]


# --- retries ------------------------------------------------------------------------------------


@dataclass
class Retrying:
    """Retry bookkeeping for one call: at most `max_retries` retries and `max_wait` seconds of
    waiting in all. Waits are deterministic (no jitter): `Retry-After` when the server gives one,
    else 0.5 s doubling to 8 s. A wait that would overrun the budget is not taken: the error is
    raised at once, since waiting only to fail is worse."""

    max_retries: int
    max_wait: float
    redact: Redactor = field(default_factory=Redactor)
    attempts: int = 0
    waits: list[float] = field(default_factory=list)

    def next_wait(self, error: APIError, retryable: bool) -> float | None:
        if not retryable or len(self.waits) >= self.max_retries:
            return None
        wait = error.retry_after if isinstance(error, APIStatusError) else None
        if wait is None:
            wait = min(FIRST_BACKOFF * 2 ** len(self.waits), MAX_BACKOFF)
        if sum(self.waits) + wait > self.max_wait:
            return None
        self.waits.append(wait)
        reason = error.status or type(error).__name__
        logger.debug("POST %s attempt %d failed (%s); retrying in %.2f s", error.path, self.attempts, reason, wait)
        return wait

    def stamp(self, error: APIError) -> APIError:
        """`error`, ready to raise: the tries it took, and the token scrubbed from every text in it.
        Every error the clients raise passes here: it is the redaction point for exceptions."""
        error.attempts, error.waits = self.attempts, tuple(self.waits)
        return self.redact.error(error)


# --- streams ------------------------------------------------------------------------------------


class EventReader:
    """Reads one stream's server-sent events: a typed chunk per `data:`, `[DONE]` ends it.

    Chat Completions chunks are validated against the chunk schema derived from the model's output
    schema and typed as the generated `ChatCompletionsChunk`; Workers AI frames against the frame
    schema derived from it (`cfai.stream.frame_schema`) and typed as `WorkersAIChunk`. A frame that
    breaks its schema warns (`ContractWarning`) or, strict, raises. Responses events have no
    published schema: they are passed on as dicts, and the stream ends with `response.completed`.
    The events of a call sent unvalidated are passed on as dicts.
    """

    def __init__(self, call: Call, status: int, bindings: Bindings, *, strict: bool) -> None:
        self.call, self.status, self.strict = call, status, strict
        self.chunks: list[dict[str, Any]] = []
        self.done = False
        reading = call.reading or ("responses" if call.output_variant == "ResponsesOutput" else "openai")
        self.reading: Reading = reading
        self._chunk_type = bindings.chunk(call.model, reading) if reading in ("openai", "workers") else None

    def feed(self, data: str) -> Any:
        """The item for one event's data, or `None` for nothing to yield (keep-alive, the end)."""
        if self.done or not data.strip():
            return None
        if data.strip() == "[DONE]":
            self.done = True
            return None
        try:
            chunk = loads(data)
        except NotJSON:
            chunk = None
        if not isinstance(chunk, dict):
            raise self.fail(ResponseDecodeError, f"event {len(self.chunks)} is not a JSON object: {excerpt(data, 80, redact=self.call.redact.text)!r}")
        if "error" in chunk and "choices" not in chunk:
            reason = "; ".join(map(str, cloudflare_errors(chunk))) or "error event"
            raise self.fail(StreamIncomplete, f"the server ended the stream with an error: {reason}")
        self.chunks.append(chunk)
        if self.reading == "raw":
            return chunk
        if self._chunk_type is None:
            kind = chunk.get("type")
            if kind in ("response.completed", "response.incomplete"):
                self.done = True
            elif kind in ("response.failed", "error"):
                raise self.fail(StreamIncomplete, f"the server ended the stream with {kind}")
            return chunk
        validator, cls = self._chunk_type
        return typed(self.call, validator, cls, chunk, self.status, strict=self.strict, chunk=len(self.chunks) - 1)

    def finish(self) -> None:
        """At the end of the byte stream: raise unless it ended as promised."""
        if not self.done:
            end = "response.completed" if self.reading == "responses" else "[DONE]"
            raise self.fail(StreamIncomplete, f"the stream ended after {len(self.chunks)} event(s) without {end}")
        if self.call.include_usage and self.reading == "openai" and self.reassembled().usage is None:
            raise self.fail(StreamIncomplete, "the stream ended without the usage chunk that include_usage asked for")

    def broken(self, exc: httpx.TransportError, timed_out: str | None = None) -> APIError:
        """The error for a connection that failed mid-stream; `timed_out` says which bound ran out."""
        if timed_out is not None:
            return self.fail(StreamTimeout, timed_out)
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError("timed out mid-stream", model=self.call.model, path=self.call.path, status=self.status)
        return self.fail(StreamIncomplete, f"the connection closed mid-stream: {exc or type(exc).__name__}")

    def fail(self, cls: type[APIError], message: str) -> APIError:
        kwargs: dict[str, Any] = {"model": self.call.model, "path": self.call.path, "status": self.status}
        if issubclass(cls, StreamIncomplete):
            kwargs["partial"] = self.reassembled()
        return cls(message, **kwargs)

    def reassembled(self) -> Reassembled:
        if self.reading != "responses":
            return reassemble(self.chunks)
        out = Reassembled(chunks=len(self.chunks))
        for event in self.chunks:
            if event.get("type") == "response.output_text.delta" and isinstance(event.get("delta"), str):
                out.text += event["delta"]
            elif event.get("type") in ("response.completed", "response.incomplete"):
                final = event.get("response") or {}
                out.usage, out.usage_last = final.get("usage"), True
                out.finish_reason = final.get("status")
        return out


# --- the loose path: schemas fetched from the account's API --------------------------------------


class FetchedRegistry(Registry):
    """The schemas of one model the bindings do not ship, as the account's API gave them (checked
    and repaired): a registry of that model alone, held in memory."""

    def __init__(self, model: str, schemas: Mapping[str, Any], source: str) -> None:
        super().__init__(Path(os.devnull))  # no root: nothing is ever read from disk
        self._model, self._schemas, self._source = model, dict(schemas), source

    def models(self) -> list[str]:
        return [self._model]

    def schema(self, model: str, side: str = "input") -> Any:
        if model != self._model:
            raise UnknownModel(model, [self._model])
        return self._schemas[side]

    def validator(self, model: str, side: str = "input") -> ModelValidator:
        key = (model, side)
        with self._lock:
            if key not in self._validators:
                file = f"{model}/{FILES[side]} (fetched from {self._source})"
                self._validators[key] = ModelValidator(model, side, self.schema(model, side), schema_file=file)
            return self._validators[key]


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Why a model's schemas could not be had; `lasting`: the API's own answer (cached), not a
    failure that a later call may not meet (a timeout, a 5xx: not cached)."""

    reason: str
    lasting: bool


# (base URL, account, model) → the bindings of its fetched schemas, or why there are none. For the
# process: a model's schemas are fetched once, by whichever client asks first.
_fetched: dict[tuple[str, str, str], Bindings | Unavailable] = {}
_fetched_lock = threading.Lock()


def fetched(base_url: str, account_id: str, model: str) -> Bindings | Unavailable | None:
    """What an earlier fetch of `model`'s schemas found; None: not fetched yet."""
    with _fetched_lock:
        return _fetched.get((base_url.rstrip("/"), account_id, model))


def remember(base_url: str, account_id: str, model: str, found: Bindings | Unavailable) -> Bindings | Unavailable:
    if isinstance(found, Bindings) or found.lasting:
        with _fetched_lock:
            _fetched[(base_url.rstrip("/"), account_id, model)] = found
    return found


def forget_fetched() -> None:
    """Drop every fetched schema (the next loose call of each model fetches again)."""
    with _fetched_lock:
        _fetched.clear()


def schema_call(
    *, base_url: str, account_id: str, token: str, redact: Redactor, options: Options, model: str
) -> Call:
    """`GET {base}/accounts/{account}/ai/models/schema?model=<name>`, with the client's token, timeout
    and extra headers (a proxy that needs a header needs it here too; the extra query and body are the
    call's, not the fetch's)."""
    tail = f"/accounts/{quote(account_id, safe='')}/ai/models/schema"
    url = f"{base_url.rstrip('/')}{tail}?{urlencode({'model': model})}"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    request = httpx.Request(
        "GET", url, headers=_with_extra(headers, options), extensions={"timeout": options.timeout.as_dict()}
    )
    return Call(
        model, "run", urlsplit(url).path, request, None, False, host_of(url), redact,
        attempt_timeout=options.attempt_timeout,
    )


def schemas_from(call: Call, content: bytes) -> Bindings | Unavailable:
    """The bindings of the schemas in a 2xx answer of the schema endpoint, or why it is not usable:
    `{"result": {"input": …, "output": …}, "success": true, …}`, each side checked like a vendored
    file (`cfai.schemas.check_schema`), repaired (`cfai.repair`) and compiled."""
    model, source = call.model, "the API"
    try:
        body = loads(content)
    except NotJSON as exc:
        return Unavailable(f"the schema endpoint answered {excerpt(str(exc), 80, redact=call.redact.text)!r}, not JSON", lasting=True)
    if isinstance(body, Mapping) and body.get("success") is False:
        reason = "; ".join(map(str, cloudflare_errors(body))) or "success: false"
        return Unavailable(f"the schema endpoint answered {reason}", lasting=True)
    result = unwrap(body)
    if not isinstance(result, Mapping) or not isinstance(result.get("input"), Mapping):
        return Unavailable("the schema endpoint's answer holds no `result.input` schema", lasting=True)
    output = result.get("output")
    schemas = {"input": result["input"], "output": {} if output is None else output}
    problems: list[SchemaProblem] = []
    for side in ("input", "output"):
        file = f"{model}/{FILES[side]} (fetched from {source})"
        try:
            found = check_schema(model, file, schemas[side], side=side)
        except (RecursionError, ValueError) as exc:
            found = [SchemaProblem(model, file, "$", f"not a usable schema: {exc}")]
        problems += found
        if not found and schemas[side] != {}:
            schemas[side] = repair(model, file, schemas[side])[0]
    if problems:
        return Unavailable("; ".join(map(str, problems)), lasting=True)
    registry = FetchedRegistry(model, schemas, source)
    try:
        registry.validator(model, "input"), registry.validator(model, "output")
    except SchemaLoadError as exc:
        return Unavailable("; ".join(map(str, exc.problems)), lasting=True)
    return Bindings(registry)


def unavailable(call: Call, exc: Exception) -> Unavailable:
    """Why a fetch of the schemas failed, from the error it raised."""
    lasting = isinstance(exc, APIStatusError) and exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
    return Unavailable(f"{type(exc).__name__}: {exc}", lasting=lasting)


def warn_unavailable(call: Call, found: Unavailable) -> None:
    message = (
        f"{call.model}: no schema to validate against ({found.reason}); "
        "the payload is sent unvalidated and the answer returned as plain JSON"
    )
    where: dict[str, Any] = {"skip_file_prefixes": (_PACKAGE_DIR,)} if sys.version_info >= (3, 12) else {"stacklevel": 4}
    warnings.warn(call.redact.text(message), SchemaUnavailableWarning, **where)
