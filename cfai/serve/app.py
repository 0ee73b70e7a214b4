"""The mock's ASGI application (Starlette): Cloudflare's AI routes, checked like Cloudflare checks them.

    POST /client/v4/accounts/{account}/ai/run/{model}            → {"result": …, "success": true, …}
    POST /client/v4/accounts/{account}/ai/v1/chat/completions    → the OpenAI-shaped body (model in the body)
    POST /client/v4/accounts/{account}/ai/v1/responses           → the OpenAI-shaped body
    GET  /client/v4/accounts/{account}/ai/models/schema?model=M  → {"result": {"input": …, "output": …}}
    GET  /client/v4/accounts/{account}/ai/models/search          → the models served, paginated

Every refusal is Cloudflare's error envelope `{"result": null, "success": false, "errors": [{code,
message}], "messages": []}`, in the order a request is checked:

    401  10000  no `Authorization: Bearer <token>`, or a malformed one (the token is never echoed)
    400  1004   a `cfai-fault` header that does not parse
    4xx/5xx     an injected status fault (429 carries Retry-After when asked)
    415  1003   a body that is not `application/json` (raw bytes — `application/octet-stream`,
                `image/*`, `audio/*` — are taken by a model whose input can be a binary string)
    413  1002   a body over --max-body bytes
    400  1001   a body that is not JSON, not an object, or nested deeper than --max-depth
    404  5007   a model the schema root does not have
    400  5006   a body that breaks the model's input schema: one `errors[]` entry per located error
    500  5008   the output schema defeats the answer generator, or asks for more than its limits
                (a 20 MB string, millions of properties or values: `instances.LIMITS`); says which
    404  7000   any other route
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..errors import SchemaLoadError, UnknownModel
from ..naming import variants
from ..validate import Registry
from . import streams
from .answers import Answers, default_recordings
from .fault_modes import HEADER, Faults, parse
from .instances import NoInstance

__all__ = ["ServeConfig", "StreamCut", "create_app"]

PREFIX = "/client/v4/accounts/{account:str}/ai"
_BEARER = re.compile(r"^Bearer [\x21-\x7e]+$")
_JSON_TYPE = re.compile(r"^application/(json|[\w.-]+\+json)\s*(;.*)?$", re.IGNORECASE)
_ACCOUNT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class ServeConfig:
    schemas: Path | None = None  # default: cfai.schemas.default_root()
    recordings: Path | None = None  # default: default_recordings(); a missing folder means none
    seed: int = 0
    faults: str = ""  # applied to every request, under each request's own `cfai-fault` header
    max_body: int = 10 * 1024 * 1024
    max_depth: int = 64


class StreamCut(ConnectionAbortedError):
    """Raised mid-stream to make the server drop the connection (the `cut-stream` fault)."""


class _QuietCuts(logging.Filter):
    """uvicorn logs an application error for every cut stream; a cut asked for is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StreamCut))


def _error(status: int, code: int, messages: Sequence[str], headers: Mapping[str, str] | None = None) -> JSONResponse:
    errors = [{"code": code, "message": m} for m in messages]
    body = {"result": None, "success": False, "errors": errors, "messages": []}
    return JSONResponse(body, status, headers=dict(headers or {}))


class EventStream(Response):
    """Server-sent events sent one by one; `cut` drops the connection after that many events,
    `truncate` ends the stream in the middle of the next event (cleanly, without `[DONE]`)."""

    def __init__(self, events: list[bytes], *, cut: int | None = None, truncate: bool = False) -> None:
        super().__init__(media_type="text/event-stream")
        self.events, self.cut, self.truncate = events, cut, truncate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        events = self.events
        if self.truncate:
            half = len(events) // 2
            events = [*events[:half], events[half][: len(events[half]) // 2]]
        for index, event in enumerate(events):
            if self.cut is not None and index >= self.cut:
                raise StreamCut(f"cut-stream after {self.cut} event(s)")
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _depth(value: Any, limit: int) -> bool:
    """Whether `value` nests deeper than `limit` (iterative: a deep body must not overflow the stack)."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return False


class MockAPI:
    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.registry = Registry(config.schemas)
        recordings = config.recordings if config.recordings is not None else default_recordings()
        self.answers = Answers(self.registry, recordings, config.seed)
        self.faults, problems = parse(config.faults, "--fault")
        if problems:
            raise ValueError("; ".join(problems))

    # --- checks, in the order Cloudflare would make them ------------------------------------------

    def _refuse(self, request: Request) -> tuple[Response | None, Faults]:
        if not _BEARER.match(request.headers.get("authorization", "")):
            return _error(401, 10000, ["Authentication error: send Authorization: Bearer <API token>"]), self.faults
        if not _ACCOUNT.match(request.path_params.get("account", "")):
            return _error(404, 7003, ["Could not route: the account id is not valid"]), self.faults
        faults, problems = parse(request.headers.get(HEADER, ""))
        if problems:
            return _error(400, 1004, problems), self.faults
        return None, self.faults.merged(faults)

    async def _body(self, request: Request) -> tuple[Any, Response | None]:
        kind = request.headers.get("content-type", "")
        if not _JSON_TYPE.match(kind):
            return None, _error(415, 1003, [f"Content-Type must be application/json, got {kind or 'none'!r}"])
        limit = self.config.max_body
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None, _error(413, 1002, [f"body of {int(declared):,} bytes is over the limit of {limit:,}"])
        data = bytearray()
        async for part in request.stream():
            data += part
            if len(data) > limit:
                return None, _error(413, 1002, [f"body is over the limit of {limit:,} bytes"])
        try:
            body = json.loads(data, parse_constant=_not_json)
            # a lone surrogate (`"\ud800"`) parses but is no Unicode text: refused here, not a 500 later
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None, _error(400, 1001, ["body is not JSON: a string holds a lone surrogate (\\ud800-\\udfff)"])
        except RecursionError:
            return None, _error(400, 1001, [f"body is nested deeper than {self.config.max_depth} levels"])
        except ValueError as exc:
            return None, _error(400, 1001, [f"body is not JSON: {exc}"])
        if not isinstance(body, dict):
            return None, _error(400, 1001, [f"body must be a JSON object, got {type(body).__name__}"])
        if _depth(body, self.config.max_depth):
            return None, _error(400, 1001, [f"body is nested deeper than {self.config.max_depth} levels"])
        return body, None

    def _takes_bytes(self, request: Request) -> bool:
        """A raw body (`Content-Type: application/octet-stream`, `image/*`, `audio/*`) for a model
        whose input has a root variant that is a binary string: an image or audio file sent as is."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/octet-stream" and not kind.startswith(("image/", "audio/")):
            return False
        try:
            schema = self.registry.schema(request.path_params.get("model", ""), "input")
        except (UnknownModel, SchemaLoadError):
            return False
        branches = [schema, *variants(schema)] if isinstance(schema, Mapping) else []
        return any(b.get("type") == "string" and b.get("format") == "binary" for b in branches)

    async def _raw(self, request: Request) -> tuple[Any, Response | None]:
        limit = self.config.max_body
        data = bytearray()
        async for part in request.stream():
            data += part
            if len(data) > limit:
                return None, _error(413, 1002, [f"body is over the limit of {limit:,} bytes"])
        # The answer is keyed by the bytes' digest: the same file, the same answer.
        return {"\0bytes": hashlib.sha256(data).hexdigest()}, None

    def _model_errors(self, model: str, body: Mapping[str, Any]) -> Response | None:
        try:
            errors = self.registry.validator(model, "input").errors(body)
        except UnknownModel:
            return _error(404, 5007, [f"No such model {model} (not under the schema root of cfai serve)"])
        except SchemaLoadError as exc:
            return _error(500, 5008, [str(p) for p in exc.problems])
        if not errors:
            return None
        return _error(400, 5006, [str(e) for e in errors])  # model, file, variant, path, message, rule, limit

    # --- routes -----------------------------------------------------------------------------------

    async def post(self, request: Request) -> Response:
        refusal, faults = self._refuse(request)
        if refusal is not None:
            return refusal
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.status is not None:
            headers = {"Retry-After": faults.retry_after} if faults.retry_after is not None else {}
            code = 3040 if faults.status == 429 else faults.status
            return _error(faults.status, code, [f"{HEADER}: injected {faults.status}"], headers)
        kind = request.scope["route_kind"]
        if kind == "run" and self._takes_bytes(request):
            body, refusal = await self._raw(request)
        else:
            body, refusal = await self._body(request)
        if refusal is not None:
            return refusal
        model = request.path_params.get("model") if kind == "run" else body.get("model")
        if not isinstance(model, str) or not model:
            return _error(400, 5006, ["$.model: a model name is required in the body"])
        # In a worker thread: a validation that takes long (bounded by `cfai.validate.LOCATE_BUDGET`)
        # must not stop the event loop answering every other client.
        if "\0bytes" not in body and (refusal := await run_in_threadpool(self._model_errors, model, body)) is not None:
            return refusal
        try:
            answer = self.answers.answer(model, kind, body)
        except NoInstance as exc:
            return _error(500, 5008, [str(exc)])
        if body.get("stream") is True:
            variant = self.answers.output_variant(model, kind, body)
            shape = "responses" if variant == "ResponsesOutput" else "chat"
            if kind == "run" and shape == "chat" and self.answers.chunk_validator(model) is None:
                shape = "native"
            events = streams.events(answer, shape, model, body, self.config.seed)
            return EventStream(events, cut=faults.cut_stream, truncate=faults.truncate)
        output = answer.output
        if kind == "run":
            output = {"result": output, "success": True, "errors": [], "messages": []}
        content = json.dumps(output, ensure_ascii=False).encode()
        if faults.truncate:
            content = content[: len(content) // 2]
        return Response(content, 200, media_type="application/json", headers={"cf-mock-source": answer.source})

    async def schema(self, request: Request) -> Response:
        refusal, _ = self._refuse(request)
        if refusal is not None:
            return refusal
        model = request.query_params.get("model", "")
        try:
            result = {side: self.registry.schema(model, side) for side in ("input", "output")}
        except UnknownModel:
            return _error(404, 5007, [f"No such model {model}"])
        return JSONResponse({"result": result, "success": True, "errors": [], "messages": []})

    async def search(self, request: Request) -> Response:
        refusal, _ = self._refuse(request)
        if refusal is not None:
            return refusal
        try:
            page = max(1, int(request.query_params.get("page", "1")))
            per_page = min(1000, max(1, int(request.query_params.get("per_page", "50"))))
        except ValueError:
            return _error(400, 1001, ["page and per_page must be integers"])
        listing = [self._listed(name) for name in self.registry.models()]
        chunk = listing[(page - 1) * per_page : page * per_page]
        info = {"page": page, "per_page": per_page, "count": len(chunk), "total_count": len(listing)}
        return JSONResponse({"result": chunk, "result_info": info, "success": True, "errors": [], "messages": []})

    def _listed(self, name: str) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        try:
            meta = json.loads((self.registry.root / name / "meta.json").read_bytes())
        except (OSError, ValueError):
            pass
        task = meta.get("task", "")
        return {
            "name": name,
            "description": meta.get("description", ""),
            "task": task if isinstance(task, dict) else {"name": task},
        }

    async def not_found(self, request: Request) -> Response:
        return _error(404, 7000, [f"No route for that URI: {request.method} {request.url.path}"])


def _kind(kind: str, endpoint: Any) -> Any:
    async def route(request: Request) -> Response:
        request.scope["route_kind"] = kind
        return await endpoint(request)  # type: ignore[no-any-return]

    return route


def create_app(config: ServeConfig | None = None) -> Starlette:
    api = MockAPI(config or ServeConfig())
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCuts) for f in logger.filters):
        logger.addFilter(_QuietCuts())
    routes = [
        Route(PREFIX + "/run/{model:path}", _kind("run", api.post), methods=["POST"]),
        Route(PREFIX + "/v1/chat/completions", _kind("chat", api.post), methods=["POST"]),
        Route(PREFIX + "/v1/responses", _kind("responses", api.post), methods=["POST"]),
        Route(PREFIX + "/models/schema", api.schema, methods=["GET"]),
        Route(PREFIX + "/models/search", api.search, methods=["GET"]),
        Route("/{rest:path}", api.not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.api = api
    return app


def _not_json(constant: str) -> Any:
    """`NaN`, `Infinity`, `-Infinity`: Python's parser takes them, JSON has no such values."""
    raise ValueError(f"{constant} is not a JSON value")
