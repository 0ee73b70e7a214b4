"""Ordinary traffic for every model of the catalog (issue 16, "Done when"): one data file per kind of
model under `tests/traffic/<kind>.json`, each with the models of that kind, ordinary requests, an
ordinary answer as the service sends it and, for models that stream, the SSE frames.

For every (kind, model): each request passes `cfai.validate`; the answer comes back from
`cfai.Client.run` (default settings, a real HTTP server on 127.0.0.1) typed, with no
`ContractWarning`, and parse → dump gives the answer back unchanged; a streamed answer yields typed
chunks with no warning and `text()` reassembles the text. In a file, `{model}` in a value stands for
the model's name and `{name}` for its last name (`clef-flash`); `answer_by_model` gives a model its
own answer (an embedding's dimension); `answer_bytes_base64` + `content_type` is an answer of raw
bytes (an image, audio), sent as is, not in the JSON envelope.

A case the bindings do not pass yet is listed in its file under `known_gaps` (model → {"answer" |
"frames" | "tool_call": reason}) and runs as `xfail(strict=True)`: the assertion stays whole, and the
case fails the day it passes, so the entry is removed then."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Response as WResponse

import cfai
from cfai.cli import app
from cfai.client import forget_fetched

from .conftest import SCHEMAS, catalog_models, need_catalog
from .servers import envelope

TRAFFIC = Path(__file__).parent / "traffic"
ACCOUNT = "acct-traffic"
TOKEN = "test-token-not-secret"
PREFIX = "/client/v4"
KEYS = {"about", "models", "requests", "answer", "answer_by_model", "answer_bytes_base64", "content_type",
        "frames", "frames_skipped", "tool_call_answer", "known_gaps"}


def _kinds() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(TRAFFIC.glob("*.json"))}


KINDS = _kinds()


def _cases(what: str) -> Iterator[Any]:
    """One pytest param per (kind, model) holding `what`, xfail(strict) where its file lists the gap."""
    for kind, data in KINDS.items():
        if what == "frames" and "frames" not in data:
            continue
        if what == "tool_call" and "tool_call_answer" not in data:
            continue
        for model in data["models"]:
            gap = data.get("known_gaps", {}).get(model, {}).get(what)
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            yield pytest.param(kind, model, id=f"{kind}:{model}", marks=marks)


def _for(model: str, value: Any) -> Any:
    """`value` with `{model}` (the model's name) and `{name}` (its last name: `clef-flash`) filled in."""
    if isinstance(value, str):
        return value.replace("{model}", model).replace("{name}", model.rsplit("/", 1)[-1])
    if isinstance(value, list):
        return [_for(model, v) for v in value]
    if isinstance(value, dict):
        return {k: _for(model, v) for k, v in value.items()}
    return value


def _answer(data: dict[str, Any], model: str) -> Any:
    return _for(model, data.get("answer_by_model", {}).get(model, data.get("answer")))


def _requests(data: dict[str, Any], model: str) -> list[dict[str, Any]]:
    return [_for(model, r) for r in data["requests"]]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    forget_fetched()
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _client(httpserver: HTTPServer) -> cfai.Client:
    return cfai.Client(account_id=ACCOUNT, api_token=TOKEN, base_url=httpserver.url_for(PREFIX))


def _route(httpserver: HTTPServer, model: str) -> Any:
    return httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{model}", method="POST")


# --- the files themselves -----------------------------------------------------------------------


def test_every_catalog_model_is_in_exactly_one_kind() -> None:
    need_catalog()
    listed = [m for data in KINDS.values() for m in data["models"]]
    twice = sorted({m for m in listed if listed.count(m) > 1})
    assert twice == [], f"models in more than one kind: {twice}"
    assert sorted(listed) == sorted(catalog_models())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_file_is_well_formed(kind: str) -> None:
    data = KINDS[kind]
    assert set(data) <= KEYS, set(data) - KEYS
    assert data["about"] and data["models"] and data["requests"]
    assert ("answer" in data or "answer_by_model" in data) != ("answer_bytes_base64" in data)
    assert set(data.get("answer_by_model", {})) <= set(data["models"])
    assert set(data.get("known_gaps", {})) <= set(data["models"])
    for model in data["models"]:  # a model that streams has frames, or the file says why not
        if _takes_stream(model):
            assert "frames" in data or "frames_skipped" in data, f"{model} streams: give frames or frames_skipped"


def _takes_stream(model: str) -> bool:
    """Whether the model's input schema has a `stream` property (anywhere: in any variant)."""
    schema = json.loads((SCHEMAS / model / "schema-input.json").read_text(encoding="utf-8"))
    return _has_property(schema, "stream")


def _has_property(schema: Any, name: str) -> bool:
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and name in props:
            return True
        return any(_has_property(v, name) for k, v in schema.items() if k != "properties") or (
            isinstance(props, dict) and any(_has_property(v, name) for v in props.values()))
    if isinstance(schema, list):
        return any(_has_property(v, name) for v in schema)
    return False


# --- requests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "model"), list(_cases("request")))
def test_requests_validate(kind: str, model: str) -> None:
    for request in _requests(KINDS[kind], model):
        assert cfai.validate(model, request) == [], request


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cli_validates_one_model_per_kind(kind: str, tmp_path: Path) -> None:
    data = KINDS[kind]
    files = []
    for i, request in enumerate(_requests(data, data["models"][0])):
        files.append(tmp_path / f"request-{i}.json")
        files[-1].write_text(json.dumps(request), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--model", data["models"][0], *map(str, files)])
    assert result.exit_code == 0, result.output


# --- the answer through the real client ---------------------------------------------------------


def _dump(data: Any) -> Any:
    if isinstance(data, pydantic.BaseModel):
        return data.model_dump(mode="json", exclude_unset=True, by_alias=True)
    return pydantic.TypeAdapter(type(data)).dump_python(data, mode="json", exclude_unset=True, by_alias=True)


def _typed(data: Any) -> bool:
    """A generated pydantic class, or a list of them (an answer that is a JSON array)."""
    if isinstance(data, list):
        return bool(data) and all(isinstance(item, pydantic.BaseModel) for item in data)
    return isinstance(data, pydantic.BaseModel)


def _run_plain(httpserver: HTTPServer, kind: str, model: str, answer: Any, request: dict[str, Any]) -> None:
    data = KINDS[kind]
    if "answer_bytes_base64" in data:  # the service answers raw bytes, not the JSON envelope
        raw = base64.b64decode(data["answer_bytes_base64"])
        _route(httpserver, model).respond_with_response(WResponse(raw, content_type=data["content_type"]))
    else:
        _route(httpserver, model).respond_with_json(envelope(answer))
    with _client(httpserver) as cf, warnings.catch_warnings():
        warnings.simplefilter("error", cfai.ContractWarning)
        reply = cf.run(model, request)
    sent = json.loads(httpserver.log[-1][0].get_data())
    assert sent == request
    if "answer_bytes_base64" in data:
        assert reply.output == base64.b64decode(data["answer_bytes_base64"])
        return
    assert reply.output == answer
    assert _typed(reply.data), type(reply.data)
    assert _dump(reply.data) == answer


@pytest.mark.parametrize(("kind", "model"), list(_cases("answer")))
def test_answer_typed_and_unchanged(httpserver: HTTPServer, kind: str, model: str) -> None:
    _run_plain(httpserver, kind, model, _answer(KINDS[kind], model), _requests(KINDS[kind], model)[0])


@pytest.mark.parametrize(("kind", "model"), list(_cases("tool_call")))
def test_tool_call_answer_typed_and_unchanged(httpserver: HTTPServer, kind: str, model: str) -> None:
    requests = _requests(KINDS[kind], model)
    request = next(r for r in requests if "tools" in r)
    _run_plain(httpserver, kind, model, _for(model, KINDS[kind]["tool_call_answer"]), request)


# --- streamed -----------------------------------------------------------------------------------


def _expected_text(frames: list[Any]) -> str:
    parts = []
    for frame in frames:
        if isinstance(frame.get("response"), str):
            parts.append(frame["response"])
        for choice in frame.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if isinstance(content, str):
                parts.append(content)
    return "".join(parts)


@pytest.mark.parametrize(("kind", "model"), list(_cases("frames")))
def test_stream_typed_and_reassembled(httpserver: HTTPServer, kind: str, model: str) -> None:
    data = KINDS[kind]
    frames = _for(model, data["frames"])
    body = "".join(f"data: {json.dumps(f, ensure_ascii=False)}\n\n" for f in frames) + "data: [DONE]\n\n"
    _route(httpserver, model).respond_with_data(body.encode(), content_type="text/event-stream")
    request = _requests(data, model)[0]
    with _client(httpserver) as cf, warnings.catch_warnings():
        warnings.simplefilter("error", cfai.ContractWarning)
        with cf.stream(model, request) as stream:
            chunks = list(stream)
            final = stream.final()
    assert json.loads(httpserver.log[-1][0].get_data()) == {**request, "stream": True}
    assert len(chunks) == len(frames)
    assert all(isinstance(c, pydantic.BaseModel) for c in chunks), [type(c) for c in chunks]
    assert final.text == _expected_text(frames) != ""
    last_usage = [f["usage"] for f in frames if f.get("usage") is not None]
    if last_usage:
        assert final.usage == last_usage[-1]
