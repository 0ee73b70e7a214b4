"""Reading an answer's bytes with a cap on what they decompress to.

httpx decompresses each chunk whole: one 64 KiB chunk of gzip can become 64 MiB, and a 1 MB
bomb gigabytes. So the client asks for `gzip, deflate` only, reads the raw bytes and decompresses
them here with zlib's `max_length`, never holding more than the cap (plus one read) in memory. An
encoding it did not ask for is refused rather than passed on undecoded.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

__all__ = ["ACCEPT_ENCODING", "BodyTooLarge", "Decoder", "UnsupportedEncoding"]

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024  # decompressed bytes produced per zlib call
MAX_LAYERS = 3  # stacked encodings decoded (`gzip, gzip`); each costs a zlib state (~40 KB) and a pass


class BodyTooLarge(Exception):
    """More than the cap arrived (decompressed)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(f"the answer exceeds the {cap:,}-byte cap (decompressed); reading stopped")


class UnsupportedEncoding(Exception):
    pass


class Decoder:
    """Raw body chunks in, decoded chunks out, at most `cap` bytes in all (`BodyTooLarge` past it)."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        self.total = 0
        self._zlib: list[zlib._Decompress] = []
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        if len([c for c in codings if c != "identity"]) > MAX_LAYERS:
            raise UnsupportedEncoding(f"{len(codings):,} stacked content encodings: at most {MAX_LAYERS} are decoded")
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                self._zlib.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
            elif coding == "deflate":
                self._zlib.append(zlib.decompressobj(zlib.MAX_WBITS))
            elif coding != "identity":
                raise UnsupportedEncoding(f"Content-Encoding {coding!r} was not asked for ({ACCEPT_ENCODING})")

    def charge(self, cost: int) -> None:
        """Count `cost` bytes of overhead (a stream's events, `cfai.sse`) against the cap."""
        self.total += cost
        if self.total > self.cap:
            raise BodyTooLarge(self.cap)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        chunks, room = [raw], self.cap - self.total
        for stage in self._zlib:  # each stage stops once its output passes the room left
            out: list[bytes] = []
            for chunk in chunks:
                out += _inflate(stage, chunk, room - sum(map(len, out)))
                if sum(map(len, out)) > room:
                    break
            chunks = out
        for chunk in chunks:
            self.total += len(chunk)
            if self.total > self.cap:
                raise BodyTooLarge(self.cap)
            if chunk:
                yield chunk


def _inflate(stage: zlib._Decompress, data: bytes, room: int) -> Iterator[bytes]:
    """Decompress `data` a step at a time; stop once more than `room` bytes came out."""
    produced = 0
    while True:
        try:
            out = stage.decompress(data, _STEP)
        except zlib.error as exc:
            raise UnsupportedEncoding(f"the compressed body is corrupt: {exc}") from None
        data = stage.unconsumed_tail
        produced += len(out)
        if out:
            yield out
        if produced > room or (not data and len(out) < _STEP):  # a full step may leave output buffered
            return
