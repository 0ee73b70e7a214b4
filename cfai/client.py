"""The client users hold: validated requests, typed answers, typed faults, bounded retries.

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
so that waits are predictable); check the answer against the output schema (`ResponseValidationError`,
or `ResponseSchemaWarning` with `strict=False`); return it typed. Errors are in `cfai.faults`.

The token is kept in a `_Secret` (its repr is `***`), never logged, and never put in an error: errors
carry the URL path only, and are raised without their httpx cause (which holds the request headers).
Logs go to `logging.getLogger("cfai")` at DEBUG: method, path, status, attempt, wait.
"""

from __future__ import annotations

import asyncio
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
from dataclasses import replace
from typing import Any, Generic, Literal, Self, TypeVar, overload

import httpx
import httpx_sse
import pydantic

from ._http import (
    DEFAULT_BASE_URL,
    Bindings,
    Call,
    EventReader,
    Kind,
    Response,
    Retrying,
    bindings_for,
    body_error,
    connection_error,
    http_error,
    logger,
    not_a_stream,
    parse,
    prepare,
    redacted,
)
from .errors import CfaiError, InvalidPayload
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
    ResponseValidationError,
    ServerError,
    StreamIncomplete,
)
from .stream import Reassembled
from .validate import Registry, default_registry

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "CfaiError",
    "Client",
    "CloudflareError",
    "InvalidPayload",
    "MissingCredentials",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Response",
    "ResponseDecodeError",
    "ResponseSchemaWarning",
    "ResponseValidationError",
    "ServerError",
    "Stream",
    "StreamIncomplete",
    "redacted",
]

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
    ) -> None:
        account_id = account_id or os.environ.get("CLOUDFLARE_ACCOUNT_ID")
        api_token = api_token or os.environ.get("CLOUDFLARE_API_TOKEN")
        if not account_id or not api_token:
            missing = " and ".join(n for n, v in (("an account id", account_id), ("an API token", api_token)) if not v)
            raise MissingCredentials(
                f"{missing} needed: pass account_id=/api_token= or set CLOUDFLARE_ACCOUNT_ID/CLOUDFLARE_API_TOKEN"
            )
        self.account_id = account_id
        self._token = _Secret(api_token)
        self.base_url = (base_url or os.environ.get("CLOUDFLARE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.strict = strict
        self._bindings: Bindings = bindings_for(registry or default_registry())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r}, base_url={self.base_url!r}, strict={self.strict})"

    def build_run_request(self, model: str, payload: Mapping[str, Any], *, stream: bool = False) -> httpx.Request:
        """The request `run()` would send, validated (raises `InvalidPayload`) but not sent.
        Print it with `redacted(request.headers)`: it carries the token."""
        return self._prepare_run(model, payload, stream).request

    def _prepare(self, kind: Kind, model: str, body: Mapping[str, Any], stream: bool) -> Call:
        return prepare(
            self._bindings,
            base_url=self.base_url,
            account_id=self.account_id,
            token=self._token.reveal(),
            timeout=self.timeout,
            kind=kind,
            model=model,
            body=body,
            stream=stream,
        )

    def _prepare_run(self, model: str, payload: Mapping[str, Any], stream: bool) -> Call:
        body = payload
        if isinstance(payload, Mapping):
            if payload.get("stream") is True and not stream:
                raise ValueError("the payload asks for a stream: call run(..., stream=True)")
            if stream:
                body = {**payload, "stream": True}
        return self._prepare("run", model, body, stream)

    def _openai_body(self, model: str, first: tuple[str, Any], stream: bool, params: dict[str, Any]) -> dict[str, Any]:
        body = {"model": model, first[0]: first[1], **params}
        if stream:
            body["stream"] = True
        return body


class Client(_BaseClient):
    """A synchronous client. `transport` (an `httpx.BaseTransport`) or a whole `http_client` may be
    injected; a given `http_client` is not closed by `close()`: whoever opened it closes it. `sleep`
    is called with each retry wait (tests pass a recorder)."""

    def __init__(
        self,
        account_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 60.0,
        max_retries: int = 2,
        max_retry_wait: float = 30.0,
        strict: bool = True,
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
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass transport= or http_client=, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, timeout=self.timeout, verify=_ssl_context())
        self._sleep = sleep

    @overload
    def run(self, model: str, payload: Mapping[str, Any], *, stream: Literal[False] = False) -> Response[Model]: ...
    @overload
    def run(self, model: str, payload: Mapping[str, Any], *, stream: Literal[True]) -> Stream[Any]: ...
    def run(self, model: str, payload: Mapping[str, Any], *, stream: bool = False) -> Response[Model] | Stream[Any]:
        """POST `payload` to `/ai/run/{model}`; the answer's envelope is unwrapped."""
        call = self._prepare_run(model, payload, stream)
        return self._stream(call) if stream else self._request(call)

    @overload
    def chat_completions(
        self, *, model: str, messages: list[Any], stream: Literal[False] = False, **params: Any
    ) -> Response[Model]: ...
    @overload
    def chat_completions(self, *, model: str, messages: list[Any], stream: Literal[True], **params: Any) -> Stream[Model]: ...
    def chat_completions(
        self, *, model: str, messages: list[Any], stream: bool = False, **params: Any
    ) -> Response[Model] | Stream[Model]:
        """POST to `/ai/v1/chat/completions` with `model` in the body."""
        call = self._prepare("chat", model, self._openai_body(model, ("messages", messages), stream, params), stream)
        return self._stream(call) if stream else self._request(call)

    @overload
    def responses(self, *, model: str, input: Any, stream: Literal[False] = False, **params: Any) -> Response[Model]: ...
    @overload
    def responses(self, *, model: str, input: Any, stream: Literal[True], **params: Any) -> Stream[dict[str, Any]]: ...
    def responses(
        self, *, model: str, input: Any, stream: bool = False, **params: Any
    ) -> Response[Model] | Stream[dict[str, Any]]:
        """POST to `/ai/v1/responses`. Streamed, the events come as dicts (no schema is published)."""
        call = self._prepare("responses", model, self._openai_body(model, ("input", input), stream, params), stream)
        return self._stream(call) if stream else self._request(call)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, call: Call) -> tuple[httpx.Response, Retrying]:
        """The first 2xx answer, its body not yet read; every other outcome raised as a typed error."""
        retrying = Retrying(self.max_retries, self.max_retry_wait)
        while True:
            retrying.attempts += 1
            logger.debug("POST %s attempt %d", call.path, retrying.attempts)
            try:
                response = self._http.send(call.request, stream=True)
            except httpx.TransportError as exc:
                error, retryable = connection_error(call, exc)
            else:
                logger.debug("POST %s -> %d (attempt %d)", call.path, response.status_code, retrying.attempts)
                if response.is_success:
                    return response, retrying
                error, retryable = http_error(call, response, _read_quietly(response))
            wait = retrying.next_wait(error, retryable)
            if wait is None:
                raise retrying.stamp(error) from None  # the httpx cause holds the request headers
            self._sleep(wait)

    def _request(self, call: Call) -> Response[Model]:
        response, retrying = self._send(call)
        try:
            response.read()
            result = parse(call, response, self._bindings, strict=self.strict)
        except httpx.TransportError as exc:
            raise retrying.stamp(body_error(call, response.status_code, exc)) from None
        except APIError as exc:
            raise retrying.stamp(exc) from None
        finally:
            response.close()
        return replace(result, attempts=retrying.attempts, waits=tuple(retrying.waits))

    def _stream(self, call: Call) -> Stream[Any]:
        response, retrying = self._send(call)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            content = _read_quietly(response)
            raise retrying.stamp(not_a_stream(call, response, content))
        return Stream(response, EventReader(call, response.status_code, self._bindings, strict=self.strict), retrying)


def _read_quietly(response: httpx.Response) -> bytes:
    """The body of an answer we are about to fail on anyway; what arrived, or nothing."""
    try:
        return response.read()
    except httpx.HTTPError:
        return b""
    finally:
        response.close()


class Stream(Generic[T]):
    """The chunks of a streamed answer, in order, as they arrive. Iterate it, or call `text()` /
    `final()` to read the rest and reassemble it. Close it (or use `with`) if you stop early."""

    def __init__(self, response: httpx.Response, reader: EventReader, retrying: Retrying) -> None:
        self.response = response
        self.attempts, self.waits = retrying.attempts, tuple(retrying.waits)
        self._reader = reader
        self._retrying = retrying
        self._items = self._iterate()

    @property
    def chunks(self) -> list[dict[str, Any]]:
        """The JSON of every chunk so far, unknown keys (`obfuscation`, …) included."""
        return self._reader.chunks

    def _iterate(self) -> Generator[T, None, None]:
        try:
            for event in httpx_sse.EventSource(self.response).iter_sse():
                item = self._reader.feed(event.data)
                if item is not None:
                    yield item
                if self._reader.done:
                    break
            self._reader.finish()
        except httpx.TransportError as exc:
            raise self._retrying.stamp(self._reader.broken(exc)) from None
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


class AsyncClient(_BaseClient):
    """The asynchronous twin of `Client`: same arguments (`transport` an `httpx.AsyncBaseTransport`,
    `http_client` an `httpx.AsyncClient`, `sleep` a coroutine function), same behaviour."""

    def __init__(
        self,
        account_id: str | None = None,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 60.0,
        max_retries: int = 2,
        max_retry_wait: float = 30.0,
        strict: bool = True,
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
        )
        if http_client is not None and transport is not None:
            raise ValueError("pass transport= or http_client=, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=self.timeout, verify=_ssl_context())
        self._sleep = sleep

    @overload
    async def run(self, model: str, payload: Mapping[str, Any], *, stream: Literal[False] = False) -> Response[Model]: ...
    @overload
    async def run(self, model: str, payload: Mapping[str, Any], *, stream: Literal[True]) -> AsyncStream[Any]: ...
    async def run(
        self, model: str, payload: Mapping[str, Any], *, stream: bool = False
    ) -> Response[Model] | AsyncStream[Any]:
        call = self._prepare_run(model, payload, stream)
        return await (self._stream(call) if stream else self._request(call))

    @overload
    async def chat_completions(
        self, *, model: str, messages: list[Any], stream: Literal[False] = False, **params: Any
    ) -> Response[Model]: ...
    @overload
    async def chat_completions(
        self, *, model: str, messages: list[Any], stream: Literal[True], **params: Any
    ) -> AsyncStream[Model]: ...
    async def chat_completions(
        self, *, model: str, messages: list[Any], stream: bool = False, **params: Any
    ) -> Response[Model] | AsyncStream[Model]:
        call = self._prepare("chat", model, self._openai_body(model, ("messages", messages), stream, params), stream)
        return await (self._stream(call) if stream else self._request(call))

    @overload
    async def responses(
        self, *, model: str, input: Any, stream: Literal[False] = False, **params: Any
    ) -> Response[Model]: ...
    @overload
    async def responses(
        self, *, model: str, input: Any, stream: Literal[True], **params: Any
    ) -> AsyncStream[dict[str, Any]]: ...
    async def responses(
        self, *, model: str, input: Any, stream: bool = False, **params: Any
    ) -> Response[Model] | AsyncStream[dict[str, Any]]:
        call = self._prepare("responses", model, self._openai_body(model, ("input", input), stream, params), stream)
        return await (self._stream(call) if stream else self._request(call))

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send(self, call: Call) -> tuple[httpx.Response, Retrying]:
        retrying = Retrying(self.max_retries, self.max_retry_wait)
        while True:
            retrying.attempts += 1
            logger.debug("POST %s attempt %d", call.path, retrying.attempts)
            try:
                response = await self._http.send(call.request, stream=True)
            except httpx.TransportError as exc:
                error, retryable = connection_error(call, exc)
            else:
                logger.debug("POST %s -> %d (attempt %d)", call.path, response.status_code, retrying.attempts)
                if response.is_success:
                    return response, retrying
                error, retryable = http_error(call, response, await _aread_quietly(response))
            wait = retrying.next_wait(error, retryable)
            if wait is None:
                raise retrying.stamp(error) from None
            await self._sleep(wait)

    async def _request(self, call: Call) -> Response[Model]:
        response, retrying = await self._send(call)
        try:
            await response.aread()
            result = parse(call, response, self._bindings, strict=self.strict)
        except httpx.TransportError as exc:
            raise retrying.stamp(body_error(call, response.status_code, exc)) from None
        except APIError as exc:
            raise retrying.stamp(exc) from None
        finally:
            await response.aclose()
        return replace(result, attempts=retrying.attempts, waits=tuple(retrying.waits))

    async def _stream(self, call: Call) -> AsyncStream[Any]:
        response, retrying = await self._send(call)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            content = await _aread_quietly(response)
            raise retrying.stamp(not_a_stream(call, response, content))
        reader = EventReader(call, response.status_code, self._bindings, strict=self.strict)
        return AsyncStream(response, reader, retrying)


async def _aread_quietly(response: httpx.Response) -> bytes:
    try:
        return await response.aread()
    except httpx.HTTPError:
        return b""
    finally:
        await response.aclose()


class AsyncStream(Generic[T]):
    """`Stream` for `AsyncClient`: `async for`, `await final()` / `await text()`, `async with`."""

    def __init__(self, response: httpx.Response, reader: EventReader, retrying: Retrying) -> None:
        self.response = response
        self.attempts, self.waits = retrying.attempts, tuple(retrying.waits)
        self._reader = reader
        self._retrying = retrying
        self._items = self._iterate()

    @property
    def chunks(self) -> list[dict[str, Any]]:
        return self._reader.chunks

    async def _iterate(self) -> AsyncGenerator[T, None]:
        events = httpx_sse.EventSource(self.response).aiter_sse()
        try:
            async for event in events:
                item = self._reader.feed(event.data)
                if item is not None:
                    yield item
                if self._reader.done:
                    break
            self._reader.finish()
        except httpx.TransportError as exc:
            raise self._retrying.stamp(self._reader.broken(exc)) from None
        except APIError as exc:
            raise self._retrying.stamp(exc) from None
        finally:
            await events.aclose()
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
