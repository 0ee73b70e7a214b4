"""`cfai serve` against the real catalog: every model answers a valid request with 200 and a body valid
against its (repaired) output schema, answers look like the service's, and a schema asking for too
much (tests/serve_limits/, one file a case) gets a quick 500 naming the limit."""

from __future__ import annotations

import base64
import json
import random
import re
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cfai.serve import ServeConfig, serving
from cfai.serve.instances import Instances, NoInstance
from cfai.validate import Registry

from .conftest import ROOT, SCHEMAS, load_json, need_catalog

LIMITS = sorted((ROOT / "tests" / "serve_limits").glob("*.json"))
ORDINARY = ({"prompt": "Tell me a joke"}, {"messages": [{"role": "user", "content": "hi"}]}, {"text": "hello world"})
AUTH = {"Authorization": "Bearer mock-token"}


def request_for(registry: Registry, model: str) -> dict[str, Any]:
    """An ordinary request the model accepts, else one generated from its input schema."""
    validator = registry.validator(model, "input")
    for body in ORDINARY:
        if validator.is_valid(body):
            return dict(body)
    generator = Instances(validator.schema)
    for attempt in range(20):
        try:
            body = generator.make(random.Random(attempt))
        except NoInstance:
            continue
        if isinstance(body, dict) and validator.is_valid(body):
            return body
    raise AssertionError(f"no valid request for {model}")


@pytest.fixture(scope="module")
def catalog_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    root = need_catalog()
    empty = tmp_path_factory.mktemp("no-recordings")
    with serving(ServeConfig(schemas=root, recordings=empty)) as base, httpx.Client(
        base_url=f"{base}/accounts/acct/ai", headers=AUTH, timeout=30
    ) as client:
        yield client


def run(client: httpx.Client, model: str, body: dict[str, Any]) -> Any:
    answer = client.post(f"/run/{model}", json=body)
    assert answer.status_code == 200, (model, answer.text[:500])
    return answer.json()["result"]


def test_every_catalog_model_answers_a_valid_request(catalog_api: httpx.Client) -> None:
    registry = Registry(need_catalog())
    refused = []
    for model in registry.models():
        answer = catalog_api.post(f"/run/{model}", json=request_for(registry, model))
        if answer.status_code != 200:
            refused.append((model, answer.status_code, answer.text[:300]))
            continue
        errors = registry.validator(model, "output").errors(answer.json()["result"])
        assert errors == [], (model, [str(e) for e in errors])
    assert refused == []


def test_answers_look_real(catalog_api: httpx.Client) -> None:
    embedding = run(catalog_api, "@cf/baai/bge-base-en-v1.5", {"text": "hello world"})
    assert embedding["shape"] == [1, 768] and len(embedding["data"]) == 1 and len(embedding["data"][0]) == 768
    two = run(catalog_api, "@cf/baai/bge-small-en-v1.5", {"text": ["a", "b"]})
    assert two["shape"] == [len(two["data"]), len(two["data"][0])] == [2, 384]

    image = base64.b64decode(run(catalog_api, "@cf/black-forest-labs/flux-1-schnell", {"prompt": "a cat"})["image"])
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and struct.unpack(">II", image[16:24]) == (1, 1)
    audio = base64.b64decode(run(catalog_api, "@cf/myshell-ai/melotts", {"prompt": "hello"})["audio"])
    assert audio[:2] == b"\xff\xfb" or audio[:4] == b"RIFF"

    model = "@cf/qwen/qwen3-30b-a3b-fp8"
    chat = run(catalog_api, model, {"messages": [{"role": "user", "content": "hi"}]})
    assert chat["model"] == model and chat["object"] == "chat.completion"
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{24}", chat["id"])
    usage = chat["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    text = chat["choices"][0]["message"]["content"]
    assert re.fullmatch(r"[A-Za-z' ,.:]+", text) and len(text.split()) >= 3

    native = run(catalog_api, "@cf/meta/llama-3.3-70b-instruct-fp8-fast", {"prompt": "Tell me a joke"})
    assert native["usage"]["total_tokens"] == native["usage"]["prompt_tokens"] + native["usage"]["completion_tokens"]
    assert len(native["response"].split()) >= 3

    for item in run(catalog_api, "@cf/huggingface/distilbert-sst-2-int8", {"text": "great"}):
        assert 0 <= item["score"] <= 1
    info = run(catalog_api, "@cf/openai/whisper-large-v3-turbo", request_for(Registry(need_catalog()), "@cf/openai/whisper-large-v3-turbo"))
    if "transcription_info" in info:
        assert 0 <= info["transcription_info"]["language_probability"] <= 1
    assert 0 <= run(catalog_api, "@cf/pipecat-ai/smart-turn-v2", request_for(Registry(need_catalog()), "@cf/pipecat-ai/smart-turn-v2"))["probability"] <= 1


@pytest.mark.parametrize("path", LIMITS, ids=lambda p: p.stem)
def test_an_output_asking_too_much_is_a_quick_500(tmp_path: Path, path: Path) -> None:
    case = load_json(path)
    import shutil

    shutil.copytree(SCHEMAS / "openai/gpt-5.5", tmp_path / "openai/gpt-5.5")
    folder = tmp_path / "limits" / path.stem
    folder.mkdir(parents=True)
    (folder / "schema-input.json").write_text('{"type": "object"}')
    (folder / "schema-output.json").write_text(json.dumps(case["output"]))
    with serving(ServeConfig(schemas=tmp_path, recordings=tmp_path / "none")) as base, httpx.Client(
        base_url=f"{base}/accounts/acct/ai", headers=AUTH, timeout=30
    ) as client:
        started = time.monotonic()
        answer = client.post(f"/run/limits/{path.stem}", json={"prompt": "hi"})
        took = time.monotonic() - started
        assert answer.status_code == 500 and took < 5, (answer.status_code, took)
        assert case["message"] in answer.json()["errors"][0]["message"]
        still = client.post("/run/openai/gpt-5.5", json={"input": "hi"})
        assert still.status_code == 200, "the server keeps answering"


def _frames(text: str) -> list[str]:
    return [block.removeprefix("data: ") for block in text.split("\n\n") if block]


@pytest.mark.parametrize("model", ["@cf/meta/llama-3.3-70b-instruct-fp8-fast", "@cf/meta/llama-3.1-8b-instruct"])
def test_workers_ai_stream_as_the_service_sends_it(catalog_api: httpx.Client, model: str) -> None:
    """`data: {"response": "Hel", "p": "…"}` frames, a last frame with `usage`, then `[DONE]`; the deltas
    join back into the answer's text; `p` is random-looking and deterministic per seed."""
    body = {"prompt": "Tell me a joke"}
    whole = run(catalog_api, model, body)
    text = catalog_api.post(f"/run/{model}", json={**body, "stream": True}).text
    frames = _frames(text)
    assert frames[-1] == "[DONE]"
    events = [json.loads(f) for f in frames[:-1]]
    *deltas, last = events
    assert deltas and all(set(e) == {"response", "p"} for e in deltas)
    assert last["response"] == "" and set(last) == {"response", "usage"}
    usage = last["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "".join(e["response"] for e in deltas) == whole["response"]
    pads = [e["p"] for e in deltas]
    assert all(re.fullmatch(r"[A-Za-z0-9]{8,40}", p) for p in pads) and len(set(pads)) == len(pads)
    assert catalog_api.post(f"/run/{model}", json={**body, "stream": True}).text == text, "same seed, same stream"
    with serving(ServeConfig(schemas=need_catalog(), seed=3)) as other:
        again = httpx.post(f"{other}/accounts/acct/ai/run/{model}", json={**body, "stream": True}, headers=AUTH, timeout=30)
    assert [json.loads(f).get("p") for f in _frames(again.text)[:-2]] != pads, "another seed, other padding"


def test_raw_bytes_body_for_a_model_that_takes_a_file(catalog_api: httpx.Client) -> None:
    """An image sent as the body (`Content-Type: image/png`), as the service takes it from models whose
    input may be a binary string; a model that takes JSON only still refuses it (415)."""
    from cfai.serve.realistic import MEDIA

    png = {"Content-Type": "image/png"}
    answer = catalog_api.post("/run/@cf/microsoft/resnet-50", content=MEDIA["image/png"], headers=png)
    assert answer.status_code == 200 and isinstance(answer.json()["result"], list)
    again = catalog_api.post("/run/@cf/microsoft/resnet-50", content=MEDIA["image/png"], headers=png)
    assert again.content == answer.content, "same file, same answer"
    assert catalog_api.post("/run/@cf/meta/llama-3.3-70b-instruct-fp8-fast", content=b"x", headers=png).status_code == 415
