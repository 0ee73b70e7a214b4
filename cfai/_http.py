"""The client's core that is the same for sync and async: no I/O happens here.

Building and validating a request, turning an answer (status, headers, bytes) into a typed result or a
typed error, deciding whether and how long to wait before a retry, and reading a stream's events one
at a time. `client.py` only moves bytes and sleeps; so both clients behave identically by construction.
"""

from __future__ import annotations

import functools
import json
import logging
import warnings
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote, urlsplit

import cfai_models
import httpx
import pydantic

from .baseurl import host_of
from .body import ACCEPT_ENCODING
from .envelope import unwrap
from .errors import InvalidPayload, PayloadError, UnknownModel, json_path
from .faults import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseDecodeError,
    ResponseSchemaWarning,
    ResponseValidationError,
    StreamIncomplete,
    StreamTimeout,
    cloudflare_errors,
    excerpt,
    status_error,
)
from .jsonvalue import NotJSON, loads
from .naming import variant_keyword
from .redact import Redactor
from .stream import Reassembled, chunk_schema, reassemble
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


@dataclass(frozen=True, slots=True)
class Response(Generic[T]):
    """A typed result plus everything the typed model drops.

    `data` is the generated pydantic model of the answer (e.g. `ChatCompletionsOutput`); with
    `strict=False` and an answer that breaks the schema it is built with `model_construct` (no
    validation). `body` is the JSON exactly as received (the `/ai/run` envelope included), `output` the
    part `data` was parsed from; keys the models ignore, such as `gatewayMetadata`, live there.
    """

    data: T
    body: Any
    output: Any
    status_code: int
    headers: httpx.Headers
    path: str
    attempts: int = 1
    waits: tuple[float, ...] = ()


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


class Bindings:
    """Validators and generated classes of one registry, compiled on first use and kept."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._outputs: dict[tuple[str, str | None], tuple[ModelValidator, type[pydantic.BaseModel] | None]] = {}
        self._chunks: dict[str, tuple[ModelValidator, type[pydantic.BaseModel]]] = {}

    def check_input(self, model: str, body: Any) -> None:
        validator = self.registry.validator(model, "input")
        # What cannot be sent as JSON is refused before the validator sees it (see cfai.jsonvalue).
        errors = validator.not_json(body) or validator.errors(body)
        if errors:
            raise InvalidPayload(errors)
        try:
            cfai_models.load(model)
        except LookupError:  # validated, but no typed models to return: refuse before sending
            raise UnknownModel(model, sorted(cfai_models.MODELS)) from None

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
            module = cfai_models.load(model)
            validator, cls = whole, module.Output
            if variant in whole.variants:
                cls = getattr(module, variant, module.Output)
                keyword = variant_keyword(whole.schema)
                if keyword:
                    branch = whole.schema[keyword][whole.variants.index(variant)]
                    validator = ModelValidator(model, "output", {**whole.schema, keyword: [branch]})
            self._outputs[key] = (validator, cls)
        return self._outputs[key]

    def chunk(self, model: str) -> tuple[ModelValidator, type[pydantic.BaseModel]]:
        if model not in self._chunks:
            schema = chunk_schema(self.registry.schema(model, "output"))
            cls = getattr(cfai_models.load(model), "ChatCompletionsChunk", None)
            if schema is None or cls is None:
                raise UnknownModel(f"{model} (streamed Chat Completions)", sorted(cfai_models.MODELS))
            file = f"{model}/schema-output.json (as a stream chunk)"
            self._chunks[model] = (ModelValidator(model, "output", schema, schema_file=file), cls)
        return self._chunks[model]


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
    timeout: httpx.Timeout,
    kind: Kind,
    model: str,
    body: Mapping[str, Any],
    stream: bool,
) -> Call:
    """Validate `body` (raising `InvalidPayload` with every error, before anything is sent) and build
    the request. The model's slashes stay slashes (`/ai/run/openai/gpt-5.5`), unlike the official
    SDK's `%2F`; only characters that would break the URL are escaped."""
    bindings.check_input(model, body)
    if stream and kind != "responses":
        bindings.chunk(model)  # a model that cannot stream Chat Completions fails here, not mid-call
    if kind == "run":
        tail, variant = f"/ai/run/{quote(model, safe='/@:')}", bindings.output_variant(model, body)
    else:
        tail, variant = _OPENAI_ENDPOINTS[kind]
    url = f"{base_url.rstrip('/')}/accounts/{quote(account_id, safe='')}{tail}"
    try:
        content = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        file = bindings.registry.validator(model, "input").schema_file
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
        headers["Cache-Control"] = "no-store"  # as httpx-sse's connect_sse
    # The timeout travels with the request, so it holds with an injected http_client too.
    request = httpx.Request("POST", url, content=content, headers=headers, extensions={"timeout": timeout.as_dict()})
    options = body.get("stream_options") if isinstance(body, Mapping) else None
    include_usage = isinstance(options, Mapping) and options.get("include_usage") is True
    return Call(model, kind, urlsplit(url).path, request, variant, include_usage, host_of(url), redact)


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit to print: the token replaced by `***`."""
    return {k: ("Bearer ***" if k.lower() == "authorization" else v) for k, v in headers.items()}


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
    error = status_error(response.status_code, response.headers, content, model=call.model, path=call.path)
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
    message = f"expected text/event-stream, got {kind}: {excerpt(text, 80)!r}"
    return ResponseDecodeError(message, model=call.model, path=call.path, status=response.status_code, excerpt=excerpt(text))


def parse(
    call: Call, response: httpx.Response, content: bytes, bindings: Bindings, *, strict: bool
) -> Response[pydantic.BaseModel]:
    """A successful answer (its body `content`, already read) as a typed `Response`, or the typed error."""
    status, model, path = response.status_code, call.model, call.path
    try:
        body = loads(content)
    except NotJSON as exc:  # not UTF-8, NaN, nested too deep included
        text = content.decode("utf-8", errors="replace")
        # (_unclosed walks the text in Python: only worth it, and cheap, on an answer of ordinary size)
        cut = len(content) <= 1 << 20 and _unclosed(text)
        what = f"JSON cut short after {len(content)} bytes" if cut else f"not JSON ({exc})"
        message = f"body is {what}: {excerpt(text, 80)!r}"
        raise ResponseDecodeError(message, model=model, path=path, status=status, excerpt=excerpt(text)) from None
    if isinstance(body, Mapping) and body.get("success") is False:  # an envelope that failed with a 2xx
        errors = cloudflare_errors(body)
        message = "; ".join(map(str, errors)) or "success: false"
        raise APIStatusError(message, model=model, path=path, status=status, errors=errors)
    output = unwrap(body)
    validator, cls = bindings.output(call.model, call.output_variant)
    data = typed(call, validator, cls, output, status, strict=strict)
    return Response(data, body, output, status, response.headers, call.path)


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
    variants); a schema mismatch raises (strict) or warns and is built unvalidated. Only a value
    that is not even a JSON object raises in both modes."""
    errors = validator.errors(value)
    if not errors:
        try:
            return adapter(cls).validate_python(value)
        except pydantic.ValidationError as exc:  # the schema and the models disagree: report like the schema
            errors = [
                PayloadError(call.model, validator.schema_file, json_path(e["loc"]), e["type"], None, e["input"], e["msg"])
                for e in exc.errors()
            ]
    where = "response" if chunk is None else f"stream chunk {chunk}"
    failure = ResponseValidationError(errors, model=call.model, path=call.path, status=status, where=where)
    if strict or not isinstance(value, Mapping):
        raise failure
    message = call.redact.text(f"{failure} (returned unvalidated: strict=False)")
    warnings.warn(message, ResponseSchemaWarning, stacklevel=2)
    target = cls if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel) else _lenient_class(call, value)
    return value if target is None else target.model_construct(**{str(k): v for k, v in value.items()})


@functools.cache
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """One TypeAdapter per generated type: building one costs far more than validating with it."""
    return pydantic.TypeAdapter(tp)


def _lenient_class(call: Call, value: Mapping[str, Any]) -> type[pydantic.BaseModel] | None:
    """The variant an unvalidated answer most looks like, for `strict=False` (None: keep it as JSON)."""
    module = cfai_models.load(call.model)
    names = [n for n in ("ResponsesOutput", "ChatCompletionsOutput") if hasattr(module, n)]
    if not names:
        return None
    wanted = "ResponsesOutput" if value.get("object") == "response" else "ChatCompletionsOutput"
    cls: type[pydantic.BaseModel] = getattr(module, wanted if wanted in names else names[0])
    return cls


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
    schema and typed as the generated `ChatCompletionsChunk`. Responses events have no published
    schema: they are passed on as dicts, and the stream ends with `response.completed`.
    """

    def __init__(self, call: Call, status: int, bindings: Bindings, *, strict: bool) -> None:
        self.call, self.status, self.strict = call, status, strict
        self.chunks: list[dict[str, Any]] = []
        self.done = False
        self._chunk_type = None if call.output_variant == "ResponsesOutput" else bindings.chunk(call.model)

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
            raise self.fail(ResponseDecodeError, f"event {len(self.chunks)} is not a JSON object: {excerpt(data, 80)!r}")
        if "error" in chunk and "choices" not in chunk:
            reason = "; ".join(map(str, cloudflare_errors(chunk))) or "error event"
            raise self.fail(StreamIncomplete, f"the server ended the stream with an error: {reason}")
        self.chunks.append(chunk)
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
            end = "response.completed" if self._chunk_type is None else "[DONE]"
            raise self.fail(StreamIncomplete, f"the stream ended after {len(self.chunks)} event(s) without {end}")
        if self.call.include_usage and self._chunk_type is not None and self.reassembled().usage is None:
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
        if self._chunk_type is not None:
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
