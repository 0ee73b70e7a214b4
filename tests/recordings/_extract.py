"""Regenerate the recorded contract-test fixtures from the seed documentation pages.

Each seed page (``../shared/seeds/*.txt`` relative to the project root) documents one model with a
"Usage" example and a few more under "Examples". Every example prints, in this order:

1. a TypeScript call ``env.AI.run('<model>', {...})``,
2. a curl command whose ``--data '{...}'`` is the request payload,
3. the rendered output, then the *raw response*: the recorded API answer as JSON (one object, or a
   list of chunks for a streamed answer).

This script pulls those values out mechanically (``json.JSONDecoder.raw_decode`` for the JSON, a tiny
parser for the TypeScript object literal) and writes one file per example to
``tests/recordings/<author>/<model>/<case>.json``. It is idempotent: re-running it rewrites the same
bytes.

    python tests/recordings/_extract.py [SEEDS_DIR]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
RECORDINGS = PROJECT_ROOT / "tests" / "recordings"

TS_CALL = "env.AI.run("
ACCOUNT_PREFIX = "/accounts/$CLOUDFLARE_ACCOUNT_ID"
# The heading that ends the last example ("## Parameters", or "...}]Parameters" on the flattened page).
PARAMETERS_HEADING = re.compile(r"Parameters[ \t]*$", re.MULTILINE)
# An example heading: "**With System Message**  — Using a system message ..." (the flattened page
# drops the ** and may glue the heading to the end of the previous raw response).
EXAMPLE_TITLE = re.compile(
    r"(?:\*\*)?([^\n*{}\[\]]+?)(?:\*\*)?[ \t]+—[ \t]+([^\n]+?)[ \t]*$", re.MULTILINE
)
USAGE_HEADING = re.compile(r"^(?:## )?Usage[ \t]*$", re.MULTILINE)
# The first example, under the page's "Usage" heading, is the basic case.
USAGE_CASE = "basic"
FORMATS = {
    "/ai/v1/chat/completions": "chat-completions",
    "/ai/v1/responses": "responses",
}

_decoder = json.JSONDecoder()


# --- JSON values in page text ---------------------------------------------------------------------


def top_level_json_values(
    text: str, start: int, end: int
) -> list[tuple[int, int, Any]]:
    """All outermost JSON objects/arrays in text[start:end], as (start, end, value)."""
    found = []
    pos = start
    while pos < end:
        if text[pos] in "{[":
            try:
                value, stop = _decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                pass
            else:
                if stop <= end:
                    found.append((pos, stop, value))
                    pos = stop
                    continue
        pos += 1
    return found


# --- curl -----------------------------------------------------------------------------------------


def shell_single_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a single-quoted shell word starting at text[pos] == "'", honouring the '\\'' idiom."""
    assert text[pos] == "'", text[pos : pos + 20]
    out = []
    pos += 1
    while True:
        close = text.index("'", pos)
        out.append(text[pos:close])
        if text.startswith("'\\''", close):  # close quote, escaped quote, reopen
            out.append("'")
            pos = close + 4
        else:
            return "".join(out), close + 1


def parse_curl(text: str, pos: int) -> tuple[str, dict[str, Any], int]:
    """The curl command at text[pos:]: (endpoint path, --data payload, end of the command)."""
    url = re.compile(r"curl\s+(\S+)").match(text, pos)
    assert url, text[pos : pos + 80]
    path = url.group(1).split(ACCOUNT_PREFIX, 1)[1]
    data = text.index("--data '", url.end())
    payload, stop = shell_single_quoted(text, data + len("--data "))
    value, tail = _decoder.raw_decode(payload.strip())
    assert tail == len(payload.strip()), "trailing text after the --data JSON"
    return path, value, stop


# --- TypeScript object literal --------------------------------------------------------------------

_TS_TOKEN = re.compile(
    r"""\s*(?:
        (?P<punct>[{}\[\],:])
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<word>[A-Za-z_$][\w$]*)
    )""",
    re.VERBOSE | re.DOTALL,
)
_TS_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
}


def _ts_string(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(
        r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)",
        lambda m: _ts_escape(m.group(1)),
        body,
        flags=re.DOTALL,
    )


def _ts_escape(esc: str) -> str:
    if esc.startswith("u{"):
        return chr(int(esc[2:-1], 16))
    if esc[0] in "ux" and len(esc) > 1:
        return chr(int(esc[1:], 16))
    return _TS_ESCAPES.get(esc, esc)


class _TsParser:
    """Just enough of a JavaScript literal parser for the examples' payload objects."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def token(self) -> tuple[str, str]:
        m = _TS_TOKEN.match(self.text, self.pos)
        if not m:
            raise ValueError(
                f"unexpected TypeScript at {self.text[self.pos : self.pos + 40]!r}"
            )
        self.pos = m.end()
        kind = m.lastgroup
        assert kind is not None
        return kind, m.group(kind)

    def peek(self) -> tuple[str, str]:
        saved = self.pos
        try:
            return self.token()
        finally:
            self.pos = saved

    def value(self) -> Any:
        kind, tok = self.token()
        if kind == "string":
            return _ts_string(tok)
        if kind == "number":
            return json.loads(tok)
        if kind == "word":
            return {"true": True, "false": False, "null": None}[tok]
        if tok == "{":
            obj = {}
            while self.peek() != ("punct", "}"):
                kkind, key = self.token()
                self.expect(":")
                obj[_ts_string(key) if kkind == "string" else key] = self.value()
                if self.peek() == ("punct", ","):
                    self.token()
            self.token()
            return obj
        if tok == "[":
            arr = []
            while self.peek() != ("punct", "]"):
                arr.append(self.value())
                if self.peek() == ("punct", ","):
                    self.token()
            self.token()
            return arr
        raise ValueError(f"unexpected {tok!r}")

    def expect(self, punct: str) -> None:
        got = self.token()
        if got != ("punct", punct):
            raise ValueError(f"expected {punct!r}, got {got[1]!r}")


def parse_ts_call(text: str, pos: int) -> tuple[str, Any, int]:
    """The call env.AI.run('<model>', {...}) at text[pos:]: (model, payload, end of the payload)."""
    parser = _TsParser(text, pos + len(TS_CALL))
    model = parser.value()
    parser.expect(",")
    payload = parser.value()
    return model, payload, parser.pos


# --- the page -------------------------------------------------------------------------------------


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def example_title(between: str, first: bool) -> tuple[str, str]:
    """(case, title) from the text between the previous example and this one's TypeScript call."""
    m = EXAMPLE_TITLE.search(between)
    if m:
        name, subtitle = m.group(1).strip(), m.group(2).strip()
        return slug(name), f"{name} — {subtitle}"
    assert first and USAGE_HEADING.search(between), (
        f"no example title in {between[-200:]!r}"
    )
    return USAGE_CASE, "Usage"


def stream_expectation(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    text = "".join(
        chunk["choices"][0]["delta"].get("content") or ""
        for chunk in chunks
        if chunk.get("choices") and chunk["choices"][0].get("delta")
    )
    tail = text[-35:]
    if " " in tail:  # start the expected ending at a word
        tail = tail[tail.index(" ") + 1 :]
    return {"text_chars": len(text), "text_endswith": tail}


def extract(page: Path) -> list[dict[str, Any]]:
    text = page.read_text(encoding="utf-8")
    calls = [m.start() for m in re.finditer(re.escape(TS_CALL), text)]
    records = []
    previous_end = 0
    for i, call in enumerate(calls):
        model, ts_payload, ts_end = parse_ts_call(text, call)
        case, title = example_title(text[previous_end:call], first=i == 0)
        endpoint, request, curl_end = parse_curl(text, text.index("curl ", ts_end))
        if i + 1 < len(calls):
            section_end = calls[i + 1]
        else:
            heading = PARAMETERS_HEADING.search(text, curl_end)
            assert heading, "no Parameters heading after the last example"
            section_end = heading.start()
        values = top_level_json_values(text, curl_end, section_end)
        assert values, f"{page.name}: no raw response for {title!r}"
        # The raw response is printed after the rendered output: the last JSON value.
        _, raw_end, raw = values[-1]
        previous_end = raw_end

        assert request.get("model") == model, (request.get("model"), model)
        record: dict[str, Any] = {
            "model": model,
            "case": case,
            "title": title,
            "source": f"seeds/{page.name}",
            "endpoint": endpoint,
            "format": FORMATS[endpoint],
            "request": request,
        }
        if ts_payload != {k: v for k, v in request.items() if k != "model"}:
            record["typescript_request"] = ts_payload
        if isinstance(raw, list):
            assert request.get("stream") is True, (
                f"{title!r}: a chunk list for a non-streamed request"
            )
            last = raw[-1]
            assert last["choices"] == [] and isinstance(last.get("usage"), dict), (
                "usage chunk is not last"
            )
            record["envelope"] = False
            record["stream"] = True
            record["chunks"] = raw
            record["expect"] = stream_expectation(raw)
        else:
            record["envelope"] = "result" in raw and "state" in raw
            record["response"] = raw
        records.append(record)
    return records


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    seeds = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEEDS
    pages = sorted(seeds.glob("*.txt"))
    if not pages:
        print(f"no seed pages in {seeds}", file=sys.stderr)
        return 1
    for page in pages:
        records = extract(page)
        cases = [r["case"] for r in records]
        assert len(set(cases)) == len(cases), f"{page.name}: duplicate cases {cases}"
        for record in records:
            out = RECORDINGS / record["model"] / f"{record['case']}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(dump(record), encoding="utf-8")
            print(f"{out.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
