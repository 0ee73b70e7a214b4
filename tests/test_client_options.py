"""Per-request options (issue 17), against real servers on 127.0.0.1: `with_options` copies (sharing
the pool, leaving the original as it was), `run_untyped`'s own `timeout`/`extra_headers`/
`extra_query`/`extra_body`, the token never overridable, bad values refused with `UsageError`
before anything is sent, and the raw answer (`status_code`, `headers`, `content`) on every reply."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

import httpx
import pytest
from cfai_models import llama_3_1_8b_instruct as llama

import cfai
from cfai.client import APITimeoutError, ServerError, UsageError

from .servers import Reply, ScriptServer, envelope, json_reply, sse_body

ACCOUNT = "acct"
TOKEN = "test-token-not-secret"
PREFIX = "/client/v4"
LLAMA = "@cf/meta/llama-3.1-8b-instruct"
RUN_PATH = f"{PREFIX}/accounts/{ACCOUNT}/ai/run/{LLAMA}"
ANSWER = envelope({"response": "Hi!", "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
PROMPT: dict[str, Any] = {"prompt": "hi", "max_tokens": 16}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def client(url: str, **options: Any) -> cfai.Client:
    return cfai.Client(ACCOUNT, TOKEN, base_url=url + PREFIX, sleep=lambda _: None, **options)


def aclient(url: str, **options: Any) -> cfai.AsyncClient:
    async def no_sleep(_: float) -> None:
        return None

    return cfai.AsyncClient(ACCOUNT, TOKEN, base_url=url + PREFIX, sleep=no_sleep, **options)


def ok(headers: dict[str, str] | None = None) -> Reply:
    return json_reply(200, ANSWER, headers)


# --- headers, query and body arrive -------------------------------------------------------------


def test_with_options_sends_extra_headers_query_and_body_and_leaves_the_original() -> None:
    with ScriptServer([ok()]) as server, client(server.url) as cf:
        gateway = cf.with_options(
            extra_headers={"cf-aig-cache-ttl": "60", "cf-aig-metadata": '{"team":"a"}'},
            extra_query={"trace": "on", "n": 2},
            extra_body={"seed_hint": 7},
        )
        reply = gateway.run(llama.prompt, PROMPT)  # the typed call: the per-call form is with_options
        cf.run(llama.prompt, PROMPT)
    assert reply.data.response == "Hi!"  # type: ignore[union-attr]
    sent, plain = server.log
    assert sent.path == f"{RUN_PATH}?trace=on&n=2"
    assert sent.headers["cf-aig-cache-ttl"] == "60" and sent.headers["cf-aig-metadata"] == '{"team":"a"}'
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.json() == {**PROMPT, "seed_hint": 7}
    # the original is untouched: nothing of the copy's options on its request
    assert plain.path == RUN_PATH and "cf-aig-cache-ttl" not in plain.headers and plain.json() == PROMPT


def test_run_untyped_takes_the_options_per_call_laid_over_the_clients() -> None:
    with ScriptServer([ok()]) as server, client(server.url, extra_headers={"cf-aig-skip-cache": "true", "x-a": "1"}) as cf:
        cf.run_untyped(LLAMA, PROMPT, extra_headers={"X-A": "2"}, extra_query={"q": "1"}, extra_body={"extra": [1]})
        cf.run_untyped(LLAMA, PROMPT)
    first, second = server.log
    assert first.headers["cf-aig-skip-cache"] == "true" and first.headers["X-A"] == "2"
    assert "x-a" not in first.headers or first.headers["x-a"] == "2"  # one spelling wins, never both
    assert first.path == f"{RUN_PATH}?q=1" and first.json() == {**PROMPT, "extra": [1]}
    assert second.headers["x-a"] == "1" and second.path == RUN_PATH and second.json() == PROMPT


def test_options_reach_the_openai_endpoints_and_streams() -> None:
    frames = [{"response": "Hi", "p": "abc"}, {"response": "", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}]
    stream_reply = Reply(200, {"Content-Type": "text/event-stream", "cf-aig-cache-status": "MISS"}, sse_body(frames))
    with ScriptServer([stream_reply]) as server, client(server.url) as cf:
        tagged = cf.with_options(extra_headers={"cf-aig-id": "x"}, extra_body={"raw_hint": True})
        with tagged.stream(llama.prompt, PROMPT) as stream:
            assert stream.text() == "Hi"
            assert stream.status_code == 200 and stream.headers["cf-aig-cache-status"] == "MISS"
    (sent,) = server.log
    assert sent.headers["cf-aig-id"] == "x" and sent.json() == {**PROMPT, "stream": True, "raw_hint": True}


# --- the token is never overridable; bad values are refused before anything is sent -------------


@pytest.mark.parametrize("name", ["Authorization", "authorization", "AUTHORIZATION"])
def test_authorization_can_never_be_set(name: str) -> None:
    with ScriptServer([ok()]) as server:
        with pytest.raises(UsageError, match="may not set .*API token"):
            client(server.url, extra_headers={name: "Bearer other"})
        with client(server.url) as cf:
            with pytest.raises(UsageError, match="may not set"):
                cf.with_options(extra_headers={name: "Bearer other"})
            with pytest.raises(UsageError, match="may not set"):
                cf.run_untyped(LLAMA, PROMPT, extra_headers={name: "Bearer other"})
    assert server.log == []


BAD_OPTIONS: list[tuple[dict[str, Any], str]] = [
    ({"timeout": 0}, "timeout must be a number of seconds greater than 0"),
    ({"timeout": -1.0}, "timeout must be"),
    ({"timeout": math.nan}, "timeout must be"),
    ({"timeout": "5"}, "timeout must be"),
    ({"timeout": True}, "timeout must be"),
    ({"max_retries": -1}, "max_retries must be an integer of at least 0"),
    ({"max_retries": 1.5}, "max_retries must be"),
    ({"max_retries": True}, "max_retries must be"),
    ({"max_retry_wait": -1}, "max_retry_wait must be"),
    ({"max_response_bytes": 0}, "max_response_bytes must be an integer of at least 1"),
    ({"stream_idle_timeout": 0}, "stream_idle_timeout must be .* or None"),
    ({"stream_timeout": math.inf}, "stream_timeout must be"),
    ({"strict": "yes"}, "strict must be True or False"),
    ({"extra_headers": ["cf-aig-x"]}, "extra_headers must be a mapping"),
    ({"extra_headers": {"bad name": "x"}}, "not a valid HTTP header name"),
    ({"extra_headers": {"x-a": "one\r\nInjected: yes"}}, "without line breaks"),
    ({"extra_headers": {"x-a": 1}}, r"extra_headers\['x-a'\] must be a string"),
    ({"extra_headers": {"Host": "evil.example"}}, "may not set Host"),
    ({"extra_headers": {"Accept-Encoding": "br"}}, "may not set Accept-Encoding"),
    ({"extra_query": {"n": math.nan}}, "must be a string or a finite number"),
    ({"extra_query": {"": "x"}}, "not a parameter name"),
    ({"extra_query": {"flag": True}}, "must be a string or a finite number"),
    ({"extra_body": [1]}, "extra_body must be a mapping"),
    ({"extra_body": {"x": math.nan}}, r"extra_body is not JSON at \$.x"),
    ({"extra_body": {"x": {1: "a"}}}, "extra_body is not JSON"),
]


@pytest.mark.parametrize("options, message", BAD_OPTIONS, ids=lambda v: json.dumps(v, default=repr)[:40] if isinstance(v, dict) else None)
def test_bad_option_values_are_usage_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        client("http://127.0.0.1:9", **options)
    with client("http://127.0.0.1:9") as cf:
        with pytest.raises(UsageError, match=message):
            cf.with_options(**options)
        assert cf.timeout == httpx.Timeout(60.0) and cf.max_retries == 2  # a refused copy changed nothing


def test_run_untyped_refuses_bad_options_before_sending() -> None:
    with ScriptServer([ok()]) as server, client(server.url) as cf:
        with pytest.raises(UsageError, match="timeout must be"):
            cf.run_untyped(LLAMA, PROMPT, timeout=-2)
        with pytest.raises(UsageError, match=r"extra_body would replace 'prompt'"):
            cf.run_untyped(LLAMA, PROMPT, extra_body={"prompt": "not validated"})
        with pytest.raises(UsageError, match="may not set 'stream'"):
            cf.run_untyped(LLAMA, PROMPT, extra_body={"stream": True})
        with pytest.raises(UsageError, match=r"extra_body would replace 'model'"):
            cf.with_options(extra_body={"model": "other"}).run_untyped(
                "openai/gpt-5.5", {"messages": [{"role": "user", "content": "hi"}]}, endpoint="chat_completions"
            )
    assert server.log == []


# --- copies share the pool and do not mutate the original ---------------------------------------


def test_with_options_copy_shares_the_pool_and_leaves_the_original() -> None:
    with ScriptServer([ok()]) as server, client(server.url, extra_headers={"cf-aig-a": "1"}) as cf:
        fast = cf.with_options(timeout=5, max_retries=0, strict=True, extra_headers={"cf-aig-b": "2"})
        assert type(fast) is cfai.Client and fast is not cf
        assert fast._http is cf._http  # one connection pool
        assert (fast.timeout, fast.request_timeout, fast.max_retries, fast.strict) == (httpx.Timeout(5.0), 5.0, 0, True)
        assert (cf.timeout, cf.request_timeout, cf.max_retries, cf.strict) == (httpx.Timeout(60.0), 60.0, 2, False)
        assert dict(fast._options.extra_headers) == {"cf-aig-a": "1", "cf-aig-b": "2"}
        assert dict(cf._options.extra_headers) == {"cf-aig-a": "1"}
        with fast.with_options(max_retries=1) as nested:  # closing a copy leaves the shared pool open
            nested.run(llama.prompt, PROMPT)
        assert not cf._http.is_closed
        cf.run(llama.prompt, PROMPT)
    assert cf._http.is_closed  # the client that opened the pool closed it
    assert [r.headers.get("cf-aig-b") for r in server.log] == ["2", None]


def test_async_with_options_shares_the_pool() -> None:
    async def main(url: str) -> None:
        async with aclient(url) as cf:
            copy = cf.with_options(timeout=3, extra_headers={"cf-aig-x": "y"}, extra_query={"a": "b"})
            assert type(copy) is cfai.AsyncClient and copy._http is cf._http
            await copy.run(llama.prompt, PROMPT)
            await copy.close()
            await cf.run_untyped(LLAMA, PROMPT, extra_body={"k": 1}, timeout=4)

    with ScriptServer([ok()]) as server:
        asyncio.run(main(server.url))
    first, second = server.log
    assert first.headers["cf-aig-x"] == "y" and first.path == f"{RUN_PATH}?a=b"
    assert "cf-aig-x" not in second.headers and second.json() == {**PROMPT, "k": 1}


# --- per-call timeout and retries ----------------------------------------------------------------


def test_per_call_timeout_bounds_the_call() -> None:
    slow = Reply(200, {"Content-Type": "application/json"}, json.dumps(ANSWER).encode(), delay=1.5)
    with ScriptServer([slow]) as server, client(server.url, max_retries=0) as cf:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            cf.with_options(timeout=0.2).run(llama.prompt, PROMPT)
        with pytest.raises(APITimeoutError):
            cf.run_untyped(LLAMA, PROMPT, timeout=0.2)
        assert time.monotonic() - started < 1.4  # each gave up long before the server answered
        assert cf.run(llama.prompt, PROMPT).status_code == 200  # the client's own 60 s waits it out


def test_async_per_call_timeout() -> None:
    slow = Reply(200, {"Content-Type": "application/json"}, json.dumps(ANSWER).encode(), delay=1.5)

    async def main(url: str) -> None:
        async with aclient(url, max_retries=0) as cf:
            with pytest.raises(APITimeoutError):
                await cf.with_options(timeout=0.2).run(llama.prompt, PROMPT)
            with pytest.raises(APITimeoutError):
                await cf.run_untyped(LLAMA, PROMPT, timeout=0.2)

    with ScriptServer([slow]) as server:
        started = time.monotonic()
        asyncio.run(main(server.url))
        assert time.monotonic() - started < 1.4


def test_max_retries_zero_stops_retries() -> None:
    busy = json_reply(503, {"success": False, "errors": [{"code": 3040, "message": "busy"}]})
    with ScriptServer([busy, busy, ok()]) as server, client(server.url) as cf:
        with pytest.raises(ServerError) as caught:
            cf.with_options(max_retries=0).run(llama.prompt, PROMPT)
        assert caught.value.attempts == 1 and len(server.log) == 1
        reply = cf.run(llama.prompt, PROMPT)  # the original still retries (503 once more, then 200)
        assert reply.attempts == 2 and len(server.log) == 3


# --- the raw answer -------------------------------------------------------------------------------


def test_reply_carries_status_headers_and_raw_bytes() -> None:
    raw = json.dumps(ANSWER, indent=1).encode()  # not the bytes json.dumps of the parsed body gives
    reply_headers = {"Content-Type": "application/json", "cf-aig-log-id": "01J", "cf-ray": "8f-LHR"}
    with ScriptServer([Reply(200, reply_headers, raw)]) as server, client(server.url) as cf:
        reply = cf.run(llama.prompt, PROMPT)
        loose = cf.run_untyped(LLAMA, PROMPT, validate=False)
    for r in (reply, loose):
        assert r.status_code == 200 and r.headers["cf-aig-log-id"] == "01J" and r.headers["cf-ray"] == "8f-LHR"
        assert r.content == raw and r.body == ANSWER


def test_schema_fetch_carries_the_extra_headers_not_the_body() -> None:
    from .test_client_traffic import NEW, NEW_SCHEMAS

    cfai.client.forget_fetched()
    replies = [json_reply(200, {"result": NEW_SCHEMAS, "success": True}), json_reply(200, envelope({"response": "a"}))]
    try:
        with ScriptServer(replies) as server, client(server.url, extra_headers={"cf-aig-authorization": "Bearer gw"}) as cf:
            cf.run_untyped(NEW, {"prompt": "hi"}, extra_query={"q": "1"}, extra_body={"x": 1})
    finally:
        cfai.client.forget_fetched()
    fetch, call = server.log
    assert fetch.method == "GET" and fetch.headers["cf-aig-authorization"] == "Bearer gw" and fetch.body == b""
    assert "q=1" not in fetch.path and call.path.endswith("?q=1") and call.json() == {"prompt": "hi", "x": 1}
    assert cfai.client.redacted({"cf-aig-authorization": "Bearer gw"}) == {"cf-aig-authorization": "***"}
