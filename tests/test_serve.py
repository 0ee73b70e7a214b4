"""`cfai serve` on 127.0.0.1: the official openai SDK against it, every refusal in tests/serve_refusals/,
every fault mode in tests/serve_faults/ (raw HTTP here, through cfai.Client in test_client_mock.py),
determinism, and the answers' validity against the schemas."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from cfai.serve import ServeConfig, serving
from cfai.stream import chunk_schema, reassemble
from cfai.validate import ModelValidator, Registry

from .conftest import LLAMA, RECORDINGS, ROOT, SEED_MODELS, load_json, need_llama

ACCOUNT = "acct-1"
TOKEN = "mock-token-s3cr3t-never-printed"
REFUSALS = sorted((ROOT / "tests" / "serve_refusals").glob("*.json"))
FAULTS = sorted((ROOT / "tests" / "serve_faults").glob("*.json"))
HI = [{"role": "user", "content": "Say hi in five words."}]
CHAT_MODELS = [*SEED_MODELS, LLAMA]


def sdk(base: str, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(api_key=TOKEN, base_url=f"{base}/accounts/{ACCOUNT}/ai/v1", max_retries=0, **options)


def http(base: str) -> httpx.Client:
    return httpx.Client(base_url=f"{base}/accounts/{ACCOUNT}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)


@pytest.fixture(scope="module")
def api(mock_api: str) -> Iterator[httpx.Client]:
    with http(mock_api) as client:
        yield client


def chat_model(model: str, root: Path) -> str:
    if model == LLAMA:
        need_llama(root)
    return model


# --- the official openai SDK ---------------------------------------------------------------------


@pytest.mark.parametrize("model", CHAT_MODELS)
def test_openai_sdk_chat_completion(mock_api: str, mock_root: Path, model: str) -> None:
    completion = sdk(mock_api).chat.completions.create(model=chat_model(model, mock_root), messages=HI)  # type: ignore[arg-type]
    text = completion.choices[0].message.content
    assert text and completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    body = completion.model_dump(mode="json", exclude_unset=True)
    if model != LLAMA:  # a Workers AI model's native output is not this shape: its text is carried over
        assert Registry(mock_root).validator(model, "output").errors(body) == []


@pytest.mark.parametrize("model", CHAT_MODELS)
def test_openai_sdk_streamed_chat_completion(mock_api: str, mock_root: Path, model: str) -> None:
    client = sdk(mock_api)
    chat_model(model, mock_root)
    whole = client.chat.completions.create(model=model, messages=HI)  # type: ignore[arg-type]
    stream = client.chat.completions.create(
        model=model, messages=HI, stream=True, stream_options={"include_usage": True}  # type: ignore[arg-type]
    )
    chunks = [c.model_dump(mode="json", exclude_unset=True) for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in map(openai.types.chat.ChatCompletionChunk.model_validate, chunks) if c.choices)
    assert text == whole.choices[0].message.content, "the deltas reassemble to the answer's text"
    assert chunks[-1]["usage"]["total_tokens"] == whole.usage.total_tokens  # type: ignore[union-attr]
    schema = chunk_schema(Registry(mock_root).schema(model, "output"))
    if schema is not None:
        validator = ModelValidator(model, "output", schema)
        assert [validator.errors(c) for c in chunks] == [[] for _ in chunks]


@pytest.mark.parametrize("model", SEED_MODELS)
def test_openai_sdk_gets_bad_request_for_temperature_over_maximum(mock_api: str, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(mock_api).chat.completions.create(model=model, messages=HI, temperature=2.5)  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    errors = caught.value.body["errors"] if isinstance(caught.value.body, dict) else caught.value.response.json()["errors"]
    assert errors[0]["code"] == 5006
    assert "$.temperature: 2.5 is greater than the maximum of 2 [rule maximum, limit 2]" in errors[0]["message"]


def test_openai_sdk_replays_a_recording(mock_api: str) -> None:
    case = load_json(RECORDINGS / "openai/gpt-5.5/basic.json")
    completion = sdk(mock_api).chat.completions.create(**case["request"])
    assert completion.choices[0].message.content == case["response"]["choices"][0]["message"]["content"]
    assert completion.id == case["response"]["id"]


# --- refusals: one file per case -----------------------------------------------------------------


def _content(case: dict[str, Any]) -> bytes | None:
    if "content_parts" in case:
        return b"".join(text.encode() * times for text, times in case["content_parts"])
    if "content_hex" in case:
        return bytes.fromhex(case["content_hex"])
    return case["content"].encode() if "content" in case else None


@pytest.mark.parametrize("path", REFUSALS, ids=lambda p: p.stem)
def test_refusal(api: httpx.Client, path: Path) -> None:
    case = load_json(path)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **case.get("headers", {})}
    request = api.build_request(case["method"], case["path"], json=case.get("json"), content=_content(case))
    for name, value in headers.items():
        if value is None:
            request.headers.pop(name, None)
        else:
            request.headers[name] = value
    answer = api.send(request)
    assert answer.status_code == case["status"], answer.text[:500]
    body = answer.json()
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    assert {e["code"] for e in body["errors"]} == {case["code"]}
    assert any(case["message"] in e["message"] for e in body["errors"]), body
    assert len(body["errors"]) == case.get("errors", len(body["errors"]))
    assert TOKEN not in answer.text
    still = api.post("/ai/v1/chat/completions", json={"model": "openai/gpt-5.5", "messages": HI})
    assert still.status_code == 200, "the server keeps serving"


# --- fault modes, by header and by flag ------------------------------------------------------------


@pytest.mark.parametrize("path", FAULTS, ids=lambda p: p.stem)
def test_fault_mode_by_header(api: httpx.Client, path: Path) -> None:
    case = load_json(path)
    body = {"model": "openai/gpt-5.5", "messages": HI, "stream": case["stream"]}
    plain = api.post("/ai/v1/chat/completions", json={**body, "stream": False}).content
    started = time.monotonic()
    received = b""
    dropped = pytest.raises(httpx.RemoteProtocolError) if "events" in case else contextlib.nullcontext()
    with dropped, api.stream("POST", "/ai/v1/chat/completions", json=body, headers={"cfai-fault": case["fault"]}) as answer:
        assert answer.status_code == case["status"]
        for name, value in case.get("headers", {}).items():
            assert answer.headers[name] == value
        for part in answer.iter_raw():
            received += part
    assert time.monotonic() - started >= case.get("min_seconds", 0)
    if case["status"] != 200:
        assert json.loads(received)["errors"][0]["code"] == case["code"]
    elif case.get("truncated"):
        assert received == plain[: len(plain) // 2]
    elif "events" in case:
        assert received.count(b"data: ") == case["events"] and b"[DONE]" not in received
    elif case["stream"]:
        assert b"[DONE]" not in received and not received.endswith(b"\n\n")
    else:
        assert received == plain


def test_fault_modes_by_flag_for_every_request_and_header_over_flag() -> None:
    with serving(ServeConfig(faults="503, latency=50ms", recordings=RECORDINGS)) as base, http(base) as client:
        started = time.monotonic()
        first = client.post("/ai/v1/chat/completions", json={"model": "openai/gpt-5.5", "messages": HI})
        assert first.status_code == 503 and time.monotonic() - started >= 0.05
        assert client.post("/ai/run/openai/gpt-5.5", json={"input": "hi"}).status_code == 503
        header = client.post("/ai/run/openai/gpt-5.5", json={"input": "hi"}, headers={"cfai-fault": "429;retry-after=2"})
        assert header.status_code == 429 and header.headers["retry-after"] == "2"
    with pytest.raises(ValueError, match="unknown fault"), serving(ServeConfig(faults="sometimes")):
        pass


# --- answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", SEED_MODELS)
def test_generated_answers_are_valid_and_deterministic(api: httpx.Client, mock_root: Path, model: str) -> None:
    registry = Registry(mock_root)
    body = {"model": model, "messages": [{"role": "user", "content": "a question no recording has"}]}
    first, again = (api.post("/ai/v1/chat/completions", json=body) for _ in range(2))
    assert first.headers["cf-mock-source"] == "generated"
    assert first.content == again.content, "same request, same seed: same answer"
    assert registry.validator(model, "output").errors(first.json()) == []
    run = api.post(f"/ai/run/{model}", json={k: v for k, v in body.items() if k != "model"}).json()
    assert run["success"] is True and registry.validator(model, "output").errors(run["result"]) == []
    with serving(ServeConfig(schemas=mock_root, seed=7)) as other, http(other) as client:
        assert client.post("/ai/v1/chat/completions", json=body).content != first.content, "another seed, another answer"


def test_responses_endpoint_and_stream(api: httpx.Client, mock_root: Path) -> None:
    body = {"model": "openai/gpt-5.5", "input": "Tell me a story."}
    answer = api.post("/ai/v1/responses", json=body).json()
    assert answer["object"] == "response" and answer["output_text"]
    assert Registry(mock_root).validator("openai/gpt-5.5", "output").errors(answer) == []
    events = [json.loads(line[6:]) for line in api.post("/ai/v1/responses", json={**body, "stream": True}).text.split("\n\n") if line]
    assert events[-1]["type"] == "response.completed" and events[-1]["response"] == answer
    assert "".join(e.get("delta", "") for e in events) == answer["output_text"]


def test_workers_ai_model_natively(api: httpx.Client, mock_root: Path) -> None:
    need_llama(mock_root)
    registry = Registry(mock_root)
    answer = api.post(f"/ai/run/{LLAMA}", json={"prompt": "Write a haiku."}).json()
    assert answer["success"] and registry.validator(LLAMA, "output").errors(answer["result"]) == []
    stream = api.post(f"/ai/run/{LLAMA}", json={"prompt": "Write a haiku.", "stream": True}).text
    events = [line[6:] for line in stream.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    assert "".join(json.loads(e)["response"] for e in events[:-1]) == answer["result"]["response"]


def test_recorded_stream_is_replayed(api: httpx.Client) -> None:
    case = load_json(RECORDINGS / "openai/gpt-5.5/streaming-response.json")
    text = api.post("/ai/v1/chat/completions", json=case["request"]).text
    chunks = [json.loads(line[6:]) for line in text.split("\n\n") if line and line != "data: [DONE]"]
    assert chunks == case["chunks"] and text.endswith("data: [DONE]\n\n")
    assert reassemble(chunks).text.endswith(case["expect"]["text_endswith"])


def test_models_schema_and_search(api: httpx.Client, mock_root: Path) -> None:
    schema = api.get("/ai/models/schema", params={"model": "openai/gpt-5.5"}).json()["result"]
    assert schema["input"] == Registry(mock_root).schema("openai/gpt-5.5")
    listed = api.get("/ai/models/search", params={"per_page": 1}).json()
    assert listed["result_info"]["total_count"] == len(Registry(mock_root).models()) and len(listed["result"]) == 1


def test_the_token_is_never_logged(mock_root: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with serving(ServeConfig(schemas=mock_root)) as base, http(base) as client:
        for fault in ("", "500", "cut-stream=1"):
            try:
                client.post("/ai/v1/chat/completions", json={"model": "openai/gpt-5.5", "messages": HI, "stream": True},
                            headers={"cfai-fault": fault} if fault else {})
            except httpx.RemoteProtocolError:
                pass
        client.post("/ai/v1/chat/completions", content=b"{", headers={"Content-Type": "application/json"})
    captured = capfd.readouterr()
    assert TOKEN not in captured.out + captured.err


def test_serving_loads_no_generator_toolchain() -> None:
    code = (
        "import sys; from cfai.serve import ServeConfig, serving; import cfai.pytest_plugin, httpx;"
        "cm = serving(ServeConfig()); url = cm.__enter__();"
        "r = httpx.post(url + '/accounts/a/ai/run/openai/gpt-5.5', json={'input': 'x'}, headers={'Authorization': 'Bearer t'});"
        "cm.__exit__(None, None, None); assert r.status_code == 200, r.text;"
        "bad = [m for m in sys.modules if m.split('.')[0] in {'codegen', 'hypothesis', 'datamodel_code_generator', 'mypy', 'jsonschema'}];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_answers_for_every_catalog_model(mock_root: Path) -> None:
    """Valid by construction, deterministic, for every model: an output `oneOf` whose branches every
    object matches at once is read as `anyOf` (`cfai.repair`), so none is refused any more."""
    from cfai.errors import SchemaLoadError
    from cfai.serve.answers import Answers
    from cfai.serve.instances import NoInstance

    from .conftest import need_catalog

    root = need_catalog()
    registry = Registry(root)
    first, again = Answers(registry, None, 0), Answers(Registry(root), None, 0)
    refused = []
    for model in registry.models():
        try:
            answer = first.answer(model, "run", {"prompt": "hi"})
        except NoInstance as exc:
            assert model in str(exc) and "oneOf" in registry.schema(model, "output")
            refused.append(model)
            continue
        except SchemaLoadError:
            continue  # a schema that cannot be read: the server answers 500 with its problems
        assert registry.validator(model, "output").errors(answer.output) == [], model
        assert again.answer(model, "run", {"prompt": "hi"}) == answer
    assert refused == []


def test_cfai_serve_command(tmp_path: Path) -> None:
    """The command itself, as a process: serves, answers, logs no token, stops on SIGTERM."""
    from .servers import free_port

    port = free_port()
    command = [sys.executable, "-c", "from cfai.cli import main; main()", "serve", "--port", str(port), "--access-log"]
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}/client/v4"
            deadline = time.monotonic() + 20
            while True:
                try:
                    answer = httpx.post(f"{base}/accounts/{ACCOUNT}/ai/run/openai/gpt-5.5", json={"input": "hi"},
                                        headers={"Authorization": f"Bearer {TOKEN}"})
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                    time.sleep(0.1)
            assert answer.status_code == 200 and answer.json()["success"] is True
        finally:
            server.terminate()
            server.wait(10)
    output = log.read_text()
    assert "base URL http://127.0.0.1:" in output and "/ai/run/openai/gpt-5.5" in output
    assert TOKEN not in output


# --- a slow validation blocks no other client (issue 17) ------------------------------------------

_NESTED = {"$defs": {"n": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/n"}},
                                    {"type": "array", "items": {"$ref": "#/$defs/n"}}, {"type": "integer"}]}},
           "type": "object", "properties": {"v": {"$ref": "#/$defs/n"}}}


def test_a_slow_validation_blocks_no_other_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import threading

    from cfai.validate import ModelValidator

    root = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas" / "openai" / "gpt-5.5", root / "openai" / "gpt-5.5")
    (root / "attack" / "nested").mkdir(parents=True)
    (root / "attack" / "nested" / "schema-input.json").write_text(json.dumps(_NESTED))
    errors = ModelValidator.errors

    def slow(self: ModelValidator, payload: Any) -> Any:  # a validation that takes its whole bound
        if self.model == "attack/nested":
            time.sleep(3)
        return errors(self, payload)

    monkeypatch.setattr(ModelValidator, "errors", slow)
    deep: Any = "x"
    for _ in range(20):
        deep = [deep]
    with serving(ServeConfig(schemas=root, recordings=RECORDINGS)) as base, http(base) as client:
        answers: dict[str, Any] = {}
        slow_one = threading.Thread(target=lambda: answers.update(
            slow=client.post("/ai/run/attack/nested", json={"v": deep}, timeout=30)))
        slow_one.start()
        time.sleep(0.5)  # the slow one is being validated
        started = time.monotonic()
        quick = client.post("/ai/v1/chat/completions", json={"model": "openai/gpt-5.5", "messages": HI})
        waited = time.monotonic() - started
        slow_one.join(30)
    assert quick.status_code == 200, quick.text
    assert waited < 2, f"the second client waited {waited:.1f} s behind the slow validation"
    assert answers["slow"].status_code == 400 and "cut short" in answers["slow"].text, answers["slow"].text
