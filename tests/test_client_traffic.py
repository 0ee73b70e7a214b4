"""Real traffic goes through (issue 16), through `ClientCore`/`AsyncClientCore` against local servers:
an answer that breaks the output schema is returned with a `ContractWarning` (strict raises); Workers
AI models stream their own frames (`response`, `p` padding, a usage frame, `[DONE]`); `run_untyped`
fetches an unknown model's schemas once from the account's API; integer-valued floats are typed."""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import cfai
from cfai.cli import app
from cfai.client import (
    AsyncClientCore,
    ClientCore,
    InvalidPayload,
    ResponseValidationError,
    SchemaUnavailableWarning,
    UsageError,
    WorkersAIChunk,
    forget_fetched,
)
from cfai.stream import frame_schema, stream_kind
from cfai.validate import default_registry

from .servers import Reply, ScriptServer, envelope, json_reply

pytest_plugins = ["pytester"]

ACCOUNT = "acct"
TOKEN = "test-token-not-secret"
PREFIX = "/client/v4"
LLAMA = "@cf/meta/llama-3.1-8b-instruct"
SSE = {"Content-Type": "text/event-stream"}

# Workers AI frames as the service sends them (field notes, "Measured 2026-12-02"): a piece of text
# and random padding `p` per frame, a keep-alive comment, a tool call, a last frame with usage and
# an empty response, then [DONE]. The padding values are made up.
FRAMES: list[dict[str, Any]] = [
    {"response": "Why did", "p": "abcdefghijklmnopqrstuvwxyz0123"},
    {"response": " the llama", "p": "abcdefgh"},
    {"response": " cross the road?", "p": "abcdefghijklmnop"},
    {"response": "", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Lima"}}], "p": "abc"},
    {"response": "", "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}, "p": "abcdefghij"},
]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No fetched schema outlives its test (pytest-httpserver keeps one port for the session)."""
    forget_fetched()
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def frame_events(frames: list[dict[str, Any]], *, done: bool = True) -> list[bytes]:
    events = [f"data: {json.dumps(f)}\n\n".encode() for f in frames]
    events.insert(1, b": keep-alive\n\n")
    return events + ([b"data: [DONE]\n\n"] if done else [])


def client(url: str, **options: Any) -> ClientCore:
    return ClientCore(ACCOUNT, TOKEN, base_url=url + PREFIX, sleep=lambda _: None, **options)


def aclient(url: str, **options: Any) -> AsyncClientCore:
    async def no_sleep(_: float) -> None:
        return None

    return AsyncClientCore(ACCOUNT, TOKEN, base_url=url + PREFIX, sleep=no_sleep, **options)


# --- Workers AI streams -------------------------------------------------------------------------


def test_workers_ai_stream_typed_and_reassembled() -> None:
    with ScriptServer([Reply(200, SSE, events=frame_events(FRAMES))]) as server, client(server.url) as cf, \
            warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid stream warns about nothing
        with cf._run(LLAMA, {"prompt": "Tell me a joke"}, stream=True) as stream:
            chunks = list(stream)
            final = stream.final()
    assert all(type(c) is WorkersAIChunk for c in chunks) and len(chunks) == len(FRAMES)
    assert chunks[0].response == "Why did" and chunks[0].p == "abcdefghijklmnopqrstuvwxyz0123"
    assert final.text == "Why did the llama cross the road?", "p is padding, never text"
    assert final.usage == {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21} and final.usage_last
    assert final.tool_calls == [{"name": "get_weather", "arguments": {"city": "Lima"}}]
    assert final.output() == {"response": final.text, "tool_calls": final.tool_calls, "usage": final.usage}
    assert stream.chunks == FRAMES, "every frame's JSON kept"
    (request,) = server.log
    assert request.path == f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{LLAMA}"
    assert request.json() == {"prompt": "Tell me a joke", "stream": True}


def test_workers_ai_stream_async() -> None:
    async def main(url: str) -> tuple[list[Any], str]:
        async with aclient(url) as cf:
            stream = await cf._run(LLAMA, {"messages": [{"role": "user", "content": "hi"}]}, stream=True)
            async with stream:
                chunks = [c async for c in stream]
                return chunks, (await stream.final()).text

    with ScriptServer([Reply(200, SSE, events=frame_events(FRAMES))]) as server:
        chunks, text = asyncio.run(main(server.url))
    assert [type(c) for c in chunks] == [WorkersAIChunk] * len(FRAMES)
    assert text == "Why did the llama cross the road?"


def test_a_frame_that_breaks_the_schema_warns_and_the_stream_goes_on() -> None:
    broken = [*FRAMES[:2], {"response": 42, "p": "abc"}, *FRAMES[2:]]
    with ScriptServer([Reply(200, SSE, events=frame_events(broken))]) as server, client(server.url) as cf, \
            pytest.warns(cfai.ContractWarning) as warned:
        text = cf._run(LLAMA, {"prompt": "hi"}, stream=True).text()
    assert text == "Why did the llama cross the road?"
    (warning,) = [w.message for w in warned]
    assert isinstance(warning, cfai.ContractWarning)
    assert (warning.model, warning.side, warning.where) == (LLAMA, "output", "stream chunk 2")
    ((error),) = warning.errors
    assert (error.path, error.rule, error.value) == ("$.response", "type", 42)
    assert "Workers AI stream frame" in error.schema_file


def test_a_frame_that_breaks_the_schema_raises_when_strict() -> None:
    broken = [{"response": 42, "p": "abc"}]
    with ScriptServer([Reply(200, SSE, events=frame_events(broken))]) as server, client(server.url, strict=True) as cf, \
            pytest.raises(ResponseValidationError, match="stream chunk 0") as caught:
        cf._run(LLAMA, {"prompt": "hi"}, stream=True).final()
    assert [e.path for e in caught.value.errors] == ["$.response"]


def test_stream_kind_comes_from_the_schemas_not_the_name() -> None:
    registry = default_registry()
    kinds = {m: stream_kind(registry.schema(m, "input"), registry.schema(m, "output")) for m in registry.models()}
    assert kinds[LLAMA] == "workers" and kinds["@cf/google/gemma-3-12b-it"] == "workers"
    assert kinds["@cf/zai-org/glm-4.7-flash"] == kinds["openai/gpt-5.5"] == "openai"
    assert kinds["@cf/baai/bge-base-en-v1.5"] is None
    frame = frame_schema(registry.schema(LLAMA, "output"))
    assert set(frame["properties"]) == {"response", "tool_calls", "p"} and "required" not in frame
    with client("http://127.0.0.1:9") as cf, pytest.raises(UsageError, match="does not stream"):
        cf._run("@cf/baai/bge-base-en-v1.5", {"text": "hi"}, stream=True)  # refused before sending


def test_glm_streams_openai_chunks_through_ai_run() -> None:
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "glm",
             "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}]}
    events = [f"data: {json.dumps(chunk)}\n\n".encode(), b"data: [DONE]\n\n"]
    payload = {"messages": [{"role": "user", "content": "hi"}]}
    # (glm's published chunk wants `message`: the ContractWarnings are not this test's concern)
    with ScriptServer([Reply(200, SSE, events=events)]) as server, client(server.url) as cf, \
            warnings.catch_warnings(record=True), cf._run("@cf/zai-org/glm-4.7-flash", payload, stream=True) as s:
        items = list(s)
    assert type(items[0]).__name__ == "ChatCompletionsChunk" and s.text() == "Hello"


def test_cli_streams_workers_ai_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"prompt": "Tell me a joke"}))
    with ScriptServer([Reply(200, SSE, events=frame_events(FRAMES))]) as server:
        monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", server.url + PREFIX)
        result = CliRunner().invoke(app, ["run", "-m", LLAMA, str(payload), "--stream"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Why did the llama cross the road?\n"


# --- an answer is never lost to our own schema check --------------------------------------------


RESPONSES_ANSWER: dict[str, Any] = {
    "id": "resp_1", "object": "response", "created_at": 1777055300, "model": "gpt-5.5", "status": "completed",
    "output": [{"type": "message", "id": "msg_01", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": "Hi.", "annotations": []}]}],
    "output_text": "Hi.",
    "usage": {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9},
}
GLM = "@cf/zai-org/glm-4.7-flash"
# Valid against glm's output schema; the integers are sent as integer-valued floats.
GLM_ANSWER: dict[str, Any] = {
    "id": "c1", "object": "chat.completion", "created": 1777055300.0, "model": "glm-4.7-flash",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi.", "refusal": None},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 7.0, "completion_tokens": 2, "total_tokens": 9.0},
}


def test_answer_breaking_the_schema_is_returned_with_a_located_warning(httpserver: HTTPServer) -> None:
    broken = {**GLM_ANSWER, "created": "yesterday"}
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{GLM}").respond_with_json(envelope(broken))
    payload = {"messages": [{"role": "user", "content": "hi"}]}
    with client(httpserver.url_for("")) as cf, pytest.warns(cfai.ContractWarning) as warned:
        reply = cf._run(GLM, payload)
    assert reply.body == envelope(broken) and reply.output == broken, "every byte kept"
    assert type(reply.data).__name__ == "ChatCompletionOutput", "best effort: the variant it looks like"
    assert reply.data.created == "yesterday", "the field that fails is kept as received"
    assert reply.data.usage.prompt_tokens == 7 and type(reply.data.usage).__name__ == "Usage", "the others typed"
    assert reply.data.choices[0].message.content == "Hi."
    warning = warned[0].message
    assert isinstance(warning, cfai.ContractWarning) and (warning.model, warning.where) == (GLM, "response")
    assert [(e.path, e.rule, e.value) for e in warning.errors] == [("$.created", "type", "yesterday")]
    assert TOKEN not in str(warning)
    with client(httpserver.url_for(""), strict=True) as cf, pytest.raises(ResponseValidationError):
        cf._run(GLM, payload)
    with client(httpserver.url_for("")) as cf, pytest.raises(ResponseValidationError):
        cf.run_untyped(GLM, payload, strict=True)  # per call


def test_an_answer_that_is_not_an_object_is_returned_as_json(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/v1/responses").respond_with_json(["not", "an", "object"])
    with client(httpserver.url_for("")) as cf, pytest.warns(cfai.ContractWarning):
        reply = cf._responses("openai/gpt-5.5", {"input": "hi"})
    assert reply.data == ["not", "an", "object"]


def test_integer_valued_floats_are_typed_as_ints(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{GLM}").respond_with_json(envelope(GLM_ANSWER))
    for strict in (False, True):
        with client(httpserver.url_for(""), strict=strict) as cf, warnings.catch_warnings():
            warnings.simplefilter("error")
            reply = cf._run(GLM, {"messages": [{"role": "user", "content": "hi"}]})
        assert reply.data.usage.prompt_tokens == 7 and type(reply.data.usage.prompt_tokens) is int
        assert reply.data.usage.completion_tokens == 2 and reply.data.choices[0].message.content == "Hi."
        usage = reply.output["usage"]
        assert type(usage["prompt_tokens"]) is float and reply.output == GLM_ANSWER, "the answer as received"


PLUGIN_USER_TESTS = """
import warnings, pytest, cfai

def test_using_the_fixture(cfai_contract):
    warnings.warn(cfai.ContractWarning("answer breaks the schema"))

@pytest.mark.filterwarnings("default::cfai.ContractWarning")
def test_opting_out(cfai_contract):
    warnings.warn(cfai.ContractWarning("answer breaks the schema"))

def test_without_the_fixtures():
    warnings.warn(cfai.ContractWarning("answer breaks the schema"))
"""


def test_plugin_fails_tests_using_its_fixtures_on_a_contract_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=PLUGIN_USER_TESTS)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    assert "test_using_the_fixture" in "\n".join(result.outlines)
    # `pytest -W error::cfai.ContractWarning` makes it a failure everywhere.
    strict = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-W", "error::cfai.ContractWarning")
    strict.assert_outcomes(passed=1, failed=2)


# --- the loose path: run_untyped on a model the bindings do not ship ----------------------------


NEW = "@cf/new/model"
NEW_SCHEMAS = {
    "input": {"type": "object", "properties": {"prompt": {"type": "string", "maxLength": 10}, "stream": {"type": "boolean"}},
              "required": ["prompt"]},
    "output": {"type": "object", "properties": {"response": {"type": "string"}}},
}


def _schema_endpoint(server: HTTPServer, body: Any, status: int = 200) -> None:
    server.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/models/schema", method="GET",
                          query_string={"model": NEW}).respond_with_json(body, status=status)


def test_run_untyped_fetches_the_schema_once_and_validates(httpserver: HTTPServer) -> None:
    _schema_endpoint(httpserver, {"result": NEW_SCHEMAS, "success": True, "errors": [], "messages": []})
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}", method="POST").respond_with_json(
        envelope({"response": "hello"}))
    with client(httpserver.url_for("")) as cf, warnings.catch_warnings():
        warnings.simplefilter("error")
        first = cf.run_untyped(NEW, {"prompt": "hi"})
        second = cf.run_untyped(NEW, {"prompt": "hi again"})
        with pytest.raises(InvalidPayload) as caught:
            cf.run_untyped(NEW, {"prompt": "far too long a prompt"})
    assert first.data == second.data == {"response": "hello"}
    (error,) = caught.value.errors
    assert (error.path, error.rule, error.limit) == ("$.prompt", "maxLength", 10) and "fetched" in error.schema_file
    methods = [r.method for r, _ in httpserver.log]
    assert methods == ["GET", "POST", "POST"], "schema fetched once, invalid payload never sent"
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_run_untyped_answer_breaking_the_fetched_schema_warns(httpserver: HTTPServer) -> None:
    _schema_endpoint(httpserver, {"result": NEW_SCHEMAS, "success": True})
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}").respond_with_json(envelope({"response": 1}))
    with client(httpserver.url_for("")) as cf, pytest.warns(cfai.ContractWarning):
        assert cf.run_untyped(NEW, {"prompt": "hi"}).data == {"response": 1}


def test_run_untyped_streams_with_a_fetched_schema(httpserver: HTTPServer) -> None:
    _schema_endpoint(httpserver, {"result": NEW_SCHEMAS, "success": True})
    body = b"".join(frame_events(FRAMES[:3]))
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}").respond_with_data(body, content_type="text/event-stream")
    with client(httpserver.url_for("")) as cf, warnings.catch_warnings():
        warnings.simplefilter("error")
        with cf.run_untyped(NEW, {"prompt": "hi"}, stream=True) as stream:
            assert all(type(c) is WorkersAIChunk for c in stream)
    assert stream.text() == "Why did the llama cross the road?"


@pytest.mark.parametrize("status, body", [(404, {"success": False, "errors": [{"code": 5007, "message": "No such model"}]}),
                                          (200, {"result": {"input": "not a schema"}, "success": True})])
def test_run_untyped_without_a_schema_warns_and_sends_unvalidated(httpserver: HTTPServer, status: int, body: Any) -> None:
    _schema_endpoint(httpserver, body, status)
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}").respond_with_json(envelope({"anything": [1]}))
    with client(httpserver.url_for(""), max_retries=0) as cf:
        with pytest.warns(SchemaUnavailableWarning, match=f"{NEW}: no schema to validate against") as warned:
            reply = cf.run_untyped(NEW, {"prompt": "far too long a prompt"})
        with pytest.warns(SchemaUnavailableWarning):
            cf.run_untyped(NEW, {"prompt": "again"})
    assert reply.data == {"anything": [1]}
    assert TOKEN not in str(warned[0].message)
    assert [r.method for r, _ in httpserver.log] == ["GET", "POST", "POST"], "a lasting answer is remembered"


def test_run_untyped_validate_false_fetches_nothing(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}").respond_with_json(envelope({"x": 1}))
    with client(httpserver.url_for("")) as cf, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cf.run_untyped(NEW, {"prompt": 5}, validate=False).data == {"x": 1}
    assert [r.method for r, _ in httpserver.log] == ["POST"]


def test_async_run_untyped_fetches_once(httpserver: HTTPServer) -> None:
    _schema_endpoint(httpserver, {"result": NEW_SCHEMAS, "success": True})
    httpserver.expect_request(f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{NEW}").respond_with_json(envelope({"response": "a"}))

    async def main() -> list[Any]:
        async with aclient(httpserver.url_for("")) as cf:
            return [(await cf.run_untyped(NEW, {"prompt": p})).data for p in ("a", "b")]

    assert asyncio.run(main()) == [{"response": "a"}] * 2
    assert [r.method for r, _ in httpserver.log] == ["GET", "POST", "POST"]


def test_fetch_failure_that_may_pass_is_not_remembered() -> None:
    replies = [json_reply(503, {"success": False, "errors": [{"code": 7010, "message": "busy"}]}),
               json_reply(200, envelope({"response": "a"})),
               json_reply(200, {"result": NEW_SCHEMAS, "success": True}),
               json_reply(200, envelope({"response": "b"}))]
    with ScriptServer(replies) as server, client(server.url, max_retries=0) as cf:
        with pytest.warns(SchemaUnavailableWarning, match="ServerError"):
            cf.run_untyped(NEW, {"prompt": "hi"})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert cf.run_untyped(NEW, {"prompt": "hi"}).data == {"response": "b"}
