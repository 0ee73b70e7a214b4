"""Which models: the tracked list, where each model's schemas are published, and the remote catalog.

`schemas/models.toml` lists the models `cfai pull` keeps up to date, one `[[model]]` table each:

    [[model]]
    name = "openai/gpt-5.5"   # the folder under schemas/ and the name the API knows
    source = "docs"           # "docs": the documentation site, no token; "api": the account's API

An `Endpoint` turns a model name into the URL(s) its two schema files come from. `list_models` reads
the account's model listing (`cfai models`). The API token lives only in `Endpoint.token` (kept out
of `repr`) and in the `Authorization` header built from it: never in a URL, a message or a file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from cfai.baseurl import check_base_url
from cfai.errors import CfaiError, SchemaProblem, json_path
from cfai.faults import InvalidBaseURL, cloudflare_errors
from cfai.names import check_name
from cfai.redact import Redactor, token_problem

__all__ = [
    "API_BASE_URL",
    "DOCS_BASE_URL",
    "SOURCES",
    "TRACKED_FILE",
    "Endpoint",
    "Tracked",
    "UsageError",
    "check_name",
    "docs_path",
    "endpoint",
    "list_models",
    "parse_tracked",
    "read_tracked",
    "redact",
    "task_name",
]

TRACKED_FILE = "models.toml"
SOURCES = ("docs", "api")
DOCS_BASE_URL = "https://developers.cloudflare.com"
API_BASE_URL = "https://api.cloudflare.com/client/v4"

class UsageError(CfaiError, ValueError):
    """The command cannot start: a missing setting, a bad model name, an unreadable models.toml."""


@dataclass(frozen=True, slots=True)
class Tracked:
    name: str
    source: str = "docs"


def docs_path(model: str) -> str:
    """Where the docs site publishes a model, percent-encoded as the site's own links are.

    The site keeps a Workers AI model's scope in its addresses (its pages link
    `/ai/models/%40cf/meta/llama-3.1-8b-instruct/`): `@cf/meta/llama-3.1-8b-instruct` →
    `ai/models/%40cf/meta/llama-3.1-8b-instruct`; `openai/gpt-5.5` → `ai/models/openai/gpt-5.5`.
    """
    return "ai/models/" + quote(model, safe="/")


def parse_tracked(text: str, file: str) -> tuple[list[Tracked], list[SchemaProblem]]:
    """The tracked models of a models.toml, and every problem in it (located like `$.model[1].source`)."""

    def problem(path: list[str | int], message: str) -> SchemaProblem:
        return SchemaProblem("-", file, json_path(path), message)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [problem([], f"not valid TOML: {exc}")]
    problems = [problem([key], "unknown key (expected [[model]] tables)") for key in data if key != "model"]
    entries = data.get("model", [])
    if not isinstance(entries, list):
        return [], [*problems, problem(["model"], "must be an array of tables: [[model]]")]
    tracked: list[Tracked] = []
    for index, entry in enumerate(entries):
        at: list[str | int] = ["model", index]
        if not isinstance(entry, dict):
            problems.append(problem(at, "must be a table with name and source"))
            continue
        name, source = entry.get("name"), entry.get("source", "docs")
        problems += [
            problem([*at, key], "unknown key (expected name, source)") for key in entry if key not in ("name", "source")
        ]
        if not isinstance(name, str) or (why := check_name(name)):
            problems.append(
                problem([*at, "name"], "a model name is required" if not isinstance(name, str) else why or "")
            )
        elif any(t.name == name for t in tracked):
            problems.append(problem([*at, "name"], f"{name} is listed twice"))
        elif source not in SOURCES:
            problems.append(problem([*at, "source"], f"source {source!r} is not one of {', '.join(SOURCES)}"))
        else:
            tracked.append(Tracked(name, source))
    return tracked, problems


def read_tracked(root: Path) -> tuple[list[Tracked], list[SchemaProblem]]:
    """`<root>/models.toml`; no file means no tracked models."""
    path = root / TRACKED_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [SchemaProblem("-", str(path), "$", f"cannot read: {exc.strerror or exc}")]
    return parse_tracked(text, str(path))


def redact(url: str) -> str:
    """A URL fit for a message: any `user:password@` removed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where schemas come from: the docs site (a file per side) or the API (both sides, enveloped)."""

    source: str
    base_url: str
    account_id: str | None = None
    token: str | None = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def schema_requests(self, model: str) -> list[tuple[str, tuple[str, ...]]]:
        """(URL, the sides its body holds) for each request fetching `model`'s two schemas."""
        base = self.base_url.rstrip("/")
        if self.source == "api":
            return [
                (
                    f"{base}/accounts/{self.account_id}/ai/models/schema?model={quote(model, safe='@/')}",
                    ("input", "output"),
                )
            ]
        return [(f"{base}/{docs_path(model)}/schema-{side}.json", (side,)) for side in ("input", "output")]

    def search_url(self, page: int, per_page: int) -> str:
        return (
            f"{self.base_url.rstrip('/')}/accounts/{self.account_id}/ai/models/search?page={page}&per_page={per_page}"
        )


def endpoint(source: str, env: Mapping[str, str], base_url: str | None = None) -> Endpoint:
    """The endpoint of a source from the environment (`CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_API_TOKEN`,
    `CLOUDFLARE_BASE_URL`); `base_url` (a mirror, a test server) overrides the default host."""
    if source not in SOURCES:
        raise UsageError(f"source {source!r} is not one of {', '.join(SOURCES)}")
    default = DOCS_BASE_URL if source == "docs" else env.get("CLOUDFLARE_BASE_URL") or API_BASE_URL
    base = base_url or default
    if not re.match(r"^https?://[^/\s]+", base):
        raise UsageError(f"base URL {redact(base)!r} is not an http(s):// URL")
    if source == "docs":
        return Endpoint("docs", base)
    try:  # the token goes over plain http only to loopback, unless CFAI_ALLOW_INSECURE_HTTP=1
        check_base_url(base)
    except InvalidBaseURL as exc:
        raise UsageError(str(exc)) from None
    missing = [name for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN") if not env.get(name)]
    if missing:
        raise UsageError(f"the API source needs {' and '.join(missing)} in the environment")
    if problem := token_problem(env["CLOUDFLARE_API_TOKEN"]):
        raise UsageError(f"CLOUDFLARE_API_TOKEN: {problem}")
    account = env["CLOUDFLARE_ACCOUNT_ID"]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", account):
        raise UsageError("CLOUDFLARE_ACCOUNT_ID must be an account id (letters, digits, - and _)")
    return Endpoint("api", base, account, env["CLOUDFLARE_API_TOKEN"])


def _page(url: str, response: httpx.Response) -> tuple[list[dict[str, Any]], int | None, list[SchemaProblem]]:
    """One page of the model listing: its models, the total count, and what is wrong with it."""

    def problem(path: str, message: str) -> list[SchemaProblem]:
        return [SchemaProblem("-", redact(url), path, message)]

    try:
        body = response.json()
    except ValueError:
        return [], None, problem("$", f"HTTP {response.status_code}, not JSON ({response.headers.get('content-type')})")
    errors = "; ".join(map(str, cloudflare_errors(body)))
    if response.status_code != 200 or not isinstance(body, Mapping) or body.get("success") is False:
        return [], None, problem("$", f"HTTP {response.status_code}: {errors or 'the answer reports no success'}")
    result, info = body.get("result"), body.get("result_info")
    if not isinstance(result, list) or not all(
        isinstance(m, Mapping) and isinstance(m.get("name"), str) for m in result
    ):
        return [], None, problem("$.result", "expected a list of models, each with a name")
    total = info.get("total_count") if isinstance(info, Mapping) else None
    return [dict(m) for m in result], total if isinstance(total, int) else None, []


def list_models(
    where: Endpoint, *, per_page: int = 50, timeout: float = 20.0, transport: httpx.BaseTransport | None = None
) -> tuple[list[dict[str, Any]], list[SchemaProblem]]:
    """Every model of the account's catalog, following `?page=N&per_page=M` until `total_count`."""
    listed, problems = _list_models(where, per_page, timeout, transport)
    redactor = Redactor([where.token])  # the token out of whatever the server said, before it is shown
    return redactor.value(listed), [redactor.value(p) for p in problems]


def _list_models(
    where: Endpoint, per_page: int, timeout: float, transport: httpx.BaseTransport | None
) -> tuple[list[dict[str, Any]], list[SchemaProblem]]:
    models: list[dict[str, Any]] = []
    transport = transport or httpx.HTTPTransport(retries=2)
    with httpx.Client(headers=where.headers, timeout=timeout, transport=transport, follow_redirects=True) as client:
        for page in range(1, 10_000):
            url = where.search_url(page, per_page)
            try:
                found, total, problems = _page(url, client.get(url))
            except httpx.HTTPError as exc:
                return models, [SchemaProblem("-", redact(url), "$", f"{type(exc).__name__}: {exc}")]
            if problems:
                return models, problems
            models += found
            if not found or len(found) < per_page or (total is not None and len(models) >= total):
                break
    return models, []


def task_name(model: Mapping[str, Any]) -> str:
    """A listed model's task: the API gives `{"task": {"name": …}}`, a docs file `"task": "…"`."""
    task = model.get("task")
    if isinstance(task, Mapping):
        task = task.get("name")
    return task if isinstance(task, str) else ""
