"""Values that look like what the service sends, chosen from what the schema says a value is.

Each function proposes; `Instances` keeps a proposal only when it is valid against the node's own
schema, so nothing here can make an answer invalid. What is recognised, by the property's name, its
`format`/`contentType`/`contentMediaType`/`contentEncoding` and its description:

- an image or audio string (`format: binary`/`base64`, `contentType: image/*`/`audio/*`, or a
  description saying base64 image/audio): base64 of a real 1×1 PNG, a short silent WAV, or one MPEG
  audio frame (MP3) when the schema says mp3/mpeg;
- a probability, score or confidence: a number in [0, 1];
- `model`: the requested model's name; ids (`id`, `*_id`): `<prefix>-<hex>` from the seed;
  `created`/`created_at`/`timestamp`: a Unix time; token counts: small integers;
- text: words (`facts["text"]`, the answer's text, where the name says text: `response`, `text`, …);
- after an object is built (`settle`): `total_tokens` = prompt + completion (or input + output),
  and embeddings whose `shape` is `[len(data), len(data[0])]`, `data` rows of the stated dimension.
"""

from __future__ import annotations

import base64
import random
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["NOTHING", "media", "pattern_candidates", "settle", "value", "words"]

NOTHING: Any = object()  # "no proposal": the generic generator decides

_VOCABULARY = [
    "the", "quick", "answer", "is", "that", "most", "people", "enjoy", "a", "short", "walk", "after", "lunch",
    "because", "it", "helps", "them", "think", "clearly", "about", "the", "rest", "of", "their", "day", "and",
    "the", "work", "still", "ahead", "while", "the", "weather", "stays", "mild",
]  # fmt: skip
_TEXT_NAMES = {"response", "text", "summary", "description", "caption", "translated_text", "content", "answer",
               "output_text", "result", "message", "reasoning", "reasoning_content", "transcript", "title"}
_ID = re.compile(r"(^|_)id$")
_PROBABILITY = re.compile(r"probab|score|confidence|likelihood", re.IGNORECASE)
_MEDIA_FORMATS = {"binary", "base64", "byte"}


def words(rng: random.Random, count: int) -> str:
    start = rng.randrange(len(_VOCABULARY))
    return " ".join(_VOCABULARY[(start + i) % len(_VOCABULARY)] for i in range(max(1, count)))


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xf4\x81\x20")  # filter 0, one orange pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _wav(samples: int = 800, rate: int = 16_000) -> bytes:
    data = b"\x00\x00" * samples  # 50 ms of 16-bit mono silence
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", len(data)) + data)


def _mp3() -> bytes:
    # One MPEG-1 Layer III frame, 128 kbit/s, 44.1 kHz, mono, no CRC: 417 bytes, silent.
    return b"\xff\xfb\x90\xc4" + b"\x00" * 413


MEDIA = {"image/png": _png(), "audio/wav": _wav(), "audio/mpeg": _mp3()}


def media(schema: Mapping[str, Any], name: str | None) -> str | None:
    """The media type a string node holds (`image/png`, `audio/wav`, `audio/mpeg`), or None."""
    declared = " ".join(str(schema.get(k, "")) for k in ("contentType", "contentMediaType")).lower()
    description = str(schema.get("description", "")).lower()
    encoded = (str(schema.get("format", "")).lower() in _MEDIA_FORMATS or schema.get("contentEncoding") == "base64"
               or "base64" in description or "image/" in declared or "audio/" in declared)
    if not encoded or "event-stream" in declared:
        return None
    said = f"{declared} {description} {(name or '').lower()}"
    if "image" in said or "png" in said or "jpeg" in said:
        return "image/png"
    if "audio" in said or "speech" in said or "mp3" in said or "wav" in said:
        return "audio/mpeg" if "mp3" in said or "mpeg" in said else "audio/wav"
    return None


def _bounds(schema: Mapping[str, Any], low: float, high: float) -> tuple[float, float]:
    for key, pick in (("minimum", max), ("exclusiveMinimum", max)):
        if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
            low = pick(low, float(schema[key]))
    for key in ("maximum", "exclusiveMaximum"):
        if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
            high = min(high, float(schema[key]))
    return low, high


def value(schema: Mapping[str, Any], name: str | None, rng: random.Random, facts: Mapping[str, Any]) -> Any:
    """A believable value for this node, or NOTHING."""
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    key = (name or "").lower()
    said = f"{key} {schema.get('description', '')}"
    if "string" in kinds:
        found = media(schema, name)
        if found is not None:
            return base64.b64encode(MEDIA[found]).decode()
        if key == "model" and isinstance(facts.get("model"), str):
            return facts["model"]
        if _ID.search(key):
            return f"{key.removesuffix('id').rstrip('_') or 'id'}-{rng.getrandbits(96):024x}"
        if key in _TEXT_NAMES and isinstance(facts.get("text"), str) and facts["text"]:
            return facts["text"]
        if key in ("language", "lang", "source_lang", "target_lang"):
            return "en"
        if key == "role":
            return "assistant"
        if key == "finish_reason":
            return "stop"
        return NOTHING
    if kinds & {"number", "integer"}:
        integer = "number" not in kinds
        if "token" in key:
            return rng.randint(4, 64)
        if key in ("created", "created_at", "timestamp"):
            return int(facts.get("created", 1_760_000_000))
        if key in ("index", "choice_index", "output_index", "content_index"):
            return 0
        if _PROBABILITY.search(said) and not integer:
            low, high = _bounds(schema, 0.0, 1.0)
            return round(rng.uniform(low, high), 4) if high > low else low
        if "count" in key and isinstance(facts.get("text"), str):
            return len(facts["text"].split())
        if key.endswith(("_ms", "duration", "_time", "seconds")) or "duration" in key:
            return round(rng.uniform(0.05, 3.0), 3) if not integer else rng.randint(5, 900)
        if key in ("start", "end", "x", "y"):
            return NOTHING
        if not integer:
            low, high = _bounds(schema, 0.0, 1.0)
            return round(rng.uniform(low, high), 4) if high > low else NOTHING
        return NOTHING
    return NOTHING


def settle(out: dict[str, Any], facts: Mapping[str, Any]) -> None:
    """Make an object's parts agree: token totals add up, an embedding's `shape` is its `data`'s."""
    for first, second in (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens")):
        total = out.get("total_tokens")
        if isinstance(out.get(first), int) and isinstance(out.get(second), int) and type(total) is int:
            out["total_tokens"] = out[first] + out[second]
    data, shape = out.get("data"), out.get("shape")
    if isinstance(data, list) and isinstance(shape, list) and all(isinstance(x, int | float) for x in shape):
        dimension = int(facts.get("dimension") or 384)
        rows = max(1, int(facts.get("inputs") or 1))
        rng = random.Random(f"{facts.get('model')}\0{facts.get('text')}")
        if not data or all(isinstance(row, list) for row in data):
            out["data"] = [[round(rng.uniform(-0.1, 0.1), 6) for _ in range(dimension)] for _ in range(rows)]
            out["shape"] = [rows, dimension]


def pattern_candidates(schema: Mapping[str, Any]) -> Iterator[str]:
    """Strings that match the node's `pattern`: its default and examples, the alternatives the
    pattern spells out (`^(clef|clef-flash)$`), then a few stock strings."""
    pattern = schema.get("pattern")
    if not isinstance(pattern, str):
        return
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    options: list[Any] = [schema.get("default"), *(schema.get("examples") or [])]
    for group in re.findall(r"\(([\w.|-]+)\)", pattern):
        options += group.split("|")
    options += ["16000", "1", "0", "en", "a", "mock", "2026-01-01", "abc123"]
    for option in options:
        if isinstance(option, str) and compiled.search(option):
            yield option
