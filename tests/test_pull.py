"""`cfai pull` and `cfai models` against a real server on 127.0.0.1 (tests/catalog_server.py).

Every fault of the table below is injected into one request of a pull of the seed models whose
upstream has changed: a fault that is retried away lands the change; any other fails the pull with
a message naming the model, the URL and the JSON path, and leaves schemas/ and generated/ as they were.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cfai.cli import app
from cfai.schemas import FILES, discover
from codegen.catalog import Tracked, docs_path, endpoint, parse_tracked
from codegen.pipeline import generate
from codegen.pull import STATE_FILE, Options, canonical, pull

from .catalog_server import ACCOUNT, HTML_PAGE, TOKEN, CatalogServer, Fault
from .conftest import CATALOG, SCHEMAS, catalog_models, need_catalog

API_ENV = {"CLOUDFLARE_ACCOUNT_ID": ACCOUNT, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": None}
NO_ENV = {"CLOUDFLARE_ACCOUNT_ID": None, "CLOUDFLARE_API_TOKEN": None, "CLOUDFLARE_BASE_URL": None}
GPT55_INPUT = "/ai/models/openai/gpt-5.5/schema-input.json"
GPT55_API = f"/accounts/{ACCOUNT}/ai/models/schema?model=openai/gpt-5.5"
NOT_A_SCHEMA = b'{"type": "object", "properties": {"temperature": {"type": "float", "maximum": "2"}}}'


def envelope(result: Any, success: bool = True) -> bytes:
    errors = [] if success else [{"code": 7003, "message": "Could not route to /ai/models/schema"}]
    return json.dumps({"result": result, "success": success, "errors": errors, "messages": []}).encode()


@dataclass
class Case:
    """One fault row: what the server does, and what the pull must do about it."""

    id: str
    fault: dict[str, Any]
    exit: int = 1
    message: str = ""
    paths: tuple[str, ...] = ("$",)
    source: str = "docs"
    lands: bool = False  # retried away: the upstream change lands
    hits: int | None = None  # requests the faulted target received
    extra: list[str] = field(default_factory=list)


CASES = [
    Case(
        "not-found",
        {"kind": "status", "status": 404, "body": HTML_PAGE, "content_type": "text/html"},
        message="HTTP 404: Page not found",
    ),
    Case("server-error-then-ok", {"kind": "status", "status": 500, "times": 1}, exit=0, lands=True, hits=2),
    Case(
        "rate-limited-then-ok",
        {"kind": "status", "status": 429, "times": 1, "headers": {"Retry-After": "0"}},
        exit=0,
        lands=True,
        hits=2,
    ),
    Case("dropped-then-ok", {"kind": "drop", "times": 1}, exit=0, lands=True, hits=2),
    Case(
        "server-error-always", {"kind": "status", "status": 503}, message="HTTP 503", hits=2, extra=["after 2 attempts"]
    ),
    Case("timeout", {"kind": "delay", "delay": 1.0}, message="no complete answer within 0.3 s"),
    Case(
        "redirect-loop",
        {"kind": "status", "status": 302, "headers": {"Location": GPT55_INPUT}},
        message="TooManyRedirects",
        hits=21,
    ),
    Case("truncated-json", {"kind": "truncate"}, message="not valid JSON"),
    Case(
        "not-a-schema",
        {"kind": "body", "body": NOT_A_SCHEMA},
        message="not a valid JSON Schema",
        paths=("$.properties.temperature.type", "$.properties.temperature.maximum"),
    ),
    Case("empty-schema", {"kind": "body", "body": b"{}"}, message="empty schema {}"),
    Case("not-an-object", {"kind": "body", "body": b'["type", "object"]'}, message="a schema must be a JSON object"),
    Case("oversize", {"kind": "oversize"}, message="over the 2,097,152-byte cap: not read"),
    Case("oversize-chunked", {"kind": "oversize-chunked"}, message="exceeds the 2,097,152-byte cap"),
    Case(
        "html-page", {"kind": "html"}, message="Content-Type 'text/html; charset=utf-8': an HTML page (Page not found"
    ),
    Case(
        "wrong-content-type", {"kind": "content-type", "content_type": "application/octet-stream"}, message="not JSON"
    ),
    Case(
        "api-unauthorized",
        {"kind": "status", "status": 401, "body": envelope(None, success=False)},
        source="api",
        message="HTTP 401: [7003] Could not route",
    ),
    Case(
        "api-not-success",
        {"kind": "body", "body": envelope(None, success=False)},
        source="api",
        message="[7003]",
        paths=("$.result",),
    ),
    Case(
        "api-not-a-schema",
        {"kind": "body", "body": envelope({"input": json.loads(NOT_A_SCHEMA), "output": {"type": "object"}})},
        source="api",
        message="not a valid JSON Schema",
        paths=("$.result.input.properties.temperature.type",),
    ),
    Case("api-timeout", {"kind": "delay", "delay": 1.0}, source="api", message="no complete answer within 0.3 s"),
]


def tree_hash(top: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(top).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def upstream_changes(server: CatalogServer) -> None:
    """What upstream publishes now: gpt-5.5's Responses temperature maximum 2 → 1.5, a new description."""

    def lower(schema: dict[str, Any]) -> None:
        schema["oneOf"][0]["properties"]["temperature"]["maximum"] = 1.5

    server.edit("openai/gpt-5.5", "input", lower)
    server.edit("openai/gpt-5.1-chat", "input", lambda s: s.update(description="Chat Completions, as published."))


@pytest.fixture
def server() -> Iterator[CatalogServer]:
    roots = [SCHEMAS, *([CATALOG] if (CATALOG / "@cf").is_dir() else [])]
    with CatalogServer(*roots) as running:
        upstream_changes(running)
        yield running


SEEDS = ("openai/gpt-5.5", "openai/gpt-5.1-chat")
SEEDS_TOML = "".join(f'[[model]]\nname = "{seed}"\nsource = "docs"\n\n' for seed in SEEDS)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A schema root tracking the two seed models (their schemas and a models.toml of two)."""
    for seed in SEEDS:
        shutil.copytree(SCHEMAS / seed, tmp_path / "schemas" / seed)
    (tmp_path / "schemas" / "models.toml").write_text(SEEDS_TOML)
    (tmp_path / "generated").mkdir()
    return tmp_path


def cfai(*args: str, env: dict[str, Any] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**NO_ENV, **(env or {})})


def pull_args(project: Path, server: CatalogServer, *more: str) -> list[str]:
    return [
        "pull",
        "--schemas",
        str(project / "schemas"),
        "--base-url",
        server.url,
        "--retries",
        "1",
        "--timeout",
        "0.3",
        *more,
    ]


def leftovers(project: Path) -> list[str]:
    return [p.name for p in project.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault(project: Path, server: CatalogServer, case: Case) -> None:
    target = GPT55_API if case.source == "api" else GPT55_INPUT
    server.faults.append(Fault(target, **case.fault))
    before = {name: tree_hash(project / name) for name in ("schemas", "generated")}

    result = cfai(*pull_args(project, server, "--source", case.source), env=API_ENV)

    assert result.exit_code == case.exit, result.output
    assert TOKEN not in result.output
    assert leftovers(project) == [], "staging left behind"
    if case.hits is not None:
        assert sum(1 for h in server.hits if target in h.target) == case.hits
    if case.lands:
        pulled = json.loads((project / "schemas/openai/gpt-5.5/schema-input.json").read_text())
        assert pulled["oneOf"][0]["properties"]["temperature"]["maximum"] == 1.5
        return
    after = {name: tree_hash(project / name) for name in ("schemas", "generated")}
    assert after == before, "a failed pull changed the tree"
    failed = [line.strip() for line in result.output.splitlines() if line.strip().startswith("openai/gpt-5.5:")]
    url = server.url + target
    located = [line for line in failed if url in line and case.message in line]
    assert located, f"no line names the model, {url} and {case.message!r}:\n{result.output}"
    for path in case.paths:
        assert any(f" {path}: " in line for line in located), f"{path} not located:\n{result.output}"
    assert all(text in result.output for text in case.extra), result.output
    assert f"{project / 'schemas'} unchanged" in result.output


def test_fault_json_output_is_located(project: Path, server: CatalogServer) -> None:
    server.faults.append(Fault(GPT55_INPUT, "body", body=NOT_A_SCHEMA))
    result = cfai(*pull_args(project, server, "--json"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["written"] is False
    [failed] = [m for m in report["models"] if m["status"] == "failed"]
    assert {(p["model"], p["file"]) for p in failed["problems"]} == {("openai/gpt-5.5", server.url + GPT55_INPUT)}
    assert "$.properties.temperature.type" in {p["path"] for p in failed["problems"]}


def test_pull_lands_then_an_unchanged_repull_costs_only_304s(project: Path, server: CatalogServer) -> None:
    schemas = project / "schemas"
    first = cfai(*pull_args(project, server))
    assert first.exit_code == 0, first.output
    assert "updated openai/gpt-5.5" in first.output and "updated openai/gpt-5.1-chat" in first.output
    assert server.count(200) == 4 and server.count(304) == 0
    snapshot = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in schemas.rglob("*") if p.is_file()}
    inode = schemas.stat().st_ino
    server.hits.clear()

    second = cfai(*pull_args(project, server))

    assert second.exit_code == 0, second.output
    assert server.count(200) == 0 and server.count(304) == 4 and all(h.conditional for h in server.hits)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in schemas.rglob("*") if p.is_file()} == snapshot
    assert schemas.stat().st_ino == inode, "schemas/ was replaced although nothing changed"
    assert f"{schemas} unchanged" in second.output
    print(f"\nunchanged re-pull of 2 models: {len(server.hits)} requests, {server.sent()} bytes sent by the server")


def test_files_are_written_canonically(project: Path, server: CatalogServer) -> None:
    served = {"properties": {"prompt": {"type": "string", "description": "Température — en °C"}}, "type": "object"}
    server.schemas["openai/gpt-5.1-chat"]["input"] = json.dumps(served, separators=(",", ":")).encode()
    assert cfai(*pull_args(project, server, "openai/gpt-5.1-chat")).exit_code == 0
    written = (project / "schemas/openai/gpt-5.1-chat/schema-input.json").read_bytes()
    assert written == canonical(served)
    assert written.decode().startswith('{\n  "properties": {') and "Température — en °C" in written.decode()
    assert written.endswith(b"}\n")


def test_a_local_edit_is_not_trusted_to_a_304(project: Path, server: CatalogServer) -> None:
    assert cfai(*pull_args(project, server)).exit_code == 0
    edited = project / "schemas/openai/gpt-5.5/schema-output.json"
    pristine = edited.read_bytes()
    edited.write_bytes(pristine.replace(b'"description"', b'"title": "edited", "description"', 1))
    server.hits.clear()
    result = cfai(*pull_args(project, server))
    assert result.exit_code == 0 and "updated openai/gpt-5.5" in result.output
    assert [h.target for h in server.hits if not h.conditional] == ["/ai/models/openai/gpt-5.5/schema-output.json"]
    assert edited.read_bytes() == pristine


def test_keep_going_lands_the_models_that_succeeded(project: Path, server: CatalogServer) -> None:
    server.faults.append(Fault("gpt-5.5/", "status", status=404))
    old = (project / "schemas/openai/gpt-5.5/schema-input.json").read_bytes()
    result = cfai(*pull_args(project, server, "--keep-going"))
    assert result.exit_code == 1
    assert (project / "schemas/openai/gpt-5.5/schema-input.json").read_bytes() == old
    chat = json.loads((project / "schemas/openai/gpt-5.1-chat/schema-input.json").read_text())
    assert chat["description"] == "Chat Completions, as published."
    state = json.loads((project / "schemas" / STATE_FILE).read_text())
    assert list(state["models"]) == ["openai/gpt-5.1-chat"]


def test_out_stages_a_copy_and_leaves_schemas_alone(project: Path, server: CatalogServer) -> None:
    before = tree_hash(project / "schemas")
    result = cfai(*pull_args(project, server, "--out", str(project / "staged")))
    assert result.exit_code == 0, result.output
    assert tree_hash(project / "schemas") == before
    assert (project / "staged/models.toml").read_bytes() == (project / "schemas/models.toml").read_bytes()
    assert b"1.5" in (project / "staged/openai/gpt-5.5/schema-input.json").read_bytes()


def test_the_token_goes_to_the_api_only_and_is_never_printed_or_stored(project: Path, server: CatalogServer) -> None:
    api = cfai(*pull_args(project, server, "--source", "api"), env=API_ENV)
    state = (project / "schemas" / STATE_FILE).read_text()
    assert "/accounts/<account>/" in state and ACCOUNT not in state  # the state file may be committed
    assert cfai(*pull_args(project, server, "--source", "api"), env=API_ENV).exit_code == 0
    assert server.count(304, "/accounts/") == 2  # conditional requests work for the API too
    server.faults.append(Fault("gpt-5.5", "status", status=500, body=b"boom"))
    failing = cfai(*pull_args(project, server, "--source", "api"), env=API_ENV)
    docs = cfai(*pull_args(project, server, "--source", "docs"), env=API_ENV)
    assert (api.exit_code, failing.exit_code, docs.exit_code) == (0, 1, 1)
    assert all(h.authorized for h in server.hits if "/accounts/" in h.target)
    assert not any(h.authorized for h in server.hits if h.target.startswith("/ai/models/"))
    for result in (api, failing, docs):
        assert TOKEN not in result.output and repr(result.exception).find(TOKEN) < 0
    assert not [p for p in project.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert TOKEN not in repr(endpoint("api", {**API_ENV, "CLOUDFLARE_BASE_URL": ""}))


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--source", "api"], {}, "CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN"),
        (["--source", "ftp"], {}, "source 'ftp' is not one of docs, api"),
        (["../../etc/passwd"], {}, "is not a model name"),
        (["--concurrency", "0"], {}, "--concurrency"),
        (["--base-url", "not-a-url"], {}, "is not an http(s):// URL"),
        (["--out", "{schemas}/inside"], {}, "is inside the schema root"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], env: dict[str, str], message: str) -> None:
    args = [arg.format(schemas=project / "schemas") for arg in args]
    result = cfai("pull", "--schemas", str(project / "schemas"), *args, env=env)
    assert result.exit_code == 2 and message in result.output, result.output


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('[[model]]\nname = "a/b"\nsource = "ftp"\n', "$.model[0].source", "is not one of"),
        ('[[model]]\nname = "a/b"\n[[model]]\nname = "a/b"\n', "$.model[1].name", "listed twice"),
        ('[[model]]\nname = "../x"\n', "$.model[0].name", "is not a model name"),
        ('[[model]]\nname = "a/b"\nurl = "x"\n', "$.model[0].url", "unknown key"),
        ("models = 1\n", "$.models", "unknown key"),
        ("[[model]\n", "$", "not valid TOML"),
    ],
)
def test_models_toml_problems_are_located(project: Path, text: str, path: str, message: str) -> None:
    _, problems = parse_tracked(text, "models.toml")
    assert any(p.path == path and message in p.message for p in problems), problems
    (project / "schemas/models.toml").write_text(text)
    result = cfai("pull", "--schemas", str(project / "schemas"))
    assert result.exit_code == 2 and path in result.output


def test_the_tracked_list_is_the_seed_models_and_the_catalog() -> None:
    tracked, problems = parse_tracked((SCHEMAS / "models.toml").read_text(), "models.toml")
    assert problems == [] and tracked[:2] == [Tracked("openai/gpt-5.5"), Tracked("openai/gpt-5.1-chat")]
    assert [t.name for t in tracked] == [*SEEDS, *sorted(t.name for t in tracked[2:])]
    if (CATALOG / "@cf").is_dir():
        assert {t.name for t in tracked[2:]} == set(catalog_models())


def test_pulling_the_catalog_on_a_fresh_clone_changes_nothing(tmp_path: Path) -> None:
    """schemas/ is what `cfai pull` brings from the catalog: a pull of it from the server is a no-op."""
    need_catalog()
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    with CatalogServer(CATALOG, SCHEMAS) as server:
        result = cfai("pull", "--schemas", str(tmp_path / "schemas"), "--base-url", server.url, "--json")
        scoped = [h.target for h in server.hits if h.target.startswith(("/ai/models/%40cf/", "/ai/models/%40hf/"))]
    assert result.exit_code == 0, result.output
    assert {o["status"] for o in json.loads(result.stdout)["models"]} == {"unchanged"}
    assert len(scoped) == 2 * len(catalog_models()), "the docs site's addresses keep the scope, as %40cf or %40hf"
    assert any("/%40hf/" in target for target in scoped)
    for model in discover(SCHEMAS):
        for name in FILES.values():
            assert (tmp_path / "schemas" / model / name).read_bytes() == (SCHEMAS / model / name).read_bytes()


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("@cf/meta/llama-3.1-8b-instruct", "ai/models/%40cf/meta/llama-3.1-8b-instruct"),
        ("@hf/nousresearch/hermes-2-pro-mistral-7b", "ai/models/%40hf/nousresearch/hermes-2-pro-mistral-7b"),
        ("openai/gpt-5.5", "ai/models/openai/gpt-5.5"),
    ],
)
def test_docs_path(model: str, path: str) -> None:
    assert docs_path(model) == path


# --- cfai models ----------------------------------------------------------------------------------


def test_models_lists_every_page(server: CatalogServer) -> None:
    result = cfai(
        "models", "--base-url", server.url, "--per-page", "7", "--json", "--schemas", str(SCHEMAS), env=API_ENV
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["models"]
    assert sorted(m["name"] for m in listed) == sorted(server.metas)
    pages = [h.target for h in server.hits if "/search" in h.target]
    assert len(pages) == -(-len(server.metas) // 7) and all(h.authorized for h in server.hits)
    tracked = {t.name for t in parse_tracked((SCHEMAS / "models.toml").read_text(), "models.toml")[0]}
    assert {m["name"] for m in listed if m["tracked"]} == tracked & set(server.metas)
    table = cfai("models", "--base-url", server.url, "--schemas", str(SCHEMAS), env=API_ENV)
    assert table.exit_code == 0 and "openai/gpt-5.5" in table.output and TOKEN not in table.output


def test_models_failures(server: CatalogServer) -> None:
    assert cfai("models", "--base-url", server.url).exit_code == 2
    server.faults.append(Fault("/search", "status", status=403, body=envelope(None, success=False)))
    result = cfai("models", "--base-url", server.url, env=API_ENV)
    assert result.exit_code == 1 and "HTTP 403: [7003]" in result.output and "/search?page=1" in result.output


# --- the whole catalog ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pulled_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole real catalog pulled from the docs-site routes into an empty schema root."""
    need_catalog()
    root = tmp_path_factory.mktemp("pulled") / "schemas"
    models = [Tracked(m) for m in catalog_models()]
    with CatalogServer(CATALOG) as server:
        report = pull(models, {"docs": endpoint("docs", {}, server.url)}, root)
    assert report.failed == [] and report.written
    return root


def test_a_pulled_catalog_is_the_catalog_byte_for_byte(pulled_catalog: Path) -> None:
    for model in catalog_models():
        for name in FILES.values():
            assert (pulled_catalog / model / name).read_bytes() == (CATALOG / model / name).read_bytes(), model


def test_catalog_pull_concurrent_vs_serial_and_api_source(tmp_path: Path) -> None:
    """The whole catalog pulled with 8 requests in flight, parts of it one request at a time and over
    the API: the same files, and the server saw the concurrency asked for (how fast that is,
    `make bench` measures)."""
    need_catalog()
    models = catalog_models()
    peaks: dict[tuple[str, int], int] = {}
    with CatalogServer(CATALOG, latency=0.05) as server:  # 50 ms an answer: a CDN's first byte
        env = {"CLOUDFLARE_ACCOUNT_ID": ACCOUNT, "CLOUDFLARE_API_TOKEN": TOKEN}
        where = {"api": endpoint("api", env, server.url), "docs": endpoint("docs", env, server.url)}
        for source, concurrency, chosen in (("docs", 8, models), ("docs", 1, models[:12]), ("api", 8, models[:24])):
            server.peak_inflight = 0
            report = pull([Tracked(m, source) for m in chosen], where, tmp_path / f"{source}-{concurrency}",
                          options=Options(concurrency))  # fmt: skip
            assert report.failed == [], report.problems
            peaks[(source, concurrency)] = server.peak_inflight
        server.hits.clear()
        again = pull([Tracked(m) for m in models], where, tmp_path / "docs-8")
        assert {o.status for o in again.outcomes} == {"unchanged"} and not again.written
        assert server.count(304) == 2 * len(models) and server.count(200) == 0
    assert peaks[("docs", 1)] == 1 and 4 <= peaks[("docs", 8)] <= 8 and 4 <= peaks[("api", 8)] <= 8, peaks
    for model in models[:12]:
        assert tree_hash(tmp_path / "docs-8" / model) == tree_hash(tmp_path / "docs-1" / model), model
    for model in models[:24]:  # the API's envelope unwraps to the same files
        assert (tmp_path / "api-8" / model / FILES["input"]).read_bytes() == (
            CATALOG / model / FILES["input"]
        ).read_bytes()


def test_a_pulled_catalog_generates_and_type_checks(pulled_catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"  # mypy --strict on the same bindings: the golden test of generated/
    report = generate(pulled_catalog, out)
    assert set(report.generated) == set(catalog_models()) and report.skipped == {}


def test_pulling_named_models_adds_them_to_models_toml_keeping_its_text(project: Path, server: CatalogServer) -> None:
    """`cfai pull --schemas DIR NAME…` tracks what it brought in, so that a later pull or gate keeps it."""
    fresh = project / "mine"
    result = cfai("pull", "--schemas", str(fresh), "--base-url", server.url, "openai/gpt-5.5")
    assert result.exit_code == 0, result.output
    tracked, problems = parse_tracked((fresh / "models.toml").read_text(), "models.toml")
    assert problems == [] and tracked == [Tracked("openai/gpt-5.5")]
    kept = "# my models\n" + SEEDS_TOML.split("\n\n")[0] + "\n# the end, no newline"
    (project / "schemas" / "models.toml").write_text(kept)
    result = cfai("pull", *pull_args(project, server)[1:], "openai/gpt-5.1-chat", "openai/gpt-5.5")
    assert result.exit_code == 0, result.output
    text = (project / "schemas" / "models.toml").read_text()
    assert text.startswith(kept + "\n") and text.count("openai/gpt-5.5") == 1
    assert parse_tracked(text, "models.toml")[0] == [Tracked("openai/gpt-5.5"), Tracked("openai/gpt-5.1-chat")]
    again = cfai("pull", *pull_args(project, server)[1:], "openai/gpt-5.1-chat")
    assert again.exit_code == 0 and (project / "schemas" / "models.toml").read_text() == text
