"""Real HTTP servers on 127.0.0.1 for the client tests, and the bodies they serve.

pytest-httpserver (the `httpserver` fixture) replays the recordings: it answers whole bodies well. The
faults need what it cannot do: a body cut short after its headers promised more, a stream closed
without its last chunk, an answer slower than the client's timeout. `ScriptServer` is a plain
`http.server` in a thread that answers each request with the next scripted `Reply` at the byte level.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["Recorded", "Reply", "ScriptServer", "envelope", "free_port", "sse_body"]


def envelope(result: Any) -> dict[str, Any]:
    """A successful `/ai/run` answer, as the Cloudflare API wraps it."""
    return {"result": result, "success": True, "errors": [], "messages": []}


def sse_body(chunks: Iterable[Any], *, done: bool = True) -> bytes:
    """Server-sent events: one `data: {json}` event per chunk, then `data: [DONE]`."""
    events = [f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks]
    return "".join(events + (["data: [DONE]\n\n"] if done else [])).encode()


def free_port() -> int:
    """A port with nothing listening on it (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Reply:
    """One scripted answer.

    `cut`: send only this many bytes of `body` after a `Content-Length` promising all of it, then
    close. `events`: send each as its own HTTP chunk (chunked transfer, flushed one by one);
    `unfinished`: close after them without the final zero-length chunk. `delay`: wait this long before
    the status line.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[bytes] | None = None
    unfinished: bool = False
    cut: int | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms on Linux) and every call looks 20x slower than it is.
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:  # the http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        self.server.owner.log.append(
            Recorded(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
        )
        reply = self.server.owner.next_reply()
        try:
            self._answer(reply)
        except OSError:  # the client gave up first (timeouts): nothing to do
            self.close_connection = True

    do_GET = do_POST  # the schema endpoint: answered from the same script

    def _answer(self, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response_only(reply.status)
        defaults = {"Server": "ScriptServer", "Date": self.date_time_string()}
        for name, value in {**defaults, **reply.headers}.items():
            self.send_header(name, value)
        if reply.events is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in reply.events:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
            if reply.unfinished:
                self._hang_up()
                return
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.cut is not None:
            self.wfile.write(reply.body[: reply.cut])
            self.wfile.flush()
            self._hang_up()
            return
        self.wfile.write(reply.body)

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the log list is the record
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping past a client's timeout must not hold teardown
    owner: ScriptServer


class ScriptServer:
    """Answers each request (POST or GET) with the next scripted reply (the last one repeats); logs every request."""

    def __init__(self, replies: Iterable[Reply] = ()) -> None:
        self.replies = list(replies)
        self.log: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def next_reply(self) -> Reply:
        with self._lock:
            if not self.replies:
                return Reply(500, body=b"no reply scripted")
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def json_reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode())
