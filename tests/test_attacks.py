"""The attack suite of issue 11 (run-time half): one JSON file per attack under tests/attacks/<category>/.

Categories (tests/attacks/README.md has each file format):
  token/      a server echoes the token (401 JSON, HTML page, success:false, SSE error, …) into every
              text the user might see; plain http to a remote host is refused
  resources/  loopback servers that trickle, bomb, stall or never end: each ends in a typed error in bounded time
  schemas/    schemas that would fetch, recurse or crash, payloads 20,000 deep: a verdict or a located error
  payloads/   Python values the client cannot send: a typed `InvalidPayload`, never ValueError/RecursionError
  cli/        the command line: stdout/stderr, one exit code per meaning, one clear line per usage error

Servers listen on 127.0.0.1 only and stop with their test; every case is bounded in time.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import gzip
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
import tracemalloc
import warnings
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

import httpx
import pytest
from jsonschema import Draft202012Validator
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cfai import client as cfai
from cfai.cli import run_cli
from cfai.validate import validate

from .conftest import ROOT, load_json
from .servers import free_port

ATTACKS = ROOT / "tests" / "attacks"
CATEGORIES = ("token", "resources", "schemas", "payloads", "cli")
ACCOUNT = "acct"
TOKEN = "cfai-attack-canary-3f9b2d71"
SPELLINGS = (TOKEN, quote(TOKEN, safe=""), base64.b64encode(TOKEN.encode()).decode())


def _b64_core(prefix: str) -> str:
    """The base64 characters that spell `Bearer <TOKEN>` inside a text starting with `prefix`: the
    ones that depend on the token's bytes only (the first and last may mix with its neighbours)."""
    raw = prefix.encode(), f"Bearer {TOKEN}".encode()
    text = base64.b64encode(raw[0] + raw[1]).decode().rstrip("=")
    start, end = -(-8 * len(raw[0]) // 6), 8 * (len(raw[0]) + len(raw[1])) // 6
    return text[start + 10 : end - 1]


# What counts as a leak: any 12 characters of the token in a row (a token cut short is still a
# leak), or a run of its other spellings: base64 of the header at each alignment, hex, UTF-16.
_WINDOW = 12
LEAKS = {TOKEN[i : i + _WINDOW] for i in range(len(TOKEN) - _WINDOW + 1)} | {
    *(quote(TOKEN, safe=""), base64.b64encode(TOKEN.encode()).decode()),
    *(_b64_core("x" * k) for k in range(3)),
    TOKEN.encode().hex(), TOKEN.encode().hex().upper(),
    "\0".join(TOKEN[:_WINDOW]), "\\x00".join(TOKEN[:_WINDOW]), "\\u0000".join(TOKEN[:_WINDOW]),
}
CHAT = {"model": "openai/gpt-5.5", "messages": [{"role": "user", "content": "hi"}]}
OUTPUT_SCHEMAS = ROOT / "cfai" / "json_output"


def cases(category: str) -> list[Path]:
    return sorted((ATTACKS / category).glob("*.json"))


def ids(path: Path) -> str:
    return path.stem


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL", "CFAI_ALLOW_INSECURE_HTTP"):
        monkeypatch.delenv(name, raising=False)


def test_every_category_has_its_attacks() -> None:
    counts = {c: len(cases(c)) for c in CATEGORIES}
    assert all(n >= 5 for n in counts.values()), counts
    for path in ATTACKS.rglob("*.json"):
        assert load_json(path).get("description"), f"{path}: every attack says what it tries"


# --- token: the token never leaves through a side door -------------------------------------------


def _fill(text: str, auth: str) -> str:
    text = re.sub(r"\{PAD:(\d+)\}", lambda m: "E" * int(m.group(1)), text)
    for k in range(3):
        text = text.replace(f"{{AUTH_B64_AT_{k}}}", base64.b64encode(("x" * k + auth).encode()).decode())
    return (
        text.replace("{AUTH}", auth)
        .replace("{TOKEN_HEX}", TOKEN.encode().hex())
        .replace("{TOKEN_UTF16}", "\0".join(TOKEN) + "\0")
        .replace("{TOKEN_B64}", SPELLINGS[2])
        .replace("{TOKEN_URL}", SPELLINGS[1])
        .replace("{TOKEN}", TOKEN)
    )


@cache
def _split_token_events() -> str:
    chunks = load_json(ROOT / "tests" / "recordings" / "openai" / "gpt-5.5" / "streaming-response.json")["chunks"]
    first = copy.deepcopy(chunks[0])
    pieces = ["key: " + TOKEN[:9], TOKEN[9:], " ok"]
    events = []
    for piece in pieces:
        chunk = copy.deepcopy(first)
        chunk["choices"][0]["delta"] = {"content": piece}
        chunk["choices"][0]["finish_reason"] = None
        chunk["usage"] = None
        events.append(chunk)
    return "".join(f"data: {json.dumps(c)}\n\n" for c in events) + "data: [DONE]\n\n"


def _serve(httpserver: HTTPServer, replies: list[dict[str, Any]]) -> None:
    queue = list(replies)

    def answer(request: Request) -> Response:
        spec = queue.pop(0) if len(queue) > 1 else queue[0]
        auth = request.headers.get("Authorization") or f"Bearer {TOKEN}"
        headers = {k: _fill(v, auth) for k, v in spec.get("headers", {}).items()}
        if spec.get("split_token_events"):
            body = _split_token_events()
        elif "json" in spec:
            body = _fill(json.dumps(spec["json"]), auth)
            headers.setdefault("Content-Type", "application/json")
        else:
            body = _fill(spec["body"], auth)
        if "encoding" in spec:  # the whole body in another encoding (utf-16-le, …)
            return Response(body.encode(spec["encoding"]), status=spec["status"], headers=headers)
        return Response(body, status=spec["status"], headers=headers)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)


def _error_texts(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]


def _client_call(case: dict[str, Any], base_url: str) -> tuple[BaseException | None, list[str]]:
    options = {"max_retries": 1, **case.get("client", {})}
    texts: list[str] = []
    error: BaseException | None = None
    stream = case.get("stream", False)

    def sync() -> None:
        with cfai.Client(ACCOUNT, TOKEN, base_url=base_url, sleep=lambda _: None, **options) as client:
            if case["call"] == "run":
                result: Any = client.run("openai/gpt-5.5", {"messages": CHAT["messages"]}, stream=stream)
            else:
                result = client.chat_completions(**CHAT, stream=stream)
            if stream:
                result.final()

    async def asynchronous() -> None:
        async def no_sleep(_: float) -> None:
            return None

        async with cfai.AsyncClient(ACCOUNT, TOKEN, base_url=base_url, sleep=no_sleep, **options) as client:
            result: Any = await client.chat_completions(**CHAT, stream=stream)
            if stream:
                await result.final()

    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            asyncio.run(asynchronous()) if case["via"] == "async" else sync()
        except cfai.CfaiError as exc:
            error = exc
            texts += _error_texts(exc)
    texts += [str(w.message) for w in warned] + [w.category.__name__ for w in warned]
    return error, texts


@pytest.mark.parametrize("path", cases("token"), ids=ids)
def test_token_never_leaves(
    path: Path,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = load_json(path)
    caplog.set_level(logging.DEBUG)
    expect, via = case["expect"], case["via"]
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, value)
    texts: list[str] = []
    if via == "base-url":
        try:
            cfai.Client(ACCOUNT, TOKEN, base_url=case["base_url"], **case.get("client", {})).close()
            error: BaseException | None = None
        except cfai.CfaiError as exc:
            error = exc
            texts += _error_texts(exc)
        assert (type(error).__name__ if error else None) == expect["error"], error
        if "absent" in expect:
            assert not [t for t in texts if expect["absent"] in t]
        return
    if case.get("replies"):
        _serve(httpserver, case["replies"])
    base_url = case.get("base_url") or httpserver.url_for("/client/v4")
    if via in ("client", "async"):
        error, more = _client_call(case, base_url)
        texts += more
        assert (type(error).__name__ if error else None) == expect["error"], f"{error!r}: {error}"
        if "warning" in expect:
            assert expect["warning"] in texts
    else:
        monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        payload = tmp_path / "payload.json"
        payload.write_text(json.dumps({"messages": CHAT["messages"]}))
        schemas = tmp_path / "schemas"
        schemas.mkdir()
        args = {
            "cli-run": ["run", "-m", "openai/gpt-5.5", str(payload), "--base-url", base_url]
            + (["--stream"] if case.get("stream") else []),
            "cli-models": ["models", "--base-url", base_url, "--schemas", str(schemas)],
            "cli-pull": ["pull", "--source", "api", "--base-url", base_url, "--schemas", str(schemas),
                         "--out", str(tmp_path / "out"), "--retries", "0", "openai/gpt-5.5"],
        }[via]
        code = run_cli(args)
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
        assert code == expect["exit"], captured.out + captured.err
        texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    texts += [caplog.text, *(str(r.args) for r in caplog.records)]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    if "shows" in expect:  # the server's message did come through, only without the token
        assert any(expect["shows"] in t for t in texts), texts[:3]
    leaks = [(s, t) for t in texts for s in LEAKS if s in t]
    assert not leaks, f"{leaks[0][0]!r} in {leaks[0][1][:600]!r}"
    if case.get("replies"):
        assert any(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r, _ in httpserver.log), "the token was sent"


# --- resources: servers that trickle, bomb, stall or never end -----------------------------------


@cache
def _compressed_zeros(size: int, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


@cache
def _gzip_layers(layers: int) -> bytes:
    body = b"{}"
    for _ in range(layers):
        body = gzip.compress(body, compresslevel=1, mtime=0)
    codings = ", ".join(["gzip"] * layers)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Encoding: {codings}\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


class RawServer:
    """Answers every connection with a byte-level script: what to send, how fast, for how long."""

    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = script
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/client/v4"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                self._read_request(conn)
                for step in self.script:
                    self._step(conn, step)
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:  # the client gave up: that is the point
                pass

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536) or b"\r\n\r\n"
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)) if b"ength" in head else 0  # type: ignore[union-attr]
        while len(body) < length:
            body += conn.recv(65536) or b"x" * length

    def _step(self, conn: socket.socket, step: dict[str, Any]) -> None:
        if "sleep" in step:
            self.stop.wait(step["sleep"])
            return
        if "gzip_zeros" in step:
            data = _compressed_zeros(step["gzip_zeros"], zlib.MAX_WBITS | 16)
        elif "deflate_zeros" in step:
            data = _compressed_zeros(step["deflate_zeros"], zlib.MAX_WBITS)
        elif "double_gzip_zeros" in step:
            data = gzip.compress(_compressed_zeros(step["double_gzip_zeros"], zlib.MAX_WBITS | 16))
        elif "gzip_layers" in step:  # a whole answer: `Content-Encoding: gzip, gzip, …`, one layer each
            data = _gzip_layers(step["gzip_layers"])
        elif "deep_json" in step:
            data = b"[" * step["deep_json"] + b"]" * step["deep_json"]
        elif "send_bytes" in step:
            data = b"x" * step["send_bytes"]
        else:
            data = step["send"].encode() * step.get("repeat", 1)  # `repeat`: the text n times in one send
        for _ in range(step.get("times", 1)):
            if self.stop.is_set():
                return
            conn.sendall(data)
            if step.get("every"):
                self.stop.wait(step["every"])


def _resource_call(case: dict[str, Any], base_url: str) -> BaseException | None:
    options = {"max_retries": 0, **case.get("client", {})}
    stream = case.get("stream", False)
    try:
        if case.get("async"):

            async def scenario() -> None:
                async with cfai.AsyncClient(ACCOUNT, TOKEN, base_url=base_url, **options) as client:
                    result: Any = await client.chat_completions(**CHAT, stream=stream)
                    if stream:
                        await result.final()

            asyncio.run(scenario())
        else:
            with cfai.Client(ACCOUNT, TOKEN, base_url=base_url, **options) as client:
                result = client.chat_completions(**CHAT, stream=stream)
                if stream:
                    result.final()
    except cfai.CfaiError as exc:
        return exc
    return None


@pytest.mark.parametrize("path", cases("resources"), ids=ids)
def test_resources_are_bounded(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = load_json(path)
    expect = case["expect"]
    for step in case["script"]:  # build any bomb before the clock starts
        if "gzip_layers" in step:
            _gzip_layers(step["gzip_layers"])
        for key in ("gzip_zeros", "deflate_zeros", "double_gzip_zeros"):
            if key in step:
                _compressed_zeros(step[key], zlib.MAX_WBITS | 16 if "gzip" in key else zlib.MAX_WBITS)
    with RawServer(case["script"]) as server:
        if case["call"] == "cli":
            monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
            monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
            payload = tmp_path / "p.json"
            payload.write_text(json.dumps({"messages": CHAT["messages"]}))
            started = time.monotonic()
            code = run_cli(["run", "-m", "openai/gpt-5.5", str(payload), "--base-url", server.url, *case["args"]])
            elapsed = time.monotonic() - started
            captured = capsys.readouterr()
            assert code == expect["exit"], captured.err
            assert expect["shows"] in captured.err and len(captured.err.strip().splitlines()) == 1
        else:
            if "peak_mb" in expect:
                tracemalloc.start()
            started = time.monotonic()
            error = _resource_call(case, server.url)
            elapsed = time.monotonic() - started
            if "peak_mb" in expect:
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                assert peak < expect["peak_mb"], f"peak {peak:.0f} MiB"
            assert type(error).__name__ == expect["error"], f"{error!r}: {error}"
            if "partial_chunks" in expect:
                assert error.partial.chunks == expect["partial_chunks"]  # type: ignore[union-attr]
    assert elapsed < expect["within"], f"took {elapsed:.1f} s"


# --- schemas: no I/O, no crash, a verdict or a located error --------------------------------------

_WORKER = r"""
import json, sys, time
from pathlib import Path
from cfai.errors import SchemaLoadError
from cfai.validate import Registry, validate

def nest(spec):
    value = spec["leaf"]
    for _ in range(spec["depth"]):
        value = [value] if spec["wrap"] == "array" else {spec["key"]: value}
    return {spec["under"]: value} if "under" in spec else value

root = Path(sys.argv[1])
for line in sys.stdin:
    case = json.loads(line)
    model = "attack/" + case["name"]
    folder = root / model
    folder.mkdir(parents=True)
    target = folder / "schema-input.json"
    if "schema_nest" in case:
        target.write_text('{"type": "object", "properties": {"a": ' * case["schema_nest"] + "{}" + "}}" * case["schema_nest"])
    elif "schema_bytes_hex" in case:
        target.write_bytes(bytes.fromhex(case["schema_bytes_hex"]))
    elif "schema_text" in case:
        target.write_text(case["schema_text"])
    else:
        target.write_text(json.dumps(case["schema"]))
    payload = nest(case["payload_nest"]) if "payload_nest" in case else case["payload"]
    print(json.dumps({"name": case["name"], "started": True}), flush=True)
    registry = Registry(root)
    try:
        started = time.monotonic()
        errors = validate(model, payload, registry=registry)
        elapsed = time.monotonic() - started
        again = registry.validator(model).errors(payload)
        result = {"elapsed": elapsed, "errors": [[e.path, e.rule] for e in errors], "same": [[e.path, e.rule] for e in again] == [[e.path, e.rule] for e in errors]}
    except SchemaLoadError as exc:
        result = {"schema_error": str(exc)}
    except BaseException as exc:
        result = {"exception": f"{type(exc).__name__}: {str(exc)[:300]}"}
    print(json.dumps({"name": case["name"], **result}), flush=True)
"""


class _Fetches:
    def __init__(self) -> None:
        self.hits: list[str] = []


@pytest.fixture(scope="module")
def schema_verdicts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], _Fetches, str]]:
    """Every schema attack, run in one child process: a crash there is reported, not suffered."""
    fetches = _Fetches()
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request(re.compile(".*")).respond_with_handler(
        lambda r: (fetches.hits.append(r.path), Response('{"type": "object"}', content_type="application/json"))[1]
    )
    server.start()
    url = f"http://127.0.0.1:{server.port}"
    lines, timed = [], []
    for path in cases("schemas"):
        case = json.loads(path.read_text().replace("{SERVER}", url))
        (timed if "within" in case["expect"] else lines).append(json.dumps({"name": path.stem, **case}))
    verdicts: dict[str, Any] = {}

    def run(batch: list[str], timeout: float) -> str:
        try:
            done = subprocess.run(
                [sys.executable, "-c", _WORKER, str(tmp_path_factory.mktemp("attack-schemas"))],
                input="\n".join(batch) + "\n", capture_output=True, text=True, timeout=timeout, check=False,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            out, how = done.stdout, f"exit {done.returncode}: {done.stderr[-800:]}"
        except subprocess.TimeoutExpired as exc:  # killed: a case bounded by `within` took far longer
            out, how = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or "", f"killed after {timeout:g} s"
        for line in out.splitlines():
            row = json.loads(line)
            verdicts.setdefault(row["name"], {}).update(row)
        return how

    how = run(lines, 120)
    for line in timed:  # a case bounded in time runs alone, killed at twice its bound plus start-up
        run([line], 2 * json.loads(line)["expect"]["within"] + 10)
    server.stop()
    yield verdicts, fetches, how


@pytest.mark.parametrize("path", cases("schemas"), ids=ids)
def test_schema_attack(path: Path, schema_verdicts: tuple[dict[str, Any], _Fetches, str]) -> None:
    verdicts, fetches, how = schema_verdicts
    expect = load_json(path)["expect"]
    verdict = verdicts.get(path.stem, {})
    assert set(verdict) - {"name", "started"}, f"the child process died on this case ({how})"
    assert "exception" not in verdict, verdict["exception"]
    if "within" in expect:
        assert verdict["elapsed"] < expect["within"], f"took {verdict['elapsed']:.1f} s"
    if "schema_error" in expect:
        assert expect["schema_error"] in verdict.get("schema_error", ""), verdict
    elif expect.get("valid"):
        assert verdict["errors"] == [], verdict
    else:
        rules = [rule for _, rule in verdict["errors"]]
        assert expect["rule"] in rules, verdict
        located = [p for p, rule in verdict["errors"] if rule == expect["rule"]]
        if "path" in expect:
            assert expect["path"] in located
        if "path_depth" in expect:
            assert max(p.count("[") + p.count(".a") for p in located) == expect["path_depth"], located
    if "errors" in verdict:
        assert verdict["same"], "validate() and ModelValidator.errors() agree"
    if "fetches" in expect:
        assert fetches.hits == [], f"fetched {fetches.hits}"


# --- payloads: what the Python API cannot send ---------------------------------------------------


class _Float(float):
    pass


class _Int(int):
    pass


def _injected(kind: str) -> Any:
    import enum

    class Role(enum.StrEnum):
        USER = "user"

    if kind.startswith("deep:"):
        value: Any = []
        for _ in range(int(kind[5:])):
            value = [value]
        return value
    if kind == "cycle":
        loop: list[Any] = []
        loop.append(loop)
        return loop
    return {
        "float-subclass": _Float(0.5), "int-subclass": _Int(10), "nan": float("nan"), "inf": float("inf"),
        "bytes": b"hi", "set": {1, 2}, "str-enum": Role.USER,
    }[kind]


@pytest.mark.parametrize("path", cases("payloads"), ids=ids)
def test_payload_the_client_cannot_send(path: Path) -> None:
    case = load_json(path)
    payload, expect, inject = copy.deepcopy(case["payload"]), case["expect"], case["inject"]
    if inject["value"] == "int-key":
        payload[1] = "one"
    else:
        node = payload
        for key in inject["at"][:-1]:
            node = node[key]
        node[inject["at"][-1]] = _injected(inject["value"])
    found = validate("openai/gpt-5.5", payload)  # never raises: a verdict, or located errors
    assert all(e.rule in (expect.get("rule"), "type", "anyOf", "oneOf") for e in found) or not found, found
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        chunk = load_json(ROOT / "tests" / "recordings" / "openai" / "gpt-5.5" / "basic.json")["response"]
        return httpx.Response(200, json=chunk)

    with cfai.Client(ACCOUNT, TOKEN, base_url="https://api.example.test/client/v4", transport=httpx.MockTransport(handler)) as client:
        if expect.get("valid"):
            client.run("openai/gpt-5.5", payload)
            assert json.loads(sent[0].content)["messages"][0]["role"] == "user"
            return
        with pytest.raises(cfai.InvalidPayload) as caught:
            client.run("openai/gpt-5.5", payload)
    assert sent == [], "nothing is sent"
    errors = caught.value.errors
    assert expect["rule"] in [e.rule for e in errors], errors
    if "path" in expect:
        assert expect["path"] in [e.path for e in errors if e.rule == expect["rule"]], errors
    str(caught.value), repr(caught.value)  # printable, whatever the payload was


# --- cli: fails like a good Unix tool -------------------------------------------------------------


def _write_files(root: Path, files: dict[str, Any]) -> None:
    for name, spec in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if "hex" in spec:
            target.write_bytes(bytes.fromhex(spec["hex"]))
        elif "deep" in spec:
            target.write_text("[" * spec["deep"] + "]" * spec["deep"])
        elif "json" in spec:
            target.write_text(json.dumps(spec["json"]))
        else:
            target.write_text(spec["text"])


@pytest.mark.parametrize("path", cases("cli"), ids=ids)
def test_cli_attack(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = load_json(path)
    expect = case["expect"]
    _write_files(tmp_path, case.get("files", {}))
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, value)
    if case.get("server") == "refused":
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", f"http://127.0.0.1:{free_port()}/client/v4")
    if "raise_in" in case:
        module, _, attribute = case["raise_in"].rpartition(".")
        owner, _, name = module.rpartition(".")
        target = getattr(__import__(owner, fromlist=[name]), name)

        def boom(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("injected failure")

        monkeypatch.setattr(target, attribute, boom)
    if "stdin" in case:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(case["stdin"].encode())))
    code = run_cli([a.replace("{DIR}", str(tmp_path)) for a in case["args"]])
    captured = capsys.readouterr()
    shown = f"exit {code}\n--- stdout\n{captured.out}\n--- stderr\n{captured.err}"
    assert code == expect["exit"], shown
    if "stdout" in expect:
        assert expect["stdout"] in captured.out, shown
    if "stdout_also" in expect:
        assert expect["stdout_also"] in captured.out, shown
    if expect.get("stdout_empty"):
        assert captured.out == "", shown
    if "stderr" in expect:
        assert expect["stderr"] in captured.err, shown
    if "stderr_lines" in expect:
        assert len([line for line in captured.err.splitlines() if line.strip()]) == expect["stderr_lines"], shown
    if "stdout_json" in expect:
        document = json.loads(captured.out)
        schema = load_json(OUTPUT_SCHEMAS / f"{expect['stdout_json']}.schema.json")
        Draft202012Validator(schema).validate(document)
        assert document["version"] == 1


def test_json_output_schemas_ship_with_the_package() -> None:
    for path in OUTPUT_SCHEMAS.glob("*.schema.json"):
        Draft202012Validator.check_schema(load_json(path))
    assert {p.name for p in OUTPUT_SCHEMAS.glob("*.schema.json")} >= {"validate.schema.json", "problems.schema.json"}
