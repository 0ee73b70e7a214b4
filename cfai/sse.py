"""Server-sent events from decoded text, incrementally (the WHATWG event-stream rules the client needs).

Fed the text of a stream piece by piece, it yields each event's `data` (its `data:` lines joined with
newlines) when the blank line ending the event arrives. Comments (`: keep-alive`) and other fields
(`event:`, `id:`, `retry:`) are read and dropped: the client's events are all in `data`. A line is
only as long as the stream's byte cap allows; the caller enforces that cap before feeding.

Why our own and not httpx-sse (no longer a dependency): its API, `EventSource.iter_sse()` /
`aiter_sse()`, reads `response.iter_text()`, httpx's own decoding of the body, while the client must
own every raw read: the decompressed byte cap and the gzip/deflate-only inflater (`cfai.body`), the
per-read deadline at the socket (`cfai.deadline`) and the idle/total stream clocks all sit between
one read and the next (`Stream._iterate`). The parts that could be fed our decoded text instead
(`SSELineDecoder`, `SSEDecoder`) live in its private `httpx_sse._decoders`, not its API: depending on
a 0.x library's internals for these 40 lines is the worse trade. We need only `data`; the rules are
the same (lines end at `\r\n`, `\r` or `\n`, a `\r` split across pieces included; one space after
the colon dropped; comments skipped; an unfinished event at the end dropped).

Each line and each event costs far more than its bytes (Python objects, a JSON parse, a validation):
`charge`, when given, is called with `LINE_COST` per line and `EVENT_COST` per event before they are
handled, so that the caller counts them against its byte cap (`Decoder.charge`): a stream of tiny
events then holds about the cap in memory and takes bounded CPU, not nine times and a minute.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator

__all__ = ["EVENT_COST", "LINE_COST", "EventParser"]

EVENT_COST = 256  # bytes charged per event: a parsed chunk's dicts and its validation
LINE_COST = 16  # bytes charged per line: its string and a parser step


class EventParser:
    def __init__(self, charge: Callable[[int], None] | None = None) -> None:
        self._charge = charge or (lambda _: None)
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []  # the unfinished line, in pieces: joined once its end arrives
        self._data: list[str] = []
        self._seen = False  # whether the current event had any field

    def feed(self, raw: bytes) -> Iterator[str]:
        """The data of each event completed by `raw`."""
        text = self._text.decode(raw)
        if "\n" not in text and "\r" not in text:
            self._pending.append(text)  # a long line costs its length once, not once per piece
            return
        text = "".join(self._pending) + text
        # A trailing `\r` may be the first half of `\r\n`: keep it for the next piece.
        keep = "\r" if text.endswith("\r") else ""
        lines = text[: len(text) - len(keep)].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self._pending = [lines.pop() + keep]
        self._charge(len(lines) * LINE_COST)
        for line in lines:
            yield from self._line(line)

    def close(self) -> Iterator[str]:
        """At the end of the stream: an event still missing its blank line is dropped, as the spec says."""
        self._data, self._seen, self._pending = [], False, []
        return iter(())

    def _line(self, line: str) -> Iterator[str]:
        if not line:
            if self._seen:
                self._charge(EVENT_COST)
                yield "\n".join(self._data)
            self._data, self._seen = [], False
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        self._seen = True
        if name == "data":
            self._data.append(value)
