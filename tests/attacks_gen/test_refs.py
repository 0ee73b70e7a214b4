"""Schemas never cause I/O or crashes at check or generation time: `$schema` other than a standard
dialect, `$ref`/`$dynamicRef`/`$recursiveRef` leaving the file, loops of in-place references, deep
nesting and non-JSON numbers are located errors; every URL points at a loopback server that must
see no request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cfai.errors import GenerationError
from cfai.schemas import parse_schema
from codegen.pipeline import generate

from .conftest import case, cases

CASES = cases("refs")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, the paths requested so far)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'{"type": "object"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def text_of(data: dict[str, Any]) -> str:
    if "text" in data:
        return str(data["text"])
    if "text_deep" in data:
        n = data["text_deep"]
        return '{"a":' * n + "1" + "}" * n if data.get("object") else "[" * n + "]" * n
    if "deep" in data:  # built as text: json.dumps itself would recurse
        n = data["deep"]
        if data["via"] == "properties":
            return '{"type": "object", "properties": {"a": ' * n + '{"type": "string"}' + "}}" * n
        return '{"allOf": [' * n + '{"type": "string"}' + "]}" * n
    return json.dumps(data["schema"])


@pytest.mark.parametrize("name", CASES)
def test_located_error_and_no_request(name: str, server: tuple[str, list[str]]) -> None:
    url, hits = server
    data = case("refs", name, server=url)
    before = len(hits)
    _, problems = parse_schema("attack/x", "attack/x/schema-input.json", text_of(data))
    assert len(hits) == before, f"the check fetched {hits[before:]}"
    if data.get("ok"):
        assert problems == []
        return
    assert problems, "accepted"
    where = data.get("path") or data["path_prefix"]
    matching = [p for p in problems if p.path.startswith(where) and data["message"] in p.message]
    assert matching, [str(p) for p in problems]
    assert all(len(p.path) < 1000 for p in problems), "a located error, not a wall of text"


def test_generation_refuses_them_all_without_a_request(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, hits = server
    bad = [n for n in CASES if not case("refs", n).get("ok")]
    for name in bad:
        folder = tmp_path / "schemas" / "attack" / name
        folder.mkdir(parents=True)
        (folder / "schema-input.json").write_text(text_of(case("refs", name, server=url)))
        (folder / "schema-output.json").write_text('{"type": "object"}')
    before = len(hits)
    with pytest.raises(GenerationError) as caught:
        generate(tmp_path / "schemas", tmp_path / "generated")
    assert {p.model for p in caught.value.problems} == {f"attack/{n}" for n in bad}
    assert len(hits) == before and not (tmp_path / "generated").exists()
