"""`cfai.Client` and `cfai.AsyncClient`: the client cores typed by model references.

    from cfai_models import llama_3_1_8b_instruct as llama

    with cfai.Client() as cf:
        reply = cf.run(llama.messages, {"messages": [{"role": "user", "content": "hi"}]})
        reply.data                        # llama.Output, the generated pydantic type
        for chunk in cf.stream(llama.messages, {...}): ...

Why references rather than one `@overload` per model name (as before): an overload set makes a
type checker resolve every call against the whole catalog, so its cost grows with the catalog for a
script that uses one model, and a mistake is reported as "No overload variant matches" followed by
every overload, never naming the key. A reference (`cfai.refs.ModelRef`) carries its model's types,
so a call is checked against one TypedDict and the error names the key. The name as a string
literal stays available as a convenience: `cfai_models.catalog.ref("@cf/meta/llama-3.1-8b-instruct")`
gives the same reference (its overloads cover the catalog, so only scripts that use it pay for it).

At run time a model name (`str`) is accepted wherever a reference is, for scripts that are not
type-checked; `run_untyped` is the explicit loose path for a model the bindings do not ship.

Per-call options (timeout, extra headers, …) are not keywords of these methods: their keywords are
the payload's (`P.kwargs`), so a `timeout=` would be checked as a payload key. The per-call form is a
copy of the client, `cf.with_options(timeout=5).run(ref, payload)` (`cfai.options`), cheap and
sharing the connection pool; `run_untyped` takes them as keywords.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .client import AsyncClientCore, ClientCore
from .faults import UsageError
from .refs import ModelRef

if TYPE_CHECKING:
    from ._http import Response
    from .client import AsyncStream, Stream

__all__ = ["AsyncClient", "Client"]

P = ParamSpec("P")
O = TypeVar("O")
C = TypeVar("C")


def _call(model: object, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], bool]:
    """(model name, payload, stream) from `run(model, payload)` or, for the OpenAI-compatible
    endpoints, keyword parameters (`chat_completions(model, messages=[...])`). `stream=True` is
    accepted at run time (untyped scripts); typed code calls `stream(...)`, whose reply type is the
    stream's."""
    if isinstance(model, ModelRef):
        name = model.name
    elif isinstance(model, str):
        name = model
    else:
        raise UsageError(f"model must be a cfai_models reference or a model name, not {type(model).__name__}")
    params = dict(kwargs)
    # `stream=True/False` is the call's flag; any other value is left in the payload, where the
    # schema's check reports it like every other wrong value (`$.stream: "yes" is not a boolean`).
    stream = params.pop("stream") if isinstance(params.get("stream"), bool) else False
    if args and params or len(args) > 1:
        raise UsageError("pass the payload as one mapping: run(model, {...})")
    payload = args[0] if args else params.pop("payload", params)
    return name, payload, stream


class Client(ClientCore):
    """A synchronous client typed per model: see `ClientCore` for the options and behaviour."""

    def run(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        """POST the payload to `/ai/run/{model}`, validated first (`InvalidPayload`, nothing sent)."""
        name, payload, stream = _call(model, args, kwargs)
        return self._run(name, payload, stream=stream)  # type: ignore[return-value]

    def stream(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Stream[C]:
        """`run` with `stream: true`: the answer's events, each validated and typed."""
        name, payload, _ = _call(model, args, kwargs)
        return self._run(name, payload, stream=True)  # type: ignore[return-value]

    def chat_completions(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        """POST to the OpenAI-compatible `/ai/v1/chat/completions`, `model` in the body, validated first."""
        name, payload, stream = _call(model, args, kwargs)
        return self._chat(name, payload, stream=stream)  # type: ignore[return-value]

    def stream_chat_completions(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Stream[C]:
        name, payload, _ = _call(model, args, kwargs)
        return self._chat(name, payload, stream=True)  # type: ignore[return-value]

    def responses(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        """POST to the OpenAI-compatible `/ai/v1/responses`, `model` in the body, validated first."""
        name, payload, stream = _call(model, args, kwargs)
        return self._responses(name, payload, stream=stream)  # type: ignore[return-value]

    def stream_responses(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Stream[Any]:
        name, payload, _ = _call(model, args, kwargs)
        return self._responses(name, payload, stream=True)  # type: ignore[return-value]


class AsyncClient(AsyncClientCore):
    """An asynchronous client typed per model: see `AsyncClientCore` for the options and behaviour."""

    async def run(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        name, payload, stream = _call(model, args, kwargs)
        return await self._run(name, payload, stream=stream)  # type: ignore[return-value]

    async def stream(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> AsyncStream[C]:
        name, payload, _ = _call(model, args, kwargs)
        return await self._run(name, payload, stream=True)  # type: ignore[return-value]

    async def chat_completions(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        name, payload, stream = _call(model, args, kwargs)
        return await self._chat(name, payload, stream=stream)  # type: ignore[return-value]

    async def stream_chat_completions(
        self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs
    ) -> AsyncStream[C]:
        name, payload, _ = _call(model, args, kwargs)
        return await self._chat(name, payload, stream=True)  # type: ignore[return-value]

    async def responses(self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs) -> Response[O]:
        name, payload, stream = _call(model, args, kwargs)
        return await self._responses(name, payload, stream=stream)  # type: ignore[return-value]

    async def stream_responses(
        self, model: ModelRef[P, O, C], *args: P.args, **kwargs: P.kwargs
    ) -> AsyncStream[Any]:
        name, payload, _ = _call(model, args, kwargs)
        return await self._responses(name, payload, stream=True)  # type: ignore[return-value]
