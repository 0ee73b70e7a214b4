"""`cfai pull`: fetch the published schemas of the tracked models, check them, land them atomically.

plan (which URL becomes which file, and the ETag its local copy came with) → fetch (concurrent,
bounded, retried, capped, conditional) → accept (JSON of a JSON Content-Type, a valid JSON Schema
of the shape the generator needs: `schemas.parse_schema`/`check_schema`) → land (a staging copy of the
schema root, swapped in whole only when every model succeeded, or with `keep_going` only the models
that did, each one whole). A failure leaves the schema root byte-identical.

Files are written canonically (source key order, 2-space indent, UTF-8, trailing newline), and
`.pull-state.json` in the root remembers each file's URL, ETag and SHA-256: a file still as pulled is
asked for with `If-None-Match`, so an unchanged model costs one 304 per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from cfai.errors import SchemaProblem
from cfai.faults import cloudflare_errors, excerpt, retry_after
from cfai.names import check_name
from cfai.redact import Redactor, holds_secret
from cfai.schemas import FILES, check_schema, parse_schema

from . import atomic
from .atomic import swap_in
from .catalog import TRACKED_FILE, Endpoint, Tracked, UsageError, parse_tracked, redact

__all__ = ["STATE_FILE", "Answer", "Options", "Outcome", "Report", "Request", "canonical", "pull", "read_state"]

STATE_FILE = ".pull-state.json"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 10.0  # seconds: the longest single wait between attempts, whatever Retry-After asks
_JSON_TYPE = re.compile(r"^application/(json|[\w.-]+\+json)$")
State = dict[str, dict[str, dict[str, Any]]]  # model → file name → {url, etag, sha256}


@dataclass(frozen=True, slots=True)
class Options:
    concurrency: int = 8  # requests in flight at once
    retries: int = 3  # further attempts after a 5xx, a 429, a timeout or a connection error
    timeout: float = 20.0  # seconds for one whole attempt, body included
    backoff: float = 0.2  # first wait between attempts; doubled each time
    max_bytes: int = 2 * 1024 * 1024  # a larger body is refused without reading the rest
    keep_going: bool = False  # land the models that succeeded even if others failed


@dataclass(frozen=True, slots=True)
class Request:
    model: str
    url: str
    sides: tuple[str, ...]  # ("input",) from the docs site; ("input", "output") from the API
    endpoint: Endpoint = field(repr=False)
    etag: str | None = None  # sent as If-None-Match: the local files are what this ETag gave


@dataclass(frozen=True, slots=True)
class Answer:
    request: Request
    status: int | None  # 200 or 304; None when no usable answer came
    body: bytes = b""
    etag: str | None = None
    attempts: int = 1
    problem: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)  # side → canonical bytes, once accepted
    problems: tuple[SchemaProblem, ...] = ()  # why the body was not accepted


@dataclass(frozen=True, slots=True)
class Outcome:
    """One model: `new`, `updated`, `unchanged` or `failed`, with its files or its problems."""

    model: str
    status: str
    files: Mapping[str, bytes]
    state: Mapping[str, dict[str, Any]]
    problems: tuple[SchemaProblem, ...]
    downloaded: int  # body bytes of 200 answers
    not_modified: int  # 304 answers


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]
    out: Path
    written: bool  # whether the schema root at `out` was replaced

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def problems(self) -> list[SchemaProblem]:
        return [p for o in self.outcomes for p in o.problems]


def canonical(schema: Any) -> bytes:
    """The bytes a schema is stored as; raises ValueError on NaN/Infinity (not JSON)."""
    return (json.dumps(schema, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_url(request: Request) -> str:
    """The URL as the state file keeps it: the account id left out (the file may be committed)."""
    account = request.endpoint.account_id
    return request.url.replace(f"/accounts/{account}/", "/accounts/<account>/") if account else redact(request.url)


# --- plan -----------------------------------------------------------------------------------------


def read_state(root: Path) -> State:
    """What the last pull into `root` remembers; unreadable or foreign state is ignored (full downloads)."""
    try:
        data = json.loads((root / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    models = data.get("models") if isinstance(data, dict) and data.get("version") == 1 else None
    return {m: dict(v) for m, v in models.items() if isinstance(v, dict)} if isinstance(models, dict) else {}


def _local(root: Path, model: str) -> dict[str, bytes]:
    found = {}
    for name in FILES.values():
        try:
            found[name] = (root / model / name).read_bytes()
        except OSError:
            pass
    return found


def _etag(request: Request, local: Mapping[str, bytes], state: State) -> str | None:
    """The ETag to send: only when every file this URL gives is still byte-for-byte what it gave."""
    remembered = [state.get(request.model, {}).get(FILES[side]) for side in request.sides]
    etags = {e.get("etag") for e in remembered if isinstance(e, dict)}
    for side, entry in zip(request.sides, remembered, strict=True):
        data = local.get(FILES[side])
        if (
            not isinstance(entry, dict)
            or entry.get("url") != _stored_url(request)
            or data is None
            or entry.get("sha256") != _sha(data)
        ):
            return None
    etag = etags.pop() if len(etags) == 1 else None
    return etag if isinstance(etag, str) else None


# --- fetch ----------------------------------------------------------------------------------------


def _error_text(content: bytes, redact: Callable[[str], str]) -> str:
    text = redact(content.decode("utf-8", errors="replace"))
    try:
        errors = cloudflare_errors(json.loads(text))
    except ValueError:
        errors = []
    return "; ".join(map(str, errors)) or excerpt(text, 120, redact=redact) or "(empty body)"


async def _read(response: httpx.Response, limit: int) -> bytes:
    """The body, decoded, or its first `limit + 1`-odd bytes: never more is held in memory."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            break
    return bytes(body)


async def _once(client: httpx.AsyncClient, request: Request, options: Options) -> tuple[Answer, bool, float | None]:
    """One attempt: (answer, worth retrying, Retry-After)."""
    headers = {**request.endpoint.headers, "Accept": "application/json"}
    if request.etag:
        headers["If-None-Match"] = request.etag
    cap = options.max_bytes

    def fail(message: str, retry: bool = False, wait: float | None = None) -> tuple[Answer, bool, float | None]:
        return Answer(request, None, problem=message), retry, wait

    scrub = Redactor([request.endpoint.token]).text  # before anything is shortened

    async with client.stream("GET", request.url, headers=headers) as response:
        status, ctype = response.status_code, response.headers.get("content-type", "")
        if status == 304:
            if not request.etag:
                return fail("304 Not Modified to a request that was not conditional")
            return Answer(request, 304, etag=response.headers.get("etag") or request.etag), False, None
        if status != 200:
            retry = status in RETRY_STATUSES or status >= 500
            text = _error_text(await _read(response, 65536), scrub)
            return fail(f"HTTP {status}: {text}", retry, retry_after(response.headers))
        if not _JSON_TYPE.match(ctype.split(";")[0].strip().lower()):
            start = await _read(response, 4096)
            if start.lstrip()[:1] == b"<" or "html" in ctype.lower():
                return fail(f"Content-Type {ctype!r}: an HTML page ({excerpt(start.decode('utf-8', 'replace'), 80, redact=scrub)})")
            return fail(f"Content-Type {ctype or '(none)'!r}: not JSON")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            return fail(f"the body is {int(length):,} bytes, over the {cap:,}-byte cap: not read")
        body = await _read(response, cap)
        if len(body) > cap:
            return fail(f"the body exceeds the {cap:,}-byte cap: stopped reading at {len(body):,}")
        return Answer(request, 200, body, etag=response.headers.get("etag")), False, None


async def _fetch(client: httpx.AsyncClient, gate: asyncio.Semaphore, request: Request, options: Options) -> Answer:
    """`_once` until it succeeds, fails for good, or the retries are spent (waits outside the gate)."""
    answer = Answer(request, None, problem="not attempted")
    for attempt in range(1, options.retries + 2):
        wait: float | None = None
        try:
            async with gate, asyncio.timeout(options.timeout):
                answer, retry, wait = await _once(client, request, options)
        except (TimeoutError, httpx.TimeoutException):
            answer, retry = Answer(request, None, problem=f"no complete answer within {options.timeout:g} s"), True
        except httpx.HTTPError as exc:  # connection errors are retried; redirect loops, bad encodings are not
            retry = isinstance(exc, httpx.TransportError)
            answer = Answer(request, None, problem=f"{type(exc).__name__}: {exc or 'connection failed'}")
        answer = replace(answer, attempts=attempt)
        if not retry or attempt > options.retries:
            break
        await asyncio.sleep(min(max(options.backoff * 2 ** (attempt - 1), wait or 0.0), MAX_WAIT))
    if answer.problem and answer.attempts > 1:
        answer = replace(answer, problem=f"{answer.problem} (after {answer.attempts} attempts)")
    return answer


async def _fetch_all(
    requests: Sequence[Request], options: Options, done: Callable[[Answer], None] | None
) -> list[Answer]:
    gate = asyncio.Semaphore(options.concurrency)
    limits = httpx.Limits(max_connections=options.concurrency)
    headers = {"User-Agent": "cfai-bindings pull"}
    async with httpx.AsyncClient(
        timeout=options.timeout, limits=limits, headers=headers, follow_redirects=True
    ) as client:

        async def one(request: Request) -> Answer:
            answer = _scrubbed(_accept(await _fetch(client, gate, request, options)))  # checked while others are in flight
            if done:
                done(answer)
            return answer

        return list(await asyncio.gather(*(one(r) for r in requests)))


# --- accept ---------------------------------------------------------------------------------------


def _schemas(request: Request, body: bytes) -> tuple[dict[str, Any], list[SchemaProblem]]:
    """The schema(s) in one 200 body, checked; the API's envelope unwrapped, paths located in the body."""
    model, url = request.model, redact(request.url)
    if request.endpoint.source != "api":
        schema, problems = parse_schema(model, url, body, side=request.sides[0])
        return {request.sides[0]: schema}, problems
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return {}, [SchemaProblem(model, url, "$", f"not valid JSON: {exc}")]
    if (
        not isinstance(document, dict)
        or document.get("success") is False
        or not isinstance(document.get("result"), dict)
    ):
        errors = "; ".join(map(str, cloudflare_errors(document)))
        return {}, [SchemaProblem(model, url, "$.result", errors or "not the API's envelope {result: {input, output}}")]
    found: dict[str, Any] = {}
    problems = []
    for side in request.sides:
        found[side] = document["result"].get(side)
        for p in check_schema(model, url, found[side], side=side):
            problems.append(replace(p, path=f"$.result.{side}{p.path[1:]}"))
    return found, problems


def _accept(answer: Answer) -> Answer:
    """A 200 answer with its schemas checked and written canonically (`files`), or its `problems`."""
    if answer.status != 200:
        return answer
    schemas, problems = _schemas(answer.request, answer.body)
    if problems:
        return replace(answer, problems=tuple(problems))
    try:
        return replace(answer, files={side: canonical(schema) for side, schema in schemas.items()})
    except ValueError as exc:
        return replace(
            answer, problems=(SchemaProblem(answer.request.model, redact(answer.request.url), "$", f"not JSON: {exc}"),)
        )


def _scrubbed(answer: Answer) -> Answer:
    """The API token out of everything the server said (`cfai.redact`), before it can reach the
    terminal; a schema that echoes the token is refused rather than written to a file."""
    token = answer.request.endpoint.token
    redactor = Redactor([token])
    problems = tuple(redactor.value(p) for p in answer.problems)
    files = answer.files
    # The token's value in any spelling the redactor masks; not the word "Bearer", which a schema
    # may well use to describe authentication.
    if token and any(holds_secret(data.decode("utf-8", "replace"), [token]) for data in files.values()):
        where = redact(answer.request.url)
        problems += (SchemaProblem(answer.request.model, where, "$", "the answer contains the API token: refused"),)
        files = {}
    return replace(answer, problem=answer.problem and redactor.text(answer.problem), problems=problems, files=files)


def _judge(model: str, answers: Sequence[Answer], local: Mapping[str, bytes]) -> Outcome:
    """One model's answers → its canonical files and state entry, or every problem with them."""
    files: dict[str, bytes] = {}
    state: dict[str, dict[str, Any]] = {}
    problems: list[SchemaProblem] = []
    for answer in answers:
        if answer.problem or answer.status is None:
            problems.append(SchemaProblem(model, redact(answer.request.url), "$", answer.problem or "no answer"))
            continue
        problems += answer.problems
        got: Mapping[str, bytes | None] = answer.files
        if answer.status == 304:
            got = {side: local.get(FILES[side]) for side in answer.request.sides}
        for side, data in got.items():
            if data is None:
                problems.append(
                    SchemaProblem(model, redact(answer.request.url), "$", f"304, but the local {FILES[side]} is gone")
                )
                continue
            files[FILES[side]] = data
            state[FILES[side]] = {"url": _stored_url(answer.request), "etag": answer.etag, "sha256": _sha(data)}
    downloaded = sum(len(a.body) for a in answers if a.status == 200)
    not_modified = sum(1 for a in answers if a.status == 304)
    if problems:
        return Outcome(model, "failed", {}, {}, tuple(problems), downloaded, not_modified)
    status = "new" if not local else "unchanged" if all(local.get(n) == d for n, d in files.items()) else "updated"
    return Outcome(model, status, files, state, (), downloaded, not_modified)


# --- land -----------------------------------------------------------------------------------------


def _state_bytes(state: State) -> bytes:
    return (json.dumps({"version": 1, "models": state}, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def tracked_text(current: str | None, models: Sequence[Tracked]) -> str | None:
    """models.toml with `models` added at the end, its text otherwise kept as it was (comments, order,
    the entries already there, even if their source differs); None when every model is listed."""
    listed = {t.name for t in parse_tracked(current, TRACKED_FILE)[0]} if current is not None else set()
    new = [m for m in {m.name: m for m in models}.values() if m.name not in listed]
    if not new:
        return None
    text = current if current is not None else (
        "# The models `cfai pull` keeps up to date (and `cfai gate` checks): one [[model]] table each.\n"
        '#   source = "docs": the documentation site (no token); "api": the account\'s API (CLOUDFLARE_* settings)\n'
    )
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(f'\n[[model]]\nname = "{m.name}"\nsource = "{m.source}"\n' for m in new)


def _land(root: Path, out: Path, accepted: Sequence[Outcome], state: State, track: Sequence[Tracked] = ()) -> bool:
    """A copy of `root` with the accepted models' files and the new state (and `track` added to its
    models.toml), swapped in at `out`."""
    new_state = _state_bytes({**state, **{o.model: dict(o.state) for o in accepted}})
    try:
        same_state = (root / STATE_FILE).read_bytes() == new_state
    except OSError:
        same_state = False
    try:
        current: str | None = (root / TRACKED_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{root / TRACKED_FILE}: cannot read: {exc}") from None
    tracked = tracked_text(current, track)
    if out == root and same_state and tracked is None and all(o.status == "unchanged" for o in accepted):
        return False
    staging = atomic.staging_dir(out, "pull")
    try:
        if root.is_dir():
            shutil.copytree(root, staging, symlinks=True, dirs_exist_ok=True)
            os.chmod(staging, root.stat().st_mode & 0o7777)
        try:  # the copy keeps the root's symlinks: never write through one
            for outcome in accepted:
                for name, data in outcome.files.items():
                    atomic.write_inside(staging, f"{outcome.model}/{name}", data)
            atomic.write_inside(staging, STATE_FILE, new_state)
            if tracked is not None:
                atomic.write_inside(staging, TRACKED_FILE, tracked.encode())
        except OSError as exc:
            raise UsageError(f"{root}: {exc.strerror or exc}") from None
        swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def pull(
    models: Sequence[Tracked],
    endpoints: Mapping[str, Endpoint],
    root: Path,
    *,
    out: Path | None = None,
    options: Options = Options(),
    planned: Callable[[int], None] | None = None,
    done: Callable[[Answer], None] | None = None,
    track: bool = False,
) -> Report:
    """Pull `models` (each from `endpoints[model.source]`) on top of the schema root `root` into `out`
    (default: `root` itself). `planned(n)` hears the number of requests, `done(answer)` each answer.
    `track`: the models landed that its models.toml does not list are added to it (`cfai pull NAME…`),
    the file created if there is none."""
    root, out = root.resolve(), (out or root).resolve()
    if out != root and out.is_relative_to(root):
        raise UsageError(f"--out {out} is inside the schema root {root}")
    if bad := [why for m in models if (why := check_name(m.name))]:  # a name becomes a path: checked here too
        raise UsageError("; ".join(bad))
    atomic.recover(out)
    state = read_state(root)
    local = {m.name: _local(root, m.name) for m in models}
    requests = [
        Request(m.name, url, sides, endpoints[m.source])
        for m in models
        for url, sides in endpoints[m.source].schema_requests(m.name)
    ]
    requests = [replace(r, etag=_etag(r, local[r.model], state)) for r in requests]
    if planned:
        planned(len(requests))
    answers = asyncio.run(_fetch_all(requests, options, done))
    outcomes = tuple(_judge(m.name, [a for a in answers if a.request.model == m.name], local[m.name]) for m in models)
    accepted = [o for o in outcomes if o.status != "failed"]
    if len(accepted) < len(outcomes) and not options.keep_going:
        return Report(outcomes, out, False)
    landed = [m for m in models if track and any(o.model == m.name for o in accepted)]
    written = _land(root, out, accepted, state, landed) if accepted or out != root else False
    return Report(outcomes, out, written)
