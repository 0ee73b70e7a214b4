"""The client users hold: validated requests, typed answers, typed faults, bounded retries.

`ClientCore`/`AsyncClientCore` here do the work; `cfai.Client`/`cfai.AsyncClient` are them with the
model references of every shipped model (`cfai.typed`, `cfai_models.<model>`): `run`,
`chat_completions` and `responses` typed by the model's name, and `run_untyped`, the loose path for
a model the bindings do not know.

    from cfai import Client

    with Client() as client:  # CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN[, CLOUDFLARE_BASE_URL]
        answer = client.chat_completions(model="openai/gpt-5.5", messages=[{"role": "user", "content": "hi"}])
        answer.data                          # ChatCompletionsOutput (the generated pydantic model)
        answer.body["gatewayMetadata"]       # what the model ignores stays in the JSON

        with client.chat_completions(model="openai/gpt-5.5", messages=[...], stream=True) as stream:
            for chunk in stream:             # ChatCompletionsChunk, each checked against the chunk schema
                ...
            stream.final().usage             # or stream.text()

What a call does, in order: validate the payload against the model's input schema (`InvalidPayload`,
with every located error, and nothing is sent); POST it; retry 429/502/503/504 and connection failures
(`max_retries` retries, at most `max_retry_wait` seconds of waiting, `Retry-After` honoured, no jitter
so that waits are predictable); check the answer against the output schema; return it typed. An
answer that breaks the output schema is returned anyway with a `cfai.ContractWarning` (the located
errors; `-W error::cfai.ContractWarning` makes it a failure), or raises `ResponseValidationError` with
`strict=True` (client option; per call for `run_untyped`). Errors are in `cfai.faults`.

The token is kept in a `_Secret` (its repr is `***`), never logged, and never put in an error: errors
carry the URL path only, and are raised without their httpx cause (which holds the request headers).
Whatever the server sends back is scrubbed of the token before it lands in an error or a warning
(`cfai.redact`, applied in `Retrying.stamp`), and the token goes over plain http only to loopback
unless `allow_insecure_http=True` (`cfai.baseurl`).
Logs go to `logging.getLogger("cfai")` at DEBUG: method, path, status, attempt, wait.

Bounds (defaults in brackets): `timeout` [60 s] bounds each attempt whole (connect, send, status,
headers and body; enforced at the socket by `cfai.deadline`, since httpx's own timeouts are per
read); an answer is read up to `max_response_bytes` [16 MiB] after decompression (`cfai.body`); a
stream ends in `StreamTimeout` when no event arrives for `stream_idle_timeout` [60 s] or it runs past
`stream_timeout` [600 s]; retries as above. With an injected `transport`/`http_client` the deadline
is checked between reads only (the socket-level bound needs the client's own transport).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import os
import ssl
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, overload

import httpx
import pydantic

from ._http import (
    DEFAULT_BASE_URL,
    Bindings,
    Call,
    EventReader,
    Kind,
    Response,
    Retrying,
    Unavailable,
    bindings_for,
    body_error,
    connection_error,
    fetched,
    forget_fetched,
    http_error,
    logger,
    not_a_stream,
    parse,
    prepare,
    redacted,
    remember,
    schema_call,
    schemas_from,
    unavailable,
    warn_unavailable,
)
from .baseurl import check_base_url
from .body import BodyTooLarge, Decoder, UnsupportedEncoding
from .deadline import async_transport, bounded, sync_transport
from .errors import CfaiError, ContractWarning, InvalidPayload, SchemaUnavailableWarning, UnknownModel
from .faults import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CloudflareError,
    MissingCredentials,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ResponseSchemaWarning,
    ResponseTooLarge,
    ResponseValidationError,
    ServerError,
    StreamIncomplete,
    StreamTimeout,
    UsageError,
)
from .options import (
    NOT_GIVEN,
    NotGiven,
    Options,
    check_count,
    check_flag,
    check_seconds,
    check_timeout,
)
from .redact import Redactor, guard_logs, token_problem
from .sse import EventParser
from .stream import Reassembled
from .validate import Registry, default_registry

if TYPE_CHECKING:
    from .frames import WorkersAIChunk
    from .typed import AsyncClient, Client

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncClientCore",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "CfaiError",
    "Client",
    "ClientCore",
    "CloudflareError",
    "ContractWarning",
    "InvalidPayload",
    "MissingCredentials",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Response",
    "ResponseDecodeError",
    "ResponseSchemaWarning",
    "ResponseTooLarge",
    "ResponseValidationError",
    "SchemaUnavailableWarning",
    "ServerError",
    "Stream",
    "StreamIncomplete",
    "StreamTimeout",
    "UsageError",
    "WorkersAIChunk",
    "forget_fetched",
    "redacted",
]

# Where `run_untyped` sends a payload: /ai/run/{model}, or an OpenAI-compatible endpoint.
Endpoint = Literal["run", "chat_completions", "responses"]


def __getattr__(name: str) -> Any:
    # `Client`/`AsyncClient` are the cores below typed by model references (`cfai.typed`, which
    # subclasses them): imported on use.
    if name in ("Client", "AsyncClient"):
        from . import typed

        return getattr(typed, name)
    if name == "WorkersAIChunk":  # a pydantic model: defined on first use (`cfai.frames`)
        from .frames import WorkersAIChunk

        return WorkersAIChunk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DEFAULT_STREAM_IDLE_TIMEOUT = 60.0
DEFAULT_STREAM_TIMEOUT = 600.0
_ERROR_BODY_BYTES = 64 * 1024  # of an error answer, enough for any message; the rest is not read

T = TypeVar("T")
Model = pydantic.BaseModel


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client this process makes: loading the CA bundle costs 30-100 ms
    per client, and a context is safe to share."""
    return httpx.create_ssl_context()


class _Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"


class _BaseClient:
    """Configuration and request building shared by `Client` and `AsyncClient`."""

    _owns_http: bool
    # set (checked) by `_configure`
    max_retries: int
    max_retry_wait: float
    strict: bool
    max_response_bytes: int
    stream_idle_timeout: float | None
    stream_timeout: float | None

    def __init__(
        self,
        account_id: str | None,
        api_token: str | None,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        max_retry_wait: float,
        strict: bool,
        registry: Registry | None,
        allow_insecure_http: bool | None,
        max_response_bytes: int,
        stream_idle_timeout: float | None,
        stream_timeout: float | None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        account_id = account_id or os.environ.get("CLOUDFLARE_ACCOUNT_ID")
        api_token = api_token or os.environ.get("CLOUDFLARE_API_TOKEN")
        if not account_id or not api_token:
            missing = " and ".join(n for n, v in (("an account id", account_id), ("an API token", api_token)) if not v)
            raise MissingCredentials(
                f"{missing} needed: pass account_id=/api_token= or set CLOUDFLARE_ACCOUNT_ID/CLOUDFLARE_API_TOKEN"
            )
        if problem := token_problem(api_token):
            raise MissingCredentials(problem)
        self.account_id = account_id
        self._token = _Secret(api_token)
        # One redactor per client: the clients' errors and warnings (`Retrying.stamp`) and the
        # loggers of httpx/httpcore, which log response headers at DEBUG, go through it.
        self._redact = guard_logs(Redactor([api_token]))
        base_url = base_url or os.environ.get("CLOUDFLARE_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._options = Options(*check_timeout(timeout))
        self._configure(
            max_retries=max_retries, max_retry_wait=max_retry_wait, strict=strict,
            max_response_bytes=max_response_bytes, stream_idle_timeout=stream_idle_timeout,
            stream_timeout=stream_timeout, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body,
        )
        self._bindings: Bindings = bindings_for(registry or default_registry())

    def _configure(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_retry_wait: float | NotGiven = NOT_GIVEN,
        strict: bool | NotGiven = NOT_GIVEN,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
        stream_idle_timeout: float | None | NotGiven = NOT_GIVEN,
        stream_timeout: float | None | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Check each option given (`UsageError` naming it) and set it; every option is checked
        before any is set, so a refused `with_options` leaves nothing half-changed."""
        options = self._options.merged(
            timeout=timeout, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body
        )
        given: dict[str, Any] = {}
        if not isinstance(max_retries, NotGiven):
            given["max_retries"] = check_count("max_retries", max_retries, least=0)
        if not isinstance(max_retry_wait, NotGiven):
            given["max_retry_wait"] = check_seconds("max_retry_wait", max_retry_wait, zero=True)
        if not isinstance(strict, NotGiven):
            given["strict"] = check_flag("strict", strict)
        if not isinstance(max_response_bytes, NotGiven):
            given["max_response_bytes"] = check_count("max_response_bytes", max_response_bytes, least=1)
        if not isinstance(stream_idle_timeout, NotGiven):
            given["stream_idle_timeout"] = check_seconds("stream_idle_timeout", stream_idle_timeout, optional=True)
        if not isinstance(stream_timeout, NotGiven):
            given["stream_timeout"] = check_seconds("stream_timeout", stream_timeout, optional=True)
        self._options = options
        for name, value in given.items():
            setattr(self, name, value)

    @property
    def timeout(self) -> httpx.Timeout:
        return self._options.timeout

    @property
    def request_timeout(self) -> float | None:
        """The bound on a whole attempt: the float given, or the largest of an httpx.Timeout's parts."""
        return self._options.attempt_timeout

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_retry_wait: float | NotGiven = NOT_GIVEN,
        strict: bool | NotGiven = NOT_GIVEN,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
        stream_idle_timeout: float | None | NotGiven = NOT_GIVEN,
        stream_timeout: float | None | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Self:
        """A copy of this client with the options given changed; this one is left as it is.

        The copy shares this client's connection pool, token, registry and compiled validators (as
        the openai SDK's `with_options`), so it is cheap enough to make per call: this is the per-call
        form of the typed methods, `cf.with_options(timeout=5).run(ref, payload)` (their keywords are
        the payload's, see `cfai.options`). `extra_headers`, `extra_query` and `extra_body` are laid
        over this client's own. Closing the copy does not close the shared pool; closing the client
        that opened it does. Bad values raise `UsageError`."""
        new = copy.copy(self)
        new._owns_http = False
        new._configure(
            timeout=timeout, max_retries=max_retries, max_retry_wait=max_retry_wait, strict=strict,
            max_response_bytes=max_response_bytes, stream_idle_timeout=stream_idle_timeout,
            stream_timeout=stream_timeout, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body,
        )
        return new

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r}, base_url={self.base_url!r}, strict={self.strict})"

    def build_run_request(self, model: str, payload: Mapping[str, Any], *, stream: bool = False) -> httpx.Request:
        """The request `run()` would send, validated (raises `InvalidPayload`) but not sent.
        Print it with `redacted(request.headers)`: it carries the token."""
        return self._prepare_run(model, payload, stream).request

    def _prepare(
        self,
        kind: Kind,
        model: str,
        body: Mapping[str, Any],
        stream: bool,
        *,
        strict: bool | None = None,
        bindings: Bindings | None = None,
        validate: bool = True,
        options: Options | None = None,
    ) -> Call:
        return prepare(
            bindings or self._bindings,
            base_url=self.base_url,
            account_id=self.account_id,
            token=self._token.reveal(),
            redact=self._redact,
            options=options or self._options,
            kind=kind,
            model=model,
            body=body,
            stream=stream,
            strict=self.strict if strict is None else strict,
            validate=validate,
        )

    def _route(
        self, kind: Kind, model: str, payload: Mapping[str, Any], stream: bool, route: _Route | None
    ) -> Call:
        """The call for `payload`: `/ai/run` (`kind` "run") or an OpenAI-compatible endpoint."""
        r = route or _Route()
        if kind == "run":
            return self._prepare_run(
                model, payload, stream, strict=r.strict, bindings=r.bindings, validate=r.validate, options=r.options
            )
        body = self._openai_body(model, stream, payload)
        return self._prepare(
            kind, model, body, stream, strict=r.strict, bindings=r.bindings, validate=r.validate, options=r.options
        )

    def _known(self, model: str) -> bool:
        """Whether this client's registry holds `model`'s schemas (a broken one raises)."""
        try:
            self._bindings.registry.validator(model, "input")
        except UnknownModel:
            return False
        return True

    def _schema_call(self, model: str, options: Options | None = None) -> Call:
        return schema_call(
            base_url=self.base_url, account_id=self.account_id, token=self._token.reveal(),
            redact=self._redact, options=options or self._options, model=model,
        )

    def _loose(self, model: str, found: Bindings | Unavailable, strict: bool | None, options: Options) -> _Route:
        if isinstance(found, Unavailable):
            warn_unavailable(self._schema_call(model, options), found)
            return _Route(strict=strict, validate=False, options=options)
        return _Route(strict=strict, bindings=found, options=options)

    def _call_options(
        self,
        timeout: float | httpx.Timeout | NotGiven,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, str | int | float] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Options:
        """`run_untyped`'s own options laid over the client's (checked: `UsageError`)."""
        return self._options.merged(
            timeout=timeout, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body
        )

    def _prepare_run(
        self,
        model: str,
        payload: Mapping[str, Any],
        stream: bool,
        *,
        strict: bool | None = None,
        bindings: Bindings | None = None,
        validate: bool = True,
        options: Options | None = None,
    ) -> Call:
        body = payload
        if isinstance(payload, Mapping):
            if payload.get("stream") is True and not stream:
                raise UsageError("the payload asks for a stream: call run(..., stream=True)")
            if stream:
                body = {**payload, "stream": True}
        return self._prepare(
            "run", model, body, stream, strict=strict, bindings=bindings, validate=validate, options=options
        )

    def _openai_body(self, model: str, stream: bool, params: Mapping[str, Any]) -> dict[str, Any]:
        body = {"model": model, **params}
        if stream:
            body["stream"] = True
        return body

    def _deadline(self, call: Call) -> float | None:
        return None if call.attempt_timeout is None else time.monotonic() + call.attempt_timeout

    def _limits(self) -> _Limits:
        return _Limits(self.max_response_bytes, self.stream_idle_timeout, self.stream_timeout)


@dataclass(frozen=True, slots=True)
class _Route:
    """How a loose call is checked: against which schemas (None: the client's registry), whether at
    all, and how strictly (None: the client's `strict`)."""

    strict: bool | None = None
    bindings: Bindings | None = None
    validate: bool = True
    options: Options | None = None  # run_untyped's own (None: the client's)


_UNTYPED_DOC = """The loose path, for a model the bindings do not type (a newer model, a pulled schema).

        A model whose schemas the client's registry holds is validated against them like every call.
        Any other model's schemas are fetched once from the account's API (`GET
        {base}/accounts/{account}/ai/models/schema?model=…`, with this client's token, retries and
        bounds), checked, repaired and kept for the process: the payload is validated against them
        (`InvalidPayload`, nothing sent) and so is the answer. When they cannot be had (a 404, an
        error, an answer that is not a schema) a `SchemaUnavailableWarning` says why and the payload
        is sent unvalidated; `validate=False` skips all of it (nothing fetched or checked). The
        answer is typed loosely (`Response[Any]`: the generated model when the bindings ship one,
        else the JSON). `strict`: this call's answer raises on a schema mismatch (True) or warns
        (False); None, the client's setting. `endpoint`: `run` (`/ai/run/{model}`), or the
        OpenAI-compatible `chat_completions` / `responses` (the payload is the body, without `model`).
        `timeout`, `extra_headers`, `extra_query`, `extra_body`: this call's own, laid over the
        client's (see `with_options` and `cfai.options`; `extra_body` is merged after validation and
        is not validated; `Authorization` cannot be set).
        """

_ENDPOINT_KINDS: dict[str, Kind] = {"run": "run", "chat_completions": "chat", "responses": "responses"}


class ClientCore(_BaseClient):
    """A synchronous client. `transport` (an `httpx.BaseTransport`) or a whole `http_client` may be
    injected; a given `http_client` is not closed by `close()`: whoever opened it closes it. `sleep`
    is called with each retry wait (tests pass a recorder)."""

    def __init__(
        self,
        account_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_retry_wait: float = 30.0,
        strict: bool = False,
        allow_insecure_http: bool | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT,
        stream_timeout: float | None = DEFAULT_STREAM_TIMEOUT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        transport: httpx.BaseTransport | None = None,
        registry: Registry | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        super().__init__(
            account_id,
            api_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            strict=strict,
            registry=registry,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
            stream_idle_timeout=stream_idle_timeout,
            stream_timeout=stream_timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        if http_client is not None and transport is not None:
            raise UsageError("pass transport= or http_client=, not both")
        self._owns_http = http_client is None
        transport = transport or sync_transport(_ssl_context())
        self._http = http_client or httpx.Client(transport=transport, timeout=self.timeout)
        self._sleep = sleep

    def _run(
        self, model: str, payload: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | Stream[Any]:
        call = self._route("run", model, payload, stream, route)
        return self._stream(call) if stream else self._request(call)

    def _chat(
        self, model: str, params: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | Stream[Any]:
        call = self._route("chat", model, params, stream, route)
        return self._stream(call) if stream else self._request(call)

    def _responses(
        self, model: str, params: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | Stream[Any]:
        call = self._route("responses", model, params, stream, route)
        return self._stream(call) if stream else self._request(call)

    @overload
    def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: Literal[False] = False, endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> Response[Any]: ...
    @overload
    def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: Literal[True], endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> Stream[Any]: ...
    def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: bool = False, endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> Response[Any] | Stream[Any]:
        options = self._call_options(timeout, extra_headers, extra_query, extra_body)
        route = self._untyped_route(model, validate, strict, options)
        call = self._route(_ENDPOINT_KINDS[endpoint], model, payload, stream, route)
        return self._stream(call) if stream else self._request(call)

    run_untyped.__doc__ = _UNTYPED_DOC

    def _untyped_route(self, model: str, validate: bool, strict: bool | None, options: Options) -> _Route:
        if not validate:
            return _Route(strict=strict, validate=False, options=options)
        if self._known(model):
            return _Route(strict=strict, options=options)
        found = fetched(self.base_url, self.account_id, model)
        if found is None:
            found = remember(self.base_url, self.account_id, model, self._fetch_schemas(model, options))
        return self._loose(model, found, strict, options)

    def _fetch_schemas(self, model: str, options: Options) -> Bindings | Unavailable:
        call = self._schema_call(model, options)
        try:
            response, retrying, deadline = self._send(call)
            try:
                content = _read(response, self.max_response_bytes, deadline)
            except httpx.TransportError as exc:
                raise retrying.stamp(body_error(call, response.status_code, exc)) from None
            except (BodyTooLarge, UnsupportedEncoding) as exc:
                raise retrying.stamp(_body_refused(call, response, exc)) from None
            finally:
                response.close()
        except APIError as exc:
            return unavailable(call, exc)
        return schemas_from(call, content)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, call: Call) -> tuple[httpx.Response, Retrying, float | None]:
        """The first 2xx answer, its body not yet read, and the deadline of the attempt that got it;
        every other outcome raised as a typed error."""
        retrying = Retrying(self.max_retries, self.max_retry_wait, call.redact)
        while True:
            retrying.attempts += 1
            logger.debug("%s %s attempt %d", call.request.method, call.path, retrying.attempts)
            deadline = self._deadline(call)
            try:
                with bounded(deadline):
                    response = self._http.send(call.request, stream=True)
            except httpx.TransportError as exc:
                error, retryable = connection_error(call, exc)
            else:
                logger.debug("%s %s -> %d (attempt %d)", call.request.method, call.path, response.status_code, retrying.attempts)
                if response.is_success:
                    return response, retrying, deadline
                error, retryable = http_error(call, response, _read_quietly(response, deadline))
            wait = retrying.next_wait(error, retryable)
            if wait is None:
                raise retrying.stamp(error) from None  # the httpx cause holds the request headers
            self._sleep(wait)

    def _request(self, call: Call) -> Response[Model]:
        response, retrying, deadline = self._send(call)
        try:
            content = _read(response, self.max_response_bytes, deadline)
            result = parse(call, response, content, call.bindings or self._bindings, strict=call.strict)
        except httpx.TransportError as exc:
            raise retrying.stamp(body_error(call, response.status_code, exc)) from None
        except (BodyTooLarge, UnsupportedEncoding) as exc:
            raise retrying.stamp(_body_refused(call, response, exc)) from None
        except APIError as exc:
            raise retrying.stamp(exc) from None
        finally:
            response.close()
        return replace(result, attempts=retrying.attempts, waits=tuple(retrying.waits))

    def _stream(self, call: Call) -> Stream[Any]:
        response, retrying, deadline = self._send(call)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            content = _read_quietly(response, deadline)
            raise retrying.stamp(not_a_stream(call, response, content))
        reader = EventReader(call, response.status_code, call.bindings or self._bindings, strict=call.strict)
        return Stream(response, reader, retrying, self._limits())


def _read(response: httpx.Response, cap: int, deadline: float | None) -> bytes:
    """The decoded body, at most `cap` bytes (`BodyTooLarge` past it), by `deadline`."""
    decoder = _decoder(response, cap)
    body = bytearray()
    with bounded(deadline):
        for raw in _raw(response):
            body += b"".join(decoder.feed(raw))
            _check(deadline)
    return bytes(body)


def _read_quietly(response: httpx.Response, deadline: float | None) -> bytes:
    """The start of an answer we are about to fail on anyway: what arrived by the deadline, up to
    64 KiB decoded; or nothing."""
    body = bytearray()
    try:
        decoder = _decoder(response, _ERROR_BODY_BYTES)
        with bounded(deadline):
            for raw in _raw(response):
                body += b"".join(decoder.feed(raw))
                _check(deadline)
    except (httpx.HTTPError, BodyTooLarge, UnsupportedEncoding):
        pass
    finally:
        response.close()
    return bytes(body)


class Stream(Generic[T]):
    """The chunks of a streamed answer, in order, as they arrive. Iterate it, or call `text()` /
    `final()` to read the rest and reassemble it. Close it (or use `with`) if you stop early."""

    def __init__(self, response: httpx.Response, reader: EventReader, retrying: Retrying, limits: _Limits) -> None:
        self.response = response
        self.attempts, self.waits = retrying.attempts, tuple(retrying.waits)
        self._reader = reader
        self._retrying = retrying
        self._limits = limits
        self._items = self._iterate()

    @property
    def status_code(self) -> int:
        """The answer's HTTP status (the raw stream: `response`, its events' JSON: `chunks`)."""
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers (`cf-aig-*`, `cf-ray`, …)."""
        return self.response.headers

    @property
    def chunks(self) -> list[dict[str, Any]]:
        """The JSON of every chunk so far, unknown keys (`obfuscation`, …) included."""
        return self._reader.chunks

    def _iterate(self) -> Generator[T, None, None]:
        clock = _StreamClock(self._limits)
        try:
            decoder, raw = _decoder(self.response, self._limits.max_bytes), _raw(self.response)
            parser = EventParser(decoder.charge)  # each line and event counts against the cap too
            while not self._reader.done:
                deadline = clock.deadline()
                try:
                    with bounded(deadline):  # around the read only: never across a yield
                        piece = next(raw, None)
                    _check(deadline)
                except httpx.TimeoutException as exc:
                    raise self._reader.broken(exc, clock.expired()) from None
                if piece is None:
                    break
                for data in (d for chunk in decoder.feed(piece) for d in parser.feed(chunk)):
                    clock.event()
                    item = self._reader.feed(data)
                    if item is not None:
                        yield item
                    if self._reader.done:
                        break
            self._reader.finish()
        except httpx.TransportError as exc:
            raise self._retrying.stamp(self._reader.broken(exc)) from None
        except (BodyTooLarge, UnsupportedEncoding) as exc:
            raise self._retrying.stamp(_body_refused(self._reader.call, self.response, exc)) from None
        except APIError as exc:
            raise self._retrying.stamp(exc) from None
        finally:
            self.response.close()

    def __iter__(self) -> Iterator[T]:
        return self._items

    def __next__(self) -> T:
        return next(self._items)

    def final(self) -> Reassembled:
        """Read what is left; the text put back together, the final usage and finish reason."""
        for _ in self._items:
            pass
        return self._reader.reassembled()

    def text(self) -> str:
        return self.final().text

    def close(self) -> None:
        self._items.close()
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- bounds shared by both clients --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int
    idle: float | None
    total: float | None


class _StreamClock:
    """When a stream must have sent its next event: `idle` after the last one, `total` after the start."""

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.start = self.last = time.monotonic()

    def event(self) -> None:
        self.last = time.monotonic()

    def deadline(self) -> float | None:
        bounds = [t for t in (self.limits.idle and self.last + self.limits.idle,
                              self.limits.total and self.start + self.limits.total) if t]
        return min(bounds, default=None)

    def expired(self) -> str | None:
        """Which bound ran out, said for the error; None if neither did (httpx's own read timeout)."""
        now = time.monotonic()
        if self.limits.total is not None and now >= self.start + self.limits.total:
            return f"the stream ran past stream_timeout={self.limits.total:g} s"
        if self.limits.idle is not None and now >= self.last + self.limits.idle:
            return f"no event for stream_idle_timeout={self.limits.idle:g} s"
        return None


def _check(deadline: float | None) -> None:
    """Between reads: an injected transport does not enforce the deadline at the socket."""
    if deadline is not None and time.monotonic() > deadline:
        raise httpx.ReadTimeout("the request's deadline has passed")


def _raw(response: httpx.Response) -> Iterator[bytes]:
    """The body as it came off the wire; an injected transport may hand over a body already in memory."""
    return iter([response.content]) if response.is_stream_consumed else response.iter_raw()


def _decoder(response: httpx.Response, cap: int) -> Decoder:
    length = response.headers.get("content-length", "")
    encoding = None if response.is_stream_consumed else response.headers.get("content-encoding")  # in memory: decoded
    if length.isdigit() and int(length) > cap and not encoding:
        raise BodyTooLarge(cap)  # refused before a byte of it is read
    return Decoder(encoding, cap)


def _body_refused(call: Call, response: httpx.Response, exc: Exception) -> APIError:
    status = response.status_code
    if isinstance(exc, BodyTooLarge):
        return ResponseTooLarge(str(exc), model=call.model, path=call.path, status=status)
    return ResponseDecodeError(str(exc), model=call.model, path=call.path, status=status)


class AsyncClientCore(_BaseClient):
    """The asynchronous twin of `Client`: same arguments (`transport` an `httpx.AsyncBaseTransport`,
    `http_client` an `httpx.AsyncClient`, `sleep` a coroutine function), same behaviour."""

    def __init__(
        self,
        account_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_retry_wait: float = 30.0,
        strict: bool = False,
        allow_insecure_http: bool | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT,
        stream_timeout: float | None = DEFAULT_STREAM_TIMEOUT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        registry: Registry | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            account_id,
            api_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            strict=strict,
            registry=registry,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
            stream_idle_timeout=stream_idle_timeout,
            stream_timeout=stream_timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        if http_client is not None and transport is not None:
            raise UsageError("pass transport= or http_client=, not both")
        self._owns_http = http_client is None
        atransport = transport or async_transport(_ssl_context())
        self._http = http_client or httpx.AsyncClient(transport=atransport, timeout=self.timeout)
        self._sleep = sleep

    async def _run(
        self, model: str, payload: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | AsyncStream[Any]:
        call = self._route("run", model, payload, stream, route)
        return await (self._stream(call) if stream else self._request(call))

    async def _chat(
        self, model: str, params: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | AsyncStream[Any]:
        call = self._route("chat", model, params, stream, route)
        return await (self._stream(call) if stream else self._request(call))

    async def _responses(
        self, model: str, params: Mapping[str, Any], *, stream: bool = False, route: _Route | None = None
    ) -> Response[Any] | AsyncStream[Any]:
        call = self._route("responses", model, params, stream, route)
        return await (self._stream(call) if stream else self._request(call))

    @overload
    async def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: Literal[False] = False, endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> Response[Any]: ...
    @overload
    async def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: Literal[True], endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncStream[Any]: ...
    async def run_untyped(
        self, model: str, payload: Mapping[str, Any], *, stream: bool = False, endpoint: Endpoint = "run",
        validate: bool = True, strict: bool | None = None,
        timeout: float | httpx.Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int | float] | None = None, extra_body: Mapping[str, Any] | None = None,
    ) -> Response[Any] | AsyncStream[Any]:
        options = self._call_options(timeout, extra_headers, extra_query, extra_body)
        route = await self._untyped_route(model, validate, strict, options)
        call = self._route(_ENDPOINT_KINDS[endpoint], model, payload, stream, route)
        return await (self._stream(call) if stream else self._request(call))

    run_untyped.__doc__ = _UNTYPED_DOC

    async def _untyped_route(self, model: str, validate: bool, strict: bool | None, options: Options) -> _Route:
        if not validate:
            return _Route(strict=strict, validate=False, options=options)
        if self._known(model):
            return _Route(strict=strict, options=options)
        found = fetched(self.base_url, self.account_id, model)
        if found is None:
            found = remember(self.base_url, self.account_id, model, await self._fetch_schemas(model, options))
        return self._loose(model, found, strict, options)

    async def _fetch_schemas(self, model: str, options: Options) -> Bindings | Unavailable:
        call = self._schema_call(model, options)
        try:
            response, retrying, deadline = await self._send(call)
            try:
                content = await _aread(response, self.max_response_bytes, deadline)
            except httpx.TransportError as exc:
                raise retrying.stamp(body_error(call, response.status_code, exc)) from None
            except (BodyTooLarge, UnsupportedEncoding) as exc:
                raise retrying.stamp(_body_refused(call, response, exc)) from None
            finally:
                await response.aclose()
        except APIError as exc:
            return unavailable(call, exc)
        return schemas_from(call, content)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send(self, call: Call) -> tuple[httpx.Response, Retrying, float | None]:
        retrying = Retrying(self.max_retries, self.max_retry_wait, call.redact)
        while True:
            retrying.attempts += 1
            logger.debug("%s %s attempt %d", call.request.method, call.path, retrying.attempts)
            deadline = self._deadline(call)
            try:
                with bounded(deadline):
                    response = await self._http.send(call.request, stream=True)
            except httpx.TransportError as exc:
                error, retryable = connection_error(call, exc)
            else:
                logger.debug("%s %s -> %d (attempt %d)", call.request.method, call.path, response.status_code, retrying.attempts)
                if response.is_success:
                    return response, retrying, deadline
                error, retryable = http_error(call, response, await _aread_quietly(response, deadline))
            wait = retrying.next_wait(error, retryable)
            if wait is None:
                raise retrying.stamp(error) from None
            await self._sleep(wait)

    async def _request(self, call: Call) -> Response[Model]:
        response, retrying, deadline = await self._send(call)
        try:
            content = await _aread(response, self.max_response_bytes, deadline)
            result = parse(call, response, content, call.bindings or self._bindings, strict=call.strict)
        except httpx.TransportError as exc:
            raise retrying.stamp(body_error(call, response.status_code, exc)) from None
        except (BodyTooLarge, UnsupportedEncoding) as exc:
            raise retrying.stamp(_body_refused(call, response, exc)) from None
        except APIError as exc:
            raise retrying.stamp(exc) from None
        finally:
            await response.aclose()
        return replace(result, attempts=retrying.attempts, waits=tuple(retrying.waits))

    async def _stream(self, call: Call) -> AsyncStream[Any]:
        response, retrying, deadline = await self._send(call)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            content = await _aread_quietly(response, deadline)
            raise retrying.stamp(not_a_stream(call, response, content))
        reader = EventReader(call, response.status_code, call.bindings or self._bindings, strict=call.strict)
        return AsyncStream(response, reader, retrying, self._limits())


async def _araw(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    if response.is_stream_consumed:
        yield response.content
        return
    async for raw in response.aiter_raw():
        yield raw


async def _aread(response: httpx.Response, cap: int, deadline: float | None) -> bytes:
    decoder = _decoder(response, cap)
    body = bytearray()
    with bounded(deadline):
        async for raw in _araw(response):
            body += b"".join(decoder.feed(raw))
            _check(deadline)
    return bytes(body)


async def _aread_quietly(response: httpx.Response, deadline: float | None) -> bytes:
    body = bytearray()
    try:
        decoder = _decoder(response, _ERROR_BODY_BYTES)
        with bounded(deadline):
            async for raw in _araw(response):
                body += b"".join(decoder.feed(raw))
                _check(deadline)
    except (httpx.HTTPError, BodyTooLarge, UnsupportedEncoding):
        pass
    finally:
        await response.aclose()
    return bytes(body)


class AsyncStream(Generic[T]):
    """`Stream` for `AsyncClient`: `async for`, `await final()` / `await text()`, `async with`."""

    def __init__(self, response: httpx.Response, reader: EventReader, retrying: Retrying, limits: _Limits) -> None:
        self.response = response
        self.attempts, self.waits = retrying.attempts, tuple(retrying.waits)
        self._reader = reader
        self._retrying = retrying
        self._limits = limits
        self._items = self._iterate()

    @property
    def status_code(self) -> int:
        """The answer's HTTP status (the raw stream: `response`, its events' JSON: `chunks`)."""
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers (`cf-aig-*`, `cf-ray`, …)."""
        return self.response.headers

    @property
    def chunks(self) -> list[dict[str, Any]]:
        return self._reader.chunks

    async def _iterate(self) -> AsyncGenerator[T, None]:
        clock = _StreamClock(self._limits)
        raw = _araw(self.response)
        try:
            decoder = _decoder(self.response, self._limits.max_bytes)
            parser = EventParser(decoder.charge)  # each line and event counts against the cap too
            while not self._reader.done:
                deadline = clock.deadline()
                try:
                    with bounded(deadline):  # around the read only: never across a yield
                        piece = await anext(raw, None)
                    _check(deadline)
                except httpx.TimeoutException as exc:
                    raise self._reader.broken(exc, clock.expired()) from None
                if piece is None:
                    break
                for data in (d for chunk in decoder.feed(piece) for d in parser.feed(chunk)):
                    clock.event()
                    item = self._reader.feed(data)
                    if item is not None:
                        yield item
                    if self._reader.done:
                        break
            self._reader.finish()
        except httpx.TransportError as exc:
            raise self._retrying.stamp(self._reader.broken(exc)) from None
        except (BodyTooLarge, UnsupportedEncoding) as exc:
            raise self._retrying.stamp(_body_refused(self._reader.call, self.response, exc)) from None
        except APIError as exc:
            raise self._retrying.stamp(exc) from None
        finally:
            await raw.aclose()
            await self.response.aclose()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items

    async def __anext__(self) -> T:
        return await anext(self._items)

    async def final(self) -> Reassembled:
        async for _ in self._items:
            pass
        return self._reader.reassembled()

    async def text(self) -> str:
        return (await self.final()).text

    async def close(self) -> None:
        await self._items.aclose()
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
