"""The runtime client against real servers on 127.0.0.1: the recordings replayed, every fault in
tests/faults/ injected, invalid payloads refused before any byte is sent, and the token never shown."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cfai_models
import httpx
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from cfai import client as cfai
from cfai.cli import app
from cfai.client import AsyncClient, Client, InvalidPayload, Response, Stream
from cfai.envelope import unwrap
from cfai.faults import retry_after

from .conftest import ROOT, load_json, recording_id, recordings
from .servers import Reply, ScriptServer, envelope, free_port, json_reply, sse_body

ACCOUNT = "acct"
TOKEN = "test-token-not-secret"
CANARY = "cfai-canary-7f3a9c"
PREFIX = "/client/v4"
ALL = recordings()
COMPLETE = [p for p in ALL if not load_json(p).get("stream")]
STREAMED = [p for p in ALL if load_json(p).get("stream")]
FAULTS = sorted((ROOT / "tests" / "faults").glob("*.json"))
INVALID = sorted((ROOT / "tests" / "payloads" / "invalid").glob("*.json"))

# A Responses answer for openai/gpt-5.5. SYNTHETIC: no Responses answer was recorded on the seed
# pages; this one follows the schema's Responses output variant and the OpenAI Responses format.
RESPONSES_ANSWER: dict[str, Any] = {
    "id": "resp_0c1f6a2d9b7e4c55a1",
    "object": "response",
    "created_at": 1777055300,
    "model": "gpt-5.5-2026-04-23",
    "status": "completed",
    "output": [
        {"type": "reasoning", "id": "rs_01", "summary": []},
        {
            "type": "message",
            "id": "msg_01",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Once upon a time, a lighthouse kept a secret.", "annotations": []}],
        },
    ],
    "output_text": "Once upon a time, a lighthouse kept a secret.",
    "usage": {"input_tokens": 12, "output_tokens": 41, "total_tokens": 53, "output_tokens_details": {"reasoning_tokens": 28}},
    "gatewayMetadata": {"keySource": "Unified"},
}


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never pick up a developer's real Cloudflare credentials."""
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield


def make_client(base_url: str, token: str = TOKEN, **options: Any) -> tuple[Client, list[float]]:
    slept: list[float] = []
    return Client(ACCOUNT, token, base_url=base_url + PREFIX, sleep=slept.append, **options), slept


def api_path(tail: str) -> str:
    return f"{PREFIX}/accounts/{ACCOUNT}{tail}"


def plain(case: dict[str, Any]) -> dict[str, Any]:
    output: dict[str, Any] = unwrap(case["response"])
    return output


def chat_args(request: dict[str, Any]) -> dict[str, Any]:
    """A recorded request as `chat_completions` keyword arguments (stream is passed on its own)."""
    return {k: v for k, v in request.items() if k != "stream"}


# --- the recordings, replayed through pytest-httpserver ----------------------------------------


@pytest.mark.parametrize("path", COMPLETE, ids=recording_id)
def test_recorded_answer_through_ai_run(httpserver: HTTPServer, path: Path) -> None:
    case = load_json(path)
    # /ai/run answers in the envelope; the one recorded enveloped is served exactly as recorded.
    body = case["response"] if case["envelope"] else envelope(case["response"])
    httpserver.expect_oneshot_request(api_path(f"/ai/run/{case['model']}"), method="POST").respond_with_json(body)
    client, _ = make_client(httpserver.url_for(""))
    with client:
        answer = client.run(case["model"], case["request"])
    assert type(answer.data) is cfai_models.load(case["model"]).ChatCompletionsOutput
    assert answer.data.model_dump(mode="json", exclude_unset=True)["choices"] == plain(case)["choices"]
    assert answer.output == plain(case) and answer.body == body
    gateway = answer.body.get("gatewayMetadata") or answer.output.get("gatewayMetadata")
    assert gateway == {"keySource": "Unified"}, "keys the model ignores stay reachable"
    (request, _), = httpserver.log
    assert request.environ["RAW_URI"] == api_path(f"/ai/run/{case['model']}"), "slash kept, not %2F"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.get_json() == case["request"]
    assert (answer.attempts, answer.waits, answer.status_code) == (1, (), 200)


@pytest.mark.parametrize("path", COMPLETE, ids=recording_id)
def test_recorded_answer_through_chat_completions(httpserver: HTTPServer, path: Path) -> None:
    case = load_json(path)
    httpserver.expect_oneshot_request(api_path("/ai/v1/chat/completions"), method="POST").respond_with_json(plain(case))
    client, _ = make_client(httpserver.url_for(""))
    with client:
        answer = client.chat_completions(**case["request"])
    data = answer.data
    assert type(data) is cfai_models.load(case["model"]).ChatCompletionsOutput
    assert data.model_dump(mode="json", exclude_unset=True)["usage"] == plain(case)["usage"]
    assert answer.output == plain(case), "unknown keys (gatewayMetadata, service_tier) stay reachable"
    (request, _), = httpserver.log
    assert request.get_json() == case["request"], "model goes in the body, params as given"


@pytest.mark.parametrize("path", STREAMED, ids=recording_id)
@pytest.mark.parametrize("how", ["chat_completions", "run"])
def test_recorded_stream_as_server_sent_events(httpserver: HTTPServer, path: Path, how: str) -> None:
    case = load_json(path)
    tail = "/ai/v1/chat/completions" if how == "chat_completions" else f"/ai/run/{case['model']}"
    httpserver.expect_oneshot_request(api_path(tail), method="POST").respond_with_data(
        sse_body(case["chunks"]), content_type="text/event-stream"
    )
    client, _ = make_client(httpserver.url_for(""))
    with client:
        if how == "run":
            stream: Stream[Any] = client.run(case["model"], case["request"], stream=True)
        else:
            stream = client.chat_completions(**chat_args(case["request"]), stream=True)
        with stream:
            first = next(stream)
            final = stream.final()
    assert type(first) is cfai_models.load(case["model"]).ChatCompletionsChunk
    assert len(final.text) == case["expect"]["text_chars"]
    assert final.text.endswith(case["expect"]["text_endswith"])
    assert final.usage == case["chunks"][-1]["usage"] and final.finish_reason == "stop"
    assert stream.chunks == case["chunks"], "every chunk's JSON kept, unknown keys included"
    (request, _), = httpserver.log
    assert request.headers["Accept"] == "text/event-stream" and request.get_json()["stream"] is True


def test_responses_format_through_ai_v1_responses(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(api_path("/ai/v1/responses"), method="POST").respond_with_json(RESPONSES_ANSWER)
    client, _ = make_client(httpserver.url_for(""))
    with client:
        answer = client.responses(model="openai/gpt-5.5", input="Tell me a story", max_output_tokens=200)
    assert type(answer.data) is cfai_models.load("openai/gpt-5.5").ResponsesOutput
    assert answer.data.model_dump(exclude_unset=True)["output_text"] == RESPONSES_ANSWER["output_text"]
    assert answer.output["gatewayMetadata"] == {"keySource": "Unified"}
    (request, _), = httpserver.log
    assert request.get_json() == {"model": "openai/gpt-5.5", "input": "Tell me a story", "max_output_tokens": 200}


def test_responses_format_through_ai_run_follows_the_input_variant(httpserver: HTTPServer) -> None:
    """The answer's variant is the request's: a Responses payload gets a Responses answer checked."""
    httpserver.expect_oneshot_request(api_path("/ai/run/openai/gpt-5.5")).respond_with_json(envelope(RESPONSES_ANSWER))
    client, _ = make_client(httpserver.url_for(""))
    with client:
        answer = client.run("openai/gpt-5.5", {"input": "Tell me a story"})
    assert type(answer.data).__name__ == "ResponsesOutput"


def test_responses_stream_synthetic(httpserver: HTTPServer) -> None:
    # SYNTHETIC Responses events (none recorded), in the OpenAI Responses streaming format.
    events = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        {"type": "response.output_text.delta", "delta": "Once upon "},
        {"type": "response.output_text.delta", "delta": "a time."},
        {"type": "response.completed", "response": {**RESPONSES_ANSWER, "output_text": "Once upon a time."}},
    ]
    httpserver.expect_oneshot_request(api_path("/ai/v1/responses")).respond_with_data(
        sse_body(events, done=False), content_type="text/event-stream"
    )
    client, _ = make_client(httpserver.url_for(""))
    with client, client.responses(model="openai/gpt-5.5", input="Tell me a story", stream=True) as stream:
        final = stream.final()
    assert final.text == "Once upon a time." and final.usage == RESPONSES_ANSWER["usage"]


# --- faults, one data file each, through ScriptServer -------------------------------------------


# A fault file: {"description", "call": {"method": run|chat_completions, "recording": <model>/<case>,
# "stream"}, "client": {Client options}, "server": "refused" (nothing listening), "replies": [...],
# "expect": {...}}. Each reply is served once (`times` repeats it; the last one repeats): either
# {"status", "headers", "body" | "json"}, or {"recording": "response" | "chunks"} to serve the call's
# recording (enveloped for run) with `patch` / `patch_chunk` / `drop_done` / `drop_usage` /
# `unfinished_after` (close mid-stream after N events); `cut` (bytes sent of a body promised in
# full) and `delay` (seconds before the status line) apply to any reply. The Cloudflare error bodies
# have the API's shape; their codes and messages are illustrative. `expect`: the error class name (or
# null), status, attempts, waits, requests the server saw, and optionally codes / excerpt / paths /
# message / warning / text_chars.


def _replies(case: dict[str, Any], recording: dict[str, Any]) -> list[Reply]:
    enveloped = case["call"]["method"] == "run"
    replies: list[Reply] = []
    for spec in case["replies"]:
        source = spec.get("recording")
        if source == "response":
            body = {**plain(recording), **spec.get("patch", {})}
            reply = json_reply(200, envelope(body) if enveloped else body)
        elif source == "chunks":
            chunks = copy.deepcopy(recording["chunks"])
            if spec.get("drop_usage"):
                chunks = [c for c in chunks if c.get("usage") is None]
            if "patch_chunk" in spec:
                index, patch = spec["patch_chunk"]
                chunks[index].update(patch)
            events = [sse_body([c], done=False) for c in chunks]
            if not spec.get("drop_done"):
                events.append(b"data: [DONE]\n\n")
            cut = spec.get("unfinished_after")
            reply = Reply(200, {"Content-Type": "text/event-stream"}, events=events[:cut], unfinished=cut is not None)
        elif "json" in spec:
            reply = json_reply(spec["status"], spec["json"], spec.get("headers"))
        else:
            reply = Reply(spec["status"], spec.get("headers", {}), spec["body"].encode())
        reply.delay, reply.cut = spec.get("delay", 0.0), spec.get("cut")
        replies += [copy.copy(reply) for _ in range(spec.get("times", 1))]
    return replies


def _call(client: Client, spec: dict[str, Any], recording: dict[str, Any]) -> Any:
    """Make the call a fault case names; a stream is read to its end."""
    request, stream = recording["request"], spec.get("stream", False)
    if spec["method"] == "run":
        result: Any = client.run(recording["model"], request, stream=stream)
    else:
        result = client.chat_completions(**chat_args(request), stream=stream)
    if isinstance(result, Stream):
        with result:
            return result, result.final()
    return result, None


@pytest.mark.parametrize("path", FAULTS, ids=lambda p: p.stem)
def test_fault(path: Path) -> None:
    case = load_json(path)
    recording = load_json(ROOT / "tests" / "recordings" / f"{case['call']['recording']}.json")
    expect = case["expect"]
    with ScriptServer(_replies(case, recording)) as server:
        base = f"http://127.0.0.1:{free_port()}" if case.get("server") == "refused" else server.url
        client, slept = make_client(base, **case.get("client", {}))
        with client, warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            try:
                result, final = _call(client, case["call"], recording)
                error = None
            except cfai.APIError as exc:
                error = exc
    assert len(server.log) == expect["requests"]
    assert slept == expect.get("waits", slept), "the waits asked for were the waits taken"
    assert [w.category.__name__ for w in warned] == ([expect["warning"]] if "warning" in expect else [])
    if expect["error"] is None:
        assert error is None, f"unexpected {error!r}: {error}"
        assert (result.attempts, list(result.waits)) == (expect["attempts"], slept)
        if "text_chars" in expect:
            assert len(final.text) == expect["text_chars"]
        else:
            assert isinstance(result, Response) and result.data is not None
        return
    assert type(error).__name__ == expect["error"], f"{error!r}: {error}"
    assert isinstance(error, cfai.APIError)
    assert error.model == recording["model"] and error.path.startswith(api_path("/ai/"))
    assert error.status == expect.get("status")
    assert (error.attempts, list(error.waits)) == (expect["attempts"], slept)
    assert error.model in str(error) and error.path in str(error)
    # Only an error with no answer names the host it could not reach (issue 11); none shows more of the URL.
    assert ("127.0.0.1" in str(error)) == isinstance(error, cfai.APIConnectionError)
    if "codes" in expect:
        assert [e.code for e in error.errors] == expect["codes"]  # type: ignore[attr-defined]
        assert all(e.message in str(error) for e in error.errors)  # type: ignore[attr-defined]
    if "excerpt" in expect:
        assert error.excerpt == expect["excerpt"]  # type: ignore[attr-defined]
    if "paths" in expect:
        assert [e.path for e in error.errors] == expect["paths"]  # type: ignore[attr-defined]
    if "message" in expect:
        assert expect["message"] in str(error)
    if isinstance(error, cfai.StreamIncomplete) and expect["message"] != "usage":
        assert error.partial.chunks > 0 and error.partial.text


def test_fault_table_covers_the_issue() -> None:
    names = {p.stem for p in FAULTS}
    for status in (400, 401, 403, 404, 500):
        assert any(f"-{status}-" in n for n in names), status
    for needed in ("rate-limit-429-retry-after-then-success", "unavailable-503-twice-then-success",
                   "bad-gateway-502-exhausts-retries", "html-502-error-page", "non-json-200", "truncated-json-200",
                   "output-schema-mismatch-strict", "output-schema-mismatch-lenient", "timeout", "connection-refused",
                   "stream-ends-before-done", "stream-without-usage-chunk"):
        assert needed in names


def test_request_path_keeps_the_model_slash() -> None:
    with ScriptServer([json_reply(200, envelope(plain(load_json(COMPLETE[0]))))]) as server:
        client, _ = make_client(server.url)
        with client:
            client.run("openai/gpt-5.1-chat", {"messages": [{"role": "user", "content": "hi"}]})
    assert server.log[0].path == api_path("/ai/run/openai/gpt-5.1-chat")


# --- invalid payloads: refused, and nothing reaches the server ----------------------------------


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_payload_is_never_sent(httpserver: HTTPServer, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = load_json(path)
    payload, expected = case["payload"], [(e["path"], e["rule"]) for e in case["expect"]]
    httpserver.expect_request("/", method="POST").respond_with_json({})  # nothing should ever get here
    client, _ = make_client(httpserver.url_for(""), max_retries=5)
    with client:
        with pytest.raises(InvalidPayload) as caught:
            client.run(case["model"], payload)
        assert [(e.path, e.rule) for e in caught.value.errors] == expected
        params = {k: v for k, v in payload.items() if k not in ("model", "messages", "input")}
        if "messages" in payload:
            with pytest.raises(InvalidPayload):
                client.chat_completions(model=case["model"], messages=payload["messages"], **params)
        if "input" in payload or "Responses" in (case["expect"][0].get("variant") or ""):
            with pytest.raises(InvalidPayload):
                client.responses(model=case["model"], input=payload.get("input"), **params)
    file = tmp_path / "payload.json"
    file.write_text(json.dumps(payload))
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", httpserver.url_for(PREFIX))
    result = CliRunner().invoke(app, ["run", "--model", case["model"], str(file)])
    assert result.exit_code == 1, result.output
    assert case["expect"][0]["path"] in result.output
    assert httpserver.log == [], "an invalid payload reached the server"


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def setup(base_url: str, token: str = TOKEN) -> None:
        monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", token)
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", base_url + PREFIX)

    return setup


def _payload_file(tmp_path: Path, payload: Any) -> str:
    file = tmp_path / "payload.json"
    file.write_text(json.dumps(payload))
    return str(file)


def test_cli_dry_run_prints_the_request_and_sends_nothing(tmp_path: Path, cli_env: Callable[[str], None]) -> None:
    with ScriptServer() as server:
        cli_env(server.url)
        payload = load_json(COMPLETE[0])["request"]
        result = CliRunner().invoke(app, ["run", "--model", "openai/gpt-5.1-chat", _payload_file(tmp_path, payload), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"POST {server.url}{api_path('/ai/run/openai/gpt-5.1-chat')}\n")
    assert "\nAuthorization: Bearer ***\n" in result.output
    assert TOKEN not in result.output and json.loads(result.output.split("\n\n", 1)[1]) == payload
    assert server.log == []


def test_cli_run_prints_the_answer_and_streams_text(tmp_path: Path, cli_env: Callable[[str], None]) -> None:
    complete, streamed = load_json(COMPLETE[0]), load_json(STREAMED[0])
    events = Reply(200, {"Content-Type": "text/event-stream"}, sse_body(streamed["chunks"]))
    with ScriptServer([json_reply(200, envelope(plain(complete))), events]) as server:
        cli_env(server.url)
        runner = CliRunner()
        printed = runner.invoke(app, ["run", "-m", complete["model"], _payload_file(tmp_path, complete["request"])])
        streamed_out = runner.invoke(app, ["run", "-m", streamed["model"], _payload_file(tmp_path, streamed["request"]), "--stream"])
    assert printed.exit_code == 0 and json.loads(printed.output) == plain(complete)
    assert streamed_out.exit_code == 0, streamed_out.output
    assert streamed_out.output.rstrip("\n").endswith(streamed["expect"]["text_endswith"])


def test_cli_exit_codes_for_faults_and_usage(tmp_path: Path, cli_env: Callable[[str], None], monkeypatch: pytest.MonkeyPatch) -> None:
    payload = _payload_file(tmp_path, {"messages": [{"role": "user", "content": "hi"}]})
    runner = CliRunner()
    with ScriptServer([json_reply(401, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]})]) as server:
        cli_env(server.url)
        failed = runner.invoke(app, ["run", "-m", "openai/gpt-5.5", payload])
    assert failed.exit_code == 3 and "AuthenticationError" in failed.output and "[10000]" in failed.output
    assert runner.invoke(app, ["run", "-m", "openai/gpt-5.5", str(tmp_path / "missing.json")]).exit_code == 2
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    missing = runner.invoke(app, ["run", "-m", "openai/gpt-5.5", payload])
    assert missing.exit_code == 2 and "CLOUDFLARE_API_TOKEN" in missing.output


# --- the token never shows ----------------------------------------------------------------------


def test_canary_token_appears_nowhere(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], cli_env: Callable[..., None]
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's, httpcore's
    complete, streamed = load_json(COMPLETE[0]), load_json(STREAMED[0])
    texts: list[str] = []
    cf401 = {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]}
    replies = [
        json_reply(200, plain(complete)),
        Reply(200, {"Content-Type": "text/event-stream"}, sse_body(streamed["chunks"])),
        json_reply(503, {"success": False, "errors": [{"code": 7010, "message": "Service unavailable"}]}),
        json_reply(200, plain(complete)),
        json_reply(401, cf401),
        Reply(200, {"Content-Type": "text/event-stream"}, events=[sse_body(streamed["chunks"][:5], done=False)], unfinished=True),
        json_reply(200, {**plain(complete), "choices": "broken"}),
        json_reply(200, plain(complete), {"X": "y"}),
    ]
    with ScriptServer(replies) as server:
        client, _ = make_client(server.url, token=CANARY, timeout=2.0)
        texts += [repr(client), str(vars(client))]
        with client:
            client.chat_completions(**complete["request"])
            client.chat_completions(**chat_args(streamed["request"]), stream=True).final()
            client.chat_completions(**complete["request"])  # 503, then retried
            for bad in (
                lambda: client.chat_completions(**complete["request"]),  # 401
                lambda: client.chat_completions(**chat_args(streamed["request"]), stream=True).final(),  # cut
            ):
                with pytest.raises(cfai.CfaiError) as caught:
                    bad()
                texts += [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value))]
            with pytest.warns(cfai.ContractWarning) as warned:  # breaks the schema: returned, with a warning
                client.chat_completions(**complete["request"])
            texts += [str(w.message) + repr(w.message.errors) for w in warned]  # type: ignore[union-attr]
            with pytest.raises(cfai.CfaiError) as caught:
                client.run("openai/gpt-5.5", {"messages": [], "temperature": 9})  # invalid
            texts += [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value))]
        refused, _ = make_client(f"http://127.0.0.1:{free_port()}", token=CANARY, max_retries=1)
        with refused, pytest.raises(cfai.APIConnectionError) as caught:
            refused.chat_completions(**complete["request"])
        texts += [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value))]
        cli_env(server.url, CANARY)
        payload = _payload_file(tmp_path, complete["request"])
        for args in (["--dry-run"], [], ["--stream", "--dry-run"]):
            result = CliRunner().invoke(app, ["run", "-m", complete["model"], payload, *args])
            texts += [result.output, repr(result.exception)]
    assert any(r.headers.get("Authorization") == f"Bearer {CANARY}" for r in server.log), "the canary was really used"
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text, *(r.getMessage() for r in caplog.records)]
    texts += [str(r.args) for r in caplog.records]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    leaks = [t for t in texts if CANARY in t]
    assert not leaks, leaks[0][:500]
    assert any("retrying in 0.50 s" in r.getMessage() for r in caplog.records if r.name == "cfai")


# --- the async client ---------------------------------------------------------------------------


def test_async_client_success_stream_and_retry() -> None:
    complete, streamed = load_json(COMPLETE[0]), load_json(STREAMED[0])
    replies = [
        json_reply(200, envelope(plain(complete))),
        Reply(200, {"Content-Type": "text/event-stream"}, sse_body(streamed["chunks"])),
        json_reply(429, {"success": False, "errors": [{"code": 3040, "message": "Capacity"}]}, {"Retry-After": "2"}),
        json_reply(200, plain(complete)),
        json_reply(502, {"success": False, "errors": []}),
    ]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def scenario(base_url: str) -> tuple[Any, ...]:
        async with AsyncClient(ACCOUNT, TOKEN, base_url=base_url + PREFIX, sleep=sleep, max_retries=1) as client:
            answer = await client.run(complete["model"], complete["request"])
            async with await client.chat_completions(**chat_args(streamed["request"]), stream=True) as stream:
                chunks = [chunk async for chunk in stream]
                final = await stream.final()
            retried = await client.chat_completions(**complete["request"])
            with pytest.raises(cfai.ServerError) as caught:
                await client.chat_completions(**complete["request"])
            return answer, chunks, final, retried, caught.value

    with ScriptServer(replies) as server:
        answer, chunks, final, retried, error = asyncio.run(scenario(server.url))
    assert type(answer.data).__name__ == "ChatCompletionsOutput" and answer.output == plain(complete)
    assert len(chunks) == len(streamed["chunks"]) and len(final.text) == streamed["expect"]["text_chars"]
    assert (retried.attempts, retried.waits) == (2, (2.0,))
    assert (error.status, error.attempts, error.waits) == (502, 2, (0.5,))
    assert slept == [2.0, 0.5]


# --- units: the pieces a server cannot easily show ----------------------------------------------


def test_injected_transport_and_repr() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=envelope(plain(load_json(COMPLETE[0]))))

    with Client(ACCOUNT, CANARY, base_url="https://example.test/client/v4", transport=httpx.MockTransport(handler)) as client:
        assert CANARY not in repr(client) and "example.test" in repr(client)
        client.run("openai/gpt-5.1-chat", {"messages": [{"role": "user", "content": "hi"}]})
    assert seen[0].url.raw_path == b"/client/v4/accounts/acct/ai/run/openai/gpt-5.1-chat"


def test_missing_credentials_and_stream_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    with pytest.raises(cfai.MissingCredentials, match="CLOUDFLARE_ACCOUNT_ID"):
        Client()
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9")
    with Client() as client:
        assert client.base_url == "http://127.0.0.1:9"
        with pytest.raises(ValueError, match="stream=True"):
            client.run("openai/gpt-5.5", {"messages": [], "stream": True})


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "Sun, 22 Nov 2026 06:00:10 GMT", "date": "Sun, 22 Nov 2026 06:00:00 GMT"}, 10.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsing(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(headers) == seconds
