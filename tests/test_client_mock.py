"""cfai.Client against `cfai serve` (the `cfai_server` fixture of our own pytest plugin): the mock as
a second backend. The recordings come back as recorded, generated answers type-check, streams
reassemble, and every fault mode in tests/serve_faults/ surfaces as the typed error it should."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cfai_models
import httpx
import pytest
from typer.testing import CliRunner

from cfai import faults as typed_faults
from cfai.cli import app
from cfai.client import AsyncClient, Client, StreamIncomplete
from cfai.envelope import unwrap

from .conftest import ROOT, SEED_MODELS, load_json, recording_id, recordings

ACCOUNT = "acct-2"
TOKEN = "client-token-s3cr3t"
FAULTS = sorted((ROOT / "tests" / "serve_faults").glob("*.json"))
HI = [{"role": "user", "content": "hello there"}]
COMPLETE = [p for p in recordings() if not load_json(p).get("stream")]
STREAMED = [p for p in recordings() if load_json(p).get("stream")]


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    yield


def client_for(base: str, fault: str = "", **options: Any) -> tuple[Client, list[float]]:
    slept: list[float] = []
    hooks = {"request": [lambda request: request.headers.__setitem__("cfai-fault", fault)]} if fault else {}
    http = httpx.Client(event_hooks=hooks)  # the timeout travels with each request: Client(timeout=)
    return Client(ACCOUNT, TOKEN, base_url=base, sleep=slept.append, http_client=http, **options), slept


@pytest.mark.parametrize("path", COMPLETE, ids=recording_id)
def test_recording_comes_back_through_chat_and_run(cfai_server: str, path: Path) -> None:
    case = load_json(path)
    client, _ = client_for(cfai_server)
    chat = client.chat_completions(**case["request"])
    assert chat.output == unwrap(case["response"])
    assert type(chat.data) is cfai_models.load(case["model"]).ChatCompletionsOutput
    run = client.run(case["model"], {k: v for k, v in case["request"].items() if k != "model"})
    assert run.body["success"] is True and run.output["choices"] == unwrap(case["response"])["choices"]


@pytest.mark.parametrize("path", STREAMED, ids=recording_id)
def test_recorded_stream_comes_back(cfai_server: str, path: Path) -> None:
    case = load_json(path)
    client, _ = client_for(cfai_server)
    with client.chat_completions(**{k: v for k, v in case["request"].items() if k != "stream"}, stream=True) as stream:
        final = stream.final()
    assert final.text.endswith(case["expect"]["text_endswith"]) and len(final.text) == case["expect"]["text_chars"]


@pytest.mark.parametrize("model", SEED_MODELS)
def test_generated_answers_typed_and_streams_reassembled(cfai_server: str, model: str) -> None:
    client, _ = client_for(cfai_server)
    whole = client.chat_completions(model=model, messages=HI)
    assert type(whole.data) is cfai_models.load(model).ChatCompletionsOutput
    payload = {"messages": HI, "stream_options": {"include_usage": True}}
    with client.run(model, payload, stream=True) as stream:
        chunks = list(stream)
        final = stream.final()
    assert all(type(c).__name__ == "ChatCompletionsChunk" for c in chunks)
    assert final.text == whole.output["choices"][0]["message"]["content"] and final.usage_last


def test_responses_and_async_client(cfai_server: str) -> None:
    client, _ = client_for(cfai_server)
    answer = client.responses(model="openai/gpt-5.5", input="Tell me a story.")
    assert type(answer.data).__name__ == "ResponsesOutput"
    with client.responses(model="openai/gpt-5.5", input="Tell me a story.", stream=True) as stream:
        assert stream.text() == answer.output["output_text"]

    async def main() -> tuple[str, str]:
        async with AsyncClient(ACCOUNT, TOKEN, base_url=cfai_server) as aclient:
            whole = await aclient.chat_completions(model="openai/gpt-5.1-chat", messages=HI)
            stream = await aclient.chat_completions(model="openai/gpt-5.1-chat", messages=HI, stream=True)
            return whole.output["choices"][0]["message"]["content"], await stream.text()

    whole, streamed = asyncio.run(main())
    assert whole == streamed


@pytest.mark.parametrize("path", FAULTS, ids=lambda p: p.stem)
def test_fault_mode_as_the_client_sees_it(cfai_server: str, path: Path) -> None:
    case = load_json(path)
    expect = case["client"]
    client, slept = client_for(cfai_server, case["fault"], **({"timeout": expect["timeout"]} if "timeout" in expect else {}))
    stream = case["stream"]

    def call() -> Any:
        if stream:
            with client.chat_completions(model="openai/gpt-5.5", messages=HI, stream=True) as chunks:
                return chunks.final()
        return client.chat_completions(model="openai/gpt-5.5", messages=HI)

    if expect.get("ok"):
        assert call() is not None
        return
    error_type: type[Exception] = getattr(typed_faults, expect["error"])
    with pytest.raises(error_type) as caught:
        call()
    error: Any = caught.value
    assert expect.get("message", "") in str(error)
    if "attempts" in expect:
        assert error.attempts == expect["attempts"]
    if "waits" in expect:
        assert slept == expect["waits"]
    if "chunks" in expect:
        assert isinstance(error, StreamIncomplete) and error.partial is not None and error.partial.chunks == expect["chunks"]
    assert TOKEN not in str(error)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, cfai_server: str) -> Callable[[], None]:
    def apply() -> None:
        monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", cfai_server)

    return apply


def test_cfai_run_against_the_mock(tmp_path: Path, cli_env: Callable[[], None]) -> None:
    cli_env()
    payload = tmp_path / "p.json"
    payload.write_text('{"messages": [{"role": "user", "content": "hi"}]}')
    done = CliRunner().invoke(app, ["run", "--model", "openai/gpt-5.1-chat", str(payload)])
    assert done.exit_code == 0, done.output
    streamed = CliRunner().invoke(app, ["run", "--model", "openai/gpt-5.1-chat", "--stream", str(payload)])
    assert streamed.exit_code == 0 and streamed.output.strip() in done.output
