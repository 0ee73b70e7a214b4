"""A Cloudflare look-alike on 127.0.0.1 for the pull and models tests, with faults injected per request.

It serves schema roots (the real catalog at ../shared/catalog, the project's seed schemas) three ways:

    GET /ai/models/<model>/schema-input.json                the docs site (scope kept: /ai/models/%40cf/…)
    GET /accounts/<id>/ai/models/schema?model=<name>        the API: {"result": {"input", "output"}, …}
    GET /accounts/<id>/ai/models/search?page=N&per_page=M   the API's paginated model listing

with a strong ETag on every 200 (and 304 for a matching If-None-Match), a bearer token required on
the API routes, and a log of every request (`hits`: target, status, bytes sent, conditional or not).
A `Fault` row changes the answer to the requests whose target contains `match`, `times` times.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, Self
from urllib.parse import parse_qs, unquote, urlsplit

from cfai.schemas import FILES, discover

ACCOUNT = "test-account"
TOKEN = "test-token-s3cr3t-do-not-print"
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Page not found | Cloudflare Docs</title></head><body>404</body></html>"


@dataclass
class Fault:
    """One row of a fault table: what goes wrong, for which requests, how many times.

    kind: status (answer `status`, `body`, `content_type`, `headers`) · delay (sleep `delay` s, then
    answer) · truncate (the body cut in half, Content-Length consistent) · body (200 with `body`) ·
    oversize / oversize-chunked (a valid 5 MB schema, with / without Content-Length) · html (200
    text/html page) · content-type (the right body, Content-Type `content_type`) · drop (close the
    connection without answering).
    """

    match: str
    kind: str
    times: int | None = None
    status: int = 500
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    target: str
    status: int
    sent: int  # bytes written: status line, headers and body
    conditional: bool
    authorized: bool


class _Counting:
    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.raw.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _oversize() -> bytes:
    return b'{"type": "object", "description": "' + b"x" * (5 * 1024 * 1024) + b'"}'


class CatalogServer:
    def __init__(self, *roots: Path, latency: float = 0.0, port: int = 0) -> None:
        self.schemas: dict[str, dict[str, bytes]] = {}
        self.metas: dict[str, dict[str, Any]] = {}
        for root in roots:
            for model in discover(root):
                self.schemas[model] = {side: (root / model / name).read_bytes() for side, name in FILES.items()}
                meta = root / model / "meta.json"
                self.metas[model] = json.loads(meta.read_bytes()) if meta.is_file() else {"name": model}
        self.latency = latency
        self.faults: list[Fault] = []
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self._inflight = 0
        self.peak_inflight = 0  # the most requests answered at once: how concurrent a client was
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def edit(self, model: str, side: str, change: Any) -> None:
        """Change what upstream publishes: `change(schema)` edits the parsed schema in place."""
        schema = json.loads(self.schemas[model][side])
        change(schema)
        self.schemas[model][side] = json.dumps(schema).encode()  # compact: the pull writes it canonically

    def _settle(self, timeout: float = 5.0) -> None:
        """Wait for handlers still running: a hit is logged after its answer reached the client."""
        deadline = time.monotonic() + timeout
        while self._inflight and time.monotonic() < deadline:
            time.sleep(0.005)

    @property
    def hits(self) -> list[Hit]:
        """Every request answered so far (waits for the ones still being answered)."""
        self._settle()
        return self._hits

    def count(self, status: int, contains: str = "") -> int:
        self._settle()
        return sum(1 for h in self.hits if h.status == status and contains in h.target)

    def sent(self) -> int:
        self._settle()
        return sum(h.sent for h in self.hits)

    # --- answers ----------------------------------------------------------------------------------

    def _fault(self, target: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.match in target and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _route(self, target: str, authorized: bool) -> tuple[int, str, bytes]:
        parts = urlsplit(target)
        path, query = unquote(parts.path), parse_qs(parts.query)
        api = f"/accounts/{ACCOUNT}/ai/models/"
        if path.startswith(api):
            if not authorized:
                return 401, "application/json", _envelope(None, [{"code": 10000, "message": "Authentication error"}])
            if path == api + "schema":
                model = query.get("model", [""])[0]
                if model not in self.schemas:
                    return (
                        404,
                        "application/json",
                        _envelope(None, [{"code": 5007, "message": f"No such model {model}"}]),
                    )
                result = {side: json.loads(self.schemas[model][side]) for side in FILES}
                return 200, "application/json", _envelope(result)
            if path == api + "search":
                page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["20"])[0])
                listing = [_listed(name, meta) for name, meta in sorted(self.metas.items())]
                chunk = listing[(page - 1) * per_page : page * per_page]
                info = {"page": page, "per_page": per_page, "count": len(chunk), "total_count": len(listing)}
                return 200, "application/json", _envelope(chunk, info=info)
        for model, schemas in self.schemas.items():
            for side, name in FILES.items():
                # Laid out like the docs site: the model's full name, scope included, under /ai/models/
                if path == f"/ai/models/{model}/{name}":
                    return 200, "application/json", schemas[side]
        return 404, "text/html; charset=utf-8", HTML_PAGE

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def setup(self) -> None:
                super().setup()
                self.wfile = _Counting(self.wfile)  # type: ignore[assignment]

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:  # the http.server protocol names it
                with server._lock:
                    server._inflight += 1
                    server.peak_inflight = max(server.peak_inflight, server._inflight)
                try:
                    self._logged()
                finally:
                    with server._lock:
                        server._inflight -= 1

            def _logged(self) -> None:
                before = self.wfile.count  # type: ignore[attr-defined]
                if server.latency:
                    time.sleep(server.latency)
                status = self._answer()
                sent = self.wfile.count - before  # type: ignore[attr-defined]
                conditional = "If-None-Match" in self.headers
                authorized = self.headers.get("Authorization") == f"Bearer {TOKEN}"
                with server._lock:
                    server._hits.append(Hit(self.path, status, sent, conditional, authorized))

            def _answer(self) -> int:
                authorized = self.headers.get("Authorization") == f"Bearer {TOKEN}"
                status, ctype, body = server._route(self.path, authorized)
                fault = server._fault(self.path)
                headers: dict[str, str] = {}
                try:
                    if fault is not None:
                        if fault.kind == "drop":
                            self.close_connection = True
                            return 0
                        if fault.kind == "delay":
                            time.sleep(fault.delay)
                        elif fault.kind == "status":
                            status, ctype, body, headers = fault.status, fault.content_type, fault.body, fault.headers
                        elif fault.kind == "truncate":
                            body = body[: len(body) // 2]
                        elif fault.kind == "body":
                            status, ctype, body = 200, fault.content_type, fault.body
                        elif fault.kind == "html":
                            status, ctype, body = 200, "text/html; charset=utf-8", HTML_PAGE
                        elif fault.kind == "content-type":
                            ctype = fault.content_type
                        elif fault.kind in ("oversize", "oversize-chunked"):
                            return self._send_big(fault.kind == "oversize-chunked")
                    etag = _etag(body)
                    if status == 200 and self.headers.get("If-None-Match") == etag:
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return 304
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    if status == 200:
                        self.send_header("ETag", etag)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return status

            def _send_big(self, chunked: bool) -> int:
                body = _oversize()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for start in range(0, len(body), 65536):
                        piece = body[start : start + 65536]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return 200

        return Handler


def _envelope(result: Any, errors: list[dict[str, Any]] | None = None, info: dict[str, int] | None = None) -> bytes:
    body: dict[str, Any] = {"result": result, "success": not errors, "errors": errors or [], "messages": []}
    if info is not None:
        body["result_info"] = info
    return json.dumps(body).encode()


def _listed(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    """A listing entry shaped like the API's (`task` is an object there), built from a meta.json."""
    return {
        "id": hashlib.sha256(name.encode()).hexdigest()[:32],
        "source": 1,
        "name": name,
        "description": meta.get("description", ""),
        "task": {"name": meta.get("task", "")},
        "tags": meta.get("tags", []),
        "properties": meta.get("properties", []),
    }


def serving(*roots: Path, latency: float = 0.0) -> Iterator[CatalogServer]:
    """A started server for a fixture: `yield from serving(...)`."""
    with CatalogServer(*roots, latency=latency) as server:
        yield server


def _lower_temperature(schema: Any) -> None:
    for branch in schema.get("oneOf", [schema]):
        branch.get("properties", {}).get("temperature", {})["maximum"] = 1.5


def main() -> None:
    """`python -m tests.catalog_server`: serve schema roots on 127.0.0.1 until Ctrl-C (README's regen demo)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("roots", nargs="*", type=Path, default=[Path("../shared/catalog"), Path("schemas")])
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--lower-temperature", metavar="MODEL", help="publish MODEL with temperature maximum 1.5")
    args = parser.parse_args()
    with CatalogServer(*args.roots, port=args.port) as server:
        if args.lower_temperature:
            server.edit(args.lower_temperature, "input", _lower_temperature)
        print(f"serving {len(server.schemas)} models at {server.url} (account {ACCOUNT}, token {TOKEN})", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
